package plan

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func samplePlan() *Plan {
	created := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	last := time.Date(2026, 8, 21, 9, 0, 0, 0, time.UTC)
	p := &Plan{
		FormatVersion: FormatVersion, ToolVersion: "test", CreatedAt: created, ConfigDigest: "sha256:aaaa",
		Sources: []Source{{Profile: "contoso", SnapshotID: "run-1", SnapshotDate: "2026-11-20", ManifestDigest: "sha256:m", RecommendationsDigest: "sha256:r"}},
	}
	for _, u := range []string{"bob", "alice"} {
		p.Actions = append(p.Actions, Action{
			ID: ActionID("contoso", u, "SKU", OpRemoveLicense, "run-1"), Profile: "contoso", UserID: u, UserPrincipalName: u + "@contoso.com",
			SkuID: "SKU", SkuPartNumber: "SPE_E3", Operation: OpRemoveLicense, Rule: "inactive", Evidence: Evidence{LastActivity: &last, Threshold: 90},
			MonthlySaving: 36, Currency: "USD", DisabledPlans: []string{},
		})
	}
	p.Finish()
	return p
}

func TestActionIDStable(t *testing.T) {
	a := ActionID("p", "u", "ABC", OpRemoveLicense, "s")
	if a != ActionID("p", "u", "abc", OpRemoveLicense, "s") {
		t.Fatal("SKU case changed the id")
	}
	for _, other := range []string{ActionID("q", "u", "ABC", OpRemoveLicense, "s"), ActionID("p", "v", "ABC", OpRemoveLicense, "s"),
		ActionID("p", "u", "ABD", OpRemoveLicense, "s"), ActionID("p", "u", "ABC", OpRemoveFromGroup, "s"), ActionID("p", "u", "ABC", OpRemoveLicense, "t")} {
		if other == a {
			t.Fatal("different inputs gave the same id")
		}
	}
}

func TestFinishSortsAndTotals(t *testing.T) {
	p := samplePlan()
	if p.Actions[0].UserID != "alice" {
		t.Fatalf("actions not sorted by UPN: %v", p.Actions[0].UserID)
	}
	if p.Totals.Actions != 2 || p.Totals.RemoveLicense != 2 || p.Totals.MonthlySaving["USD"] != 72 || p.Totals.ByProfile["contoso"] != 2 {
		t.Fatalf("totals %+v", p.Totals)
	}
	if p.ID == "" || !p.HasChanges() {
		t.Fatal("no id or no changes")
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	p := samplePlan()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Write(nil, path, p); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip differs:\n%+v\n%+v", got, p)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"version":   {`{"format_version": 99}`, "format version 99"},
		"noversion": {`{"actions": []}`, "no format_version"},
		"unknown":   {`{"format_version": 1, "surprise": 1}`, "unknown field"},
		"op":        {`{"format_version": 1, "sources":[{"profile":"p"}], "actions":[{"id":"x","profile":"p","user_id":"u","sku_id":"s","operation":"delete_user"}]}`, "unknown operation"},
		"dup":       {`{"format_version": 1, "sources":[{"profile":"p"}], "actions":[{"id":"x","profile":"p","user_id":"u","sku_id":"s","operation":"remove_license"},{"id":"x","profile":"p","user_id":"u","sku_id":"s","operation":"remove_license"}]}`, "duplicate id"},
		"nosource":  {`{"format_version": 1, "actions":[{"id":"x","profile":"p","user_id":"u","sku_id":"s","operation":"remove_license"}]}`, "no source snapshot"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Unmarshal([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCheckFresh(t *testing.T) {
	p := samplePlan()
	ok := Current{ConfigDigest: "sha256:aaaa", Planned: map[string]Source{"contoso": p.Sources[0]}, ReclaimOn: map[string]bool{"contoso": true}, Now: p.CreatedAt.Add(time.Hour)}
	if err := p.CheckFresh(ok); err != nil {
		t.Fatalf("fresh plan refused: %v", err)
	}
	// A newer snapshot is a notice, not a refusal.
	newer := ok
	newer.Latest = map[string]Source{"contoso": {SnapshotID: "run-2", SnapshotDate: "2026-11-21"}}
	if err := p.CheckFresh(newer); err != nil {
		t.Fatalf("a newer snapshot refused the plan: %v", err)
	}
	if n := p.Newer(newer); len(n) != 1 || !strings.Contains(n[0], "newer snapshot") || !strings.Contains(n[0], "re-checked live") {
		t.Fatalf("notice = %q", n)
	}
	if n := p.Newer(ok); len(n) != 0 {
		t.Fatalf("notice without a newer snapshot: %q", n)
	}
	with := func(f func(s *Source)) map[string]Source {
		s := p.Sources[0]
		f(&s)
		return map[string]Source{"contoso": s}
	}
	cases := map[string]struct {
		mut  func(c *Current)
		want string
	}{
		"config":       {func(c *Current) { c.ConfigDigest = "sha256:bbbb" }, "configuration changed"},
		"age":          {func(c *Current) { c.Now = p.CreatedAt.Add(8 * 24 * time.Hour) }, "--max-age"},
		"maxage":       {func(c *Current) { c.MaxAge = time.Minute }, "--max-age"},
		"manifest":     {func(c *Current) { c.Planned = with(func(s *Source) { s.ManifestDigest = "x" }) }, "manifest"},
		"manifestgone": {func(c *Current) { c.Planned = with(func(s *Source) { s.ManifestDigest = "" }) }, "removed"},
		"recs":         {func(c *Current) { c.Planned = with(func(s *Source) { s.RecommendationsDigest = "x" }) }, "was altered"},
		"recsgone":     {func(c *Current) { c.Planned = with(func(s *Source) { s.RecommendationsDigest = "" }) }, "was removed"},
		"gone":         {func(c *Current) { c.Planned = nil }, "was removed"},
		"off":          {func(c *Current) { c.ReclaimOn = map[string]bool{} }, "reclaim_subscriptions"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := ok
			tc.mut(&c)
			err := p.CheckFresh(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "reclaim plan") {
				t.Fatalf("err = %v, want %q and the fix", err, tc.want)
			}
		})
	}
}

// TestReadRecomputesAndRefusesEdits: a plan file's totals are never read
// as written, and edited actions are caught by the recorded digest and id.
func TestReadRecomputesAndRefusesEdits(t *testing.T) {
	p := samplePlan()
	dir := t.TempDir()
	write := func(name string, edit func(p *Plan)) string {
		q := *p
		q.Actions = append([]Action{}, p.Actions...)
		edit(&q)
		path := filepath.Join(dir, name)
		if err := Write(nil, path, &q); err != nil {
			t.Fatal(err)
		}
		return path
	}
	got, err := Read(write("totals.json", func(q *Plan) { q.Totals = Totals{Actions: 99, MonthlySaving: map[string]float64{"USD": 1}} }))
	if err != nil || got.Totals.Actions != 2 || got.Totals.MonthlySaving["USD"] != 72 {
		t.Fatalf("forged totals read as %+v (%v)", got.Totals, err)
	}
	_, err = Read(write("action.json", func(q *Plan) { q.Actions[0].DataAtRisk = true }))
	if err == nil || !strings.Contains(err.Error(), "actions were edited") {
		t.Fatalf("edited action read: %v", err)
	}
	_, err = Read(write("dropped.json", func(q *Plan) { q.Actions = q.Actions[:1]; q.ActionsDigest = ActionsDigest(q.Actions) }))
	if err == nil || !strings.Contains(err.Error(), "does not match its contents") {
		t.Fatalf("dropped action read: %v", err)
	}
	if d := ActionsDigest(p.Actions); !strings.HasPrefix(d, "sha256:") || d != p.ActionsDigest {
		t.Fatalf("digest %s, recorded %s", d, p.ActionsDigest)
	}
}
