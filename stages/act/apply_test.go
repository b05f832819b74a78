package act

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

func secretOf(s string) config.Secret { return config.NewSecret(s) }

const (
	skuE3    = "05e9a617-0261-4cee-bb44-138d3ef5d965"
	skuVisio = "c5928f49-12ba-48f7-ada3-0d743a3601d5"
	planA    = "aaaaaaaa-0000-0000-0000-000000000001"
	planB    = "bbbbbbbb-0000-0000-0000-000000000002"
)

var (
	day       = 24 * time.Hour
	planned   = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	oldSignIn = time.Date(2026, 8, 21, 9, 0, 0, 0, time.UTC)
)

func testConfig(rules ...*config.ReclaimRule) *config.Config {
	if len(rules) == 0 {
		rules = []*config.ReclaimRule{{Name: "inactive", Action: config.ActionRemoveLicense, InactiveDays: 90}}
	}
	return &config.Config{
		Profiles:     map[string]*config.Profile{"contoso": {Name: "contoso", Tasks: config.Tasks{ReclaimSubscriptions: true}}},
		ReclaimRules: rules,
	}
}

// planFor makes a plan removing the given SKUs, as Build would from a
// snapshot taken before the users' current state.
func planFor(ops ...plan.Action) *plan.Plan {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, CreatedAt: planned, ConfigDigest: "sha256:c",
		Sources: []plan.Source{{Profile: "contoso", SnapshotID: "run-1"}}}
	for _, a := range ops {
		if a.Operation == "" {
			a.Operation = plan.OpRemoveLicense
		}
		a.Profile, a.Rule = "contoso", "inactive"
		a.UserPrincipalName = a.UserID + "@contoso.com"
		a.SkuPartNumber = map[string]string{skuE3: "SPE_E3", skuVisio: "VISIOCLIENT"}[a.SkuID]
		a.ID = plan.ActionID("contoso", a.UserID, a.SkuID, a.Operation, "run-1")
		if a.Evidence.LastSignIn == nil {
			a.Evidence.LastSignIn = &oldSignIn
			a.Evidence.LastActivity = &oldSignIn
		}
		p.Actions = append(p.Actions, a)
	}
	p.Finish()
	return p
}

func remove(user, sku string) plan.Action { return plan.Action{UserID: user, SkuID: sku} }

type applyRun struct {
	res *Result
	err error
	j   *Journal
}

func runApply(t *testing.T, ft *fakeTenant, p *plan.Plan, cfg *config.Config, journal string, ro RunOptions) applyRun {
	t.Helper()
	j, err := OpenJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if ro.WritesPerSecond == 0 {
		ro.WritesPerSecond = 1000
	}
	dir := ft.directory()
	res, err := ApplyActions(context.Background(), ApplyOptions{Plan: p, Config: cfg, Journal: j, RunOptions: ro,
		Directories: func(string) (Directory, error) { return dir, nil }, LiveExclusions: noWhenMatches})
	return applyRun{res, err, j}
}

// noWhenMatches is a LiveExclusions under which no `when` matches (the fake
// tenant serves no department; the real evaluator is driven end to end in
// TestApplySkipsUserNowMatchingWhen).
func noWhenMatches(context.Context, schemas.User) ([]string, error) { return nil, nil }

func TestApplyRemovesExactlyThePlannedLicences(t *testing.T) {
	ft := newFakeTenant(t)
	for i := range 6 {
		ft.addUser(fmt.Sprintf("u%d", i), map[string][]string{skuE3: {planA}, skuVisio: nil}, &oldSignIn)
	}
	before := ft.snapshot()
	p := planFor(remove("u0", skuE3), remove("u1", skuE3), remove("u2", skuVisio), remove("u3", skuE3))
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	r := runApply(t, ft, p, testConfig(), journal, RunOptions{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Done != 4 || r.res.Failed != 0 || r.res.Skipped != 0 || r.res.ExitCode() != 0 {
		t.Fatalf("result %+v", r.res)
	}
	after := ft.snapshot()
	for id, lic := range before {
		for sku := range lic {
			planned := p.Action(plan.ActionID("contoso", id, sku, plan.OpRemoveLicense, "run-1")) != nil
			_, still := after[id][sku]
			if planned == still {
				t.Errorf("%s %s: planned=%v but still assigned=%v", id, sku, planned, still)
			}
		}
	}
	if got := ft.consumed(skuE3); got != 3 {
		t.Errorf("consumed E3 = %d, want 6-3", got)
	}
	if got := ft.count("POST users/assignLicense"); got != 4 {
		t.Errorf("assignLicense calls = %d, want 4", got)
	}

	// A second apply of the same plan is a no-op: nothing read, nothing written.
	reads := ft.count("GET users")
	r2 := runApply(t, ft, p, testConfig(), journal, RunOptions{})
	if r2.err != nil || r2.res.Earlier != 4 || r2.res.Done+r2.res.Skipped+r2.res.Failed != 0 {
		t.Fatalf("second apply: %+v %v", r2.res, r2.err)
	}
	if ft.count("POST users/assignLicense") != 4 || ft.count("GET users") != reads {
		t.Error("second apply talked to the tenant")
	}
	// The journal has intent+done per action and exports to Parquet.
	entries, err := ReadJournal(journal)
	if err != nil || len(entries) != 8 {
		t.Fatalf("journal: %d entries, %v", len(entries), err)
	}
	phases := map[string]string{}
	for _, e := range entries {
		phases[e.ActionID] += e.Phase + " "
	}
	for id, ph := range phases {
		if ph != "intent done " {
			t.Errorf("action %s journal phases %q, want intent then done", id, ph)
		}
	}
	if err := ExportParquet(nil, entries, store.JournalParquetPath(journal)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(strings.TrimSuffix(journal, ".jsonl") + ".parquet"); err != nil {
		t.Fatal(err)
	}
}

func TestApplySkipsOnLivePreconditions(t *testing.T) {
	ft := newFakeTenant(t)
	ft.addUser("gone-licence", map[string][]string{skuVisio: nil}, &oldSignIn)
	ft.addUser("signed-in", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.addUser("now-group", map[string][]string{}, &oldSignIn)
	ft.addUser("excluded", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.addUser("vip", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.addGroup("g-e3", map[string][]string{skuE3: nil}, "now-group")
	ft.addGroup("g-vip", nil, "vip-nested")
	ft.addGroup("vip-nested", nil, "vip")
	ft.groups["vip-nested"].Parents = []string{"g-vip"}
	ft.groups["g-vip"].Members = map[string]bool{}
	ft.signIn("signed-in", planned.Add(day))

	cfg := testConfig()
	cfg.Exclusions = []*config.Exclusion{
		{Name: "by-upn", Users: []string{"EXCLUDED@contoso.com"}},
		{Name: "vips", Groups: []string{"g-vip"}},
		{Name: "sql-only", When: "department = 'x'"}, // matches nobody live (noWhenMatches)
	}
	p := planFor(remove("gone-licence", skuE3), remove("signed-in", skuE3), remove("now-group", skuE3), remove("excluded", skuE3),
		remove("vip", skuE3), remove("nobody", skuE3))
	r := runApply(t, ft, p, cfg, filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := map[string]string{
		"gone-licence": "no longer assigned directly",
		"signed-in":    "signed in on 2026-11-21, after the plan's evidence (last activity 2026-08-21)",
		"now-group":    "inherited from group g-e3",
		"excluded":     `excluded by exclusion "by-upn"`,
		"vip":          `excluded by exclusion "vips"`,
		"nobody":       "no longer exists",
	}
	if r.res.Skipped != len(want) || r.res.Done != 0 || r.res.ExitCode() != 0 {
		t.Fatalf("result %+v", r.res)
	}
	for _, o := range r.res.Outcomes {
		if !strings.Contains(o.Detail, want[o.Entry.UserID]) {
			t.Errorf("%s: detail %q, want %q", o.Entry.UserID, o.Detail, want[o.Entry.UserID])
		}
	}
	if n := ft.count("POST users/assignLicense"); n != 0 {
		t.Errorf("%d assignLicense calls, want none", n)
	}
}

func TestApplyResumesAfterCrash(t *testing.T) {
	for crashAt := 1; crashAt <= 9; crashAt++ {
		t.Run(fmt.Sprint(crashAt), func(t *testing.T) {
			ft := newFakeTenant(t)
			var acts []plan.Action
			for i := range 5 {
				id := fmt.Sprintf("u%d", i)
				ft.addUser(id, map[string][]string{skuE3: {planB}}, &oldSignIn)
				acts = append(acts, remove(id, skuE3))
			}
			p := planFor(acts...)
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			r := runApply(t, ft, p, testConfig(), journal, RunOptions{CrashAfterJournalWrites: crashAt, Concurrency: 2})
			if !errors.Is(r.err, ErrCrashed) {
				t.Fatalf("want crash, got %v", r.err)
			}
			// A torn half line, as if killed mid-write.
			f, _ := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"seq":99,"phase":"do`)
			f.Close()

			r2 := runApply(t, ft, p, testConfig(), journal, RunOptions{})
			if r2.err != nil {
				t.Fatal(r2.err)
			}
			if r2.res.Failed != 0 || r2.res.Done+r2.res.Earlier != 5 {
				t.Fatalf("resume: %+v", r2.res)
			}
			if got := ft.count("POST users/assignLicense"); got != 5 {
				t.Errorf("assignLicense calls = %d, want exactly 5", got)
			}
			if ft.consumed(skuE3) != 0 {
				t.Error("licences left")
			}
			entries, err := ReadJournal(journal)
			if err != nil {
				t.Fatal(err)
			}
			done := map[string]int{}
			for _, e := range entries {
				if e.Phase == schemas.PhaseDone {
					done[e.ActionID]++
				}
			}
			for _, a := range p.Actions {
				if done[a.ID] != 1 {
					t.Errorf("action %s done %d times in the journal", a.ID, done[a.ID])
				}
			}
		})
	}
}

func TestApplyRetriesOnlyWhatIsSafe(t *testing.T) {
	ft := newFakeTenant(t)
	ft.addUser("a", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.addUser("b", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.throttle = 2  // 429s: retried inside the directory
	ft.ambiguous = 1 // applied but answered 503: confirmed by re-reading, not resent
	p := planFor(remove("a", skuE3), remove("b", skuE3))
	r := runApply(t, ft, p, testConfig(), filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{Concurrency: 1})
	if r.err != nil || r.res.Done != 2 {
		t.Fatalf("%+v %v", r.res, r.err)
	}
	if got := ft.count("POST users/assignLicense"); got != 2 {
		t.Errorf("assignLicense calls = %d, want 2 (the ambiguous one must not be resent)", got)
	}
	if !strings.Contains(r.res.Outcomes[0].Detail+r.res.Outcomes[1].Detail, "confirmed by a live re-read") {
		t.Errorf("outcomes %+v", r.res.Outcomes)
	}
}

// TestApplyLateLandingRequest: the licence disappears between apply's live
// read and its write (an interrupted run's request landing late); Graph
// refuses the removal, and the re-read shows the change in place: done.
func TestApplyLateLandingRequest(t *testing.T) {
	ft := newFakeTenant(t)
	ft.addUser("a", map[string][]string{skuE3: nil}, &oldSignIn)
	ft.beforeWrite = func(ft *fakeTenant) { delete(ft.users["a"].Direct, skuE3); ft.beforeWrite = nil }
	r := runApply(t, ft, planFor(remove("a", skuE3)), testConfig(), filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
	if r.err != nil || r.res.Done != 1 || !strings.Contains(r.res.Outcomes[0].Detail, "confirmed by a live re-read") {
		t.Fatalf("%+v %v", r.res, r.err)
	}
}

func TestPreflightRefuses(t *testing.T) {
	risky := remove("a", skuE3)
	risky.DataAtRisk = true
	group := plan.Action{UserID: "b", SkuID: skuE3, Operation: plan.OpRemoveFromGroup, GroupID: "g"}
	cases := map[string]struct {
		p    *plan.Plan
		cfg  *config.Config
		want string
	}{
		"max_actions": {planFor(remove("a", skuE3), remove("b", skuE3)), testConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense, MaxActions: 1}), "max_actions = 1"},
		"data":        {planFor(risky), testConfig(), "allow_data_at_risk"},
		"group":       {planFor(group), testConfig(), "allow_group_removal"},
		"report":      {planFor(remove("a", skuE3)), testConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionReport}), "report-only"},
		"norule":      {planFor(remove("a", skuE3)), testConfig(&config.ReclaimRule{Name: "other", Action: config.ActionRemoveLicense}), "not in the configuration"},
		"taskoff": {planFor(remove("a", skuE3)), func() *config.Config {
			c := testConfig()
			c.Profiles["contoso"].Tasks.ReclaimSubscriptions = false
			return c
		}(), "reclaim_subscriptions off"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ft := newFakeTenant(t)
			ft.addUser("a", map[string][]string{skuE3: nil}, &oldSignIn)
			r := runApply(t, ft, tc.p, tc.cfg, filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{})
			var re *RefusedError
			if !errors.As(r.err, &re) || !strings.Contains(r.err.Error(), tc.want) {
				t.Fatalf("err = %v, want refusal with %q", r.err, tc.want)
			}
			if len(ft.calls) != 0 {
				t.Errorf("refused apply talked to the tenant: %v", ft.calls)
			}
		})
	}
	allowed := testConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense, AllowDataAtRisk: true, AllowGroupRemoval: true, MaxActions: 2})
	if err := Preflight(planFor(risky, group), allowed, Approval{}, false); err != nil {
		t.Fatalf("allowed plan refused: %v", err)
	}
	// An action left out of the approval is not carried out, so what would
	// refuse it does not refuse the rest of the plan; max_actions still
	// counts every planned action.
	strict := testConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense, MaxActions: 2})
	partial := planFor(risky, remove("a", skuVisio))
	if err := Preflight(partial, strict, Approval{}, false); err == nil {
		t.Fatal("a data-at-risk action was not refused")
	}
	var riskyID, safeID string
	for _, a := range partial.Actions {
		if a.DataAtRisk {
			riskyID = a.ID
		} else {
			safeID = a.ID
		}
	}
	if err := Preflight(partial, strict, Approval{ExcludeActions: []string{riskyID}}, false); err != nil {
		t.Fatalf("leaving the data-at-risk action out still refuses: %v", err)
	}
	strict.ReclaimRules[0].MaxActions = 1
	if err := Preflight(partial, strict, Approval{Actions: []string{safeID}}, false); err == nil || !strings.Contains(err.Error(), "max_actions") {
		t.Fatalf("max_actions not counted over the whole plan: %v", err)
	}
}

func TestGroupRemovalAndUndo(t *testing.T) {
	ft := newFakeTenant(t)
	ft.addUser("a", map[string][]string{skuVisio: {planA, planB}}, &oldSignIn)
	ft.addUser("b", nil, &oldSignIn)
	ft.addGroup("g-e3", map[string][]string{skuE3: {planB}}, "b")
	cfg := testConfig(&config.ReclaimRule{Name: "inactive", Action: config.ActionRemoveLicense, AllowGroupRemoval: true})
	p := planFor(remove("a", skuVisio), plan.Action{UserID: "b", SkuID: skuE3, Operation: plan.OpRemoveFromGroup, GroupID: "g-e3"})
	before := ft.snapshot()
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	r := runApply(t, ft, p, cfg, journal, RunOptions{})
	if r.err != nil || r.res.Done != 2 {
		t.Fatalf("%+v %v", r.res, r.err)
	}
	if ft.consumed(skuE3) != 0 || ft.consumed(skuVisio) != 0 {
		t.Fatal("not removed")
	}
	// Undo puts back exactly what was there, disabled plans included.
	applied, _ := ReadJournal(journal)
	uj, err := OpenJournal(store.UndoJournalPath(journal))
	if err != nil {
		t.Fatal(err)
	}
	dir := ft.directory()
	ur, err := UndoActions(context.Background(), UndoOptions{Applied: applied, Journal: uj, Directories: func(string) (Directory, error) { return dir, nil },
		RunOptions: RunOptions{WritesPerSecond: 1000}})
	uj.Close()
	if err != nil || ur.Done != 2 {
		t.Fatalf("undo %+v %v", ur, err)
	}
	if after := ft.snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("undo did not restore exactly:\nbefore %v\nafter  %v", before, after)
	}
	if !ft.groups["g-e3"].Members["b"] {
		t.Fatal("group membership not restored")
	}
	// Undo again: nothing left to do.
	uj, _ = OpenJournal(store.UndoJournalPath(journal))
	ur, err = UndoActions(context.Background(), UndoOptions{Applied: applied, Journal: uj, Directories: func(string) (Directory, error) { return dir, nil }})
	uj.Close()
	if err != nil || ur.Earlier != 2 || ur.Done != 0 {
		t.Fatalf("second undo %+v %v", ur, err)
	}
	if _, err := UndoActions(context.Background(), UndoOptions{Applied: applied, ActionIDs: []string{"nope"}}); err == nil {
		t.Fatal("undo of an unknown action id accepted")
	}
}

// TestExcludedUserNeverTouched: over random tenants, plans and exclusions
// (the plan deliberately ignoring exclusions, as a stale or hand-edited one
// might), apply never changes an excluded user's licences.
func TestExcludedUserNeverTouched(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 5
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		ft := newFakeTenant(t)
		groups := []string{"g1", "g2", "g3"}
		for _, g := range groups {
			ft.addGroup(g, nil)
		}
		ft.groups["g2"].Parents = []string{"g3"} // nesting: g2 members are in g3
		var users []string
		var acts []plan.Action
		for i := range 12 {
			id := fmt.Sprintf("u%d", i)
			users = append(users, id)
			ft.addUser(id, map[string][]string{skuE3: nil, skuVisio: {planA}}, &oldSignIn)
			if g := rng.IntN(4); g < 3 {
				ft.groups[groups[g]].Members[id] = true
			}
			for _, s := range []string{skuE3, skuVisio} {
				if rng.IntN(3) > 0 {
					acts = append(acts, remove(id, s))
				}
			}
		}
		var excls []*config.Exclusion
		for k := range rng.IntN(4) {
			x := &config.Exclusion{Name: fmt.Sprintf("x%d", k)}
			switch rng.IntN(3) {
			case 0:
				x.Users = []string{users[rng.IntN(len(users))], strings.ToUpper(users[rng.IntN(len(users))]) + "@CONTOSO.COM"}
			case 1:
				x.Groups = []string{groups[rng.IntN(len(groups))]}
			case 2:
				x.Users = []string{users[rng.IntN(len(users))]}
			}
			if rng.IntN(2) == 0 {
				x.SKUs = []string{[]string{"SPE_E3", skuVisio}[rng.IntN(2)]}
			}
			excls = append(excls, x)
		}
		cfg := testConfig()
		cfg.Exclusions = excls
		before := ft.snapshot()
		// Expected exclusions computed independently of Excluded().
		excluded := func(uid, sku string) bool {
			for _, x := range excls {
				if len(x.SKUs) > 0 && !slices.ContainsFunc(x.SKUs, func(s string) bool {
					return s == sku || (s == "SPE_E3" && sku == skuE3) || (s == "VISIOCLIENT" && sku == skuVisio)
				}) {
					continue
				}
				for _, u := range x.Users {
					if strings.EqualFold(u, uid) || strings.EqualFold(u, uid+"@contoso.com") {
						return true
					}
				}
				for _, g := range x.Groups {
					if ft.groups[g].Members[uid] || (g == "g3" && ft.groups["g2"].Members[uid]) {
						return true
					}
				}
			}
			return false
		}
		r := runApply(t, ft, planFor(acts...), cfg, filepath.Join(t.TempDir(), "j.jsonl"), RunOptions{Concurrency: 3})
		if r.err != nil {
			t.Fatalf("seed %d: %v", seed, r.err)
		}
		after := ft.snapshot()
		for _, a := range acts {
			_, still := after[a.UserID][a.SkuID]
			if excluded(a.UserID, a.SkuID) != still {
				t.Errorf("seed %d: %s %s excluded=%v still assigned=%v", seed, a.UserID, a.SkuID, excluded(a.UserID, a.SkuID), still)
			}
		}
		for id, lic := range before {
			for sku := range lic {
				if _, ok := after[id][sku]; !ok && excluded(id, sku) {
					t.Errorf("seed %d: excluded %s lost %s", seed, id, sku)
				}
			}
		}
	}
}
