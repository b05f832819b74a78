// Package schemas holds one Go definition per table reclaim writes. Each struct
// is at once the Parquet schema (through its parquet tags), the column
// contract the transform SQL reads, and the source of docs/schemas.md.
//
// Raw tables keep Microsoft's field names in snake_case (skuPartNumber →
// sku_part_number); curated tables use snake_case English.
package schemas
