package ui

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a person reads after a transform: where the money goes,
// what the rules found and how far each signal can be trusted. It is plain
// data (filled by stages/transform from the curated tables) rendered as
// terminal text (WriteRunSummary), Markdown (WriteReportMarkdown) and a
// self-contained HTML page (WriteReportHTML).
type Report struct {
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
}

// PositionLine is one SKU's licence position.
type PositionLine struct {
	SKU                                                        string
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
	Name, Status, Reason string
	Rows                 int64
}

func (r *Report) money(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	if r.Currency != "" {
		s += " " + Terminal(r.Currency)
	}
	return s
}

func (r *Report) moneyPtr(v *float64) string {
	if v == nil {
		return "-"
	}
	return r.money(*v)
}

func days(d *int64) string {
	if d == nil {
		return "never"
	}
	return fmt.Sprint(*d)
}

func dateOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.DateOnly)
}

// WriteRunSummary writes the short terminal summary `reclaim run` prints.
func WriteRunSummary(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Profile %s, snapshot %s, as of %s\n", Terminal(r.Profile), r.SnapshotDate.Format(time.DateOnly), r.AsOf.Format(time.DateOnly))
	fmt.Fprintf(&b, "Monthly cost %s, waste %s, actionable saving %s\n\n", r.money(r.MonthlyCost), r.money(r.MonthlyWaste), r.money(r.MonthlySaving))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tPURCHASED\tASSIGNED\tACTIVE\tINACTIVE\tUNKNOWN\tUNASSIGNED\tWASTE/MONTH")
	for _, p := range r.Positions {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", Terminal(p.SKU), p.Purchased, p.Assigned, p.Active, p.Inactive, p.Unknown, p.Unassigned, r.moneyPtr(p.MonthlyWaste))
	}
	tw.Flush()
	if len(r.Rules) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tACTION\tUSERS\tSUPPRESSED\tSAVING/MONTH")
		for _, l := range r.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", Terminal(l.Rule), Terminal(l.Action), l.Count, l.Suppressed, r.money(l.MonthlySaving))
		}
		tw.Flush()
	}
	var unknown []string
	for _, s := range r.Signals {
		if !s.Available && s.Counted {
			unknown = append(unknown, fmt.Sprintf("  %s: %s", Terminal(s.Signal), Terminal(s.Reason)))
		}
	}
	if len(unknown) > 0 {
		b.WriteString("\nSignals not usable this run (rules counting them only recommend review):\n")
		b.WriteString(strings.Join(unknown, "\n") + "\n")
	}
	for _, t := range r.Tables {
		if t.Status != "written" {
			fmt.Fprintf(&b, "\nTable %s %s: %s", Terminal(t.Name), Terminal(t.Status), Terminal(t.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
