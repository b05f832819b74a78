# Who reclaim never touches. A user matched by any exclusion gets no
# recommendation; with skus, only those licences are protected.

exclude "break_glass" {
  # Emergency-access accounts: sign in only in an emergency, by design.
  users = [
    "breakglass-01@contoso.com",
    "breakglass-02@contoso.com",
    "7c6b5a49-3827-4165-9f8e-7d6c5b4a3928", # the federal one, by object id
  ]
}

exclude "leadership" {
  # "SG-Leadership" and every group nested in it.
  groups = ["4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d"]
}

exclude "service_accounts" {
  profiles = ["contoso"]
  when     = "department = 'Service Accounts' OR user_principal_name LIKE 'svc-%'"
}

exclude "leave_of_absence" {
  # HR sets the job title while someone is on parental or sick leave.
  when = "job_title ILIKE '%(on leave)%'"
}

exclude "litigation_hold" {
  # Mailboxes under hold keep their E5 (eDiscovery Premium) licence.
  when = "department IN ('Legal', 'Compliance')"
  skus = ["SPE_E5"]
}
