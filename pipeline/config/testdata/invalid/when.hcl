profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

exclude "semicolon" {
  when = "department = 'IT'; DROP TABLE users" # ERROR: Invalid when expression
}

exclude "quote" {
  when = "department = 'IT" # ERROR: Invalid when expression
}

exclude "parens" {
  when = "(department = 'IT'" # ERROR: Invalid when expression
}

exclude "empty" { # ERROR: Empty exclusion
}

exclude "users" {
  users = ["alice"] # ERROR: Invalid user
}

exclude "subquery" {
  when = "id IN (SELECT id FROM users)" # ERROR: Invalid when expression
}

exclude "comment" {
  when = "department = 'IT' -- and more" # ERROR: Invalid when expression
}

exclude "typo" {
  when = "departmnet = 'IT' AND lower(job_title) LIKE '%admin%'" # WARNING: Unknown column "departmnet" in when
}

exclude "fine" {
  # Semicolons and keywords inside string literals are text, not SQL.
  when = "department = 'R&D; SELECT team' AND \"country\" IN ('DE', 'FR') AND created_date_time < DATE '2020-01-01' AND usage_location::VARCHAR <> ''"
}
