profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

transform {
  threads           = 0     # ERROR: Invalid threads
  memory_limit      = "80%" # ERROR: Invalid memory_limit
  temp_directory    = " "   # ERROR: Empty temp_directory
  stale_report_days = 0     # ERROR: Invalid stale_report_days
  spill             = true  # ERROR: Unsupported argument
}

transform { # ERROR: Duplicate transform block
  memory_limit = "4 gigs" # ERROR: Invalid memory_limit
}
