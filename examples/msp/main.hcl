# A managed-service provider's configuration: one multi-tenant app, consented
# in every customer tenant, and the list of customers in tenants.csv (a key
# column names each; see docs/configuration.md "Many tenants: for_each").
# Each row is a profile customers.KEY with its own output directory, state,
# lock and plan section.
#
#   reclaim run examples/msp --parallel-profiles 8          # every tenant, on one host
#   reclaim run examples/msp --profile-index 3              # the fourth tenant in name order
#   reclaim run examples/msp --shard 0/4                    # a quarter of them
#   reclaim rollup examples/msp                             # licence position and savings per tenant

profile "customers" {
  for_each      = csvdecode(file(var.tenants_file))
  tenant_id     = each.value.tenant_id
  client_id     = var.client_id
  # The app's certificate (PEM with the key), the same for every tenant: a
  # multi-tenant app has one credential. Never a secret in this file.
  certificate_file = var.certificate_file

  graph_endpoint = var.graph_endpoint
  login_endpoint = var.login_endpoint
  ca_file        = var.ca_file

  lookback_days = tonumber(each.value.lookback_days)
}

output {
  dir = var.output_dir
}

variable "tenants_file" {
  description = "CSV of customer tenants: key, tenant_id, lookback_days."
  default     = "tenants.csv"
}

variable "client_id" {
  description = "Application (client) id of the MSP's multi-tenant app."
  default     = "0b7f3c2e-9a1d-4e6b-8c5f-2d4a6b8c0e1f"
}

variable "certificate_file" {
  default = "/etc/reclaim/msp-app.pem"
}

variable "graph_endpoint" {
  default = "https://graph.microsoft.com"
}

variable "login_endpoint" {
  default = "https://login.microsoftonline.com"
}

variable "ca_file" {
  description = "Extra trusted roots (the simulated tenant's certificate); empty: the system's."
  default     = ""
}

variable "output_dir" {
  default = "./reclaim-data/msp"
}
