package ui

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/plan"
)

// WritePlanText renders a plan as a Terraform-like reviewable diff:
//
//   - SPE_E3 from alice@contoso.com: inactive 94 days (last sign-in 2026-08-21)
//
// one line per change, then the rows listed but never applied, warnings and
// the totals. The output depends only on the plan, so it is golden-tested.
func WritePlanText(w io.Writer, p *plan.Plan) error {
	ew := &errWriter{w: w}
	ew.printf("reclaim plan %s, created %s, config %s\n", Terminal(p.ID), p.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), shortDigest(p.ConfigDigest))
	if len(p.Sources) == 0 {
		ew.printf("\nNo profile has tasks { reclaim_subscriptions = true }: nothing to plan.\n")
	}
	for _, s := range p.Sources {
		ew.printf("\nProfile %q: snapshot %s (run %s)\n", s.Profile, Terminal(s.SnapshotDate), Terminal(s.SnapshotID))
		n := 0
		for _, a := range p.Actions {
			if a.Profile != s.Profile {
				continue
			}
			n++
			mark := "-"
			if a.DataAtRisk || len(a.OneWayReasons) > 0 {
				mark = "!"
			}
			ew.printf("  %s %s%s\n", mark, ActionSummary(a), savingSuffix(a.MonthlySaving, a.Currency))
			ew.printf("      rule %q, action %s", a.Rule, Terminal(a.ID))
			if len(a.DisabledPlans) > 0 {
				ew.printf(", %d disabled plan(s) kept for undo", len(a.DisabledPlans))
			}
			ew.printf("\n")
			if a.DataAtRisk {
				ew.printf("      data at risk: the mailbox or OneDrive holds data (rule allows it)\n")
			}
			for _, why := range a.OneWayReasons {
				ew.printf("      one-way, undo could not put it back: %s\n", Terminal(oneLine(why)))
			}
		}
		if n == 0 {
			ew.printf("  No changes.\n")
		}
		var reviews []plan.Review
		for _, r := range p.Reviews {
			if r.Profile == s.Profile {
				reviews = append(reviews, r)
			}
		}
		if len(reviews) > 0 {
			ew.printf("\n  Listed, never applied:\n")
			for _, r := range reviews {
				ew.printf("    ~ %-8s %s for %s: %s\n", Terminal(string(r.Kind)), SKULabel(r.SkuPartNumber, r.SkuName, Terminal), Terminal(r.UserPrincipalName), Terminal(oneLine(r.Reason)))
			}
		}
	}
	if len(p.Warnings) > 0 {
		ew.printf("\nWarnings:\n")
		for _, wmsg := range p.Warnings {
			ew.printf("  ! %s\n", Terminal(wmsg))
		}
	}
	ew.printf("\n%s\n", PlanTotalsLine(p))
	if s := savings(p.Totals.MonthlySaving); s != "" {
		ew.printf("Monthly saving: %s.\n", s)
	}
	if p.HasChanges() {
		ew.printf("Actions digest: %s (approve it with reclaim apply --expect-digest)\n", plan.ActionsDigest(p.Actions))
	}
	return ew.err
}

// ActionSummary is the one-line description of a change, safe to print on a
// terminal (its tenant values went through Terminal).
func ActionSummary(a plan.Action) string {
	sku, upn := SKULabel(a.SkuPartNumber, a.SkuName, Terminal), Terminal(a.UserPrincipalName)
	switch a.Operation {
	case plan.OpRemoveFromGroup:
		return fmt.Sprintf("%s from %s by leaving group %s: %s", sku, upn, Terminal(a.GroupID), EvidenceSummary(a.Evidence))
	default:
		return fmt.Sprintf("%s from %s: %s", sku, upn, EvidenceSummary(a.Evidence))
	}
}

// EvidenceSummary says why in a few words: "inactive 94 days (last sign-in
// 2026-08-21)" or "no activity ever seen".
// The activity source is the one string of it read from the plan file; it
// passes through Terminal here (and through Markdown in the Markdown plan).
func EvidenceSummary(e plan.Evidence) string { return evidenceSummary(e, Terminal) }

func evidenceSummary(e plan.Evidence, escape func(string) string) string {
	if e.DaysInactive == nil || e.LastActivity == nil {
		return "no activity ever seen"
	}
	src := escape(activitySource(e.LastActivitySource))
	return fmt.Sprintf("inactive %d days (last %s %s)", *e.DaysInactive, src, e.LastActivity.UTC().Format(time.DateOnly))
}

func activitySource(s string) string {
	switch {
	case s == "" || s == "sign_in" || s == "sign_in_interactive":
		if s == "" {
			return "activity"
		}
		return "sign-in"
	case s == "sign_in_non_interactive":
		return "non-interactive sign-in"
	default:
		return strings.ReplaceAll(s, "_", " ") + " activity"
	}
}

// PlanTotalsLine is "Plan: 3 to remove (2 licences, 1 group membership), …".
func PlanTotalsLine(p *plan.Plan) string {
	t := p.Totals
	if t.Actions == 0 {
		return fmt.Sprintf("No changes. %s listed for review.", count(t.Reviews, "row", "rows"))
	}
	s := fmt.Sprintf("Plan: %d to remove (%s, %s)", t.Actions, count(t.RemoveLicense, "licence", "licences"), count(t.RemoveFromGroup, "group membership", "group memberships"))
	if t.DataAtRisk > 0 {
		s += fmt.Sprintf(", %d with data at risk", t.DataAtRisk)
	}
	if t.OneWay > 0 {
		s += fmt.Sprintf(", %d one-way (undo could not reverse)", t.OneWay)
	}
	return s + fmt.Sprintf("; %s listed for review.", count(t.Reviews, "row", "rows"))
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func savings(m map[string]float64) string {
	cur := make([]string, 0, len(m))
	for c := range m {
		cur = append(cur, c)
	}
	sort.Strings(cur)
	parts := make([]string, 0, len(cur))
	for _, c := range cur {
		parts = append(parts, money(m[c], c))
	}
	return strings.Join(parts, " + ")
}

func money(v float64, cur string) string {
	if cur == "" {
		cur = "USD"
	}
	return fmt.Sprintf("%s %.2f", Terminal(cur), v)
}

func savingSuffix(v float64, cur string) string {
	if v == 0 {
		return ""
	}
	return "  (" + money(v, cur) + "/month)"
}

func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	if d == "" {
		return "(none)"
	}
	return d
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// errWriter keeps the first write error so rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
