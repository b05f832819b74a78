package schemas

import "time"

// JournalEntry is one line of an apply or undo journal (JSON Lines, written
// and fsync'd before and after every change) and one row of its Parquet
// export "journal" for analysts. Phase is "intent" before a change and
// "done", "failed" or "skipped" after it, or "not_approved" for an action a
// partial apply left out; Detail says why for the last three.
// GroupID is set for remove_from_group / add_to_group. DisabledPlans are the
// licence's disabled service plans, kept so undo can restore them.
type JournalEntry struct {
	Seq               int64     `json:"seq" parquet:"seq"`
	Time              time.Time `json:"time" parquet:"time,timestamp(millisecond)"`
	Kind              string    `json:"kind" parquet:"kind"` // apply or undo
	PlanID            string    `json:"plan_id" parquet:"plan_id"`
	ActionID          string    `json:"action_id" parquet:"action_id"`
	Phase             string    `json:"phase" parquet:"phase"`
	Operation         string    `json:"operation" parquet:"operation"`
	Profile           string    `json:"profile" parquet:"profile"`
	UserID            string    `json:"user_id" parquet:"user_id"`
	UserPrincipalName string    `json:"user_principal_name" parquet:"user_principal_name"`
	SkuID             string    `json:"sku_id" parquet:"sku_id"`
	SkuPartNumber     string    `json:"sku_part_number" parquet:"sku_part_number"`
	GroupID           string    `json:"group_id,omitempty" parquet:"group_id"`
	DisabledPlans     []string  `json:"disabled_plans" parquet:"disabled_plans,list"`
	Rule              string    `json:"rule,omitempty" parquet:"rule"`
	MonthlySaving     float64   `json:"monthly_saving,omitempty" parquet:"monthly_saving"`
	Currency          string    `json:"currency,omitempty" parquet:"currency"`
	Detail            string    `json:"detail,omitempty" parquet:"detail"`
	Attempts          int32     `json:"attempts,omitempty" parquet:"attempts"`
	ToolVersion       string    `json:"tool_version" parquet:"tool_version"`
}
