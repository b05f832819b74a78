package schemas

import "time"

// The words of a journal's Kind and Phase columns, written once for the
// engine that journals them (stages/act), the views that print them
// (pipeline/ui) and analysts' queries (docs/schemas.md).
const (
	JournalApply = "apply" // a line of an apply journal
	JournalUndo  = "undo"  // a line of an undo journal

	PhaseIntent  = "intent"  // written before the change is sent
	PhaseDone    = "done"    // the change is in the tenant
	PhaseFailed  = "failed"  // the change was refused or could not be confirmed
	PhaseSkipped = "skipped" // a live precondition said not to make it
	// PhaseNotApproved journals an action of the plan the reviewer left out
	// of this apply (apply --action, --exclude-action, --user, --rule). It
	// is not an outcome: a later apply of the same plan that approves the
	// action carries it out.
	PhaseNotApproved = "not_approved"
)

// JournalEntry is one line of an apply or undo journal (JSON Lines, written
// and fsync'd before and after every change) and one row of its Parquet
// export "journal" for analysts. Phase is PhaseIntent before a change and
// PhaseDone, PhaseFailed or PhaseSkipped after it, or PhaseNotApproved for an
// action a partial apply left out; Detail says why for the last three.
// Operation is a plan.Operation; GroupID is set for remove_from_group /
// add_to_group. DisabledPlans are the licence's disabled service plans, kept
// so undo can restore them.
type JournalEntry struct {
	Seq               int64     `json:"seq" parquet:"seq"`
	Time              time.Time `json:"time" parquet:"time,timestamp(millisecond)"`
	Kind              string    `json:"kind" parquet:"kind"` // JournalApply or JournalUndo
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
