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
	if err := Write(path, p); err != nil {
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
	ok := Current{ConfigDigest: "sha256:aaaa", Sources: map[string]Source{"contoso": p.Sources[0]}, ReclaimOn: map[string]bool{"contoso": true}, Now: p.CreatedAt.Add(time.Hour)}
	if err := p.CheckFresh(ok); err != nil {
		t.Fatalf("fresh plan refused: %v", err)
	}
	cases := map[string]struct {
		mut  func(c *Current)
		want string
	}{
		"config": {func(c *Current) { c.ConfigDigest = "sha256:bbbb" }, "configuration changed"},
		"age":    {func(c *Current) { c.Now = p.CreatedAt.Add(8 * 24 * time.Hour) }, "--max-age"},
		"maxage": {func(c *Current) { c.MaxAge = time.Minute }, "--max-age"},
		"newer":  {func(c *Current) { c.Sources = map[string]Source{"contoso": {SnapshotID: "run-2"}} }, "newer snapshot"},
		"manifest": {func(c *Current) {
			s := p.Sources[0]
			s.ManifestDigest = "x"
			c.Sources = map[string]Source{"contoso": s}
		}, "manifest"},
		"recs": {func(c *Current) {
			s := p.Sources[0]
			s.RecommendationsDigest = "x"
			c.Sources = map[string]Source{"contoso": s}
		}, "recommendations file"},
		"gone": {func(c *Current) { c.Sources = nil }, "is gone"},
		"off":  {func(c *Current) { c.ReclaimOn = map[string]bool{} }, "reclaim_subscriptions"},
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
