profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("RECLAIM_TEST_SECRET", "unset")
}

reclaim_rule "r" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}
