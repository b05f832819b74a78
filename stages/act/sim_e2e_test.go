package act

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/secret"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

var simToday = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// simEnv is a simulated tenant over loopback HTTPS with a GraphDirectory
// talking to it exactly as apply does in production.
type simEnv struct {
	srv *simtenant.Server
	dir *GraphDirectory
	n   int
}

func startSim(t *testing.T, users int) *simEnv { return startSimSeed(t, users, 11) }

func startSimSeed(t *testing.T, users int, seed int64) *simEnv {
	return startSimWith(t, simtenant.Options{Users: users, Seed: seed})
}

func startSimWith(t testing.TB, o simtenant.Options) *simEnv {
	t.Helper()
	o.Today, o.CertDir = simToday, t.TempDir()
	users := o.Users
	srv, err := simtenant.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// The production path: the shared Graph client (azidentity against the
	// simulator's login endpoint, trusting its CA file).
	client, err := msgraph.New(msgraph.Options{Profile: "sim", TenantID: srv.TenantID(),
		Credentials: msgraph.Credentials{ClientID: srv.ClientID(), ClientSecret: secret.New(srv.ClientSecret())}, Authenticator: azcred.Authenticate,
		GraphEndpoint: srv.GraphEndpoint(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile(),
		Limits: map[msgraph.Class]msgraph.Limit{msgraph.ClassWrite: {Rate: 500, Burst: 100}, msgraph.ClassDirectory: {Rate: 2000, Burst: 200}},
		Retry:  msgraph.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	dir := NewGraphDirectory(client.Graph())
	return &simEnv{srv: srv, dir: dir, n: users}
}

// consumed reads consumedUnits per SKU id from /subscribedSkus.
func (e *simEnv) consumed(t *testing.T) map[string]int {
	t.Helper()
	var body struct {
		Value []struct {
			SkuID         string `json:"skuId"`
			ConsumedUnits int    `json:"consumedUnits"`
		} `json:"value"`
	}
	if err := e.dir.read(context.Background(), "/subscribedSkus", &body); err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, v := range body.Value {
		m[v.SkuID] = v.ConsumedUnits
	}
	return m
}

func (e *simEnv) assignCalls() int64 {
	var n int64
	for _, c := range e.srv.Stats().Requests["assignLicense"] {
		n += c
	}
	return n
}

// assignApplied counts assignLicense requests the tenant answered 200: the
// changes it actually made. (A request cut off by a crash may reach the
// server without being applied, and is then rightly sent again.)
func (e *simEnv) assignApplied() int64 { return e.srv.Stats().Requests["assignLicense"][http.StatusOK] }

// licences is every user's assignment paths, from the generator's truth.
func (e *simEnv) licences() map[string][]simtenant.TruthLicense {
	m := map[string][]simtenant.TruthLicense{}
	for i := range e.n {
		tr := e.srv.Truth(i)
		m[tr.ID] = tr.Licenses
	}
	return m
}

// recommend writes a recommendations snapshot for up to max direct-only
// licences and one group licence, with evidence read live (as extract and
// transform would have seen it), and returns the planned action count.
func (e *simEnv) recommend(t testing.TB, out string, max int) (direct, group int) {
	t.Helper()
	recs := e.recommendations(t, max)
	writeRecommendations(t, out, "sim", "2026-11-24", "20261124T060000Z", recs)
	for _, r := range recs {
		if r.Action == schemas.RecommendRemoveFromGroup {
			group++
		} else {
			direct++
		}
	}
	return direct, group
}

// recommendations builds rows for up to max direct-only licences and one
// group licence, one licence per user.
func (e *simEnv) recommendations(t testing.TB, max int) []schemas.Recommendation {
	t.Helper()
	var recs []schemas.Recommendation
	direct, group := 0, 0
	for i := 0; i < e.n && (direct < max || group < 1); i++ {
		tr := e.srv.Truth(i)
		u, err := e.dir.GetUser(context.Background(), UserRequest{UserID: tr.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range tr.Licenses {
			viaGroup := slices.ContainsFunc(tr.Licenses, func(o simtenant.TruthLicense) bool { return o.SkuID == l.SkuID && !o.Direct })
			viaDirect := slices.ContainsFunc(tr.Licenses, func(o simtenant.TruthLicense) bool { return o.SkuID == l.SkuID && o.Direct })
			r := rec(tr.ID, l.SkuID, l.SkuPartNumber, schemas.RecommendRemoveLicense)
			r.UserPrincipalName = tr.UserPrincipalName
			r.DisabledPlans = l.DisabledPlans
			r.LastSignInDateTime, r.LastNonInteractiveSignInDateTime = u.LastSignIn, nil
			switch {
			case l.Direct && !viaGroup && direct < max:
				direct++
			case !l.Direct && !viaDirect && group < 1:
				r.Action, r.AssignedDirectly, r.AssignedByGroup, r.AssignedByGroups = schemas.RecommendRemoveFromGroup, false, l.GroupID, []string{l.GroupID}
				group++
			default:
				continue
			}
			recs = append(recs, r)
			break // one licence per user keeps the expectations simple
		}
	}
	if direct < max || group < 1 {
		t.Fatalf("tenant too small: %d direct, %d group", direct, group)
	}
	return recs
}

func simConfig() *config.Config {
	return &config.Config{
		Profiles:     map[string]*config.Profile{"sim": {Name: "sim", Tasks: config.Tasks{ReclaimSubscriptions: true}}},
		ReclaimRules: []*config.ReclaimRule{{Name: "inactive", Action: config.ActionRemoveLicense, AllowGroupRemoval: true}},
	}
}

func (e *simEnv) apply(t *testing.T, p *plan.Plan, cfg *config.Config, journal string, ro RunOptions) (*Result, error) {
	t.Helper()
	j, err := OpenJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ro.WritesPerSecond = 200
	return ApplyActions(context.Background(), ApplyOptions{Plan: p, Config: cfg, Journal: j, RunOptions: ro,
		Directories: func(string) (Directory, error) { return e.dir, nil }})
}

func TestSimPlanApplyUndo(t *testing.T) {
	env := startSim(t, 120)
	out := t.TempDir()
	nDirect, nGroup := env.recommend(t, out, 6)
	cfg := simConfig()
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if p.Totals.RemoveLicense != nDirect || p.Totals.RemoveFromGroup != nGroup {
		t.Fatalf("plan totals %+v, want %d direct %d group", p.Totals, nDirect, nGroup)
	}
	src, err := LatestSource(out, "sim")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckFresh(plan.Current{ConfigDigest: cfg.DecisionDigest(), Planned: map[string]plan.Source{"sim": PlannedSource(out, src)}, ReclaimOn: map[string]bool{"sim": true}, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}

	beforeLic, beforeUnits := env.licences(), env.consumed(t)
	journal := store.ProfileAt(out, "sim").JournalPath(p.ID)
	res, err := env.apply(t, p, cfg, journal, RunOptions{})
	if err != nil || res.Done != nDirect+nGroup || res.ExitCode() != 0 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	// Exactly the planned licences are gone, and consumed units dropped by
	// exactly the planned count per SKU.
	afterLic, afterUnits := env.licences(), env.consumed(t)
	drop := map[string]int{}
	for _, a := range p.Actions {
		drop[a.SkuID]++
		for _, l := range afterLic[a.UserID] {
			if l.SkuID == a.SkuID {
				t.Errorf("%s still holds %s", a.UserPrincipalName, a.SkuPartNumber)
			}
		}
	}
	for sku, n := range beforeUnits {
		if afterUnits[sku] != n-drop[sku] {
			t.Errorf("SKU %s consumed %d → %d, want −%d", sku, n, afterUnits[sku], drop[sku])
		}
	}
	for id, lic := range beforeLic {
		if !slices.ContainsFunc(p.Actions, func(a plan.Action) bool { return a.UserID == id }) && !sameLicences(lic, afterLic[id]) {
			t.Errorf("unplanned user %s changed", id)
		}
	}
	t.Logf("planned %d direct + %d group removals; consumed units %v → %v", nDirect, nGroup, beforeUnits, afterUnits)
	if got := env.assignCalls(); got != int64(nDirect) {
		t.Errorf("assignLicense requests = %d, want %d", got, nDirect)
	}

	// A second apply is a no-op.
	calls := env.srv.Stats().Total
	res, err = env.apply(t, p, cfg, journal, RunOptions{})
	if err != nil || res.Earlier != nDirect+nGroup || res.Done != 0 || env.srv.Stats().Total != calls {
		t.Fatalf("second apply: %+v %v (requests %d → %d)", res, err, calls, env.srv.Stats().Total)
	}

	// Undo restores every licence with its disabled plans, and the group.
	applied, _ := ReadJournal(journal)
	uj, _ := OpenJournal(store.UndoJournalPath(journal))
	ures, err := UndoActions(context.Background(), UndoOptions{Applied: applied, Journal: uj, Directories: func(string) (Directory, error) { return env.dir, nil }})
	uj.Close()
	if err != nil || ures.Done != nDirect+nGroup {
		t.Fatalf("undo: %+v %v", ures, err)
	}
	restored := env.licences()
	for id, lic := range beforeLic {
		if !sameLicences(lic, restored[id]) {
			t.Errorf("user %s not restored exactly:\nbefore %+v\nafter  %+v", id, lic, restored[id])
		}
	}
	if units := env.consumed(t); !mapsEqual(units, beforeUnits) {
		t.Errorf("consumed units after undo %v, want %v", units, beforeUnits)
	}
}

// TestSimSignedInAfterPlan: a user who signs in between plan and apply (the
// simulated tenant records a successful sign-in now) is skipped with the
// reason, and keeps the licence.
func TestSimSignedInAfterPlan(t *testing.T) {
	env := startSim(t, 120)
	out := t.TempDir()
	recs := env.recommendations(t, 4)
	var moved *schemas.Recommendation
	for i := range recs {
		if recs[i].Action == schemas.RecommendRemoveLicense {
			moved = &recs[i]
			break
		}
	}
	if err := env.srv.RecordSignIn(moved.UserID, time.Now()); err != nil {
		t.Fatal(err)
	}
	writeRecommendations(t, out, "sim", "2026-11-24", "20261124T060000Z", recs)
	cfg := simConfig()
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.apply(t, p, cfg, store.ProfileAt(out, "sim").JournalPath(p.ID), RunOptions{})
	if err != nil || res.Skipped != 1 || res.Done != len(p.Actions)-1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	for _, o := range res.Outcomes {
		if o.Entry.UserID == moved.UserID && (o.Phase != schemas.PhaseSkipped || !strings.Contains(o.Detail, "after the plan's evidence")) {
			t.Errorf("signed-in user: %s %q", o.Phase, o.Detail)
		}
	}
	if got := env.assignCalls(); got != int64(res.Done-1) { // one of the done is the group removal
		t.Errorf("assignLicense requests = %d, want %d", got, res.Done-1)
	}
}

func TestSimCrashAndResume(t *testing.T) {
	for _, crashAt := range []int{1, 2, 5, 8} {
		env := startSim(t, 120)
		out := t.TempDir()
		nDirect, nGroup := env.recommend(t, out, 5)
		cfg := simConfig()
		p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		journal := store.ProfileAt(out, "sim").JournalPath(p.ID)
		if _, err := env.apply(t, p, cfg, journal, RunOptions{CrashAfterJournalWrites: crashAt, Concurrency: 3}); !errors.Is(err, ErrCrashed) {
			t.Fatalf("crash %d: want a crash, got %v", crashAt, err)
		}
		res, err := env.apply(t, p, cfg, journal, RunOptions{})
		if err != nil || res.Failed != 0 || res.Done+res.Earlier != nDirect+nGroup {
			t.Fatalf("crash %d: resume %+v %v", crashAt, res, err)
		}
		if got := env.assignApplied(); got != int64(nDirect) {
			t.Errorf("crash %d: assignLicense applied %d times, want exactly %d (stats %v)", crashAt, got, nDirect, env.srv.Stats().Requests["assignLicense"])
		}
		if got := env.assignCalls(); got > int64(nDirect+3) {
			t.Errorf("crash %d: %d assignLicense requests, more than one resend per interrupted worker", crashAt, got)
		}
		if removals := env.srv.Stats().Requests["groupMembers"][http.StatusNoContent]; removals != int64(nGroup) {
			t.Errorf("crash %d: group memberships removed %d times, want %d (stats %v)", crashAt, removals, nGroup, env.srv.Stats().Requests["groupMembers"])
		}
		entries, _ := ReadJournal(journal)
		done := map[string]int{}
		for _, e := range entries {
			if e.Phase == schemas.PhaseDone {
				done[e.ActionID]++
			}
		}
		for _, a := range p.Actions {
			if done[a.ID] != 1 {
				t.Errorf("crash %d: action %s done %d times", crashAt, a.ID, done[a.ID])
			}
		}
		if _, err := os.Stat(filepath.Dir(journal)); err != nil {
			t.Fatal(err)
		}
	}
}

// sameLicences compares assignment paths regardless of order.
func sameLicences(a, b []simtenant.TruthLicense) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			xs, ys := slices.Clone(x.DisabledPlans), slices.Clone(y.DisabledPlans)
			slices.Sort(xs)
			slices.Sort(ys)
			if x.SkuID == y.SkuID && x.Direct == y.Direct && x.GroupID == y.GroupID && slices.Equal(xs, ys) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSimExcludedNeverTouched: over random simulated tenants and random
// exclusions (users by id or UPN in any case, licensing groups, SKUs), with a
// plan that ignores every exclusion, apply removes exactly the licences of
// users no exclusion matches.
func TestSimExcludedNeverTouched(t *testing.T) {
	for seed := range 3 {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		env := startSimSeed(t, 40, int64(100+seed))
		out := t.TempDir()
		future := simToday.Add(48 * time.Hour) // no live sign-in is newer
		var recs []schemas.Recommendation
		truths := map[string]simtenant.UserTruth{}
		for i := range env.n {
			tr := env.srv.Truth(i)
			truths[tr.ID] = tr
			for _, l := range tr.Licenses {
				inherited := slices.ContainsFunc(tr.Licenses, func(o simtenant.TruthLicense) bool { return o.SkuID == l.SkuID && !o.Direct })
				if l.Direct && !inherited {
					r := rec(tr.ID, l.SkuID, l.SkuPartNumber, schemas.RecommendRemoveLicense)
					r.UserPrincipalName, r.DisabledPlans, r.LastSignInDateTime = tr.UserPrincipalName, l.DisabledPlans, &future
					recs = append(recs, r)
				}
			}
		}
		writeRecommendations(t, out, "sim", "2026-11-24", "20261124T060000Z", recs)

		groups := simtenant.Groups()
		var excls []*config.Exclusion
		for k := range 1 + rng.IntN(4) {
			x := &config.Exclusion{Name: fmt.Sprintf("x%d", k)}
			r := recs[rng.IntN(len(recs))]
			switch rng.IntN(3) {
			case 0:
				x.Users = []string{strings.ToUpper(r.UserPrincipalName)}
			case 1:
				x.Users = []string{r.UserID}
			case 2:
				x.Groups = []string{groups[rng.IntN(len(groups))].ID}
			}
			if rng.IntN(3) == 0 {
				x.SKUs = []string{recs[rng.IntN(len(recs))].SkuPartNumber}
			}
			excls = append(excls, x)
		}
		excluded := func(r schemas.Recommendation) bool {
			tr := truths[r.UserID]
			for _, x := range excls {
				if len(x.SKUs) > 0 && !slices.Contains(x.SKUs, r.SkuPartNumber) {
					continue
				}
				if slices.ContainsFunc(x.Users, func(u string) bool { return strings.EqualFold(u, tr.UserPrincipalName) || u == tr.ID }) {
					return true
				}
				if slices.ContainsFunc(x.Groups, func(g string) bool {
					return slices.ContainsFunc(tr.Licenses, func(l simtenant.TruthLicense) bool { return l.GroupID == g })
				}) {
					return true
				}
			}
			return false
		}

		cfg := simConfig()
		// Random licences include guests without usageLocation: one-way
		// removals are not what this test is about.
		cfg.ReclaimRules[0].AllowOneWay = true
		p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Exclusions = excls // the plan did not know; apply must
		if _, err := env.apply(t, p, cfg, store.ProfileAt(out, "sim").JournalPath(p.ID), RunOptions{Concurrency: 4}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		nExcluded := 0
		for _, r := range recs {
			still := slices.ContainsFunc(env.srv.Truth(truths[r.UserID].Index).Licenses, func(l simtenant.TruthLicense) bool { return l.SkuID == r.SkuID && l.Direct })
			if excluded(r) {
				nExcluded++
			}
			if excluded(r) != still {
				t.Errorf("seed %d: %s %s excluded=%v but still assigned=%v", seed, r.UserPrincipalName, r.SkuPartNumber, excluded(r), still)
			}
		}
		t.Logf("seed %d: %d exclusions, %d of %d planned licences excluded", seed, len(excls), nExcluded, len(recs))
	}
}

// TestSimFaultsAndThrottling: with transient 503/504 answers and responses
// cut off mid-body (and Microsoft's throttling budgets on, though a run this
// small rarely reaches them; 429 handling is covered by the fake-tenant
// test), apply still makes every change exactly once: it resends only where
// a live re-read shows the change was not made.
func TestSimFaultsAndThrottling(t *testing.T) {
	env := startSimWith(t, simtenant.Options{Users: 120, Seed: 11, Throttle: true, TimeScale: 50, FaultRate: 0.15, DropRate: 0.2})
	out := t.TempDir()
	nDirect, nGroup := env.recommend(t, out, 6)
	cfg := simConfig()
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	journal := store.ProfileAt(out, "sim").JournalPath(p.ID)
	res, err := env.apply(t, p, cfg, journal, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > 0 { // a fault that outlived the retries: apply again
		res, err = env.apply(t, p, cfg, journal, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	if res.Failed != 0 || res.Done+res.Earlier != nDirect+nGroup {
		t.Fatalf("apply under faults: %+v", res)
	}
	if got := env.assignApplied(); got != int64(nDirect) {
		t.Errorf("assignLicense applied %d times, want exactly %d (stats %v)", got, nDirect, env.srv.Stats().Requests["assignLicense"])
	}
	st := env.srv.Stats()
	if len(st.Faults) == 0 {
		t.Error("no fault was injected: the test proves nothing")
	}
	t.Logf("faults %v, throttled %v, assignLicense %v", st.Faults, st.Throttled, st.Requests["assignLicense"])
}
