# What counts as unused. Signals are the activity sources a rule counts;
# a user with none of them for inactive_days is inactive.

reclaim "m365_inactive" {
  skus          = ["SPE_E3", "SPE_E5", "ENTERPRISEPACK"]
  signals       = ["sign_in", "office365", "email", "teams"]
  inactive_days = 90
  grace_days    = 45 # onboarding can take a month and a half
  # Guests with member licences are rare here and handled by hand.
  include_guests = false
  action         = "remove_license"
  # At most this many removals per plan: a bad signal must not empty the tenant.
  max_actions = 250
  # allow_data_at_risk stays false: users whose mailbox or OneDrive still
  # holds data are not removed, so their manager can arrange a hand-over.
}

reclaim "power_bi_pro" {
  skus          = ["POWER_BI_PRO"]
  signals       = ["sign_in"]
  inactive_days = 60
  action        = "remove_license"
  # Power BI Pro often comes from the "BI-Authors" licensing group; removing
  # the membership is what frees the seat.
  allow_group_removal = true
}

# Visio and Project count a sign-in to the product, not any sign-in: a
# mailbox sign-in is no use of Visio. Microsoft documents no application id
# for either, so these are the ones Contoso's sign-in log shows (Entra admin
# centre > Sign-in logs, filter Application; copy Application ID). Write
# yours: ids no sign-in carries leave the rule unknown (review), never
# inactive. The log keeps 30 days, so a longer inactive_days waits for
# reclaim's own history (review until then); desktop activations (the
# Office activations report) show as installation and make it review too.
app "visio" {
  app_ids = ["6d2b7c1e-3f4a-4b5c-9d8e-7f6a5b4c3d21"]
}

app "project" {
  app_ids = ["6d2b7c1e-3f4a-4b5c-9d8e-7f6a5b4c3d22"]
}

reclaim "visio" {
  skus          = ["VISIOCLIENT"]
  signals       = ["app_sign_in"]
  apps          = ["visio"]
  inactive_days = 90
  action        = "remove_license"
}

reclaim "project" {
  skus          = ["PROJECTPREMIUM"]
  signals       = ["app_sign_in"]
  apps          = ["project"]
  inactive_days = 90
  action        = "remove_license"
}

reclaim "dynamics_inactive" {
  profiles = ["contoso"]
  skus = [
    "DYN365_ENTERPRISE_SALES",
    "DYN365_ENTERPRISE_CUSTOMER_SERVICE",
    "DYN365_ENTERPRISE_TEAM_MEMBERS",
  ]
  signals       = ["dynamics"]
  inactive_days = 60
  action        = "remove_license"
  max_actions   = 50
}

reclaim "disabled_accounts" {
  # Leavers are disabled on their last day; their licences go a week later.
  skus              = ["SPE_E3", "SPE_E5", "ENTERPRISEPACK", "POWER_BI_PRO", "VISIOCLIENT", "PROJECTPREMIUM"]
  signals           = ["sign_in"]
  inactive_days     = 7
  grace_days        = 0
  disabled_accounts = "only"
  action            = "remove_license"
  # Disabled accounts' mailboxes are retained by the leaver process.
  allow_data_at_risk = true
}

# Dynamics 365: one full-price base licence per user, further apps at the
# attach price. The attach part numbers are those on Contoso's agreement —
# check yours in the admin centre or GET /v1.0/subscribedSkus.
consolidate "dynamics_base_attach" {
  profiles = ["contoso"]

  product {
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "D365_SALES_ENT_ATTACH"
  }

  product {
    base   = "DYN365_ENTERPRISE_CUSTOMER_SERVICE"
    attach = "D365_CUSTOMER_SERVICE_ENT_ATTACH"
  }

  # Team Members rights come with any full licence: no attach, just removed.
  product {
    base = "DYN365_ENTERPRISE_TEAM_MEMBERS"
  }
}
