profile "typo" {
  tenant_id = "11111111-1111-1111-1111-111111111111"
  auth      = "workload_identiy" # ERROR: Unknown auth
}

profile "secret_too" {
  auth          = "managed_identity"
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_secret = env("SECRET") # ERROR: Secret with secretless auth
}

profile "github_unnamed" { # ERROR: Missing client_id
  auth      = "github_oidc"
  tenant_id = "11111111-1111-1111-1111-111111111111"
}

profile "misplaced" {
  auth                 = "github_oidc"
  tenant_id            = "11111111-1111-1111-1111-111111111111"
  client_id            = "22222222-2222-2222-2222-222222222222"
  federated_token_file = "/var/run/token" # ERROR: Argument not used by this auth
}

profile "cli_client" {
  auth      = "azure_cli"
  tenant_id = "11111111-1111-1111-1111-111111111111"
  client_id = "22222222-2222-2222-2222-222222222222" # WARNING: client_id is not used
}

profile "secret_unnamed" { # ERROR: Missing client_id
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_secret = env("SECRET")
}

profile "mismatch" {
  auth          = "certificate" # ERROR: Credentials do not match auth
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}
