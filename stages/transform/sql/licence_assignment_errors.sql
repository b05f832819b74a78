-- licence_assignment_errors: licences whose every assignment path is in
-- licenseAssignmentState "Error" (CountViolation, MutuallyExclusiveViolation,
-- DependencyViolation, …). Microsoft did not give the user the licence, so
-- it is no seat in use and never a removal candidate; it is an assignment
-- to fix (or drop) in Entra.
-- requires: raw.user_license_assignments, user_licenses
WITH run AS (SELECT * FROM param.run),
updated AS (
  SELECT lower(user_id) AS user_id, lower(sku_id) AS sku_id, max(last_updated_date_time) AS t
  FROM raw.user_license_assignments GROUP BY ALL
)
SELECT run.snapshot_date, ul.user_id, ul.user_principal_name, ul.account_enabled, ul.sku_id, ul.sku_part_number,
  ul.assigned_directly, ul.assigned_by_groups, ul.assignment_error AS error, u.t AS last_updated_date_time
FROM user_licenses ul
LEFT JOIN updated u ON u.user_id = ul.user_id AND u.sku_id = ul.sku_id
CROSS JOIN run
WHERE ul.assignment_error <> ''
ORDER BY ul.user_principal_name, ul.sku_part_number, ul.sku_id;
