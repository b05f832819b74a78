# The configuration `make demo` runs against the built-in simulated tenant.
# It exercises every block of the language; see docs/configuration.md.

profile "sim" {
  tenant_id      = var.tenant_id
  client_id      = var.client_id
  client_secret  = var.client_secret
  graph_endpoint = var.sim_url
  login_endpoint = var.sim_url
  ca_file        = var.ca_file

  tasks {
    download_activity     = true
    reclaim_subscriptions = true # the simulator is ours to change
  }

  lookback_days = 90

  dynamics "sim" {
    url = "${var.sim_url}/dataverse/${var.dataverse_org}"
  }
}

output {
  dir         = var.output_dir
  compression = "zstd"
}
