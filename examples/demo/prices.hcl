# List prices per user per month (USD) — illustrative; put your agreement's.

price "SPE_E3" { amount = 36.00 }
price "SPE_E5" { amount = 57.00 }
price "ENTERPRISEPACK" { amount = 23.00 }
price "ENTERPRISEPREMIUM" { amount = 38.00 }
price "SPB" { amount = 22.00 }
price "O365_BUSINESS_PREMIUM" { amount = 12.50 }
price "O365_BUSINESS_ESSENTIALS" { amount = 6.00 }
price "EXCHANGESTANDARD" { amount = 4.00 }
price "POWER_BI_PRO" { amount = 14.00 }
price "FLOW_FREE" { amount = 0 }
price "TEAMS_EXPLORATORY" { amount = 0 }
price "PROJECTPREMIUM" { amount = 55.00 }
price "VISIOCLIENT" { amount = 15.00 }
price "DYN365_ENTERPRISE_SALES" { amount = 105.00 }
price "DYN365_ENTERPRISE_CUSTOMER_SERVICE" { amount = 105.00 }
price "DYN365_ENTERPRISE_SALES_CUSTOMERSERVICE" { amount = 162.00 }
price "DYN365_ENTERPRISE_TEAM_MEMBERS" { amount = 8.00 }
price "DYN365_TEAM_MEMBERS" { amount = 8.00 }
price "D365_SALES_ENT_ATTACH" { amount = 20.00 }
price "D365_CUSTOMER_SERVICE_ENT_ATTACH" { amount = 20.00 }
