variable "v" { default = 1 }
variable "v" { default = 2 } # ERROR: Duplicate variable "v"

profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  dynamics "org" {
    url = "https://a.crm.dynamics.com"
  }
  dynamics "org" { # ERROR: Duplicate dynamics environment "org"
    url = "https://b.crm.dynamics.com"
  }
  tasks {}
  tasks {} # ERROR: Duplicate tasks block
}

profile "p" { # ERROR: Duplicate profile "p"
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

exclude "e" { users = ["a@contoso.com"] }
exclude "e" { users = ["b@contoso.com"] } # ERROR: Duplicate exclusion "e"

reclaim "r" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}
reclaim "r" { # ERROR: Duplicate reclaim rule "r"
  skus          = ["SPE_E5"]
  signals       = ["sign_in"]
  inactive_days = 90
}

price "SPE_E3" { amount = 36 }
price "spe_e3" { amount = 35 } # ERROR: Duplicate price for SKU "spe_e3"

output {}
output {} # ERROR: Duplicate output block
