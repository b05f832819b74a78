variable "tenant" { # ERROR: No value for variable "tenant"
  description = "set by -var tenant=..."
}

profile "p" {
  tenant_id     = var.tenant
  client_id     = var.client # ERROR: Reference to undeclared variable "client"
  client_secret = env("SECRET")
}
