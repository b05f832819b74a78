profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

exclude "e" {
  profiles = ["prod"] # ERROR: Unknown profile "prod"
  users    = ["a@contoso.com"]
}

reclaim "r" {
  profiles      = ["p", "pp"] # ERROR: Unknown profile "pp"
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}

consolidate "c" {
  profiles = ["q"] # ERROR: Unknown profile "q"
  product {
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "D365_SALES_ENT_ATTACH"
  }
  product {
    base = "DYN365_ENTERPRISE_TEAM_MEMBERS"
  }
}
