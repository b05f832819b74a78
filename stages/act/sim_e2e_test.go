package act

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
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

func startSim(t *testing.T, users int) *simEnv {
	t.Helper()
	srv, err := simtenant.Start(simtenant.Options{Users: users, Seed: 11, Today: simToday, CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pem, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	dir := &GraphDirectory{BaseURL: srv.GraphEndpoint(), HTTP: hc,
		Token: &ClientCredentials{HTTP: hc, LoginEndpoint: srv.URL(), TenantID: srv.TenantID(), ClientID: srv.ClientID(),
			Secret: config.NewSecret(srv.ClientSecret()), Scope: srv.GraphEndpoint() + "/.default"}}
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
	if err := e.dir.do(context.Background(), http.MethodGet, "/v1.0/subscribedSkus", nil, &body); err != nil {
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
func (e *simEnv) recommend(t *testing.T, out string, max int) (direct, group int) {
	t.Helper()
	var recs []schemas.Recommendation
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
	writeRecommendations(t, out, "sim", "2026-11-24", "20261124T060000Z", recs)
	return direct, group
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
	return Apply(context.Background(), ApplyOptions{Plan: p, Config: cfg, Journal: j, RunOptions: ro,
		Directories: func(string) (Directory, error) { return e.dir, nil }})
}

func TestSimPlanApplyUndo(t *testing.T) {
	env := startSim(t, 120)
	out := t.TempDir()
	nDirect, nGroup := env.recommend(t, out, 6)
	cfg := simConfig()
	p, err := Build(BuildOptions{Config: cfg, ConfigDigest: ConfigDigest(cfg), OutDir: out, Now: time.Now()})
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
	if err := p.CheckFresh(plan.Current{ConfigDigest: ConfigDigest(cfg), Sources: map[string]plan.Source{"sim": src}, ReclaimOn: map[string]bool{"sim": true}, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}

	beforeLic, beforeUnits := env.licences(), env.consumed(t)
	journal := JournalPath(out, "sim", p.ID)
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
	uj, _ := OpenJournal(UndoJournalPath(journal))
	ures, err := Undo(context.Background(), UndoOptions{Applied: applied, Journal: uj, Directories: func(string) (Directory, error) { return env.dir, nil }})
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

func TestSimCrashAndResume(t *testing.T) {
	for _, crashAt := range []int{1, 2, 5, 8} {
		env := startSim(t, 120)
		out := t.TempDir()
		nDirect, nGroup := env.recommend(t, out, 5)
		cfg := simConfig()
		p, err := Build(BuildOptions{Config: cfg, ConfigDigest: ConfigDigest(cfg), OutDir: out, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		journal := JournalPath(out, "sim", p.ID)
		if _, err := env.apply(t, p, cfg, journal, RunOptions{CrashAfterJournalWrites: crashAt, Concurrency: 3}); !errors.Is(err, ErrCrashed) {
			t.Fatalf("crash %d: want a crash, got %v", crashAt, err)
		}
		res, err := env.apply(t, p, cfg, journal, RunOptions{})
		if err != nil || res.Failed != 0 || res.Done+res.Earlier != nDirect+nGroup {
			t.Fatalf("crash %d: resume %+v %v", crashAt, res, err)
		}
		if got := env.assignCalls(); got != int64(nDirect) {
			t.Errorf("crash %d: assignLicense requests = %d, want exactly %d", crashAt, got, nDirect)
		}
		var removals int64
		for _, c := range env.srv.Stats().Requests["groupMembers"] {
			removals += c
		}
		if removals != int64(nGroup) {
			t.Errorf("crash %d: group member requests = %d, want %d", crashAt, removals, nGroup)
		}
		entries, _ := ReadJournal(journal)
		done := map[string]int{}
		for _, e := range entries {
			if e.Phase == PhaseDone {
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
