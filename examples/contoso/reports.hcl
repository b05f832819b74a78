# How the transform runs on the reclaim host, and the reports Contoso adds
# to the built-in curated tables.

transform {
  # The reclaim host is shared with the backup agent: keep DuckDB to half
  # its cores and well under its 16 GB, spilling to the data volume.
  threads        = 4
  memory_limit   = "6GB"
  temp_directory = "/var/lib/reclaim/duckdb-spill"
  # Microsoft's usage reports usually lag two or three days; a week more
  # than that means the report pipeline is stuck, and a stale report must
  # not make anyone look inactive.
  stale_report_days = 10
}

# Inactive licences by department, for the monthly review with department
# heads: OUT/contoso/curated/inactive_by_department/snapshot_date=…/part-0.parquet
sql_stage "inactive_by_department" {
  query = <<-SQL
    SELECT coalesce(nullif(u.department, ''), '(no department)') AS department,
           r.sku_part_number,
           count(DISTINCT r.user_id)                             AS users,
           count(*) FILTER (WHERE r.action LIKE 'remove%')       AS to_remove,
           count(*) FILTER (WHERE r.action = 'review')           AS to_review,
           round(sum(coalesce(r.monthly_saving, 0)), 2)          AS monthly_saving,
           any_value(r.currency)                                 AS currency
    FROM recommendations r
    LEFT JOIN raw.users u ON u.id = r.user_id
    WHERE NOT r.suppressed
    GROUP BY ALL
    ORDER BY monthly_saving DESC, department, r.sku_part_number
  SQL
}
