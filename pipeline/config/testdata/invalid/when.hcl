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
