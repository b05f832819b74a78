-- consolidation: a user holding two or more base licences of a
-- consolidation rule keeps the highest-priced one as base; every other base
-- becomes that product's attach SKU, saving the price difference (prices
-- from the config's price table; NULL when either price is missing). A
-- product without an attach SKU is removed outright.
-- requires: raw.subscribed_skus, user_licenses
WITH run AS (SELECT * FROM param.run),
products AS (
  SELECT c.rule, c.ord, c.product_ord, c.base_ref, c.attach_ref, lower(s.sku_id) AS base_sku_id, s.sku_part_number AS base_part
  FROM param.consolidation c
  JOIN raw.subscribed_skus s ON param.names_sku(c.base_ref, s.sku_id, s.sku_part_number)
  QUALIFY row_number() OVER (PARTITION BY c.rule, lower(s.sku_id) ORDER BY c.product_ord) = 1
),
held AS (
  SELECT p.*, ul.user_id, ul.user_principal_name, ul.price_monthly, ul.currency
  FROM products p JOIN user_licenses ul ON ul.sku_id = p.base_sku_id
),
per_user AS (
  SELECT rule, user_id,
    list_sort(list(base_part)) AS base_skus,
    first(base_sku_id ORDER BY price_monthly DESC NULLS LAST, product_ord) AS keep_id,
    first(base_part ORDER BY price_monthly DESC NULLS LAST, product_ord) AS keep_part
  FROM held GROUP BY rule, user_id
  HAVING count(*) >= 2
),
attach_price AS (
  SELECT lower(sku_ref) AS ref, first(monthly) AS monthly, first(currency) AS currency,
    first(sku_id) AS sku_id
  FROM param.ref_prices GROUP BY lower(sku_ref)
)
SELECT run.snapshot_date, h.user_id, h.user_principal_name, h.rule, u.base_skus,
  u.keep_id AS recommended_base_sku_id, u.keep_part AS recommended_base_part_number,
  h.base_sku_id AS sku_id, h.base_part AS sku_part_number,
  h.attach_ref AS attach_sku,
  coalesce(ap.sku_id, (SELECT first(sku_id) FROM raw.subscribed_skus s WHERE param.names_sku(h.attach_ref, s.sku_id, s.sku_part_number)), '') AS attach_sku_id,
  h.price_monthly AS current_monthly,
  -- A product without an attach SKU (e.g. Team Members, covered by any
  -- full licence) is simply removed: it saves its whole price.
  CASE WHEN h.attach_ref = '' THEN 0.0 ELSE ap.monthly END AS attach_monthly,
  h.price_monthly - CASE WHEN h.attach_ref = '' THEN 0.0 ELSE ap.monthly END AS monthly_saving,
  (h.price_monthly - CASE WHEN h.attach_ref = '' THEN 0.0 ELSE ap.monthly END) * 12 AS yearly_saving,
  coalesce(h.currency, ap.currency, '') AS currency,
  sp.suppressed_by IS NOT NULL AS suppressed, coalesce(sp.suppressed_by, '') AS suppressed_by
FROM held h
JOIN per_user u ON u.rule = h.rule AND u.user_id = h.user_id AND h.base_sku_id <> u.keep_id
LEFT JOIN attach_price ap ON ap.ref = lower(h.attach_ref)
LEFT JOIN param.suppression sp ON sp.user_id = h.user_id AND sp.sku_id = h.base_sku_id
CROSS JOIN run
ORDER BY h.ord, h.user_principal_name, h.product_ord;
