profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

reclaim "r" {
  skus          = ["SPE_E3"]
  signals       = ["sign-in", "office365", "teams_calls"] # ERROR: Unknown signal "sign-in" # ERROR: Unknown signal "teams_calls"
  inactive_days = 90
}

reclaim "none" {
  skus          = ["SPE_E3"]
  signals       = [] # ERROR: No signals
  inactive_days = 90
}
