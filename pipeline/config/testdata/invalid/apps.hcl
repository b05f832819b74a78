profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

app "visio" {
  app_ids      = ["33333333-3333-3333-3333-333333333333"]
  resource_ids = ["not-a-guid-at-all-no"] # ERROR: Malformed resource id
}

app "empty" { # ERROR: App without ids
}

app "power_bi_service" { # ERROR: App "power_bi_service" is built in
  app_ids = ["44444444-4444-4444-4444-444444444444"]
}

app "visio" { # ERROR: Duplicate app "visio"
  app_ids = ["55555555-5555-5555-5555-555555555555"]
}

reclaim "typo" {
  skus          = ["VISIOCLIENT"]
  signals       = ["app_sign_in"]
  apps          = ["visoi"] # ERROR: Unknown app "visoi"
  inactive_days = 90
}

reclaim "no_apps" { # ERROR: app_sign_in without apps
  skus          = ["VISIOCLIENT"]
  signals       = ["app_sign_in"]
  inactive_days = 90
}

reclaim "apps_unused" {
  skus          = ["VISIOCLIENT"]
  signals       = ["sign_in"]
  apps          = ["visio"] # ERROR: apps without app_sign_in
  inactive_days = 90
}
