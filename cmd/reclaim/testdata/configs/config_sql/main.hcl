# Issue 11: SQL in the configuration that reached the file system through
# DuckDB. validate refuses each at its file and line.
profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("RECLAIM_TEST_SECRET", "unset")
}

exclude "dollar_quoted" {
  when = "department = $$'$$ OR id IN (SELECT content FROM read_text('/etc/passwd')) OR $$'$$ = ''"
}

exclude "e_string" {
  when = "department = E'\\'' OR id IN (SELECT content FROM read_text('/etc/passwd')) OR '' = E'\\''"
}

sql_stage "reads_a_file" {
  query = <<-SQL
    SELECT content
    FROM read_text('/etc/passwd')
  SQL
}

sql_stage "writes_a_file" {
  query = "SELECT 1 AS n; COPY (SELECT 1) TO '/tmp/reclaim-pwned.csv'"
}
