-- user_licenses: one row per user × SKU, whichever paths (direct, groups)
-- it is held through, with its price. A licence whose every path is in
-- state Error carries the error in assignment_error.
-- requires: raw.users, raw.user_license_assignments
WITH run AS (SELECT * FROM param.run),
paths AS (
  SELECT lower(user_id) AS user_id, lower(sku_id) AS sku_id,
    bool_or(coalesce(assigned_by_group, '') = '') AS assigned_directly,
    list_sort(coalesce(list(DISTINCT lower(assigned_by_group)) FILTER (WHERE coalesce(assigned_by_group, '') <> ''), []::VARCHAR[])) AS assigned_by_groups,
    -- Undo restores the direct assignment's disabled plans, so those win.
    -- ("" sorts first, then the smallest group id.)
    coalesce(arg_min(list_transform(disabled_plans, x -> lower(x)), coalesce(assigned_by_group, '')), []::VARCHAR[]) AS disabled_plans,
    arg_min(state, CASE state WHEN 'Error' THEN 1 WHEN 'ActiveWithError' THEN 2 WHEN 'Disabled' THEN 3 ELSE 4 END) AS state,
    -- Every path failed (state Error): Microsoft did not give the licence.
    CASE WHEN bool_and(state = 'Error')
      THEN coalesce(min(nullif(error, '')) FILTER (WHERE state = 'Error'), 'Other') ELSE '' END AS assignment_error
  FROM raw.user_license_assignments
  GROUP BY ALL
)
SELECT run.snapshot_date,
  p.user_id, u.user_principal_name, u.display_name, u.user_type, u.account_enabled,
  p.sku_id, coalesce(s.sku_part_number, '') AS sku_part_number,
  p.assigned_directly, p.assigned_by_groups, list_sort(p.disabled_plans) AS disabled_plans,
  coalesce(p.state, '') AS state,
  pr.monthly AS price_monthly, coalesce(pr.currency, '') AS currency,
  p.assignment_error
FROM paths p
JOIN raw.users u ON lower(u.id) = p.user_id
LEFT JOIN (SELECT DISTINCT ON (lower(sku_id)) lower(sku_id) AS sku_id, sku_part_number FROM raw.subscribed_skus) s ON s.sku_id = p.sku_id
LEFT JOIN param.sku_prices pr ON pr.sku_id = p.sku_id
CROSS JOIN run
ORDER BY u.user_principal_name, sku_part_number, p.sku_id;
