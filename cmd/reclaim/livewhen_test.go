package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages/act"
)

// TestApplySkipsUserNowMatchingWhen: a user moved to Legal after the plan
// was made is skipped at apply by exclusion legal_hold (when department =
// 'Legal', skus E3), re-evaluated against the user as re-read from Graph;
// the rest of the plan is carried out, and a Legal move does not protect a
// licence outside the exclusion's SKUs.
func TestApplySkipsUserNowMatchingWhen(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	const users = 200
	srv, err := simtenant.Start(simtenant.Options{Users: users, Seed: 3, Today: today, CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	work := t.TempDir()
	cfgDir := filepath.Join(work, "config")
	if err := os.CopyFS(cfgDir, os.DirFS("../../examples/demo")); err != nil {
		t.Fatal(err)
	}
	hold := "exclude \"legal_hold\" {\n  when = \"department = 'Legal'\"\n  skus = [\"SPE_E3\", \"ENTERPRISEPACK\"]\n}\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "hold.hcl"), []byte(hold), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "data")
	secretVar := []string{"-var", "client_secret=" + srv.ClientSecret()}
	vars := append([]string{"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(), "-var", "output_dir=" + out,
		"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID()}, secretVar...)
	if code, stdout, stderr := runActCLI(t, "", append([]string{"run", cfgDir, "--as-of", "2026-11-25", "--progress", "log"}, vars...)...); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	planPath := filepath.Join(work, "plan.json")
	if code, stdout, stderr := runActCLI(t, "", append([]string{"plan", cfgDir, "-out", planPath, "--detailed-exitcode"}, vars...)...); code != 2 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	p, err := plan.Read(planPath)
	if err != nil {
		t.Fatal(err)
	}
	// One E3 removal (the exclusion's SKUs) and, from another user, one
	// removal of any other SKU.
	var moved, other *plan.Action
	for i, a := range p.Actions {
		switch {
		case a.Operation != plan.OpRemoveLicense:
		case moved == nil && (a.SkuPartNumber == "SPE_E3" || a.SkuPartNumber == "ENTERPRISEPACK"):
			moved = &p.Actions[i]
		case other == nil && a.SkuPartNumber != "SPE_E3" && a.SkuPartNumber != "ENTERPRISEPACK":
			other = &p.Actions[i]
		}
	}
	if moved == nil || other == nil || moved.UserID == other.UserID {
		t.Fatalf("the plan lacks an E3 removal and another SKU's removal of another user: %+v", p.Actions)
	}
	index := map[string]int{}
	for i := range users {
		index[srv.Truth(i).ID] = i
	}
	holds := func(a *plan.Action) bool {
		for _, l := range srv.Truth(index[a.UserID]).Licenses {
			if l.SkuID == a.SkuID && l.Direct {
				return true
			}
		}
		return false
	}
	// Both users move to Legal after the plan, through the /_sim control.
	pemBytes, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	for _, a := range []*plan.Action{moved, other} {
		req, _ := http.NewRequest(http.MethodPatch, srv.URL()+"/_sim/users/"+a.UserID, strings.NewReader(`{"department": "Legal"}`))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("PATCH /_sim/users/%s: %d", a.UserID, resp.StatusCode)
		}
	}
	srv.ResetStats()

	code, stdout, stderr := runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, secretVar...)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d done, 1 skipped, 0 failed", len(p.Actions)-1)) {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	want := `the user is now excluded by exclusion "legal_hold" (when department = 'Legal', live)`
	j, err := act.OpenJournal(store.ProfileAt(out, p.Actions[0].Profile).JournalPath(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	last := act.LastByAction(j.Entries())
	if e := last[moved.ID]; e.Phase != schemas.PhaseSkipped || e.Detail != want {
		t.Errorf("moved user's %s: journal %s %q, want skipped %q", moved.SkuPartNumber, e.Phase, e.Detail, want)
	}
	if !strings.Contains(stdout, want) {
		t.Errorf("apply output does not say why:\n%s", stdout)
	}
	if e := last[other.ID]; e.Phase != schemas.PhaseDone {
		t.Errorf("%s of a user moved to Legal (not an exclusion SKU): journal %s %q, want done", other.SkuPartNumber, e.Phase, e.Detail)
	}
	if !holds(moved) || holds(other) {
		t.Errorf("after apply: moved user holds %s %v (want true), other user holds %s %v (want false)", moved.SkuPartNumber, holds(moved), other.SkuPartNumber, holds(other))
	}
	if n := srv.Stats().Requests["assignLicense"][200]; n != int64(len(p.Actions)-1) {
		t.Errorf("%d assignLicense calls, want %d (all but the moved user's)", n, len(p.Actions)-1)
	}
}
