# Who is never touched. The names below exist in the simulated tenant
# (domain contoso.com; see simtenant/catalog.go for its groups).

exclude "break_glass" {
  # The tenant's first administrator and the emergency-access account sign in
  # rarely by design.
  users = [
    "admin0@contoso.com",
    "breakglass@contoso.com",
  ]
}

exclude "visio_project_pilot" {
  # Members of the LIC-Visio-Project group (and groups nested in it) keep
  # their licences until the pilot ends.
  groups = ["7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f74"]
}

exclude "mailboxes" {
  # A DuckDB SQL expression over the users table: shared and room mailboxes
  # are not people and never sign in.
  when = "user_principal_name LIKE 'shared.%' OR user_principal_name LIKE 'room.%'"
}

exclude "legal_e5" {
  # Legal keeps E5 (eDiscovery) whatever its activity.
  when = "department = 'Legal'"
  skus = ["SPE_E5", "ENTERPRISEPREMIUM"]
}
