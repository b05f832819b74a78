package ui

import (
	"io"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/plan"
)

// WritePlanMarkdown renders a plan for a pull-request comment: the totals
// first, a table of changes, and the rows never applied folded away.
func WritePlanMarkdown(w io.Writer, p *plan.Plan) error {
	ew := &errWriter{w: w}
	ew.printf("### reclaim plan `%s`\n\n", p.ID)
	ew.printf("**%s**", mdEscape(PlanTotalsLine(p)))
	if s := savings(p.Totals.MonthlySaving); s != "" {
		ew.printf(" Monthly saving: **%s**.", s)
	}
	ew.printf("\n\nCreated %s from config `%s`", p.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), shortDigest(p.ConfigDigest))
	for _, s := range p.Sources {
		ew.printf("; profile `%s` snapshot %s (run `%s`)", s.Profile, s.SnapshotDate, s.SnapshotID)
	}
	ew.printf(".\n")
	if len(p.Warnings) > 0 {
		ew.printf("\n> [!WARNING]\n")
		for _, wmsg := range p.Warnings {
			ew.printf("> %s\n", mdEscape(wmsg))
		}
	}
	if len(p.Actions) > 0 {
		ew.printf("\n| | Licence | User | Why | Rule | Saving/month | Action id |\n|---|---|---|---|---|---:|---|\n")
		for _, a := range p.Actions {
			mark, what := "➖", a.SkuPartNumber
			if a.Operation == plan.OpRemoveFromGroup {
				what += " (leave group " + groupName(a.GroupID, a.GroupName) + ")"
			}
			if a.DataAtRisk {
				mark = "⚠️"
				what += " — data at risk"
			}
			saving := ""
			if a.MonthlySaving != 0 {
				saving = money(a.MonthlySaving, a.Currency)
			}
			ew.printf("| %s | %s | %s | %s | %s | %s | `%s` |\n", mark, mdEscape(what), mdEscape(a.UserPrincipalName),
				mdEscape(EvidenceSummary(a.Evidence)), mdEscape(a.Rule), saving, a.ID)
		}
	}
	if len(p.Reviews) > 0 {
		ew.printf("\n<details><summary>Listed, never applied (%d)</summary>\n\n| Kind | Licence | User | Reason |\n|---|---|---|---|\n", len(p.Reviews))
		for _, r := range p.Reviews {
			ew.printf("| %s | %s | %s | %s |\n", r.Kind, mdEscape(r.SkuPartNumber), mdEscape(r.UserPrincipalName), mdEscape(oneLine(r.Reason)))
		}
		ew.printf("\n</details>\n")
	}
	return ew.err
}

var mdReplacer = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'", "\n", " ")

func mdEscape(s string) string { return mdReplacer.Replace(s) }
