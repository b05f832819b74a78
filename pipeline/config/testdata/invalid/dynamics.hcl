profile "p" {
  tenant_id      = "11111111-1111-1111-1111-111111111111"
  client_id      = "22222222-2222-2222-2222-222222222222"
  client_secret  = env("SECRET")
  graph_endpoint = "graph.microsoft.com" # ERROR: Invalid graph_endpoint
  dynamics "bad_url" {
    url = "contoso.crm.dynamics.com" # ERROR: Invalid url
  }
  dynamics "no_client" { # ERROR: Missing client_id
    url           = "https://contoso.crm.dynamics.com"
    client_secret = env("SECRET")
  }
  dynamics "no_url" { # ERROR: Missing required argument
  }
}

profile "no_activity" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  tasks {
    download_activity = false
  }
}

reclaim "r" { # WARNING: dynamics signal without a dynamics environment # WARNING: Activity not downloaded
  profiles      = ["no_activity"]
  skus          = ["DYN365_ENTERPRISE_SALES"]
  signals       = ["dynamics", "sign_in"]
  inactive_days = 30
}
