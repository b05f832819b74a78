# Contoso's negotiated prices (EA, EUR). Savings in plans use these; a SKU
# with no price is still reclaimed, its saving shown as unknown.

price "SPE_E3" {
  amount   = 391.20
  currency = "EUR"
  period   = "year"
}

price "SPE_E5" {
  amount   = 626.40
  currency = "EUR"
  period   = "year"
}

price "ENTERPRISEPACK" {
  amount   = 21.50
  currency = "EUR"
}

price "POWER_BI_PRO" {
  amount   = 13.10
  currency = "EUR"
}

price "VISIOCLIENT" {
  amount   = 14.00
  currency = "EUR"
}

price "PROJECTPREMIUM" {
  amount   = 51.80
  currency = "EUR"
}

price "DYN365_ENTERPRISE_SALES" {
  amount   = 98.00
  currency = "EUR"
}

price "DYN365_ENTERPRISE_CUSTOMER_SERVICE" {
  amount   = 98.00
  currency = "EUR"
}

price "DYN365_ENTERPRISE_TEAM_MEMBERS" {
  amount   = 7.50
  currency = "EUR"
}

price "D365_SALES_ENT_ATTACH" {
  amount   = 18.70
  currency = "EUR"
}

price "D365_CUSTOMER_SERVICE_ENT_ATTACH" {
  amount   = 18.70
  currency = "EUR"
}
