package ui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/plan"
)

// The -update flag may be defined by another test file of this package; share it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func goldenPlan() *plan.Plan {
	d := func(s string) *time.Time { t, _ := time.Parse(time.DateOnly, s); return &t }
	n := func(v int64) *int64 { return &v }
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion, ToolVersion: "0.1.0-test", CreatedAt: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC),
		ConfigDigest: "sha256:4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e", ConfigPath: "/srv/reclaim/config",
		Sources: []plan.Source{{Profile: "contoso", SnapshotID: "20261124T060000Z", SnapshotDate: "2026-11-24",
			ManifestPath: "contoso/runs/20261124T060000Z/manifest.json", ManifestDigest: "sha256:aa",
			RecommendationsPath: "contoso/curated/recommendations/snapshot_date=2026-11-24/part-0.parquet", RecommendationsDigest: "sha256:bb"}},
		Actions: []plan.Action{
			{Profile: "contoso", UserID: "u-alice", UserPrincipalName: "alice@contoso.com", SkuID: "05e9a617-0261-4cee-bb44-138d3ef5d965", SkuPartNumber: "SPE_E3",
				Operation: plan.OpRemoveLicense, Rule: "inactive_90", Reason: "No sign-in or Office activity for 94 days.",
				Evidence: plan.Evidence{LastActivity: d("2026-08-21"), LastActivitySource: "sign_in_interactive", DaysInactive: n(94), Threshold: 90, LastSignIn: d("2026-08-21"),
					Signals: []plan.SignalEvidence{{Signal: "sign_in", LastActivity: d("2026-08-21")}, {Signal: "office365", LastActivity: d("2026-08-02"), RefreshDate: d("2026-11-22")}}},
				DisabledPlans: []string{"57ff2da0-773e-42df-b2af-ffb7a2317929"}, MonthlySaving: 36, Currency: "USD"},
			{Profile: "contoso", UserID: "u-bob", UserPrincipalName: "bob@contoso.com", SkuID: "06ebc4ee-1bb5-47dd-8120-11324bc54e06", SkuPartNumber: "SPE_E5",
				Operation: plan.OpRemoveFromGroup, GroupID: "9a1b2c3d-0000-4000-8000-000000000001", Rule: "inactive_90",
				Reason: "Never signed in.", Evidence: plan.Evidence{Threshold: 90}, DisabledPlans: []string{}, MonthlySaving: 57, Currency: "USD"},
			{Profile: "contoso", UserID: "u-carol", UserPrincipalName: "carol@contoso.com", SkuID: "05e9a617-0261-4cee-bb44-138d3ef5d965", SkuPartNumber: "SPE_E3",
				Operation: plan.OpRemoveLicense, Rule: "leavers", Reason: "Disabled account, inactive.", DataAtRisk: true,
				Evidence:      plan.Evidence{LastActivity: d("2026-05-01"), LastActivitySource: "teams", DaysInactive: n(205), Threshold: 30},
				DisabledPlans: []string{}, MonthlySaving: 33.5, Currency: "EUR"},
			{Profile: "contoso", UserID: "u-gus", UserPrincipalName: "gus_fabrikam.com#EXT#@contoso.onmicrosoft.com", SkuID: "f8a1db68-be16-40ed-86d5-cb42ce701560", SkuPartNumber: "POWER_BI_PRO",
				Operation: plan.OpRemoveLicense, Rule: "inactive_90", Reason: "No sign-in for 120 days.",
				Evidence:      plan.Evidence{LastActivity: d("2026-07-27"), LastActivitySource: "sign_in_interactive", DaysInactive: n(120), Threshold: 90},
				DisabledPlans: []string{}, MonthlySaving: 10, Currency: "USD",
				OneWayReasons: []string{"the user has no usageLocation: no licence can be assigned to them again until one is set"}},
		},
		Reviews: []plan.Review{
			{Profile: "contoso", UserID: "u-dave", UserPrincipalName: "dave@contoso.com", SkuPartNumber: "VISIOCLIENT", Kind: plan.ReviewReview, Rule: "inactive_90", Reason: "Email report concealed: activity unknown."},
			{Profile: "contoso", UserID: "u-erin", UserPrincipalName: "erin@contoso.com", SkuPartNumber: "SPE_E3", Kind: plan.ReviewBlocked, Rule: "inactive_90", Reason: "licence inherited from group g-1; rule \"inactive_90\" does not set allow_group_removal"},
			{Profile: "contoso", UserID: "u-bg", UserPrincipalName: "breakglass1@contoso.com", SkuPartNumber: "SPE_E5", Kind: plan.ReviewExcluded, Rule: "inactive_90", Reason: "excluded by break_glass"},
			{Profile: "contoso", UserID: "u-pbi", UserPrincipalName: "frank@contoso.com", SkuPartNumber: "POWER_BI_PRO", Kind: plan.ReviewReportOnly, Rule: "pbi_report", Reason: "No Power BI activity | 120 days."},
		},
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		a.ID = plan.ActionID(a.Profile, a.UserID, a.SkuID, a.Operation, "20261124T060000Z")
	}
	p.Finish()
	p.Warnings = append(p.Warnings, `rule "leavers" plans 1 actions but max_actions = 0: example warning`)
	return p
}

func TestGoldenPlan(t *testing.T) {
	p := goldenPlan()
	js := checkGolden(t, "plan.json.golden", func(b *bytes.Buffer) error { return WritePlanJSON(b, p) })
	// Stable: the plan read back from its own JSON renders identically.
	back, err := plan.Unmarshal(js)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []*plan.Plan{p, back} {
		checkGolden(t, "plan.txt.golden", func(b *bytes.Buffer) error { return WritePlanText(b, q) })
		checkGolden(t, "plan.md.golden", func(b *bytes.Buffer) error { return WritePlanMarkdown(b, q) })
	}
	empty := &plan.Plan{FormatVersion: plan.FormatVersion, CreatedAt: p.CreatedAt, ConfigDigest: p.ConfigDigest, Sources: p.Sources[:1]}
	empty.Finish()
	checkGolden(t, "plan_empty.txt.golden", func(b *bytes.Buffer) error { return WritePlanText(b, empty) })
}

func TestPlanTextShape(t *testing.T) {
	var b bytes.Buffer
	if err := WritePlanText(&b, goldenPlan()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  - SPE_E3 from alice@contoso.com: inactive 94 days (last sign-in 2026-08-21)",
		"by leaving group 9a1b2c3d-0000-4000-8000-000000000001:",
		"  ! SPE_E3 from carol@contoso.com",
		"Plan: 4 to remove (3 licences, 1 group membership), 1 with data at risk, 1 one-way (undo could not reverse); 4 rows listed for review.",
		"      one-way, undo could not put it back: the user has no usageLocation",
		"Monthly saving: EUR 33.50 + USD 103.00.",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan text lacks %q:\n%s", want, b.String())
		}
	}
}

func checkGolden(t *testing.T, name string, render func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := render(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s differs from the golden file (go test -run Golden -update to accept):\n--- got\n%s\n--- want\n%s", name, b.String(), want)
	}
	return b.Bytes()
}

// TestApplyProgressLine: the heartbeat says how many of how many, the share,
// the rate so far and the time left at that rate, with thousands separated.
func TestApplyProgressLine(t *testing.T) {
	for _, c := range []struct {
		p    ApplyProgress
		want string
	}{
		{ApplyProgress{Finished: 1900, Total: 53000, Elapsed: 100 * time.Second},
			"… 1,900 of 53,000 action(s) finished (4%) in 1m40s, 19.0 per second, about 44m49s left\n"},
		{ApplyProgress{Finished: 0, Total: 10, Elapsed: 10 * time.Second},
			"… 0 of 10 action(s) finished (0%) in 10s\n"},
		{ApplyProgress{Finished: 10, Total: 10, Elapsed: 2 * time.Second},
			"… 10 of 10 action(s) finished (100%) in 2s, 5.0 per second\n"},
	} {
		var b strings.Builder
		if err := WriteApplyProgress(&b, c.p); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.p, b.String(), c.want)
		}
	}
}
