profile "both" {
  tenant_id        = "11111111-1111-1111-1111-111111111111"
  client_id        = "22222222-2222-2222-2222-222222222222"
  client_secret    = env("SECRET")
  certificate_file = "app.pem" # ERROR: Conflicting credentials
}

profile "neither" { # ERROR: Missing credentials
  tenant_id = "11111111-1111-1111-1111-111111111111"
  client_id = "22222222-2222-2222-2222-222222222222"
}

profile "password_only" {
  tenant_id            = "11111111-1111-1111-1111-111111111111"
  client_id            = "22222222-2222-2222-2222-222222222222"
  client_secret        = env("SECRET")
  certificate_password = env("SECRET") # ERROR: certificate_password without certificate_file
}

profile "empty" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("EMPTY") # ERROR: Empty secret
}
