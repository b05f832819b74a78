profile "p" {
  tenant_id     = "contoso.onmicrosoft.com" # ERROR: Malformed tenant id
  client_id     = "22222222-2222-2222-2222-22222222222" # ERROR: Malformed client id
  client_secret = env("SECRET")
}

exclude "e" {
  users  = ["44444444-4444-4444-4444-4444444444"] # ERROR: Malformed user object id
  groups = ["finance-team"] # ERROR: Malformed group object id
}

reclaim "r" {
  skus          = ["SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d96"] # ERROR: Malformed SKU id
  signals       = ["sign_in"]
  inactive_days = 90
}

price "SPE E3" { # ERROR: Invalid SKU
  amount = 36
}
