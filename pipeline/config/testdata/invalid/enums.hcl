profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

reclaim "r" {
  skus              = ["SPE_E3"]
  signals           = ["sign_in"]
  inactive_days     = 90
  action            = "remove" # ERROR: Invalid action
  disabled_accounts = "skip" # ERROR: Invalid disabled_accounts
}

price "SPE_E3" {
  amount   = 36
  currency = "usd" # ERROR: Invalid currency
  period   = "monthly" # ERROR: Invalid period
}

price "SPE_E5" {
  amount = -1 # ERROR: Invalid amount
}

output {
  compression = "lz4" # ERROR: Invalid compression
}
