profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

consolidate "empty" { # ERROR: No products
}

consolidate "one" { # WARNING: Consolidation with one product
  product {
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "DYN365_ENTERPRISE_SALES" # ERROR: Attach SKU equals base SKU
  }
}

consolidate "dup" {
  product {
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "D365_SALES_ENT_ATTACH"
  }
  product { # ERROR: Duplicate product "DYN365_ENTERPRISE_SALES"
    base   = "DYN365_ENTERPRISE_SALES"
    attach = "D365_SALES_ENT_ATTACH"
  }
  product { # ERROR: Missing required argument
    attach = "D365_SALES_ENT_ATTACH"
  }
}
