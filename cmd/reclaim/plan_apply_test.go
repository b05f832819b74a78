package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/plan"
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

// TestCLIPlanApplyUndo drives plan, show, apply and undo through the
// command line against the simulated tenant over loopback HTTPS.
func TestCLIPlanApplyUndo(t *testing.T) {
	srv, err := simtenant.Start(simtenant.Options{Users: 80, Seed: 5, Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	work := t.TempDir()
	cfgDir, out := filepath.Join(work, "config"), filepath.Join(work, "data")
	os.MkdirAll(cfgDir, 0o755)
	writeConfig := func(maxActions int) {
		if err := os.WriteFile(filepath.Join(cfgDir, "main.hcl"), []byte(fmt.Sprintf(cliConfig, srv.TenantID(), srv.ClientID(), maxActions)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig(10)
	vars := []string{"-var", "secret=" + srv.ClientSecret(), "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(), "-var", "out=" + out}

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
	if code, stdout, _ = runActCLI(t, "", "show", planPath, "-markdown"); code != 0 || !strings.Contains(stdout, "### reclaim plan") {
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
	journal := act.JournalPath(out, "sim", planID)
	for _, f := range []string{journal, act.ParquetPath(journal), strings.TrimSuffix(journal, ".jsonl") + ".plan.json"} {
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
// (extract + transform with DuckDB) on the demo configuration, plan, apply,
// then a new run makes the applied plan stale.
func TestCLIRunPlanApply(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	srv, err := simtenant.Start(simtenant.Options{Users: 200, Seed: 3, Today: today, CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	work := t.TempDir()
	out := filepath.Join(work, "data")
	vars := []string{"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(), "-var", "output_dir=" + out,
		"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID(), "-var", "client_secret=" + srv.ClientSecret()}
	if code, stdout, stderr := runActCLI(t, "", append([]string{"run", "../../examples/demo", "--as-of", "2026-11-25", "--progress", "log"}, vars...)...); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	planPath := filepath.Join(work, "plan.json")
	code, stdout, stderr := runActCLI(t, "", append([]string{"plan", "../../examples/demo", "-out", planPath, "--detailed-exitcode"}, vars...)...)
	if code != 2 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	p, err := plan.Read(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) == 0 || len(p.Sources) != 1 || p.Sources[0].ManifestDigest == "" {
		t.Fatalf("plan from the run: %d actions, sources %+v", len(p.Actions), p.Sources)
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

	code, stdout, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, vars...)...)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	done := 0
	for _, a := range p.Actions {
		if !holds(a) {
			done++
		}
	}
	if !strings.Contains(stdout, fmt.Sprintf("%d done, 0 skipped, 0 failed", done)) || done != len(p.Actions) {
		t.Fatalf("apply removed %d of %d planned licences:\n%s", done, len(p.Actions), stdout)
	}

	// A new run: the plan no longer describes the tenant's snapshot.
	if code, _, stderr := runActCLI(t, "", append([]string{"run", "../../examples/demo", "--as-of", "2026-11-25", "--progress", "log"}, vars...)...); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, vars...)...)
	if code != 1 || !strings.Contains(stderr, "newer snapshot") {
		t.Fatalf("apply after a new run: exit %d\n%s", code, stderr)
	}
	// And the fresh plan no longer lists the removed licences.
	code, stdout, _ = runActCLI(t, "", append([]string{"plan", "../../examples/demo", "-json"}, vars...)...)
	if code != 0 {
		t.Fatalf("re-plan: exit %d", code)
	}
	for _, a := range p.Actions {
		if strings.Contains(stdout, `"id": "`+a.ID+`"`) {
			t.Errorf("re-plan still lists removed %s for %s", a.SkuPartNumber, a.UserPrincipalName)
		}
	}
}
