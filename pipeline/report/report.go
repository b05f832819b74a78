// Package report holds the transform's summary as plain data: the licence
// position, what each rule found, the largest savings, the inactivity
// distribution, signal trust and the outcome of each curated table. The
// transform (stages/transform) fills it and returns it in its stage result;
// pipeline/ui renders it. It imports nothing of reclaim, so both ends can
// depend on it without depending on each other.
package report

import (
	"fmt"
	"time"
)

// Summary is what a person reads after a transform: where the money goes,
// what the rules found and how far each signal can be trusted. It is plain
// data, filled by stages/transform from the curated tables and rendered by
// pipeline/ui (terminal text, report.md, report.html).
type Summary struct {
	Profile      string
	SnapshotDate time.Time
	AsOf         time.Time
	// Currency is the currency of the price table ("" when no prices).
	Currency string

	// MonthlyCost is what the purchased seats cost per month; MonthlyWaste
	// the part paying for inactive or unassigned seats; MonthlySaving what
	// the actionable recommendations (remove_license, remove_from_group,
	// not suppressed) would save.
	MonthlyCost, MonthlyWaste, MonthlySaving float64

	Positions  []PositionLine
	Rules      []RuleLine
	TopSavings []SavingLine
	Inactivity []Bucket
	Signals    []SignalLine
	Findings   []FindingLine
	Tables     []TableLine
	// Unsubscribed are the SKUs the configuration names (for this profile)
	// that the tenant's subscribedSkus do not hold: a typo or a product the
	// tenant does not buy, matching no licence either way.
	Unsubscribed []SKURefLine
}

// SKURefLine is one place the configuration names a SKU.
type SKURefLine struct {
	Where string // `reclaim "stale-e3"`, `price "SPE_E5"`
	SKU   string
	At    string // file:line,column
}

// Sentence says it for people, in run, report and plan alike.
func (l SKURefLine) Sentence() string {
	at := ""
	if l.At != "" {
		at = " (" + l.At + ")"
	}
	return fmt.Sprintf("%s names %s%s, which this tenant has no subscription for", l.Where, l.SKU, at)
}

// PositionLine is one SKU's licence position.
type PositionLine struct {
	SKU string
	// SKUName is the product's friendly name from the SKU catalogue; empty
	// when the catalogue does not know SKU.
	SKUName                                                    string
	Purchased, Assigned, Active, Inactive, Unknown, Unassigned int64
	// PriceMonthly, MonthlyCost and MonthlyWaste are nil without a price.
	PriceMonthly, MonthlyCost, MonthlyWaste *float64
}

// RuleLine counts one rule's recommendations by action.
type RuleLine struct {
	Rule, Action string
	Count        int64
	Suppressed   int64
	// MonthlySaving sums the priced, non-suppressed rows.
	MonthlySaving float64
}

// SavingLine is one of the largest actionable recommendations.
type SavingLine struct {
	UserPrincipalName, SKU, Rule, Action string
	SKUName                              string // as PositionLine.SKUName
	// DaysInactive is nil for "never active".
	DaysInactive  *int64
	MonthlySaving float64
}

// Bucket is one bar of the inactivity distribution: licensed users by days
// since their last known activity.
type Bucket struct {
	Label string
	Users int64
}

// SignalLine says whether an activity signal was usable.
type SignalLine struct {
	Signal, Source string
	Available      bool
	// Counted: a rule of the profile counts this signal (for "mailbox": the
	// data-at-risk check uses it).
	Counted     bool
	Reason      string
	RefreshDate *time.Time
	LagDays     *int64
}

// FindingLine summarises one findings table.
type FindingLine struct {
	Name  string // e.g. "Overlapping suites"
	Count int64
	// MonthlySaving is the priced saving; nil when nothing is priced.
	MonthlySaving *float64
}

// TableLine is one curated table's outcome.
type TableLine struct {
	Name string
	// Status is one of the Table* words below.
	Status, Reason string
	Rows           int64
}

// A curated table's outcome, as the transform records it and the report
// shows every one that is not TableWritten.
const (
	TableWritten = "written"
	// TableMissing: an input was missing; Reason names it.
	TableMissing = "missing"
	// TableFailed: the SQL or the write failed; Reason has the error.
	TableFailed = "failed"
	// TableNotRun: it was blocked, or a table it reads was not run; Reason
	// says which.
	TableNotRun = "not_run"
	// TableComputed: computed for the tables that read it but not written.
	TableComputed = "computed"
)
