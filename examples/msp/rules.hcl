# The same rules for every customer: a rule without profiles = [...] covers
# every instance; profiles = ["customers.contoso"] would cover one tenant.

reclaim "inactive_m365" {
  skus          = ["SPE_E3", "SPE_E5", "ENTERPRISEPACK"]
  signals       = ["sign_in", "office365"]
  inactive_days = 90
  grace_days    = 30
  action        = "remove_license"
}

reclaim "inactive_power_bi" {
  skus          = ["POWER_BI_PRO"]
  signals       = ["sign_in"]
  inactive_days = 60
  action        = "remove_license"
}

price "SPE_E3" { amount = 36.00 }
price "SPE_E5" { amount = 57.00 }
price "ENTERPRISEPACK" { amount = 23.00 }
price "POWER_BI_PRO" { amount = 14.00 }
