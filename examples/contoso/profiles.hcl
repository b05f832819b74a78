# Contoso Ltd. — production reclaim configuration.
#
# This directory is one configuration: reclaim reads every *.hcl file in it.
# Nothing secret is written here. The apps authenticate with certificates
# (Microsoft's recommendation for unattended apps); the PEM/PFX files live on
# the reclaim host, outside git, readable only by the reclaim service account.
# A PFX exported with a password gets it from the environment:
#
#   export CONTOSO_RECLAIM_CERT_PASSWORD=...   # unset or empty: no password
#
# Check the configuration (no network):   reclaim validate examples/contoso
# Run it:                                 reclaim run examples/contoso

variable "output_dir" {
  description = "Where snapshots, plans and journals are kept (a persistent volume on the reclaim host)."
  default     = "/var/lib/reclaim/contoso"
}

variable "cert_dir" {
  description = "Directory holding the app certificates."
  default     = "/etc/reclaim/certs"
}

# The commercial tenant. App registration "reclaim" with application
# permissions User.Read.All, AuditLog.Read.All, Reports.Read.All,
# LicenseAssignment.ReadWrite.All, GroupMember.Read.All (admin consented).
profile "contoso" {
  tenant_id            = "8f3e1c2a-4b5d-4e6f-9a7b-1c2d3e4f5a6b"
  client_id            = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a"
  certificate_file     = "${var.cert_dir}/contoso-reclaim.pfx"
  certificate_password = env("CONTOSO_RECLAIM_CERT_PASSWORD", "")

  tasks {
    download_activity = true
    # Report-only until the first plans have been reviewed with HR and the
    # service desk; then switch on and let `reclaim apply` act.
    reclaim_subscriptions = false
  }

  # Usage reports keep 180 days; 120 covers the longest rule plus report lag.
  lookback_days = 120

  # Dataverse environments read for Dynamics 365 user-access audit. The
  # "reclaim" app is an application user in both, so it uses the profile's
  # credentials. An environment served by another app would say:
  #   client_id     = "..."
  #   client_secret = env("CONTOSO_DYNAMICS_SECRET")
  dynamics "sales" {
    url = "https://contoso.crm.dynamics.com"
  }

  dynamics "service" {
    url = "https://contoso-service.crm4.dynamics.com"
  }
}

# The US Government (GCC High) tenant of Contoso Federal: national-cloud
# endpoints instead of the public-cloud defaults.
profile "contoso_federal" {
  tenant_id        = "2b4d6f8a-0c1e-4a3b-8d5f-7e9a0b1c2d3e"
  client_id        = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
  certificate_file = "${var.cert_dir}/contoso-federal-reclaim.pem"
  graph_endpoint   = "https://graph.microsoft.us"
  login_endpoint   = "https://login.microsoftonline.us"

  # Federal records policy: only activity since the start of the fiscal year.
  activity_since = "2026-10-01"
}

output {
  dir         = var.output_dir
  compression = "zstd"
}
