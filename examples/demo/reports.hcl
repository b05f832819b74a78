# A table of our own beside the built-in curated ones (see sql_stage in
# docs/configuration.md): inactive licences by department, written to
# OUTPUT/sim/curated/inactive_by_department/snapshot_date=…/part-0.parquet.

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
