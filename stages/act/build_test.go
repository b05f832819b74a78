package act

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages/act/acttest"
)

func ptr[T any](v T) *T { return &v }

// writeRecommendations writes a snapshot fixture the way the transform lays
// it out, with a run manifest, and returns the output directory.
func writeRecommendations(t testing.TB, out, profile, date, runID string, recs []schemas.Recommendation) {
	t.Helper()
	if err := acttest.WriteRecommendations(out, profile, date, runID, recs); err != nil {
		t.Fatal(err)
	}
}

func rec(user, sku, part, action string) schemas.Recommendation {
	snap := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	return schemas.Recommendation{
		SnapshotDate: snap, AsOf: snap, UserID: user, UserPrincipalName: user + "@contoso.com", SkuID: sku, SkuPartNumber: part,
		Rule: "inactive", Action: action, Reason: "no sign-in for 91 days", AssignedDirectly: true, DisabledPlans: []string{planB, planA},
		InactiveDays: 90, LastActivityDate: ptr(time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)), LastActivitySource: "sign_in_interactive",
		DaysInactive: ptr(int64(91)), SignalsCounted: []string{"sign_in", "email"}, LastSignInDateTime: &oldSignIn,
		Signals: []schemas.SignalActivity{{Signal: "sign_in", LastActivity: &oldSignIn},
			{Signal: "email", LastActivity: ptr(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)), RefreshDate: ptr(time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC))}},
		MonthlySaving: ptr(36.0), Currency: "USD",
	}
}

const knownSecret = "K7q~never-print-this-client-secret"

func buildConfig(rule *config.ReclaimRule) *config.Config {
	cfg := testConfig(rule)
	cfg.Profiles["contoso"].Credentials = config.Credentials{ClientID: "app", ClientSecret: config.NewSecret(knownSecret)}
	cfg.Profiles["off"] = &config.Profile{Name: "off"} // reclaim task off: not planned
	return cfg
}

func TestBuildPlan(t *testing.T) {
	out := t.TempDir()
	group := rec("g", skuE3, "SPE_E3", schemas.RecommendRemoveFromGroup)
	group.AssignedDirectly, group.AssignedByGroup, group.AssignedByGroups = false, "grp-1", []string{"grp-1"}
	inherited := rec("h", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)
	inherited.AssignedDirectly, inherited.AssignedByGroups = false, []string{"grp-2"}
	risky := rec("r", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)
	risky.DataAtRisk, risky.DataAtRiskReason = true, "mailbox holds 2.1 GB"
	excluded := rec("x", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)
	excluded.Suppressed, excluded.SuppressedBy = true, "break_glass"
	writeRecommendations(t, out, "contoso", "2026-11-20", "20261120T060000Z", []schemas.Recommendation{
		rec("bob", skuE3, "SPE_E3", schemas.RecommendRemoveLicense),
		rec("alice", skuVisio, "VISIOCLIENT", schemas.RecommendRemoveLicense),
		rec("rev", skuE3, "SPE_E3", schemas.RecommendReview),
		rec("rep", skuE3, "SPE_E3", schemas.RecommendReport),
		group, inherited, risky, excluded,
	})
	// An older snapshot must not be used.
	writeRecommendations(t, out, "contoso", "2026-11-13", "20261113T060000Z", []schemas.Recommendation{rec("old", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)})

	cfg := buildConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense, MaxActions: 1})
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: planned})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.Actions {
		got = append(got, a.UserID+":"+string(a.Operation))
	}
	if strings.Join(got, ",") != "alice:remove_license,bob:remove_license" {
		t.Fatalf("actions %v", got)
	}
	kinds := map[string]plan.ReviewKind{}
	for _, r := range p.Reviews {
		kinds[r.UserID] = r.Kind
	}
	want := map[string]plan.ReviewKind{"rev": plan.ReviewReview, "rep": plan.ReviewReportOnly, "g": plan.ReviewBlocked, "h": plan.ReviewBlocked, "r": plan.ReviewBlocked, "x": plan.ReviewExcluded}
	for u, k := range want {
		if kinds[u] != k {
			t.Errorf("review %s: kind %q, want %q", u, kinds[u], k)
		}
	}
	a := p.Actions[1]
	if a.DisabledPlans[0] != planA || a.Evidence.LastSignIn == nil || !a.Evidence.LastSignIn.Equal(oldSignIn) || len(a.Evidence.Signals) != 2 || a.MonthlySaving != 36 {
		t.Errorf("action detail %+v", a)
	}
	if la := a.Evidence.LastActivity; la == nil || la.Format(time.DateOnly) != "2026-08-21" || a.Evidence.AsOf != "2026-11-20" ||
		a.Evidence.Signals[1].RefreshDate == nil || a.Evidence.Signals[1].RefreshDate.Format(time.DateOnly) != "2026-11-18" {
		t.Errorf("dates read back wrong: %+v", a.Evidence)
	}
	src := p.Sources[0]
	if len(p.Sources) != 1 || src.SnapshotID != "20261120T060000Z" || src.SnapshotDate != "2026-11-20" || !strings.HasPrefix(src.ManifestDigest, "sha256:") {
		t.Errorf("sources %+v", p.Sources)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "max_actions = 1") {
		t.Errorf("warnings %v", p.Warnings)
	}
	// Same snapshot, same action ids.
	p2, _ := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: planned.Add(time.Hour)})
	if p2.Actions[0].ID != p.Actions[0].ID {
		t.Error("action ids not stable across plans")
	}

	// Allowing groups and data at risk turns those rows into actions.
	cfg2 := buildConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense, AllowGroupRemoval: true, AllowDataAtRisk: true})
	p3, _ := Build(BuildOptions{Config: cfg2, ConfigDigest: cfg2.DecisionDigest(), OutDir: out, Now: planned})
	if p3.Totals.Actions != 4 || p3.Totals.RemoveFromGroup != 1 || p3.Totals.DataAtRisk != 1 {
		t.Errorf("totals with allowances %+v", p3.Totals)
	}
	if cfg.DecisionDigest() == cfg2.DecisionDigest() {
		t.Error("a rule change did not change the config digest")
	}

	// The plan file never holds the secret.
	b, _ := plan.Marshal(p3)
	if strings.Contains(string(b), knownSecret) || strings.Contains(string(b), "client_secret") {
		t.Fatal("plan file contains the client secret")
	}

	// Fresh now; still fresh once a newer snapshot lands (a notice only);
	// stale once its own file is rewritten.
	cur := func() plan.Current {
		s, err := LatestSource(out, "contoso")
		if err != nil {
			t.Fatal(err)
		}
		return plan.Current{ConfigDigest: cfg.DecisionDigest(), Planned: map[string]plan.Source{"contoso": PlannedSource(out, p.Sources[0])},
			Latest: map[string]plan.Source{"contoso": s}, ReclaimOn: map[string]bool{"contoso": true}, Now: planned}
	}
	if err := p.CheckFresh(cur()); err != nil {
		t.Fatal(err)
	}
	writeRecommendations(t, out, "contoso", "2026-11-21", "20261121T060000Z", nil)
	if err := p.CheckFresh(cur()); err != nil {
		t.Fatalf("a newer snapshot refused the plan: %v", err)
	}
	if n := p.Newer(cur()); len(n) != 1 || !strings.Contains(n[0], "20261121T060000Z") {
		t.Fatalf("newer-snapshot notice %q", n)
	}
	if err := Verify(p, cfg, out); err != nil {
		t.Fatalf("verify against the plan's own snapshot: %v", err)
	}
	writeRecommendations(t, out, "contoso", "2026-11-20", "20261120T070000Z", []schemas.Recommendation{rec("bob", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)})
	if err := p.CheckFresh(cur()); err == nil || !strings.Contains(err.Error(), "was altered") {
		t.Fatalf("plan with a rewritten snapshot accepted: %v", err)
	}
}

func TestBuildWithoutSnapshot(t *testing.T) {
	cfg := buildConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense})
	_, err := Build(BuildOptions{Config: cfg, OutDir: t.TempDir(), Now: planned})
	if err == nil || !strings.Contains(err.Error(), "reclaim run") {
		t.Fatalf("err = %v", err)
	}
}

func TestLatestSourcePicksTheRunThatWroteTheFile(t *testing.T) {
	out := t.TempDir()
	writeRecommendations(t, out, "p", "2026-11-20", "20261120T060000Z-aaaaaa", []schemas.Recommendation{rec("u", skuE3, "SPE_E3", schemas.RecommendRemoveLicense)})
	digest, err := plan.FileDigest(filepath.Join(out, "p", "curated", "recommendations", "snapshot_date=2026-11-20", "part-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	manifest := func(run, body string) {
		os.MkdirAll(filepath.Join(out, "p", "runs", run), 0o755)
		os.WriteFile(filepath.Join(out, "p", "runs", run, "manifest.json"), []byte(body), 0o644)
	}
	manifest("20261120T060000Z-aaaaaa", `{"run_id":"20261120T060000Z-aaaaaa","snapshot_date":"2026-11-20","stages":[{"table":"recommendations","sha256":"`+strings.TrimPrefix(digest, "sha256:")+`"}]}`)
	// A later run the same day that failed before the transform.
	manifest("20261120T120000Z-bbbbbb", `{"run_id":"20261120T120000Z-bbbbbb","snapshot_date":"2026-11-20","status":"failed","stages":[{"table":"users","sha256":"00"}]}`)
	src, err := LatestSource(out, "p")
	if err != nil {
		t.Fatal(err)
	}
	if src.SnapshotID != "20261120T060000Z-aaaaaa" {
		t.Fatalf("chose run %s, want the one that wrote the recommendations", src.SnapshotID)
	}
}
