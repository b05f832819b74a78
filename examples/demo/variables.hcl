# Variables of the demo configuration. Every one has a default so that
# `reclaim validate examples/demo` passes on a fresh machine; `make demo`
# overrides them with the values the simulated tenant prints when it starts:
#
#   reclaim run examples/demo -var sim_url=https://127.0.0.1:PORT -var ca_file=/tmp/.../ca.pem
#
# or the same through RECLAIM_VAR_sim_url, RECLAIM_VAR_ca_file, ...

variable "sim_url" {
  description = "Base URL of the simulated tenant (login, Graph and Dataverse share it)."
  default     = "https://127.0.0.1:8443"
}

variable "tenant_id" {
  description = "Tenant id the simulated tenant answers to."
  default     = "5e1a7e57-7e57-4e57-8e57-000000000001"
}

variable "client_id" {
  description = "Application (client) id registered in the simulated tenant."
  default     = "c11e0700-7e57-4e57-8e57-000000000002"
}

# The simulated tenant's fixed demo secret. It opens nothing but the
# simulator on loopback, so it may sit here as a default; it is still
# declared sensitive so it prints as (sensitive) like a real one would.
variable "client_secret" {
  description = "Client secret for the simulated tenant's demo app."
  sensitive   = true
  default     = "sim-demo-secret-not-a-real-secret"
}

variable "ca_file" {
  description = "PEM file of the simulated tenant's self-signed certificate; empty: trust SSL_CERT_FILE / system roots."
  default     = ""
}

variable "output_dir" {
  description = "Where snapshots, plans and journals go."
  default     = "./reclaim-data/demo"
}
