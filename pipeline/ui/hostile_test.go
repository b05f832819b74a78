package ui

import (
	"bytes"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/pipeline/ui/uitest"
)

// hostile puts attack text into every string of a plan that came from the
// tenant (or from a plan file someone could edit).
func hostilePlan(attack string) []byte {
	p := goldenPlan()
	for i := range p.Actions {
		a := &p.Actions[i]
		a.UserPrincipalName = "x" + attack + "@contoso.com"
		a.SkuPartNumber += attack
		a.SkuName = "Name" + attack // from a catalogue file, as untrusted
		if a.GroupID != "" {
			a.GroupID += attack
		}
		a.Evidence.LastActivitySource = attack
	}
	for i := range p.Reviews {
		r := &p.Reviews[i]
		r.UserPrincipalName = attack + "@contoso.com"
		r.SkuPartNumber = attack
		r.SkuName = attack
		r.Reason += attack
	}
	p.Warnings = append(p.Warnings, "quoting "+attack)
	var text, md bytes.Buffer
	if err := WritePlanText(&text, p); err != nil {
		panic(err)
	}
	if err := WritePlanMarkdown(&md, p); err != nil {
		panic(err)
	}
	return append(append(text.Bytes(), 0xff), md.Bytes()...)
}

func TestHostilePlanFailsSafe(t *testing.T) {
	var benign bytes.Buffer
	if err := WritePlanText(&benign, goldenPlan()); err != nil {
		t.Fatal(err)
	}
	for name, attack := range uitest.Attacks {
		t.Run(name, func(t *testing.T) {
			text, md, _ := bytes.Cut(hostilePlan(attack), []byte{0xff})
			uitest.CheckTerminal(t, "plan text", string(text))
			// One more line than the benign plan: the warning we added.
			if got, want := bytes.Count(text, []byte("\n")), bytes.Count(benign.Bytes(), []byte("\n"))+1; got != want {
				t.Errorf("plan text has %d lines, want %d: a value added lines\n%s", got, want, text)
			}
			uitest.CheckMarkdown(t, "plan Markdown", string(md))
		})
	}
}

func TestHostileReportFailsSafe(t *testing.T) {
	for name, attack := range uitest.Attacks {
		t.Run(name, func(t *testing.T) {
			r := &report.Summary{Profile: "p" + attack,
				Positions:    []report.PositionLine{{SKU: "SPE_E3" + attack, SKUName: "Microsoft 365 E3" + attack}},
				Rules:        []report.RuleLine{{Rule: "r" + attack, Action: "remove_license"}},
				TopSavings:   []report.SavingLine{{UserPrincipalName: "x" + attack + "@contoso.com", SKU: attack, SKUName: attack, Rule: attack, Action: attack}},
				Unsubscribed: []report.SKURefLine{{Where: `reclaim "` + attack + `"`, SKU: attack, At: "main.hcl:1,1"}},
				Signals:      []report.SignalLine{{Signal: "sign_in", Source: attack, Reason: attack, Counted: true}},
				Findings:     []report.FindingLine{{Name: attack}},
				Tables:       []report.TableLine{{Name: "t", Status: "failed", Reason: attack}},
			}
			var md, page, sum bytes.Buffer
			if err := WriteReportMarkdown(&md, r); err != nil {
				t.Fatal(err)
			}
			uitest.CheckMarkdown(t, "report.md", md.String())
			if err := WriteReportHTML(&page, r); err != nil {
				t.Fatal(err)
			}
			uitest.CheckHTML(t, "report.html", page.String())
			if err := WriteRunSummary(&sum, r); err != nil {
				t.Fatal(err)
			}
			uitest.CheckTerminal(t, "run summary", sum.String())
		})
	}
}

// Apply and undo print one line per outcome as it happens; each stays one
// visible line whatever the journal's names hold.
func TestHostileApplyLinesFailSafe(t *testing.T) {
	for name, attack := range uitest.Attacks {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			for _, op := range []string{"remove_license", "remove_from_group", "add_license", "add_to_group"} {
				l := ApplyLine{Phase: "skipped", Operation: op, User: "x" + attack + "@contoso.com", SKU: attack, GroupID: attack, Detail: "user renamed to " + attack}
				if err := WriteApplyLine(&b, l); err != nil {
					t.Fatal(err)
				}
			}
			uitest.CheckTerminal(t, "apply lines", b.String())
			if got := bytes.Count(b.Bytes(), []byte("\n")); got != 4 {
				t.Errorf("4 outcomes printed %d lines:\n%s", got, b.String())
			}
		})
	}
}
