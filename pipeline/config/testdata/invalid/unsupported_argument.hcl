# An argument the block does not have: HCL's own diagnostic, with a suggestion.
profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  tennant_id    = "x" # ERROR: Unsupported argument
}

reclaim "r" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
  inactive      = true # ERROR: Unsupported argument
}

colour = "blue" # ERROR: Unsupported argument
