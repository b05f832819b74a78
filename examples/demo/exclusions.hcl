# Who is never touched.

exclude "break_glass" {
  # Emergency-access accounts sign in rarely by design.
  users = [
    "breakglass1@contoso.example",
    "breakglass2@contoso.example",
  ]
}

exclude "executives" {
  # Members of this group (and of groups nested in it).
  groups = ["0e5c4a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"]
}

exclude "service_accounts" {
  # A DuckDB SQL expression over the users table.
  when = "department = 'IT Service Accounts' OR job_title ILIKE '%service%'"
}

exclude "legal_hold_mailboxes" {
  when = "department = 'Legal'"
  skus = ["SPE_E5", "ENTERPRISEPREMIUM"]
}
