profile "slashes" {
  for_each      = toset(["ok", "../escape"]) # ERROR: Invalid for_each key
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "unicode" {
  for_each      = { "zürich" = "11111111-1111-1111-1111-111111111111" } # ERROR: Invalid for_each key
  tenant_id     = each.value
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "cases" {
  for_each      = toset(["Contoso", "contoso"]) # ERROR: Duplicate for_each key
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "number" {
  for_each      = 3 # ERROR: Invalid for_each
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "nokey" {
  for_each      = [{ name = "a", tenant = "11111111-1111-1111-1111-111111111111" }] # ERROR: Invalid for_each
  tenant_id     = each.value.tenant
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "customers" {
  for_each = {
    contoso  = "11111111-1111-1111-1111-111111111111"
    fabrikam = "not-a-guid"
  }
  tenant_id     = each.value # ERROR: Malformed tenant id
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "customers" { # ERROR: Duplicate profile "customers"
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

profile "single" {
  tenant_id     = each.key # ERROR: Unknown variable
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

reclaim "r" {
  profiles      = ["customers", "customers.contoso", "customers.nope"] # ERROR: Unknown profile "customers.nope"
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}
