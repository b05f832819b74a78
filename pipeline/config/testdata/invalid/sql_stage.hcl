profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}

sql_stage "Inactive-By-Dept" { # ERROR: Invalid sql_stage name
  query = "SELECT 1"
}

sql_stage "recommendations" { # ERROR: sql_stage "recommendations" is a built-in table
  query = "SELECT 1"
}

sql_stage "users" { # ERROR: sql_stage "users" is a raw table
  query = "SELECT 1"
}

sql_stage "by_department" {
  query = <<-SQL
    SELECT 1 AS n
  SQL
}

sql_stage "by_department" { # ERROR: Duplicate sql_stage "by_department"
  query = "SELECT 2 AS n"
}

sql_stage "empty" {
  query = "  " # ERROR: Empty query
}

sql_stage "no_query" { # ERROR: Missing required argument
}

sql_stage "not_text" {
  query = ["SELECT 1"] # ERROR: Incorrect attribute value type
}

sql_stage "for_one_profile" {
  profiles = ["p", "q"] # ERROR: Unknown profile "q"
  query    = "SELECT 1"
}

# Issue 11: a sql_stage read any file into a snapshot analysts read, and a
# second statement wrote any file.
sql_stage "reads_a_file" {
  query = "SELECT content FROM read_text('/etc/passwd')" # ERROR: Invalid sql_stage query
}

sql_stage "replacement_scan" {
  query = "SELECT * FROM '/etc/passwd'" # ERROR: Invalid sql_stage query
}

sql_stage "second_statement" {
  query = "SELECT 1; COPY (SELECT 1) TO '/tmp/reclaim-pwned.csv'" # ERROR: Invalid sql_stage query
}

sql_stage "attach" {
  query = "ATTACH '/tmp/reclaim.db'" # ERROR: Invalid sql_stage query
}

sql_stage "install" {
  query = "INSTALL httpfs" # ERROR: Invalid sql_stage query
}

sql_stage "fine" {
  query = <<-SQL
    SELECT r.user_id, u.department
    FROM recommendations r LEFT JOIN raw.users u ON u.id = r.user_id;
  SQL
}
