package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages/act/acttest"
)

// simArgs are `reclaim run examples/demo` arguments pointing at srv.
func simArgs(srv *simtenant.Server, out, asOf string, extra ...string) []string {
	return append([]string{"run", "../../examples/demo", "--stage", "extract", "--as-of", asOf, "--progress", "log",
		"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(), "-var", "output_dir=" + out,
		"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID(), "-var", "client_secret=" + srv.ClientSecret()},
		extra...)
}

// TestRunMalformedAnswersKeepTheSnapshot: when the users pages turn into
// 200s with {} (no value) or an empty body part-way, the users table fails
// after retries, the run exits 1, and the day's earlier users snapshot stays
// byte for byte — nothing short passes as complete.
func TestRunMalformedAnswersKeepTheSnapshot(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{simtenant.BodyObject, simtenant.BodyEmpty} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv, err := simtenant.Start(simtenant.Options{Users: 250, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			out := t.TempDir()
			asOf := time.Now().UTC().Format(time.DateOnly)
			// The bound ends the users retries about a second after the
			// last success instead of after eight backoffs.
			args := simArgs(srv, out, asOf, "--only", "users,subscribed_skus", "--max-retry-time", "1s")
			if r := runCLI(args...); r.code != exitOK {
				t.Fatalf("clean run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			users := filepath.Join(out, "sim", "raw", "users", "snapshot_date="+asOf, "part-0.parquet")
			before, err := os.ReadFile(users)
			if err != nil {
				t.Fatal(err)
			}
			if n := parquetRows(t, users); n != 250 {
				t.Fatalf("clean run: %d users, want 250", n)
			}
			// Every users page is malformed.
			srv.SetBodyFault(mode, "/v1.0/users", 0, 0)
			r := runCLI(args...)
			text := r.stdout + r.stderr
			if r.code != exitError {
				t.Fatalf("corrupted run: exit %d, want %d\n%s", r.code, exitError, text)
			}
			if !strings.Contains(text, "malformed response") || !strings.Contains(text, "users") {
				t.Errorf("output does not say the users answers were malformed:\n%s", text)
			}
			after, _ := os.ReadFile(users)
			if string(after) != string(before) {
				t.Errorf("the users snapshot was replaced (%d bytes, was %d)", len(after), len(before))
			}
		})
	}
}

// TestRunOutageIsBounded: with Microsoft unreachable, a run fails within
// --max-retry-time (here 300ms) rather than retrying every call for
// minutes, and says the service is down.
func TestRunOutageIsBounded(t *testing.T) {
	t.Parallel()
	srv, err := simtenant.Start(simtenant.Options{Users: 20, FailAfter: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	start := time.Now()
	asOf := time.Now().UTC().Format(time.DateOnly)
	r := runCLI(simArgs(srv, t.TempDir(), asOf, "--max-retry-time", "300ms")...)
	took := time.Since(start)
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, exitError, r.stdout, r.stderr)
	}
	if took > 5*time.Second {
		t.Errorf("the run took %s under a 300ms max retry time", took)
	}
	if !strings.Contains(r.stderr, "no request has succeeded for 300ms") {
		t.Errorf("the run does not name the outage:\n%s", r.stderr)
	}
}

// TestApplyStopsAtFirstAuthFailure: apply with a wrong secret makes one
// token request, tries no further action after the first authentication
// failure, and exits 1 naming the cause — not one failed sign-in per action
// and exit 2 "partial, run again".
func TestApplyStopsAtFirstAuthFailure(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	sc := newSimCLI(t, simtenant.Options{Users: 120, Seed: 5, Today: today})
	sc.writeConfig(t, 50)
	srv, work, cfgDir, out := sc.srv, sc.work, sc.cfgDir, sc.out
	var recs []schemas.Recommendation
	for i := 0; i < 120 && len(recs) < 12; i++ {
		tr := srv.Truth(i)
		for _, l := range tr.Licenses {
			if l.Direct && (l.SkuPartNumber == "SPE_E3" || l.SkuPartNumber == "SPE_E5") {
				last := today
				recs = append(recs, schemas.Recommendation{SnapshotDate: today, AsOf: today, UserID: tr.ID, UserPrincipalName: tr.UserPrincipalName,
					SkuID: l.SkuID, SkuPartNumber: l.SkuPartNumber, Rule: "inactive", Action: schemas.RecommendRemoveLicense, Reason: "inactive",
					AssignedDirectly: true, DisabledPlans: l.DisabledPlans, InactiveDays: 90, LastSignInDateTime: &last,
					SignalsCounted: []string{"sign_in"}, Currency: "USD"})
				break
			}
		}
	}
	if len(recs) < 8 {
		t.Fatalf("only %d candidate licences in the tenant", len(recs))
	}
	if err := acttest.WriteRecommendations(out, "sim", "2026-11-24", "20261124T060000Z", recs); err != nil {
		t.Fatal(err)
	}
	vars := func(secret string) []string {
		return []string{"-var", "secret=" + secret, "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(), "-var", "out=" + out}
	}
	planPath := filepath.Join(work, "plan.json")
	if code, stdout, stderr := runActCLI(t, "", append([]string{"plan", cfgDir, "-out", planPath}, vars(srv.ClientSecret())...)...); code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, stdout, stderr)
	}
	srv.ResetStats()
	code, stdout, stderr := runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve", "--concurrency", "1"}, vars("Xq9-wrong-secret")...)...)
	if code != exitError {
		t.Fatalf("apply: exit %d, want %d\n%s%s", code, exitError, stdout, stderr)
	}
	for _, want := range []string{"stopped at the first authentication failure", "AADSTS7000215", "check client_secret for app " + srv.ClientID()} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stdout, "✗ failed"); n != 1 {
		t.Errorf("%d actions failed, want only the first (one at a time):\n%s", n, stdout)
	}
	st := srv.Stats()
	var tokens int64
	for _, n := range st.Requests["token"] {
		tokens += n
	}
	if tokens != 1 {
		t.Errorf("%d token requests for %d actions, want 1", tokens, len(recs))
	}
	if strings.Contains(stdout+stderr, "Xq9-wrong-secret") {
		t.Error("the secret leaked")
	}
}

// TestPlanWarnsWhenTheLatestRunFailed: plan on a profile whose newest run
// manifest says failed (or interrupted) warns on stderr and in the plan's
// warnings; an ok latest run gives no such warning.
func TestPlanWarnsWhenTheLatestRunFailed(t *testing.T) {
	t.Parallel()
	sc := newSimCLI(t, simtenant.Options{Users: 20})
	sc.writeConfig(t, 50)
	srv, cfgDir, out := sc.srv, sc.cfgDir, sc.out
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	rec := schemas.Recommendation{SnapshotDate: day, AsOf: day, UserID: "u1", UserPrincipalName: "a@contoso.com",
		SkuID: "sku", SkuPartNumber: "SPE_E3", Rule: "inactive", Action: schemas.RecommendRemoveLicense, Reason: "inactive",
		AssignedDirectly: true, InactiveDays: 90, SignalsCounted: []string{"sign_in"}, Currency: "USD"}
	if err := acttest.WriteRecommendations(out, "sim", "2026-11-24", "20261124T060000Z", []schemas.Recommendation{rec}); err != nil {
		t.Fatal(err)
	}
	args := []string{"plan", cfgDir, "-json", "-var", "secret=x", "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(), "-var", "out=" + out}
	if r := runCLI(args...); r.code != exitOK || strings.Contains(r.stderr, "latest run") {
		t.Fatalf("ok run: exit %d, stderr %s", r.code, r.stderr)
	}
	failed := filepath.Join(out, "sim", "runs", "20261125T060000Z-abc123")
	os.MkdirAll(failed, 0o755)
	os.WriteFile(filepath.Join(failed, "manifest.json"), []byte(`{"run_id":"20261125T060000Z-abc123","snapshot_date":"2026-11-25","status":"failed",
		"stages":[{"table":"users","status":"failed"},{"table":"recommendations","status":"not_run"},{"table":"subscribed_skus","status":"ok"}]}`), 0o644)
	r := runCLI(args...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	want := `profile "sim": the latest run 20261125T060000Z-abc123 ended failed (2 tables not refreshed: users, recommendations); this plan uses the recommendations of run 20261124T060000Z`
	if !strings.Contains(r.stderr, "Warning: "+want) {
		t.Errorf("stderr lacks the warning:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, `"warnings": [`) || !strings.Contains(r.stdout, "ended failed") {
		t.Errorf("the plan's warnings lack it:\n%s", r.stdout)
	}
}

// TestSQLStageNotOkWhenItsInputsFailed: when users fails in this run, a
// sql_stage reading recommendations (built from users) or raw.users is not
// run — not "ok" over the previous same-day tables — while one reading
// neither still runs.
func TestSQLStageNotOkWhenItsInputsFailed(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	srv, err := simtenant.Start(simtenant.Options{Users: 150, Seed: 5, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	work := t.TempDir()
	cfgDir := filepath.Join(work, "config")
	os.MkdirAll(cfgDir, 0o755)
	os.WriteFile(filepath.Join(cfgDir, "main.hcl"), []byte(fmt.Sprintf(sqlStageMain, srv.TenantID(), srv.ClientID(), srv.TenantID(), srv.ClientID())), 0o644)
	os.WriteFile(filepath.Join(cfgDir, "stages.hcl"), []byte(`
sql_stage "rec_count" {
  query = "SELECT count(*) AS n FROM recommendations"
}
sql_stage "raw_user_count" {
  query = "SELECT count(*) AS n FROM raw.users"
}
sql_stage "constant" {
  query = "SELECT 1 AS n"
}
`), 0o644)
	args := []string{"run", cfgDir, "--as-of", today.Format(time.DateOnly), "--progress", "log", "--sign-in-log=false", "--profile", "sim",
		"--max-retry-time", "1s", "-var", "secret=" + srv.ClientSecret(), "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(),
		"-var", "out=" + filepath.Join(work, "data"), "-var", "tmp=" + filepath.Join(work, "spill")}
	if r := runCLI(args...); r.code != exitOK {
		t.Fatalf("clean run: %s", r)
	}
	srv.SetBodyFault(simtenant.BodyObject, "/v1.0/users", 0, 0)
	r := runCLI(args...)
	if r.code != exitError {
		t.Fatalf("run with users failing: exit %d\n%s", r.code, r.stdout)
	}
	status := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			status[f[0]] = f[1]
		}
	}
	for table, want := range map[string]string{"users": "failed", "rec_count": "not_run", "raw_user_count": "not_run", "constant": "ok"} {
		if status[table] != want {
			t.Errorf("%s: %q, want %q\n%s", table, status[table], want, r.stdout)
		}
	}
}
