package ui

import (
	"io"
	"regexp"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/plan"
)

// WritePlanMarkdown renders a plan for a pull-request comment: the totals
// first, a table of changes, and the rows never applied folded away.
func WritePlanMarkdown(w io.Writer, p *plan.Plan) error {
	ew := &errWriter{w: w}
	ew.printf("### reclaim plan %s\n\n", mdCode(p.ID))
	ew.printf("**%s**", PlanTotalsLine(p)) // numbers and our words only
	if s := savings(p.Totals.MonthlySaving); s != "" {
		ew.printf(" Monthly saving: **%s**.", mdMoney(s))
	}
	ew.printf("\n\nCreated %s from config %s", p.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), mdCode(shortDigest(p.ConfigDigest)))
	for _, s := range p.Sources {
		ew.printf("; profile %s snapshot %s (run %s)", mdCode(s.Profile), mdCode(s.SnapshotDate), mdCode(s.SnapshotID))
	}
	ew.printf(".\n")
	if p.HasChanges() {
		// Computed from the rows shown, never read from the file: approving
		// this digest approves exactly these actions (apply --expect-digest).
		ew.printf("\nActions digest: `%s`\n", plan.ActionsDigest(p.Actions))
	}
	if len(p.Warnings) > 0 {
		ew.printf("\n> [!WARNING]\n")
		for _, wmsg := range p.Warnings {
			ew.printf("> %s\n", Markdown(wmsg))
		}
	}
	if len(p.Actions) > 0 {
		ew.printf("\n| | Licence | User | Why | Rule | Saving/month | Action id |\n|---|---|---|---|---|---:|---|\n")
		for _, a := range p.Actions {
			mark, what := "➖", SKULabel(a.SkuPartNumber, a.SkuName, Markdown)
			if a.Operation == plan.OpRemoveFromGroup {
				what += " (leave group " + Markdown(a.GroupID) + ")"
			}
			if a.DataAtRisk {
				mark = "⚠️"
				what += " — data at risk"
			}
			if len(a.OneWayReasons) > 0 {
				mark = "⚠️"
				what += " — one-way, undo could not put it back: " + Markdown(strings.Join(a.OneWayReasons, "; "))
			}
			saving := ""
			if a.MonthlySaving != 0 {
				saving = mdMoney(money(a.MonthlySaving, a.Currency))
			}
			ew.printf("| %s | %s | %s | %s | %s | %s | %s |\n", mark, what, Markdown(a.UserPrincipalName),
				evidenceSummary(a.Evidence, Markdown), Markdown(a.Rule), saving, mdCode(a.ID))
		}
	}
	if len(p.Reviews) > 0 {
		ew.printf("\n<details><summary>Listed, never applied (%d)</summary>\n\n| Kind | Licence | User | Reason |\n|---|---|---|---|\n", len(p.Reviews))
		for _, r := range p.Reviews {
			ew.printf("| %s | %s | %s | %s |\n", Markdown(string(r.Kind)), SKULabel(r.SkuPartNumber, r.SkuName, Markdown), Markdown(r.UserPrincipalName), Markdown(oneLine(r.Reason)))
		}
		ew.printf("\n</details>\n")
	}
	return ew.err
}

// mdMoney keeps amounts such as "EUR 33.50 + USD 93.00" as they are; a
// currency a plan file could carry that is not three capitals makes the
// whole text go through Markdown.
func mdMoney(s string) string {
	if moneyRE.MatchString(s) {
		return s
	}
	return Markdown(s)
}

var moneyRE = regexp.MustCompile(`^[A-Z]{3} -?[0-9]+\.[0-9]{2}( \+ [A-Z]{3} -?[0-9]+\.[0-9]{2})*$`)

// mdCode shows one of our identifiers (a plan, run or action id, a digest, a
// profile label) as code, as before; anything else a plan file could carry
// in those places is shown as Markdown text instead, so a hand-edited plan
// cannot break out of the backticks.
func mdCode(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)) {
			return Markdown(s)
		}
	}
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}
