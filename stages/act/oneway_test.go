package act

import (
	"context"
	"slices"
	"strings"
	"testing"

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
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: ConfigDigest(cfg), OutDir: out, Now: simToday})
	if err != nil {
		t.Fatal(err)
	}
	journal := JournalPath(out, "sim", p.ID)
	res, err := e.apply(t, p, cfg, journal, RunOptions{})
	if err != nil || res.Done != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if between != nil {
		between()
	}
	applied, _ := ReadJournal(journal)
	uj, _ := OpenJournal(UndoJournalPath(journal))
	defer uj.Close()
	ures, err := Undo(context.Background(), UndoOptions{Applied: applied, Journal: uj, Directories: func(string) (Directory, error) { return e.dir, nil }})
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
