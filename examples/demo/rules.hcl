# What counts as unused, per product.

reclaim "inactive_m365" {
  skus          = ["SPE_E3", "SPE_E5", "ENTERPRISEPACK"]
  signals       = ["sign_in", "office365"]
  inactive_days = 90
  grace_days    = 30
  action        = "remove_license"
  max_actions   = 200
}

reclaim "inactive_power_bi" {
  skus          = ["POWER_BI_PRO"]
  signals       = ["sign_in"]
  inactive_days = 60
  action        = "remove_license"
}

# Visio and Project: a sign-in to the product itself, not any sign-in (a
# daily Outlook user keeps no Visio seat). Microsoft documents no app id for
# either; the app blocks below name the simulated tenant's
# (simtenant.SimVisioAppID, SimProjectAppID). The sign-in log keeps 30 days:
# a longer inactive_days is decisive only once reclaim has kept that much of
# it, and until then the rule recommends review. A desktop activation in the
# Office activations report shows as installation and makes it review too.
app "visio" {
  app_ids = ["51e00000-0000-4000-8000-000000000001"]
}

app "project" {
  app_ids = ["51e00000-0000-4000-8000-000000000002"]
}

reclaim "inactive_visio" {
  skus          = ["VISIOCLIENT"]
  signals       = ["app_sign_in"]
  apps          = ["visio"]
  inactive_days = 30
  action        = "remove_license"
}

reclaim "inactive_project" {
  skus          = ["PROJECTPREMIUM"]
  signals       = ["app_sign_in"]
  apps          = ["project"]
  inactive_days = 30
  action        = "remove_license"
}

reclaim "inactive_dynamics" {
  skus = [
    "DYN365_ENTERPRISE_SALES",
    "DYN365_ENTERPRISE_CUSTOMER_SERVICE",
    "DYN365_ENTERPRISE_TEAM_MEMBERS",
    "DYN365_TEAM_MEMBERS",
  ]
  signals       = ["dynamics"]
  inactive_days = 60
  action        = "remove_license"
}

reclaim "disabled_accounts" {
  # Disabled accounts keep their licences until someone notices.
  skus              = ["SPE_E3", "SPE_E5", "ENTERPRISEPACK", "POWER_BI_PRO"]
  signals           = ["sign_in"]
  inactive_days     = 1
  grace_days        = 0
  disabled_accounts = "only"
  action            = "report"
}

# Dynamics 365 base + attach: a user with two Enterprise apps pays full price
# for one (the dearest) and the attach price for the other. Team Members is
# covered by any full licence, so it has no attach SKU: it is simply removed.
consolidate "dynamics_base_attach" {
  product {
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "D365_SALES_ENT_ATTACH"
  }
  product {
    base   = "DYN365_ENTERPRISE_CUSTOMER_SERVICE"
    attach = "D365_CUSTOMER_SERVICE_ENT_ATTACH"
  }
  product {
    base = "DYN365_ENTERPRISE_TEAM_MEMBERS"
  }
  product {
    base = "DYN365_TEAM_MEMBERS" # the newer Team Members SKU
  }
}
