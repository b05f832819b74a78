variable "secret" {
  sensitive = true
  default   = "not-really-secret"
}

variable "plain" {
  default = "visible-in-output"
}

profile "literal" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = "written-in-the-file" # WARNING: Secret not from a sensitive source
}

profile "plain_var" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = var.plain # WARNING: Secret not from a sensitive source
}

profile "misuse" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = var.secret # ERROR: Secret in a non-secret argument
  client_secret = var.secret
}
