profile "bad_date" {
  tenant_id      = "11111111-1111-1111-1111-111111111111"
  client_id      = "22222222-2222-2222-2222-222222222222"
  client_secret  = env("SECRET")
  activity_since = "31/01/2026" # ERROR: Invalid activity_since
}

profile "both" {
  tenant_id      = "11111111-1111-1111-1111-111111111111"
  client_id      = "22222222-2222-2222-2222-222222222222"
  client_secret  = env("SECRET")
  activity_since = "2026-01-31"
  lookback_days  = 30 # ERROR: Conflicting arguments
}

profile "zero" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  lookback_days = 0 # ERROR: Invalid lookback_days
  tasks {
    download_activity = "maybe" # ERROR: Incorrect attribute value type
  }
}
