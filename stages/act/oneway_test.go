package act

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

// simDirect finds, in the simulated tenant, a user and a direct-only
// licence for which keep returns true, read live.
func (e *simEnv) simDirect(t *testing.T, keep func(u *LiveUser, l simtenant.TruthLicense) bool) (simtenant.UserTruth, simtenant.TruthLicense) {
	t.Helper()
	for i := range e.n {
		tr := e.srv.Truth(i)
		u, err := e.dir.GetUser(context.Background(), UserRequest{UserID: tr.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range tr.Licenses {
			group := slices.ContainsFunc(tr.Licenses, func(o simtenant.TruthLicense) bool { return o.SkuID == l.SkuID && !o.Direct })
			if l.Direct && !group && keep(u, l) {
				return tr, l
			}
		}
	}
	t.Fatal("no such user in the simulated tenant")
	return simtenant.UserTruth{}, simtenant.TruthLicense{}
}

// applyAndUndo removes one licence through Build and Apply, then undoes it.
func (e *simEnv) applyAndUndo(t *testing.T, tr simtenant.UserTruth, l simtenant.TruthLicense, between func()) *Result {
	t.Helper()
	out := t.TempDir()
	r := rec(tr.ID, l.SkuID, l.SkuPartNumber, schemas.RecommendRemoveLicense)
	u, err := e.dir.GetUser(context.Background(), UserRequest{UserID: tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot saw the sign-in the tenant shows now.
	r.UserPrincipalName, r.DisabledPlans, r.LastSignInDateTime = tr.UserPrincipalName, l.DisabledPlans, u.LastSignIn
	writeRecommendations(t, out, "sim", "2026-11-24", "20261124T060000Z", []schemas.Recommendation{r})
	cfg := simConfig()
	cfg.ReclaimRules[0].AllowOneWay = true
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: simToday})
	if err != nil {
		t.Fatal(err)
	}
	journal := store.ProfileAt(out, "sim").JournalPath(p.ID)
	res, err := e.apply(t, p, cfg, journal, RunOptions{})
	if err != nil || res.Done != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if between != nil {
		between()
	}
	applied, _ := ReadJournal(journal)
	uj, _ := OpenJournal(store.UndoJournalPath(journal))
	defer uj.Close()
	ures, err := UndoActions(context.Background(), UndoOptions{Applied: applied, Journal: uj, Directories: func(string) (Directory, error) { return e.dir, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return ures
}

// TestSimUndoNamesTheFix: an undo Graph refuses for a reason no retry
// changes names the fix instead of "run again": a guest without
// usageLocation, and a SKU whose freed seat was taken meanwhile.
func TestSimUndoNamesTheFix(t *testing.T) {
	t.Run("no usageLocation", func(t *testing.T) {
		env := startSim(t, 300)
		tr, l := env.simDirect(t, func(u *LiveUser, _ simtenant.TruthLicense) bool { return u.UsageLocation == "" })
		res := env.applyAndUndo(t, tr, l, nil)
		if res.Failed != 1 || res.NeedsFix != 1 || !strings.Contains(res.Outcomes[0].Detail, "has no usageLocation") {
			t.Fatalf("undo: %+v", res)
		}
	})
	t.Run("no seat", func(t *testing.T) {
		env := startSim(t, 300)
		tr, l := env.simDirect(t, func(u *LiveUser, l simtenant.TruthLicense) bool {
			return u.UsageLocation != "" && l.SkuPartNumber == "PROJECTPREMIUM"
		})
		// Someone else takes the seat the removal freed (Project Plan 5 is
		// bought exactly to its use).
		other, _ := env.simDirect(t, func(u *LiveUser, _ simtenant.TruthLicense) bool {
			return u.UsageLocation != "" && u.ID != tr.ID && u.Direct(l.SkuID) == nil && len(u.InheritedFrom(l.SkuID)) == 0
		})
		res := env.applyAndUndo(t, tr, l, func() {
			if err := env.dir.ChangeLicenses(context.Background(), LicenseChange{UserID: other.ID, Add: []AssignedLicense{{SkuID: l.SkuID}}}); err != nil {
				t.Fatal(err)
			}
		})
		if res.Failed != 1 || res.NeedsFix != 1 || !strings.Contains(res.Outcomes[0].Detail, "no seat available in SKU PROJECTPREMIUM: buy a seat or free one") {
			t.Fatalf("undo: %+v", res)
		}
	})
}

// oneWayPlan plans the removal of a guest's licence undo could not put back
// (the guest has no usageLocation); marked says whether the snapshot knew.
func (e *simEnv) oneWayPlan(t *testing.T, cfg *config.Config, marked bool) (*plan.Plan, string, simtenant.UserTruth) {
	t.Helper()
	tr, l := e.simDirect(t, func(u *LiveUser, _ simtenant.TruthLicense) bool { return u.UsageLocation == "" })
	u, err := e.dir.GetUser(context.Background(), UserRequest{UserID: tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	r := rec(tr.ID, l.SkuID, l.SkuPartNumber, schemas.RecommendRemoveLicense)
	r.UserPrincipalName, r.DisabledPlans, r.LastSignInDateTime = tr.UserPrincipalName, l.DisabledPlans, u.LastSignIn
	if marked {
		r.OneWayReasons = []string{"the user has no usageLocation: no licence can be assigned to them again until one is set"}
	}
	out := t.TempDir()
	writeRecommendations(t, out, "sim", "2026-11-24", "20261124T060000Z", []schemas.Recommendation{r})
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: simToday})
	if err != nil {
		t.Fatal(err)
	}
	return p, store.ProfileAt(out, "sim").JournalPath(p.ID), tr
}

// TestSimOneWayRefusedWithoutFlag: a removal the snapshot marks one-way is
// shown in the plan (reasons, a warning) and apply refuses the plan, naming
// the action and why, unless the rule sets allow_one_way or apply is given
// --allow-one-way.
func TestSimOneWayRefusedWithoutFlag(t *testing.T) {
	env := startSim(t, 300)
	cfg := simConfig()
	p, journal, tr := env.oneWayPlan(t, cfg, true)
	if len(p.Actions) != 1 || len(p.Actions[0].OneWayReasons) != 1 || p.Totals.OneWay != 1 {
		t.Fatalf("plan actions %+v totals %+v", p.Actions, p.Totals)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "one-way") {
		t.Errorf("plan warnings %q, want one about the one-way removal", p.Warnings)
	}
	_, err := env.apply(t, p, cfg, journal, RunOptions{})
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), tr.UserPrincipalName) || !strings.Contains(err.Error(), "no usageLocation") || !strings.Contains(err.Error(), "--allow-one-way") {
		t.Fatalf("apply without the flag: %v, want a refusal naming the action and the reason", err)
	}
	if n := env.assignCalls(); n != 0 {
		t.Fatalf("%d assignLicense requests after a refusal", n)
	}
	j, err := OpenJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	res, err := ApplyActions(context.Background(), ApplyOptions{Plan: p, Config: cfg, Journal: j, AllowOneWay: true, RunOptions: RunOptions{WritesPerSecond: 200},
		Directories: func(string) (Directory, error) { return env.dir, nil }})
	if err != nil || res.Done != 1 {
		t.Fatalf("apply --allow-one-way: %+v %v", res, err)
	}
	// The rule setting does the same.
	env2 := startSim(t, 300)
	cfg.ReclaimRules[0].AllowOneWay = true
	p, journal, _ = env2.oneWayPlan(t, cfg, true)
	if len(p.Warnings) != 0 {
		t.Errorf("warnings with allow_one_way: %q", p.Warnings)
	}
	if res, err := env2.apply(t, p, cfg, journal, RunOptions{}); err != nil || res.Done != 1 {
		t.Fatalf("apply with allow_one_way: %+v %v", res, err)
	}
}

// TestSimNowOneWayLive: the snapshot did not know (a usageLocation cleared
// since), but the live re-read shows the user has none: the removal is
// skipped, saying why, and nothing is sent.
func TestSimNowOneWayLive(t *testing.T) {
	env := startSim(t, 300)
	cfg := simConfig()
	p, journal, _ := env.oneWayPlan(t, cfg, false)
	res, err := env.apply(t, p, cfg, journal, RunOptions{})
	if err != nil || res.Skipped != 1 || !strings.Contains(res.Outcomes[0].Detail, "now one-way: the user has no usageLocation") {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if n := env.assignCalls(); n != 0 {
		t.Errorf("%d assignLicense requests, want none", n)
	}
}

// TestOneWayMarkCannotBeStripped: a plan file edited to drop an action's
// one_way_reasons no longer matches its snapshot, and apply's verification
// refuses it.
func TestOneWayMarkCannotBeStripped(t *testing.T) {
	env := startSim(t, 300)
	cfg := simConfig()
	p, journal, _ := env.oneWayPlan(t, cfg, true)
	outDir := filepath.Dir(filepath.Dir(filepath.Dir(journal)))
	if err := Verify(p, cfg, outDir); err != nil {
		t.Fatalf("untouched plan: %v", err)
	}
	p.Actions[0].OneWayReasons = nil
	if err := Verify(p, cfg, outDir); err == nil || !strings.Contains(err.Error(), "one_way_reasons") {
		t.Fatalf("stripped plan: %v, want a refusal naming one_way_reasons", err)
	}
}
