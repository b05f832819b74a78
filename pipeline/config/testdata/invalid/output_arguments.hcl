profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

output {
  dir        = "./work"
  endpoint   = "http://127.0.0.1:10000/devstoreaccount1" # ERROR: Argument needs output url
  shared_key = env("AZURE_STORAGE_KEY") # ERROR: Argument needs output url
}
