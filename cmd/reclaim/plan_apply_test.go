package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages/act"
	"github.com/reclaimhq/reclaim/stages/act/acttest"
)

// runActCLI runs reclaim in-process like main does and returns its exit code
// and output. stdin is a plain reader, never a terminal.
func runActCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	r := runCLIInput(stdin, args...)
	return r.code, r.stdout, r.stderr
}

const cliConfig = `
variable "secret" {
  sensitive = true
}
variable "url" {}
variable "ca" {}
variable "out" {}

profile "sim" {
  tenant_id      = "%s"
  client_id      = "%s"
  client_secret  = var.secret
  graph_endpoint = var.url
  login_endpoint = var.url
  ca_file        = var.ca
  tasks {
    reclaim_subscriptions = true
  }
}

reclaim "inactive" {
  skus          = ["SPE_E3", "SPE_E5"]
  signals       = ["sign_in"]
  inactive_days = 90
  action        = "remove_license"
  max_actions   = %d
}

output {
  dir = var.out
}
`

// simCLI is a simulated tenant and a workspace for the CLI: a config
// directory holding cliConfig, the output directory, and the -var flags that
// point reclaim at the tenant.
type simCLI struct {
	srv               *simtenant.Server
	work, cfgDir, out string
	vars              []string
}

// newSimCLI starts a tenant (closed when the test ends) and writes cliConfig
// with max_actions = 10.
func newSimCLI(t *testing.T, o simtenant.Options) *simCLI {
	t.Helper()
	o.CertDir = t.TempDir()
	srv, err := simtenant.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	work := t.TempDir()
	s := &simCLI{srv: srv, work: work, cfgDir: filepath.Join(work, "config"), out: filepath.Join(work, "data")}
	os.MkdirAll(s.cfgDir, 0o755)
	s.vars = []string{"-var", "secret=" + srv.ClientSecret(), "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(), "-var", "out=" + s.out}
	s.writeConfig(t, 10)
	return s
}

func (s *simCLI) writeConfig(t *testing.T, maxActions int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.cfgDir, "main.hcl"), []byte(fmt.Sprintf(cliConfig, s.srv.TenantID(), s.srv.ClientID(), maxActions)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCLIPlanApplyUndo drives plan, show, apply and undo through the
// command line against the simulated tenant over loopback HTTPS.
func TestCLIPlanApplyUndo(t *testing.T) {
	sc := newSimCLI(t, simtenant.Options{Users: 80, Seed: 5, Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)})
	srv, work, cfgDir, out, vars := sc.srv, sc.work, sc.cfgDir, sc.out, sc.vars
	writeConfig := func(maxActions int) { sc.writeConfig(t, maxActions) }
	writeConfig(10)

	// Recommendations for three users' direct E3/E5 licences, evidence as of
	// the snapshot (no sign-in after it).
	var recs []schemas.Recommendation
	type target struct{ id, sku string }
	var targets []target
	asOf := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	for i := 0; i < 80 && len(recs) < 3; i++ {
		tr := srv.Truth(i)
		for _, l := range tr.Licenses {
			if l.Direct && (l.SkuPartNumber == "SPE_E3" || l.SkuPartNumber == "SPE_E5") {
				last := asOf
				saving := 36.0
				recs = append(recs, schemas.Recommendation{SnapshotDate: asOf, AsOf: asOf, UserID: tr.ID, UserPrincipalName: tr.UserPrincipalName,
					SkuID: l.SkuID, SkuPartNumber: l.SkuPartNumber, Rule: "inactive", Action: schemas.RecommendRemoveLicense, Reason: "inactive",
					AssignedDirectly: true, DisabledPlans: l.DisabledPlans, InactiveDays: 90, LastSignInDateTime: &last,
					SignalsCounted: []string{"sign_in"}, MonthlySaving: &saving, Currency: "USD"})
				targets = append(targets, target{tr.ID, l.SkuID})
				break
			}
		}
	}
	if err := acttest.WriteRecommendations(out, "sim", "2026-11-24", "20261124T060000Z", recs); err != nil {
		t.Fatal(err)
	}
	holds := func(tg target) bool {
		for i := range 80 {
			if tr := srv.Truth(i); tr.ID == tg.id {
				for _, l := range tr.Licenses {
					if l.SkuID == tg.sku && l.Direct {
						return true
					}
				}
			}
		}
		return false
	}

	planPath := filepath.Join(work, "plan.json")
	code, stdout, stderr := runActCLI(t, "", append([]string{"plan", cfgDir, "-out", planPath, "--detailed-exitcode"}, vars...)...)
	if code != 2 || !strings.Contains(stdout, "Plan: 3 to remove") || !strings.Contains(stdout, "  - SPE_E") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, _ := os.ReadFile(planPath)
	if strings.Contains(string(b), srv.ClientSecret()) || strings.Contains(stdout+stderr, srv.ClientSecret()) {
		t.Fatal("the client secret leaked into the plan or its output")
	}
	saved, err := plan.Read(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ = runActCLI(t, "", "show", planPath, "-markdown"); code != 0 || !strings.Contains(stdout, "### reclaim plan") ||
		!strings.Contains(stdout, "Actions digest: `"+saved.ActionsDigest+"`") {
		t.Fatalf("show -markdown: %d\n%s", code, stdout)
	}

	// Not a terminal and no --auto-approve: refused, nothing changed.
	code, _, stderr = runActCLI(t, "yes\n", append([]string{"apply", planPath}, vars...)...)
	if code != 1 || !strings.Contains(stderr, "--auto-approve") || !holds(targets[0]) {
		t.Fatalf("apply without approval: exit %d\n%s", code, stderr)
	}

	// On a terminal anything but "yes" cancels; "yes" applies.
	realTerminal := stdinIsTerminal
	stdinIsTerminal = func(io.Reader) bool { return true }
	defer func() { stdinIsTerminal = realTerminal }()
	code, stdout, stderr = runActCLI(t, "no\n", append([]string{"apply", planPath}, vars...)...)
	if code != 1 || !strings.Contains(stdout, "Only 'yes' will be accepted") || !strings.Contains(stderr, "cancelled") || !holds(targets[0]) {
		t.Fatalf("apply answered no: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runActCLI(t, "yes\n", append([]string{"apply", planPath}, vars...)...)
	if code != 0 || !strings.Contains(stdout, "3 done, 0 skipped, 0 failed") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, tg := range targets {
		if holds(tg) {
			t.Errorf("%s still holds %s", tg.id, tg.sku)
		}
	}
	var planID string
	fmt.Sscanf(stdout[strings.Index(stdout, "reclaim plan ")+len("reclaim plan "):], "%16s", &planID)
	journal := store.ProfileAt(out, "sim").JournalPath(planID)
	for _, f := range []string{journal, store.JournalParquetPath(journal), strings.TrimSuffix(journal, ".jsonl") + ".plan.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("missing %v", err)
		}
	}

	t.Logf("apply output:\n%s", stdout)
	// Again: nothing to do.
	code, stdout, _ = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, vars...)...)
	if code != 0 || !strings.Contains(stdout, "0 done, 0 skipped, 0 failed, 3 already finished earlier") {
		t.Fatalf("second apply: exit %d\n%s", code, stdout)
	}

	// Undo puts the licences back.
	code, stdout, stderr = runActCLI(t, "", append([]string{"undo", journal, "--auto-approve"}, vars...)...)
	if code != 0 || !strings.Contains(stdout, "3 done") {
		t.Fatalf("undo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, tg := range targets {
		if !holds(tg) {
			t.Errorf("%s did not get %s back", tg.id, tg.sku)
		}
	}

	// A configuration change makes the plan stale.
	writeConfig(2)
	code, _, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, vars...)...)
	if code != 1 || !strings.Contains(stderr, "configuration changed") || !strings.Contains(stderr, "reclaim plan") {
		t.Fatalf("stale apply: exit %d\n%s", code, stderr)
	}
	// Re-planned under max_actions = 2: plan warns, apply refuses.
	code, stdout, _ = runActCLI(t, "", append([]string{"plan", cfgDir, "-out", planPath}, vars...)...)
	if code != 0 || !strings.Contains(stdout, "max_actions = 2") {
		t.Fatalf("plan over max_actions: exit %d\n%s", code, stdout)
	}
	code, _, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, vars...)...)
	if code != 1 || !strings.Contains(stderr, "more than its max_actions = 2") {
		t.Fatalf("apply over max_actions: exit %d\n%s", code, stderr)
	}
	// An old plan is refused.
	code, _, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve", "--max-age", "1ns"}, vars...)...)
	if code != 1 || !strings.Contains(stderr, "--max-age") {
		t.Fatalf("apply of an old plan: exit %d\n%s", code, stderr)
	}
}

// TestCLIRunPlanApply is the whole path on the simulated tenant: reclaim run
// (extract + transform with DuckDB) on the demo configuration, plan, forged
// plans refused, a nightly run between plan and apply, partial approval,
// apply with the variables the plan remembers, then a rewritten snapshot
// makes the plan stale.
func TestCLIRunPlanApply(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	srv, err := simtenant.Start(simtenant.Options{Users: 200, Seed: 3, Today: today, CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	work := t.TempDir()
	out := filepath.Join(work, "data")
	secretVar := []string{"-var", "client_secret=" + srv.ClientSecret()}
	vars := append([]string{"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(), "-var", "output_dir=" + out,
		"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID()}, secretVar...)
	runOn := func(day string) {
		t.Helper()
		if code, stdout, stderr := runActCLI(t, "", append([]string{"run", "../../examples/demo", "--as-of", day, "--progress", "log"}, vars...)...); code != 0 {
			t.Fatalf("run %s: exit %d\n%s\n%s", day, code, stdout, stderr)
		}
	}
	runOn("2026-11-25")
	planPath := filepath.Join(work, "plan.json")
	code, stdout, stderr := runActCLI(t, "", append([]string{"plan", "../../examples/demo", "-out", planPath, "--detailed-exitcode"}, vars...)...)
	if code != 2 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	p, err := plan.Read(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) < 2 || len(p.Sources) != 1 || p.Sources[0].ManifestDigest == "" {
		t.Fatalf("plan from the run: %d actions, sources %+v", len(p.Actions), p.Sources)
	}
	if !strings.Contains(stdout, "Actions digest: "+p.ActionsDigest) {
		t.Fatalf("plan does not print the actions digest %s:\n%s", p.ActionsDigest, stdout)
	}
	if p.OutputDir != out || p.Variables["output_dir"] != out || p.Variables["sim_url"] != srv.URL() ||
		strings.Join(p.SensitiveVariables, ",") != "client_secret" || p.Variables["client_secret"] != "" {
		t.Fatalf("plan remembers output %q, variables %v, sensitive %v", p.OutputDir, p.Variables, p.SensitiveVariables)
	}
	index := map[string]int{}
	for i := range 200 {
		index[srv.Truth(i).ID] = i
	}
	holds := func(a plan.Action) bool {
		for _, l := range srv.Truth(index[a.UserID]).Licenses {
			if l.SkuID == a.SkuID && l.Direct {
				return true
			}
		}
		return false
	}
	for _, a := range p.Actions {
		if !holds(a) {
			t.Fatalf("planned %s for %s, which the tenant does not show assigned directly", a.SkuPartNumber, a.UserPrincipalName)
		}
	}
	unchanged := func(what string) {
		t.Helper()
		for _, a := range p.Actions {
			if !holds(a) {
				t.Fatalf("%s: %s was removed from %s", what, a.SkuPartNumber, a.UserPrincipalName)
			}
		}
	}

	testForgedPlans(t, p, filepath.Join(out, p.Sources[0].RecommendationsPath), srv, work, secretVar)
	unchanged("forged plans")

	// A digest other than the reviewed one is refused.
	code, _, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve", "--expect-digest", "sha256:0000"}, secretVar...)...)
	if code != 1 || !strings.Contains(stderr, "--expect-digest") || !strings.Contains(stderr, p.ActionsDigest) {
		t.Fatalf("apply with another digest: exit %d\n%s", code, stderr)
	}
	// Without -var: the plan remembers all but the secret, and says so.
	code, _, stderr = runActCLI(t, "", "apply", planPath, "--auto-approve")
	if code != 1 || !strings.Contains(stderr, `"client_secret"`) || !strings.Contains(stderr, "RECLAIM_VAR_client_secret") {
		t.Fatalf("apply without the secret: exit %d\n%s", code, stderr)
	}
	unchanged("refused applies")

	// The nightly run lands a newer snapshot: the reviewed plan still applies
	// against its own, with only the secret given again. First half of it
	// (partial approval), then the rest.
	runOn("2026-11-26")
	first := p.Actions[0]
	code, stdout, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve", "--action", first.ID, "--expect-digest", p.ActionsDigest}, secretVar...)...)
	if code != 0 || !strings.Contains(stdout, "a newer snapshot exists") || !strings.Contains(stdout, "re-checked live") ||
		!strings.Contains(stdout, "1 done, 0 skipped, 0 failed") || !strings.Contains(stdout, fmt.Sprintf("%d action(s) not approved", len(p.Actions)-1)) {
		t.Fatalf("partial apply after a nightly run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if holds(first) {
		t.Fatalf("approved action %s not carried out", first.ID)
	}
	for _, a := range p.Actions[1:] {
		if !holds(a) {
			t.Fatalf("action %s was not approved but %s was removed from %s", a.ID, a.SkuPartNumber, a.UserPrincipalName)
		}
	}
	entries, err := act.ReadJournal(store.ProfileAt(out, "sim").JournalPath(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	notApproved := 0
	for _, e := range entries {
		if e.Phase == schemas.PhaseNotApproved && strings.Contains(e.Detail, "--action "+first.ID) {
			notApproved++
		}
	}
	if notApproved != len(p.Actions)-1 {
		t.Fatalf("journal records %d actions not approved, want %d", notApproved, len(p.Actions)-1)
	}
	code, stdout, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve", "--exclude-action", first.ID}, secretVar...)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d done, 0 skipped, 0 failed", len(p.Actions)-1)) {
		t.Fatalf("apply of the rest: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, a := range p.Actions {
		if holds(a) {
			t.Fatalf("%s still holds %s", a.UserPrincipalName, a.SkuPartNumber)
		}
	}

	// The next night's run sees the licences gone: a fresh plan no longer
	// lists them (compared by user and SKU: ids include the snapshot).
	runOn("2026-11-27")
	code, stdout, _ = runActCLI(t, "", append([]string{"plan", "../../examples/demo", "-json"}, vars...)...)
	if code != 0 {
		t.Fatalf("re-plan: exit %d", code)
	}
	replanned, err := plan.Unmarshal([]byte(stdout))
	if err != nil || replanned.Sources[0].SnapshotDate != "2026-11-27" {
		t.Fatalf("re-plan: %v", err)
	}
	for _, a := range p.Actions {
		for _, b := range replanned.Actions {
			if a.UserID == b.UserID && a.SkuID == b.SkuID {
				t.Errorf("re-plan still lists removed %s for %s", a.SkuPartNumber, a.UserPrincipalName)
			}
		}
	}
	// A run of the planned-from date rewrites that snapshot (here: its file
	// replaced by another run's): now stale.
	newer, err := os.ReadFile(filepath.Join(out, replanned.Sources[0].RecommendationsPath))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, p.Sources[0].RecommendationsPath), newer, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, secretVar...)...)
	if code != 1 || !strings.Contains(stderr, "was altered") {
		t.Fatalf("apply after its snapshot was rewritten: exit %d\n%s", code, stderr)
	}
	// Undo needs only the secret too: the plan copy remembers the rest.
	code, stdout, stderr = runActCLI(t, "", append([]string{"undo", store.ProfileAt(out, "sim").JournalPath(p.ID), "--auto-approve"}, secretVar...)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d done", len(p.Actions))) {
		t.Fatalf("undo with remembered variables: exit %d\n%s\n%s", code, stdout, stderr)
	}
	unchanged("undo")
}

// testForgedPlans applies hand-edited copies of a genuine plan — each attack
// of issue 11 — and checks every one is refused, naming the action and what
// does not match its snapshot. The forger recomputes ids and digests, as
// anyone can; only the snapshot tells the truth.
func testForgedPlans(t *testing.T, genuine *plan.Plan, recsPath string, srv *simtenant.Server, work string, secretVar []string) {
	t.Helper()
	recs, err := act.ReadRecommendations(recsPath)
	if err != nil {
		t.Fatal(err)
	}
	src := genuine.Sources[0]
	forge := func(r schemas.Recommendation) plan.Action {
		return plan.Action{ID: plan.ActionID(src.Profile, r.UserID, r.SkuID, plan.OpRemoveLicense, src.SnapshotID), Profile: src.Profile,
			UserID: r.UserID, UserPrincipalName: r.UserPrincipalName, SkuID: r.SkuID, SkuPartNumber: r.SkuPartNumber,
			Operation: plan.OpRemoveLicense, Rule: "inactive_m365", Reason: r.Reason, DisabledPlans: []string{}}
	}
	find := func(what string, ok func(r schemas.Recommendation) bool) schemas.Recommendation {
		for _, r := range recs {
			if ok(r) {
				return r
			}
		}
		t.Fatalf("the demo snapshot has no %s to forge an action from", what)
		return schemas.Recommendation{}
	}
	risky := find("licence with data at risk", func(r schemas.Recommendation) bool {
		return r.DataAtRisk && !r.Suppressed && r.Rule == "inactive_m365" && r.Action == schemas.RecommendReview
	})
	// Licences the tenant assigns directly: a Legal user's E5 (excluded by
	// when = "department = 'Legal'"), a shared mailbox's licence (excluded by
	// a when on the UPN), and one no rule covers.
	users, err := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(recsPath)))), "raw", "users", "*", "*.parquet"))
	if err != nil || len(users) == 0 {
		t.Fatalf("raw users of the snapshot: %v %v", users, err)
	}
	rawUsers, err := parquet.ReadFile[schemas.User](users[len(users)-1])
	if err != nil {
		t.Fatal(err)
	}
	dept, covered := map[string]string{}, map[string]bool{}
	for _, u := range rawUsers {
		dept[u.ID] = u.Department
	}
	for _, r := range recs {
		covered[r.UserID+r.SkuID] = true
	}
	var legal, mailbox, uncovered plan.Action
	for i := 0; i < 200; i++ {
		tr := srv.Truth(i)
		for _, l := range tr.Licenses {
			a := forge(schemas.Recommendation{UserID: tr.ID, UserPrincipalName: tr.UserPrincipalName, SkuID: l.SkuID, SkuPartNumber: l.SkuPartNumber})
			switch {
			case !l.Direct:
			case legal.ID == "" && dept[tr.ID] == "Legal" && l.SkuPartNumber == "SPE_E5":
				legal = a
			case mailbox.ID == "" && strings.HasPrefix(tr.UserPrincipalName, "shared."):
				mailbox = a
			case uncovered.ID == "" && !covered[tr.ID+l.SkuID] && !strings.HasPrefix(tr.UserPrincipalName, "shared."):
				uncovered = a
			}
		}
	}
	if legal.ID == "" || mailbox.ID == "" || uncovered.ID == "" {
		t.Fatalf("the simulated tenant lacks a Legal E5 (%q), a shared mailbox licence (%q) or an uncovered licence (%q)", legal.ID, mailbox.ID, uncovered.ID)
	}
	forgedRisky := forge(risky)
	forgedRisky.DataAtRisk = false

	forged := *genuine
	forged.Actions = append([]plan.Action{}, genuine.Actions...)
	active := &forged.Actions[0]
	signIn := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	active.Evidence.LastSignIn = &signIn
	forged.Actions = append(forged.Actions, legal, mailbox, uncovered, forgedRisky)
	forged.Finish()
	path := filepath.Join(work, "forged.json")
	if err := plan.Write(nil, path, &forged); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runActCLI(t, "", append([]string{"apply", path, "--auto-approve"}, secretVar...)...)
	if code != 1 || !strings.Contains(stderr, "apply refused") {
		t.Fatalf("forged plan: exit %d\n%s", code, stderr)
	}
	for _, want := range []struct{ id, why string }{
		{active.ID, "evidence.last_sign_in: the plan says \"2030-01-01T00:00:00Z\""},
		{legal.ID, "excluded by legal_e5|no recommendation for this user"},
		{mailbox.ID, "excluded by mailboxes|no recommendation for this user"},
		{uncovered.ID, "no recommendation for this user, licence and operation"},
		{forgedRisky.ID, "data at risk"},
	} {
		line := ""
		for _, l := range strings.Split(stderr, "\n") {
			if strings.Contains(l, "action "+want.id) {
				line = l
			}
		}
		if !slices.ContainsFunc(strings.Split(want.why, "|"), func(w string) bool { return strings.Contains(line, w) }) {
			t.Errorf("the refusal does not name action %s with %q:\n%s", want.id, want.why, stderr)
		}
	}

	// Edited without recomputing the digest: refused when read.
	naive := *genuine
	naive.Actions = append([]plan.Action{}, genuine.Actions...)
	naive.Actions[0].DataAtRisk = !naive.Actions[0].DataAtRisk
	if err := plan.Write(nil, path, &naive); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runActCLI(t, "", "show", path); code != 1 || !strings.Contains(stderr, "actions were edited") {
		t.Fatalf("show of an edited plan: exit %d\n%s", code, stderr)
	}
}
