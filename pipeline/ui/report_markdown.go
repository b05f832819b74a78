package ui

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/report"
)

// WriteReportMarkdown writes report.md.
func WriteReportMarkdown(w io.Writer, r *report.Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Licence report: %s\n\n", Markdown(r.Profile))
	fmt.Fprintf(&b, "Snapshot %s, inactivity measured as of %s.\n\n", r.SnapshotDate.Format(time.DateOnly), r.AsOf.Format(time.DateOnly))
	fmt.Fprintf(&b, "- Monthly cost of purchased seats: **%s**\n", reportMoney(r, r.MonthlyCost))
	fmt.Fprintf(&b, "- Monthly waste (inactive + unassigned seats): **%s**\n", reportMoney(r, r.MonthlyWaste))
	fmt.Fprintf(&b, "- Monthly saving of actionable recommendations: **%s** (%s a year)\n\n", reportMoney(r, r.MonthlySaving), reportMoney(r, r.MonthlySaving*12))

	b.WriteString("## Licence position\n\n| SKU | Purchased | Assigned | Active | Inactive | Unknown | Unassigned | Price/month | Cost/month | Waste/month |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, p := range r.Positions {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n", SKULabel(p.SKU, p.SKUName, Markdown), p.Purchased, p.Assigned, p.Active, p.Inactive, p.Unknown, p.Unassigned,
			reportMoneyPtr(r, p.PriceMonthly), reportMoneyPtr(r, p.MonthlyCost), reportMoneyPtr(r, p.MonthlyWaste))
	}

	if len(r.Unsubscribed) > 0 {
		b.WriteString("\n> [!WARNING]\n> " + unsubscribedHeading + ":\n")
		for _, l := range r.Unsubscribed {
			b.WriteString("> - " + Markdown(l.Sentence()) + "\n")
		}
	}
	b.WriteString("\n## Recommendations per rule\n\n")
	if len(r.Rules) == 0 {
		b.WriteString("No rule matched anyone.\n")
	} else {
		b.WriteString("| Rule | Action | Users | Suppressed | Saving/month |\n|---|---|--:|--:|--:|\n")
		for _, l := range r.Rules {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %s |\n", Markdown(l.Rule), Markdown(l.Action), l.Count, l.Suppressed, reportMoney(r, l.MonthlySaving))
		}
	}

	b.WriteString("\n## Top savings\n\n")
	if len(r.TopSavings) == 0 {
		b.WriteString("No actionable recommendation.\n")
	} else {
		b.WriteString("| User | SKU | Rule | Action | Days inactive | Saving/month |\n|---|---|---|---|--:|--:|\n")
		for _, s := range r.TopSavings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", Markdown(s.UserPrincipalName), SKULabel(s.SKU, s.SKUName, Markdown), Markdown(s.Rule), Markdown(s.Action), days(s.DaysInactive), reportMoney(r, s.MonthlySaving))
		}
	}

	b.WriteString("\n## Inactivity of licensed users\n\n| Days since last activity | Users |\n|---|--:|\n")
	for _, k := range r.Inactivity {
		fmt.Fprintf(&b, "| %s | %d |\n", Markdown(k.Label), k.Users)
	}

	b.WriteString("\n## Other findings\n\n| Finding | Count | Saving/month |\n|---|--:|--:|\n")
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", Markdown(f.Name), f.Count, reportMoneyPtr(r, f.MonthlySaving))
	}

	b.WriteString("\n## Signals\n\n| Signal | Counted by a rule | Source | Usable | Refresh date | Lag (days) | Why not |\n|---|---|---|---|---|--:|---|\n")
	for _, s := range r.Signals {
		usable, lag := "yes", "-"
		if !s.Available {
			usable = "**no**"
		}
		if s.LagDays != nil {
			lag = fmt.Sprint(*s.LagDays)
		}
		counted := "no"
		if s.Counted {
			counted = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", Markdown(s.Signal), counted, Markdown(s.Source), usable, dateOrDash(s.RefreshDate), lag, Markdown(s.Reason))
	}

	b.WriteString("\n## Curated tables\n\n| Table | Status | Rows | Note |\n|---|---|--:|---|\n")
	for _, t := range r.Tables {
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", Markdown(t.Name), Markdown(t.Status), t.Rows, Markdown(t.Reason))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
