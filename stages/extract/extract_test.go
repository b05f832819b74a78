package extract_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/msgraph/msgraphtest"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/graph"
	"github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
	"github.com/reclaimhq/reclaim/stages/extract"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func testConfig(ten *msgraphtest.Tenant, out string) *config.Config {
	p := &config.Profile{Name: "demo", TenantID: ten.TenantID,
		Credentials:   config.Credentials{ClientID: ten.ClientID, ClientSecret: config.NewSecret(ten.ClientSecret)},
		GraphEndpoint: ten.URL(), LoginEndpoint: ten.URL(), CAFile: ten.CAFile(),
		Tasks: config.Tasks{DownloadActivity: true}, LookbackDays: 90,
		Dynamics: []*config.DynamicsEnvironment{{Name: "sales", URL: ten.DataverseURL("org1")}},
	}
	return &config.Config{
		Profiles:   map[string]*config.Profile{"demo": p},
		Exclusions: []*config.Exclusion{{Name: "vip", Groups: []string{"g-excl"}}},
		ReclaimRules: []*config.ReclaimRule{{Name: "inactive", SKUs: []string{"ENTERPRISEPACK"},
			Signals: config.AllSignals, InactiveDays: 30, Action: config.ActionRemoveLicense}},
		Output: &config.Output{Dir: out},
	}
}

func runner(t *testing.T, signInLog bool) (*run.Runner, graph.Selection) {
	reg, err := stages.NewRegistry(extract.New().Stages()...)
	if err != nil {
		t.Fatal(err)
	}
	return &run.Runner{
		Registry: reg,
		NewClient: func(p *config.Profile) (*msgraph.Client, error) {
			return newClient(p, nil, msgraph.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
		},
		Options: stages.Options{FlushRows: 100},
	}, graph.Selection{SignInLog: signInLog}
}

// newClient is the profile's client as cmd/reclaim builds it (the profile's
// client secret through azcred); these tests' Dynamics environments use the
// profile's identity.
func newClient(p *config.Profile, limits map[msgraph.Class]msgraph.Limit, retry msgraph.RetryPolicy) (*msgraph.Client, error) {
	return msgraph.New(msgraph.Options{Profile: p.Name, TenantID: p.TenantID,
		Credentials:   msgraph.Credentials{ClientID: p.ClientID, ClientSecret: p.ClientSecret},
		Authenticator: azcred.Authenticate,
		GraphEndpoint: p.GraphEndpoint, LoginEndpoint: p.LoginEndpoint, CAFile: p.CAFile,
		Limits: limits, Retry: retry})
}

func countRows(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pf.NumRows()
}

func TestExtractEveryRawTable(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(1234))
	ten.Faults = msgraphtest.Faults{Throttle429Every: 11, Fail503Every: 17, DropEvery: 13}
	out := t.TempDir()
	cfg := testConfig(ten, out)
	r, sel := runner(t, true)
	ms, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	want := map[string]int64{
		schemas.TableUsers: 1234, schemas.TableUserLicenseAssignments: 1234 + 617, schemas.TableSubscribedSkus: 2,
		schemas.TableGroupMembers: 3, schemas.TableReportSettings: 1, schemas.TableSignIns: 250,
		schemas.TableDataverseSystemUsers: 120, schemas.TableDataverseAudits: 120,
	}
	for table := range msgraphtest.ReportFunctions {
		want[table] = 1234
	}
	got := map[string]run.StageRecord{}
	for _, rec := range m.Stages {
		got[rec.Table] = rec
	}
	for table, n := range want {
		rec, ok := got[table]
		if !ok {
			t.Errorf("%s: not run", table)
			continue
		}
		if rec.Status != "ok" || rec.Rows != n {
			t.Errorf("%s: status %s rows %d, want ok %d (%s)", table, rec.Status, rec.Rows, n, rec.Error)
		}
		path := store.ProfileAt(out, "demo").Partition(stages.LayerRaw, table, asOf)
		if c := countRows(t, path); c != n {
			t.Errorf("%s: file has %d rows, want %d", table, c, n)
		}
		if rec.SHA256 == "" || rec.File == "" {
			t.Errorf("%s: manifest lacks file/sha256", table)
		}
	}
	if q := got[schemas.TableReportTeamsUserActivity].Quarantined; q != 1 {
		t.Errorf("teams report quarantined %d rows, want 1", q)
	}
	if d := got[schemas.TableReportEmailActivityUser].ReportRefreshDate; d != "2026-11-20" {
		t.Errorf("report refresh date %q, want 2026-11-20", d)
	}
	var retries, throttled int64
	for _, rec := range m.Stages {
		retries += rec.Retries
		throttled += rec.ThrottledWaits
	}
	if retries == 0 || throttled == 0 {
		t.Errorf("retries %d throttled %d: faults not seen", retries, throttled)
	}
	// The manifest on disk says the same.
	b, err := os.ReadFile(filepath.Join(out, "demo", "runs", m.RunID, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var disk run.Manifest
	if err := json.Unmarshal(b, &disk); err != nil || disk.Status != "ok" || len(disk.Stages) != len(want) {
		t.Errorf("manifest on disk: %v status %q stages %d", err, disk.Status, len(disk.Stages))
	}
	// No temporary files are left behind.
	filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if strings.Contains(filepath.Base(p), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func readSignInIDs(t *testing.T, path string) []string {
	t.Helper()
	rows, err := parquet.ReadFile[schemas.SignIn](path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func readState(t *testing.T, out string) string {
	b, err := os.ReadFile(filepath.Join(out, "demo", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSignInsIncremental: a second run reads only events newer than the
// watermark (re-reading a small overlap without duplicating), keeps the
// day's earlier rows, and a failed run leaves the watermark and the
// snapshot as they were.
func TestSignInsIncremental(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(10))
	ten.Page = 50
	out := t.TempDir()
	cfg := testConfig(ten, out)
	r, sel := runner(t, true)
	clock := time.Now().UTC()
	r.Now = func() time.Time { return clock }
	sel.Only = []string{schemas.TableSignIns}
	ms, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if n := ms[0].Stages[0].Rows; n != 250 {
		t.Fatalf("first run: %d sign-ins, want 250", n)
	}
	first := ten.Count("signins")
	state1 := readState(t, out)

	// An hour later: three new events, one of them inside the overlap
	// window (created before the first run's watermark, arrived late).
	now := clock
	clock = clock.Add(time.Hour)
	ten.SignIns = append(ten.SignIns, msgraphtest.SignIn(1000, now.Add(time.Second)), msgraphtest.SignIn(1001, now.Add(2*time.Second)), msgraphtest.SignIn(1002, now.Add(-10*time.Minute)))
	ms, err = r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	rec := ms[0].Stages[0]
	if reqs := ten.Count("signins") - first; reqs != 1 {
		t.Errorf("second run made %d sign-in requests, want 1 (only new events)", reqs)
	}
	path := store.ProfileAt(out, "demo").Partition(stages.LayerRaw, schemas.TableSignIns, asOf)
	ids := readSignInIDs(t, path)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("sign-in %s written twice", id)
		}
		seen[id] = true
	}
	if len(ids) != 253 || rec.Rows != 253 {
		t.Errorf("same-day partition holds %d rows (manifest %d), want 250 earlier + 3 new", len(ids), rec.Rows)
	}
	for _, id := range []string{"si-01000", "si-01001", "si-01002"} {
		if !seen[id] {
			t.Errorf("new sign-in %s missing", id)
		}
	}
	state2 := readState(t, out)
	if state2 == state1 {
		t.Error("watermark did not move after a successful run")
	}

	// A failing run: no watermark move, the partition untouched.
	before, _ := os.ReadFile(path)
	ten.Faults.ForbiddenPath = "/v1.0/auditLogs"
	ten.SignIns = append(ten.SignIns, msgraphtest.SignIn(2000, now.Add(3*time.Second)))
	ms, err = r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
	if err == nil {
		t.Fatal("run with a forbidden sign-in log succeeded")
	}
	if !strings.Contains(ms[0].Stages[0].Error, "AuditLog.Read.All") {
		t.Errorf("error %q does not name AuditLog.Read.All", ms[0].Stages[0].Error)
	}
	if readState(t, out) != state2 {
		t.Error("a failed run moved the watermark")
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(before) {
		t.Error("a failed run changed the snapshot")
	}

	// Next day: the partition is again a complete snapshot, earlier events
	// carried over and the one new event added, without a full re-read.
	ten.Faults.ForbiddenPath = ""
	clock = clock.Add(24 * time.Hour)
	reqsBefore := ten.Count("signins")
	next := asOf.AddDate(0, 0, 1)
	if _, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: next}); err != nil {
		t.Fatal(err)
	}
	ids = readSignInIDs(t, store.ProfileAt(out, "demo").Partition(stages.LayerRaw, schemas.TableSignIns, next))
	if len(ids) != 254 {
		t.Errorf("next day's snapshot holds %d sign-ins, want 254 (253 carried over + 1 new)", len(ids))
	}
	if reqs := ten.Count("signins") - reqsBefore; reqs != 1 {
		t.Errorf("next day's run made %d sign-in requests, want 1", reqs)
	}
}

// TestFailedStageLeavesNoPartialSnapshot: a stage that fails half-way (the
// second page is malformed) leaves no partition and no temporary file;
// other stages still land.
func TestFailedStageLeavesNoPartialSnapshot(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(1500))
	ten.Faults.MalformedPath = "/v1.0/groups"
	out := t.TempDir()
	r, sel := runner(t, false)
	ms, err := r.Run(context.Background(), run.Request{Config: testConfig(ten, out), Selection: sel, AsOf: asOf})
	if err == nil {
		t.Fatal("run succeeded despite malformed JSON")
	}
	root := filepath.Join(out, "demo")
	if _, err := os.Stat(store.Profile{Root: root}.Partition(stages.LayerRaw, schemas.TableGroupMembers, asOf)); !os.IsNotExist(err) {
		t.Errorf("failed stage left a snapshot (%v)", err)
	}
	if _, err := os.Stat(store.Profile{Root: root}.Partition(stages.LayerRaw, schemas.TableUsers, asOf)); err != nil {
		t.Errorf("users snapshot missing after another stage failed: %v", err)
	}
	if ms[0].Status != "failed" {
		t.Errorf("manifest status %q", ms[0].Status)
	}
	filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if strings.Contains(filepath.Base(p), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestUsersWithoutPremiumFallBack(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(20))
	ten.Faults.NoPremium = true
	out := t.TempDir()
	r, sel := runner(t, false)
	sel.Only = []string{schemas.TableUsers}
	ms, err := r.Run(context.Background(), run.Request{Config: testConfig(ten, out), Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms[0].Stages[0].Warnings) == 0 {
		t.Error("no warning about signInActivity")
	}
	rows, err := parquet.ReadFile[schemas.User](store.ProfileAt(out, "demo").Partition(stages.LayerRaw, schemas.TableUsers, asOf))
	if err != nil || len(rows) != 20 {
		t.Fatalf("%d users, %v", len(rows), err)
	}
	for _, u := range rows {
		if u.SignInActivityAvailable || u.LastSignInDateTime != nil {
			t.Fatalf("user %s: sign-in activity marked available without premium", u.ID)
		}
	}
}

func TestConcealedNamesWarn(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(5))
	ten.Reports["getEmailActivityUserDetail"] = "\ufeffReport Refresh Date,User Principal Name,Display Name,Report Period\n" +
		"2026-11-23,FE7CC8C15246EDCCA289C9A4022762F7,8A2F0E6D2D8B4C1A9E7F6D5C4B3A2910,30\n"
	ten.Faults.ConcealedNames = true
	out := t.TempDir()
	r, sel := runner(t, false)
	sel.Only = []string{schemas.TableReportEmailActivityUser, schemas.TableReportSettings}
	ms, err := r.Run(context.Background(), run.Request{Config: testConfig(ten, out), Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range ms[0].Stages {
		if !strings.Contains(strings.Join(rec.Warnings, " "), "Display concealed user, group, and site names in all reports") {
			t.Errorf("%s: no concealed-names warning naming the admin setting: %v", rec.Table, rec.Warnings)
		}
	}
	rows, err := parquet.ReadFile[schemas.ReportSettings](store.ProfileAt(out, "demo").Partition(stages.LayerRaw, schemas.TableReportSettings, asOf))
	if err != nil || len(rows) != 1 || !rows[0].ConcealedNamesDetected || rows[0].DisplayConcealedNames == nil || !*rows[0].DisplayConcealedNames {
		t.Errorf("report_settings %+v %v", rows, err)
	}
}

// TestSignInBudgetFillsTheGapNextRun: a run whose request budget runs out
// keeps the watermark and records the gap; the next runs fill it, and in the
// end every event is written exactly once.
func TestSignInBudgetFillsTheGapNextRun(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(10))
	ten.Page = 40 // 250 events: 7 pages
	out := t.TempDir()
	cfg := testConfig(ten, out)
	r, sel := runner(t, true)
	clock := time.Now().UTC()
	r.Now = func() time.Time { return clock }
	r.Options.SignInRequestBudget = 3
	sel.Only = []string{schemas.TableSignIns}
	path := store.ProfileAt(out, "demo").Partition(stages.LayerRaw, schemas.TableSignIns, asOf)
	for i := 0; i < 4; i++ {
		ms, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && !strings.Contains(strings.Join(ms[0].Stages[0].Warnings, " "), "budget") {
			t.Errorf("first run: no budget warning: %v", ms[0].Stages[0].Warnings)
		}
		clock = clock.Add(time.Minute)
	}
	ids := readSignInIDs(t, path)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("sign-in %s written twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 250 {
		t.Errorf("%d distinct sign-ins after the gap was filled, want 250", len(seen))
	}
	if st := readState(t, out); strings.Contains(st, "pending") {
		t.Errorf("gap still pending after four runs: %s", st)
	}
}

// TestUsersAndLicenceStatesFromOneWalk: users and user_license_assignments
// come from one walk of /users (1234 users: 3 pages of 500), recorded as
// one stage with the pages on its first table; --only one of them still
// walks once and writes only that table.
func TestUsersAndLicenceStatesFromOneWalk(t *testing.T) {
	ten := msgraphtest.Start(t, msgraphtest.Demo(1234))
	out := t.TempDir()
	cfg := testConfig(ten, out)
	r, sel := runner(t, false)
	sel.Only = []string{schemas.TableUsers, schemas.TableUserLicenseAssignments}
	ms, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if n := ten.Count("users"); n != 3 {
		t.Errorf("%d requests to /users, want the 3 pages of one walk", n)
	}
	recs := map[string]run.StageRecord{}
	for _, rec := range ms[0].Stages {
		recs[rec.Table] = rec
	}
	u, l := recs[schemas.TableUsers], recs[schemas.TableUserLicenseAssignments]
	if u.Stage != "users" || l.Stage != "users" || u.Pages != 3 || l.Pages != 0 || u.Rows != 1234 || l.Rows != 1234+617 {
		t.Errorf("records: users %+v\nlicences %+v", u, l)
	}

	out2 := t.TempDir()
	sel.Only = []string{schemas.TableUserLicenseAssignments}
	ms, err = r.Run(context.Background(), run.Request{Config: testConfig(ten, out2), Selection: sel, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if n := ten.Count("users"); n != 6 {
		t.Errorf("%d requests to /users after the second run, want 3 more", n)
	}
	if len(ms[0].Stages) != 1 || ms[0].Stages[0].Table != schemas.TableUserLicenseAssignments || ms[0].Stages[0].Rows != 1234+617 {
		t.Errorf("--only user_license_assignments: %+v", ms[0].Stages)
	}
	if _, err := os.Stat(store.ProfileAt(out2, "demo").Partition(stages.LayerRaw, schemas.TableUsers, asOf)); !os.IsNotExist(err) {
		t.Errorf("users was written although not selected: %v", err)
	}
}
