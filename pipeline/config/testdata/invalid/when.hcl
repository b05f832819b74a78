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

# Issue 11: quoting the old word list did not know hid a sub-query that read
# any file and printed it in the run's error.
exclude "dollar_quoted" {
  when = "department = $$'$$ OR id IN (SELECT content FROM read_text('/etc/passwd')) OR $$'$$ = ''" # ERROR: Invalid when expression
}

exclude "e_string" {
  when = "department = E'\\'' OR id IN (SELECT content FROM read_text('/etc/passwd')) OR '' = E'\\''" # ERROR: Invalid when expression
}

exclude "closes_where" {
  when = "1=1) UNION SELECT content FROM read_text('/etc/passwd') WHERE (true" # ERROR: Invalid when expression
}

exclude "second_statement" {
  when = "true); COPY (SELECT 1) TO '/tmp/reclaim-pwned'; SELECT (1" # ERROR: Invalid when expression
}

exclude "environment" {
  when = "getenv('HOME') <> ''" # ERROR: Invalid when expression
}

exclude "typo" {
  when = "departmnet = 'IT' AND lower(job_title) LIKE '%admin%'" # WARNING: Unknown column "departmnet" in when
}

exclude "fine" {
  # Semicolons and keywords inside string literals are text, not SQL, and a
  # comment ends the expression's line, not the expression.
  when = "department = 'IT' -- and more"
}

exclude "fine_too" {
  when = "department = 'R&D; SELECT team' AND \"country\" IN ('DE', 'FR') AND created_date_time < DATE '2020-01-01' AND usage_location::VARCHAR <> ''"
}
