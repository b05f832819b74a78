package act

import (
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// TestVerifyRefusesWhatTheSnapshotDoesNotMake edits a genuine plan the ways
// issue 11 did and checks Verify names each action and its mismatch.
func TestVerifyRefusesWhatTheSnapshotDoesNotMake(t *testing.T) {
	out := t.TempDir()
	excluded := rec("legal", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)
	excluded.Suppressed, excluded.SuppressedBy = true, "legal_e5"
	risky := rec("risky", skuE3, "SPE_E3", schemas.RecommendReview)
	risky.DataAtRisk, risky.DataAtRiskReason = true, "mailbox holds 270052 items"
	writeRecommendations(t, out, "contoso", "2026-11-20", "20261120T060000Z", []schemas.Recommendation{
		rec("bob", skuE3, "SPE_E3", schemas.RecommendRemoveLicense), excluded, risky,
	})
	cfg := buildConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense})
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: planned})
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(p, cfg, out); err != nil {
		t.Fatalf("a genuine plan refused: %v", err)
	}
	src := p.Sources[0]
	forge := func(user string, dataAtRisk bool) plan.Action {
		a := p.Actions[0]
		a.ID = plan.ActionID("contoso", user, skuE3, plan.OpRemoveLicense, src.SnapshotID)
		a.UserID, a.UserPrincipalName, a.DataAtRisk = user, user+"@contoso.com", dataAtRisk
		return a
	}
	edited := p.Actions[0]
	edited.DisabledPlans = nil
	edited.MonthlySaving = 1
	forged := *p
	forged.Actions = []plan.Action{edited, forge("legal", false), forge("risky", false), forge("nobody", false)}
	forged.Finish()
	err = Verify(&forged, cfg, out)
	if err == nil {
		t.Fatal("forged plan verified")
	}
	for _, want := range []string{
		"action " + edited.ID + " (remove_license SPE_E3 for bob@contoso.com): disabled_plans: the plan says null",
		"action " + edited.ID + " (remove_license SPE_E3 for bob@contoso.com): monthly_saving: the plan says 1, the snapshot says 36",
		"action " + forge("legal", false).ID + " (remove_license SPE_E3 for legal@contoso.com): the snapshot does not make this an action: it is a \"excluded\" row of rule \"inactive\" (excluded by legal_e5)",
		"for risky@contoso.com): the snapshot does not make this an action: it is a \"review\" row",
		"for nobody@contoso.com): the snapshot has no recommendation",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal lacks %q:\n%v", want, err)
		}
	}
	// A rewritten snapshot file: nothing is derived from it.
	writeRecommendations(t, out, "contoso", "2026-11-20", "20261120T070000Z", nil)
	if err := Verify(p, cfg, out); err == nil || !strings.Contains(err.Error(), "was altered") {
		t.Fatalf("verify against a rewritten snapshot: %v", err)
	}
}

func TestApprovalSelects(t *testing.T) {
	p := planFor(remove("Ann", skuE3), remove("bo", skuE3))
	p.Actions[1].Rule = "leavers"
	ann, bo := p.Actions[0], p.Actions[1]
	cases := []struct {
		ap       Approval
		ann, bo  bool
		checkErr string
	}{
		{Approval{}, true, true, ""},
		{Approval{Actions: []string{ann.ID}}, true, false, ""},
		{Approval{ExcludeActions: []string{ann.ID}}, false, true, ""},
		{Approval{Users: []string{"ann@CONTOSO.com"}}, true, false, ""},
		{Approval{Rules: []string{"leavers"}}, false, true, ""},
		{Approval{Rules: []string{"leavers"}, ExcludeActions: []string{bo.ID}}, false, false, "leaves no action"},
		{Approval{Actions: []string{"0000"}}, false, false, `action "0000" is not in plan`},
		{Approval{Users: []string{"zed"}}, false, false, `user "zed" has no action`},
	}
	for _, c := range cases {
		err := c.ap.Check(p)
		if c.checkErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.checkErr) {
				t.Errorf("%s: check = %v, want %q", c.ap, err, c.checkErr)
			}
			continue
		}
		if err != nil || c.ap.Approves(ann) != c.ann || c.ap.Approves(bo) != c.bo {
			t.Errorf("%s: err %v, approves ann %v bo %v", c.ap, err, c.ap.Approves(ann), c.ap.Approves(bo))
		}
	}
}
