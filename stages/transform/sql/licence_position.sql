-- licence_position: one row per subscribed SKU. Inactive counts users with a
-- non-suppressed recommendation for the SKU (any action) other than a review
-- caused by unknown signals, which counts as Unknown; everyone else holding
-- it is Active (SKUs no rule covers are all Active).
-- requires: raw.subscribed_skus, user_licenses, recommendations
WITH run AS (SELECT * FROM param.run),
-- A failed assignment (state Error) is no seat in use: licence_assignment_errors.
holders AS (SELECT sku_id, count(DISTINCT user_id) AS n FROM user_licenses WHERE assignment_error = '' GROUP BY sku_id),
rec AS (
  SELECT sku_id, user_id, bool_or(NOT (action = 'review' AND len(signals_unknown) > 0)) AS inactive
  FROM recommendations WHERE NOT suppressed GROUP BY sku_id, user_id
),
split AS (
  SELECT sku_id, count(*) FILTER (WHERE inactive) AS inactive, count(*) FILTER (WHERE NOT inactive) AS unknown
  FROM rec GROUP BY sku_id
),
skus AS (
  SELECT lower(sku_id) AS sku_id, first(sku_part_number) AS sku_part_number, first(capability_status) AS capability_status,
    sum(prepaid_enabled) AS enabled, sum(prepaid_warning) AS warning, sum(prepaid_suspended) AS suspended,
    sum(prepaid_locked_out) AS locked_out, sum(consumed_units) AS consumed
  FROM raw.subscribed_skus GROUP BY ALL
)
SELECT run.snapshot_date, s.sku_id, s.sku_part_number, coalesce(s.capability_status, '') AS capability_status,
  s.enabled::BIGINT AS purchased_enabled, s.warning::BIGINT AS purchased_warning,
  s.suspended::BIGINT AS purchased_suspended, s.locked_out::BIGINT AS purchased_locked_out,
  s.consumed::BIGINT AS consumed_units,
  coalesce(h.n, 0)::BIGINT AS assigned,
  (coalesce(h.n, 0) - coalesce(sp.inactive, 0) - coalesce(sp.unknown, 0))::BIGINT AS active,
  coalesce(sp.inactive, 0)::BIGINT AS inactive,
  coalesce(sp.unknown, 0)::BIGINT AS unknown,
  greatest(0, s.enabled + s.warning - s.consumed)::BIGINT AS unassigned,
  p.monthly AS price_monthly, coalesce(p.currency, '') AS currency,
  (s.enabled + s.warning) * p.monthly AS monthly_cost,
  (coalesce(sp.inactive, 0) + greatest(0, s.enabled + s.warning - s.consumed)) * p.monthly AS monthly_waste
FROM skus s
LEFT JOIN holders h ON h.sku_id = s.sku_id
LEFT JOIN split sp ON sp.sku_id = s.sku_id
LEFT JOIN param.sku_prices p ON p.sku_id = s.sku_id
CROSS JOIN run
ORDER BY monthly_waste DESC NULLS LAST, s.sku_part_number, s.sku_id;
