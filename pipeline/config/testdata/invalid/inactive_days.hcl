profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

reclaim "zero" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 0 # ERROR: Invalid inactive_days
}

reclaim "negative" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = -5 # ERROR: Invalid inactive_days
  grace_days    = -1 # ERROR: Invalid grace_days
  max_actions   = -1 # ERROR: Invalid max_actions
}

reclaim "fraction" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 1.5 # ERROR: Invalid number
}

reclaim "missing" { # ERROR: Missing required argument
  skus    = ["SPE_E3"]
  signals = ["sign_in"]
}
