variable "tenant" {
  default = "11111111-1111-1111-1111-111111111111"
}

variable "secret" {
  sensitive = true
}

profile "prod" {
  tenant_id     = var.tenant
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = var.secret

  dynamics "sales" {
    url = "https://contoso.crm.dynamics.com"
  }
}

exclude "vip" {
  users = ["ceo@contoso.com"]
}

reclaim "e3" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in", "office365"]
  inactive_days = 90
}

price "SPE_E3" { amount = 36 }

transform {
  memory_limit = "2GB"
}

sql_stage "e3_by_rule" {
  query = <<-SQL
    SELECT rule, count(*) AS licences
    FROM recommendations
    GROUP BY ALL
  SQL
}
