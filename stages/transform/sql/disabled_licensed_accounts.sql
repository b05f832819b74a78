-- disabled_licensed_accounts: disabled accounts still holding a licence
-- that costs money (priced above zero) or whose price is unknown.
-- requires: user_licenses, user_activity
WITH run AS (SELECT * FROM param.run),
last AS (SELECT user_id, max(last_activity_date) FILTER (WHERE known) AS d FROM user_activity GROUP BY user_id)
SELECT run.snapshot_date, ul.user_id, ul.user_principal_name, ul.sku_id, ul.sku_part_number,
  ul.assigned_directly, ul.assigned_by_groups, l.d AS last_activity_date,
  ul.price_monthly, ul.currency,
  sp.suppressed_by IS NOT NULL AS suppressed, coalesce(sp.suppressed_by, '') AS suppressed_by
FROM user_licenses ul
LEFT JOIN last l ON l.user_id = ul.user_id
LEFT JOIN param.suppression sp ON sp.user_id = ul.user_id AND sp.sku_id = ul.sku_id
CROSS JOIN run
WHERE NOT ul.account_enabled AND (ul.price_monthly IS NULL OR ul.price_monthly > 0)
ORDER BY ul.user_principal_name, ul.sku_part_number;
