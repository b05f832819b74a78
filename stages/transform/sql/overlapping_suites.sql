-- overlapping_suites: a licence whose content a larger suite held by the
-- same user already covers: from a built-in ladder of Microsoft suites, or
-- because every service plan of the smaller SKU (Exchange Foundation aside)
-- is in the larger one. One row per redundant licence; the covering suite
-- is the most expensive candidate.
-- requires: raw.subscribed_skus, user_licenses
WITH run AS (SELECT * FROM param.run),
ladder(smaller, larger) AS (VALUES
  ('ENTERPRISEPACK', 'SPE_E3'), ('ENTERPRISEPACK', 'SPE_E5'), ('ENTERPRISEPACK', 'ENTERPRISEPREMIUM'),
  ('ENTERPRISEPREMIUM', 'SPE_E5'), ('SPE_E3', 'SPE_E5'),
  ('STANDARDPACK', 'ENTERPRISEPACK'), ('STANDARDPACK', 'ENTERPRISEPREMIUM'), ('STANDARDPACK', 'SPE_E3'), ('STANDARDPACK', 'SPE_E5'),
  ('O365_BUSINESS_ESSENTIALS', 'O365_BUSINESS_PREMIUM'), ('O365_BUSINESS_ESSENTIALS', 'SPB'),
  ('O365_BUSINESS_PREMIUM', 'SPB'),
  ('EXCHANGESTANDARD', 'ENTERPRISEPACK'), ('EXCHANGESTANDARD', 'ENTERPRISEPREMIUM'), ('EXCHANGESTANDARD', 'SPE_E3'),
  ('EXCHANGESTANDARD', 'SPE_E5'), ('EXCHANGESTANDARD', 'STANDARDPACK'), ('EXCHANGESTANDARD', 'O365_BUSINESS_ESSENTIALS'),
  ('EXCHANGESTANDARD', 'O365_BUSINESS_PREMIUM'), ('EXCHANGESTANDARD', 'SPB'),
  ('EXCHANGEENTERPRISE', 'ENTERPRISEPACK'), ('EXCHANGEENTERPRISE', 'ENTERPRISEPREMIUM'), ('EXCHANGEENTERPRISE', 'SPE_E3'), ('EXCHANGEENTERPRISE', 'SPE_E5'),
  ('POWER_BI_PRO', 'SPE_E5'), ('POWER_BI_PRO', 'ENTERPRISEPREMIUM')
),
plans AS (
  SELECT lower(sku_id) AS sku_id,
    list_sort(list_distinct(list_filter(list_transform(service_plan_ids, p -> lower(p)), p -> p <> '113feb6c-3fe4-4440-bddc-54d774bf0318'))) AS ids
  FROM raw.subscribed_skus
),
pairs AS (
  SELECT a.user_id, a.sku_id, b.sku_id AS cov_id, b.sku_part_number AS cov_part, 'known_suite' AS basis, 1 AS pri, b.price_monthly AS cov_price
  FROM user_licenses a
  JOIN ladder l ON upper(a.sku_part_number) = l.smaller
  JOIN user_licenses b ON b.user_id = a.user_id AND upper(b.sku_part_number) = l.larger
  UNION ALL
  SELECT a.user_id, a.sku_id, b.sku_id, b.sku_part_number, 'service_plans', 2, b.price_monthly
  FROM user_licenses a
  JOIN user_licenses b ON b.user_id = a.user_id AND b.sku_id <> a.sku_id
  JOIN plans pa ON pa.sku_id = a.sku_id
  JOIN plans pb ON pb.sku_id = b.sku_id
  WHERE len(pa.ids) > 0 AND len(pa.ids) < len(pb.ids) AND list_has_all(pb.ids, pa.ids)
),
best AS (
  SELECT * FROM pairs
  QUALIFY row_number() OVER (PARTITION BY user_id, sku_id ORDER BY pri, cov_price DESC NULLS LAST, cov_part) = 1
)
SELECT run.snapshot_date, ul.user_id, ul.user_principal_name, ul.sku_id, ul.sku_part_number,
  b.cov_id AS covered_by_sku_id, b.cov_part AS covered_by_part_number, b.basis,
  ul.assigned_directly, ul.price_monthly AS monthly_saving, ul.currency,
  sp.suppressed_by IS NOT NULL AS suppressed, coalesce(sp.suppressed_by, '') AS suppressed_by
FROM best b
JOIN user_licenses ul ON ul.user_id = b.user_id AND ul.sku_id = b.sku_id
LEFT JOIN param.suppression sp ON sp.user_id = ul.user_id AND sp.sku_id = ul.sku_id
CROSS JOIN run
ORDER BY ul.user_principal_name, ul.sku_part_number;
