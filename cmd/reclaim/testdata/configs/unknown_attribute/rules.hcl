# The second file: the diagnostic must name it, not main.hcl.
reclaim "r" {
  skus          = ["SPE_E3"]
  signals       = ["sign_in", "emial"]
  inactive_days = 90
  inactive_dyas = 30
}
