package ui

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/report"
)

func reportMoney(r *report.Summary, v float64) string {
	s := fmt.Sprintf("%.2f", v)
	if r.Currency != "" {
		s += " " + Terminal(r.Currency)
	}
	return s
}

func reportMoneyPtr(r *report.Summary, v *float64) string {
	if v == nil {
		return "-"
	}
	return reportMoney(r, *v)
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
func WriteRunSummary(w io.Writer, r *report.Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Profile %s, snapshot %s, as of %s\n", Terminal(r.Profile), r.SnapshotDate.Format(time.DateOnly), r.AsOf.Format(time.DateOnly))
	fmt.Fprintf(&b, "Monthly cost %s, waste %s, actionable saving %s\n\n", reportMoney(r, r.MonthlyCost), reportMoney(r, r.MonthlyWaste), reportMoney(r, r.MonthlySaving))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tPURCHASED\tASSIGNED\tACTIVE\tINACTIVE\tUNKNOWN\tUNASSIGNED\tWASTE/MONTH")
	for _, p := range r.Positions {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", SKULabel(p.SKU, p.SKUName, Terminal), p.Purchased, p.Assigned, p.Active, p.Inactive, p.Unknown, p.Unassigned, reportMoneyPtr(r, p.MonthlyWaste))
	}
	tw.Flush()
	if len(r.Rules) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tACTION\tUSERS\tSUPPRESSED\tSAVING/MONTH")
		for _, l := range r.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", Terminal(l.Rule), Terminal(l.Action), l.Count, l.Suppressed, reportMoney(r, l.MonthlySaving))
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
	if len(r.Unsubscribed) > 0 {
		b.WriteString("\n" + unsubscribedHeading + ":\n")
		for _, l := range r.Unsubscribed {
			b.WriteString("  ! " + Terminal(l.Sentence()) + "\n")
		}
	}
	for _, t := range r.Tables {
		if t.Status != report.TableWritten {
			fmt.Fprintf(&b, "\nTable %s %s: %s", Terminal(t.Name), Terminal(t.Status), Terminal(t.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
