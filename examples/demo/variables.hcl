# Variables of the demo configuration. Every one has a default so that
# `reclaim validate examples/demo` passes on a fresh machine. The credential
# defaults are the simulated tenant's built-in demo credentials
# (simtenant.DefaultTenantID, DefaultClientID, DefaultClientSecret); `make
# demo` overrides the rest with what `reclaim sim serve` prints when it starts:
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
  default     = "b6c1e2a4-2f3d-4e5a-9b7c-1d2e3f4a5b6c"
}

variable "client_id" {
  description = "Application (client) id registered in the simulated tenant."
  default     = "3f0c9d8e-7b6a-4c5d-8e9f-0a1b2c3d4e5f"
}

# The simulated tenant's fixed demo secret. It opens nothing but the
# simulator on loopback, so it may sit here as a default; it is still
# declared sensitive so it prints as (sensitive) like a real one would.
variable "client_secret" {
  description = "Client secret for the simulated tenant's demo app."
  sensitive   = true
  default     = "sim-demo-secret-not-for-production"
}

variable "dataverse_org" {
  description = "Dataverse environment served by the simulated tenant under /dataverse/{org}."
  default     = "contoso"
}

variable "ca_file" {
  description = "PEM file of the simulated tenant's self-signed certificate; empty: trust SSL_CERT_FILE / system roots."
  default     = ""
}

variable "output_dir" {
  description = "Where snapshots, plans and journals go."
  default     = "./reclaim-data/demo"
}
