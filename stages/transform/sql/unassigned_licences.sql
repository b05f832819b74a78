-- unassigned_licences: SKUs with purchased, usable units nobody holds.
-- requires: licence_position
SELECT snapshot_date, sku_id, sku_part_number, purchased_enabled, consumed_units, unassigned,
  price_monthly, unassigned * price_monthly AS monthly_waste, currency
FROM licence_position
WHERE unassigned > 0
ORDER BY monthly_waste DESC NULLS LAST, unassigned DESC, sku_part_number;
