package schemas

import "time"

// Recommendation actions, the values of Recommendation.Action.
const (
	// RecommendRemoveLicense: remove the directly assigned licence.
	RecommendRemoveLicense = "remove_license"
	// RecommendRemoveFromGroup: remove the user from the licensing group
	// (only when the rule sets allow_group_removal).
	RecommendRemoveFromGroup = "remove_from_group"
	// RecommendReview: a person must look; the reason says why reclaim would
	// not act on its own (unknown signal, group-only licence, data at risk…).
	RecommendReview = "review"
	// RecommendReport: the rule's action is "report"; never applied.
	RecommendReport = "report"
)

// Recommendation is one row of curated table "recommendations": a user × SKU
// that a reclamation rule found inactive (or could not decide about). The act
// stage builds the plan from rows with Suppressed=false and Action
// remove_license or remove_from_group; everything else is shown, never applied.
//
// Nullable columns are pointers: nil means "no value" (never active, no price,
// unknown), never zero.
type Recommendation struct {
	SnapshotDate time.Time `parquet:"snapshot_date,date"`
	// AsOf is the run date the inactivity was measured at (reclaim run --as-of).
	AsOf              time.Time `parquet:"as_of,date"`
	UserID            string    `parquet:"user_id"`
	UserPrincipalName string    `parquet:"user_principal_name"`
	DisplayName       string    `parquet:"display_name"`
	UserType          string    `parquet:"user_type"`
	SkuID             string    `parquet:"sku_id"`
	SkuPartNumber     string    `parquet:"sku_part_number"`
	// Rule is the reclaim rule's name.
	Rule string `parquet:"rule"`
	// Action is one of remove_license, remove_from_group, review, report.
	Action string `parquet:"action"`
	// Reason is a sentence for people: why this action (and why not a
	// stronger one).
	Reason string `parquet:"reason"`
	// AssignedDirectly is true when the user holds the SKU by direct assignment.
	AssignedDirectly bool `parquet:"assigned_directly"`
	// AssignedByGroup is the licensing group to remove the user from when
	// Action is remove_from_group; empty for a direct-only licence.
	AssignedByGroup string `parquet:"assigned_by_group"`
	// AssignedByGroups lists every group the SKU is inherited through.
	AssignedByGroups []string `parquet:"assigned_by_groups,list"`
	// DisabledPlans are the service plan ids disabled on the assignment being
	// removed: what undo must restore.
	DisabledPlans   []string   `parquet:"disabled_plans,list"`
	AccountEnabled  bool       `parquet:"account_enabled"`
	CreatedDateTime *time.Time `parquet:"created_date_time,optional,timestamp(microsecond:local)"`
	// InactiveDays is the rule's threshold.
	InactiveDays int64 `parquet:"inactive_days"`
	// LastActivityDate is the latest activity over the rule's counted signals;
	// nil when none was ever seen.
	LastActivityDate *time.Time `parquet:"last_activity_date,optional,date"`
	// LastActivitySource is the workload that LastActivityDate came from
	// (e.g. "sign_in_non_interactive", "teams"); empty when none.
	LastActivitySource string `parquet:"last_activity_source"`
	// DaysInactive is the smallest days-since-activity over the counted
	// signals, each measured against its own reference date (the report's
	// refresh date for report signals, as_of for sign-ins); nil when no
	// activity was ever seen.
	DaysInactive *int64 `parquet:"days_inactive,optional"`
	// SignalsCounted are the rule's signals; SignalsUnknown those that could
	// not be trusted this run (see signal_status).
	SignalsCounted []string `parquet:"signals_counted,list"`
	SignalsUnknown []string `parquet:"signals_unknown,list"`

	// Evidence: the directory's last sign-in timestamps.
	LastSignInDateTime               *time.Time `parquet:"last_sign_in_date_time,optional,timestamp(microsecond:local)"`
	LastNonInteractiveSignInDateTime *time.Time `parquet:"last_non_interactive_sign_in_date_time,optional,timestamp(microsecond:local)"`
	// Signals is the evidence per signal: one entry for every signal of the
	// catalogue (schemas.Signals), in its order. docs/schemas.md gives the
	// pivot view back to one column per signal.
	Signals []SignalActivity `parquet:"signals,list"`

	// DataAtRisk: the licence carries Exchange or OneDrive and the user's
	// mailbox or OneDrive holds data; DataAtRiskReason says which.
	DataAtRisk       bool   `parquet:"data_at_risk"`
	DataAtRiskReason string `parquet:"data_at_risk_reason"`

	// Savings from the config's price table; nil when the SKU has no price.
	MonthlySaving *float64 `parquet:"monthly_saving,optional"`
	YearlySaving  *float64 `parquet:"yearly_saving,optional"`
	Currency      string   `parquet:"currency"`

	// Suppressed rows matched an exclusion: kept visible, never applied.
	Suppressed   bool   `parquet:"suppressed"`
	SuppressedBy string `parquet:"suppressed_by"`

	// OneWayReasons, for a remove_license row, say why undoing the removal
	// could not succeed as things stand (the user has no usageLocation; the
	// SKU's subscription is not Enabled, has seats in warning, or more seats
	// assigned than enabled). Empty when undo can put the licence back.
	// Apply refuses such an action unless the rule sets allow_one_way.
	OneWayReasons []string `parquet:"one_way_reasons,list"`
}

// SignalActivity is one signal's evidence in a recommendation.
type SignalActivity struct {
	Signal string `parquet:"signal"`
	// LastActivity is the latest activity seen in the signal: for sign_in
	// the newer of the directory's two sign-in timestamps, for the others
	// the date of their latest workload (at midnight); nil when never seen.
	LastActivity *time.Time `parquet:"last_activity,optional,timestamp(microsecond:local)"`
	// RefreshDate is the refresh date of the signal's usage report; nil for
	// a signal that is no usage report or a report absent this run.
	RefreshDate *time.Time `parquet:"refresh_date,optional,date"`
	// Unknown: the signal could not be trusted for this user this run (see
	// signal_status and user_activity.known).
	Unknown bool `parquet:"unknown"`
}

// Signal returns the evidence of the signal called name; the zero entry
// (no activity, no refresh date, known) when the row has none.
func (r Recommendation) Signal(name string) SignalActivity {
	for _, s := range r.Signals {
		if s.Signal == name {
			return s
		}
	}
	return SignalActivity{Signal: name}
}
