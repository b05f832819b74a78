profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

reclaim "r" {
  skus           = "SPE_E3" # ERROR: Incorrect attribute value type
  signals        = ["sign_in", 42, ["email"]] # ERROR: Unknown signal "42" # ERROR: Incorrect list element type
  inactive_days  = "ninety" # ERROR: Incorrect attribute value type
  include_guests = "sometimes" # ERROR: Incorrect attribute value type
}

reclaim "Bad Name" { # ERROR: Invalid reclaim rule name
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}
