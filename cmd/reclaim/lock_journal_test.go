package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	piperun "github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages/act"
	"github.com/reclaimhq/reclaim/stages/act/acttest"
)

// applyFixture is a reviewed plan of n direct-licence removals against a
// simulated tenant, made with the real "reclaim plan" from recommendations
// written like the transform writes them.
type applyFixture struct {
	srv     *simtenant.Server
	out     string   // output directory
	vars    []string // -var flags for the configuration
	plan    string   // plan file
	p       *plan.Plan
	journal string
}

func newApplyFixture(t *testing.T, o simtenant.Options, n int) *applyFixture {
	t.Helper()
	o.Users, o.Seed, o.Today = 60, 7, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	sc := newSimCLI(t, o)
	sc.writeConfig(t, 100)
	srv := sc.srv
	f := &applyFixture{srv: srv, out: sc.out, vars: sc.vars, plan: filepath.Join(sc.work, "plan.json")}
	cfgDir := sc.cfgDir
	asOf := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	saving := 36.0
	var recs []schemas.Recommendation
	for i := 0; i < o.Users && len(recs) < n; i++ {
		u := srv.Truth(i)
		paths := map[string]int{}
		for _, l := range u.Licenses {
			paths[l.SkuID]++
		}
		for _, l := range u.Licenses {
			// Only a licence assigned directly and nowhere else: removing
			// it frees a seat, so apply makes the change.
			if !l.Direct || paths[l.SkuID] > 1 || (l.SkuPartNumber != "SPE_E3" && l.SkuPartNumber != "SPE_E5") {
				continue
			}
			recs = append(recs, schemas.Recommendation{SnapshotDate: asOf, AsOf: asOf, UserID: u.ID, UserPrincipalName: u.UserPrincipalName,
				SkuID: l.SkuID, SkuPartNumber: l.SkuPartNumber, Rule: "inactive", Action: schemas.RecommendRemoveLicense, Reason: "inactive",
				AssignedDirectly: true, DisabledPlans: l.DisabledPlans, InactiveDays: 90, LastSignInDateTime: &asOf,
				SignalsCounted: []string{"sign_in"}, MonthlySaving: &saving, Currency: "USD"})
			break
		}
	}
	if len(recs) != n {
		t.Fatalf("the tenant has %d users with a direct E3/E5, want %d", len(recs), n)
	}
	if err := acttest.WriteRecommendations(f.out, "sim", "2026-11-24", "20261124T060000Z", recs); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(append([]string{"plan", cfgDir, "-out", f.plan}, f.vars...)...); r.code != 0 {
		t.Fatalf("plan: %s", r)
	}
	var err error
	if f.p, err = plan.Read(f.plan); err != nil || len(f.p.Actions) != n {
		t.Fatalf("plan: %v, %d actions", err, len(f.p.Actions))
	}
	f.journal = store.ProfileAt(f.out, "sim").JournalPath(f.p.ID)
	return f
}

// command is the reclaim binary with args and the fixture's variables.
func (f *applyFixture) command(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(reclaimBinary(t), append(args, f.vars...)...)
	cmd.Env = append(os.Environ(), "RECLAIM_LOG=warn")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// writes is how many assignLicense requests the tenant answered.
func (f *applyFixture) writes() int64 {
	var n int64
	for _, c := range f.srv.Stats().Requests["assignLicense"] {
		n += c
	}
	return n
}

// checkJournal reads the apply journal, which must parse without a warning,
// and returns how many times each action is journalled done.
func (f *applyFixture) checkJournal(t *testing.T) (map[string]int, []schemas.JournalEntry) {
	t.Helper()
	entries, warns, err := act.ReadJournalWithWarnings(f.journal)
	if err != nil || len(warns) > 0 {
		t.Fatalf("journal: %v %q", err, warns)
	}
	done := map[string]int{}
	for _, e := range entries {
		if e.Phase == schemas.PhaseDone {
			done[e.ActionID]++
		}
	}
	return done, entries
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestCLITwoConcurrentAppliesOneRefused is issue 10's reproduction: two
// "reclaim apply" processes of one plan at once. One is refused at once
// naming the other (command, pid, host); the other makes every change once;
// the journal parses line by line; undo puts everything back.
func TestCLITwoConcurrentAppliesOneRefused(t *testing.T) {
	// Every request takes 50 ms, so the apply that gets the lock still
	// holds it when the other one asks.
	f := newApplyFixture(t, simtenant.Options{SlowRate: 1, SlowDelay: 50 * time.Millisecond}, 6)
	a, aOut, aErr := f.command(t, "apply", f.plan, "--auto-approve", "--concurrency", "2")
	b, bOut, bErr := f.command(t, "apply", f.plan, "--auto-approve", "--concurrency", "2")
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	codeA, codeB := exitCode(a.Wait()), exitCode(b.Wait())
	winner, loser, winOut, loseErr := a, b, aOut.String(), bErr.String()
	if codeA != 0 {
		winner, loser, winOut, loseErr = b, a, bOut.String(), aErr.String()
	}
	if min(codeA, codeB) != 0 || max(codeA, codeB) != 1 {
		t.Fatalf("exit codes %d and %d, want 0 and 1\nA: %s%s\nB: %s%s", codeA, codeB, aOut, aErr, bOut, bErr)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("reclaim apply (pid %d on host %s, since ", winner.Process.Pid, host)
	if !strings.Contains(loseErr, want) || !strings.Contains(loseErr, "holds the profile lock "+store.ProfileAt(f.out, "sim").LockPath()) {
		t.Fatalf("the refused apply (pid %d) should name the holder %q:\n%s", loser.Process.Pid, want, loseErr)
	}
	if !strings.Contains(winOut, "6 done, 0 skipped, 0 failed") {
		t.Fatalf("the apply holding the lock:\n%s", winOut)
	}
	if n := f.writes(); n != 6 {
		t.Errorf("%d assignLicense requests, want 6 (each change once)", n)
	}
	done, entries := f.checkJournal(t)
	if len(entries) != 12 || len(done) != 6 {
		t.Fatalf("journal: %d entries, %d actions done", len(entries), len(done))
	}

	undo, uOut, uErr := f.command(t, "undo", f.journal, "--auto-approve")
	if err := undo.Run(); err != nil || !strings.Contains(uOut.String(), "6 done, 0 skipped, 0 failed") {
		t.Fatalf("undo: %v\n%s%s", err, uOut, uErr)
	}
	if n := f.writes(); n != 12 {
		t.Errorf("%d assignLicense requests after undo, want 12", n)
	}
}

// TestCLIApplyKilledBetweenIntentAndDoneResumes: an apply process dies by
// SIGKILL right after its second change was sent and before that change's
// outcome was journalled. The kernel freed the lock; a second apply resolves
// the dangling intent by a live re-read and makes each change exactly once.
func TestCLIApplyKilledBetweenIntentAndDoneResumes(t *testing.T) {
	f := newApplyFixture(t, simtenant.Options{}, 4)
	cmd, stdout, stderr := f.command(t, "apply", f.plan, "--auto-approve", "--concurrency", "1")
	cmd.Env = append(cmd.Env, "RECLAIM_TEST_KILL_AFTER_SENDS=2")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("apply should die by SIGKILL, got %v\n%s%s", err, stdout, stderr)
	}
	if n := f.writes(); n != 2 {
		t.Fatalf("%d changes sent before the kill, want 2", n)
	}
	_, entries := f.checkJournal(t)
	dangling := ""
	for id, e := range act.LastByAction(entries) {
		if e.Phase == schemas.PhaseIntent {
			dangling = id
		}
	}
	if dangling == "" {
		t.Fatalf("no intent without outcome in the journal after the kill: %+v", entries)
	}

	resume, rOut, rErr := f.command(t, "apply", f.plan, "--auto-approve")
	if err := resume.Run(); err != nil {
		t.Fatalf("resume: %v\n%s%s", err, rOut, rErr)
	}
	if n := f.writes(); n != 4 {
		t.Errorf("%d assignLicense requests in all, want 4 (each change exactly once)", n)
	}
	done, entries := f.checkJournal(t)
	for _, a := range f.p.Actions {
		if done[a.ID] != 1 {
			t.Errorf("action %s journalled done %d times", a.ID, done[a.ID])
		}
	}
	if last := act.LastByAction(entries)[dangling]; !strings.Contains(last.Detail, "interrupted run") {
		t.Errorf("the dangling intent was resolved as %s %q, want done by a live re-read", last.Phase, last.Detail)
	}
}

// TestCLIRunSIGTERMWritesInterruptedManifest: a scheduler's SIGTERM stops a
// real "reclaim run" cleanly: exit 1, a manifest with status "interrupted",
// and the profile lock free for the next command.
func TestCLIRunSIGTERMWritesInterruptedManifest(t *testing.T) {
	// Every request hangs for 5 s (or until the client gives up), so the
	// run is mid-extract when the signal comes.
	srv, err := simtenant.Start(simtenant.Options{Users: 50, Seed: 3, CertDir: t.TempDir(), SlowRate: 1, SlowDelay: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(reclaimBinary(t), "run", "../../examples/demo", "--progress", "log", "-var", "sim_url="+srv.URL(), "-var", "ca_file="+srv.CAFile(),
		"-var", "output_dir="+out, "-var", "tenant_id="+srv.TenantID(), "-var", "client_id="+srv.ClientID(), "-var", "client_secret="+srv.ClientSecret())
	cmd.Env = append(os.Environ(), "RECLAIM_LOG=warn")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lockPath := store.ProfileAt(out, "sim").LockPath()
	// Wait until the run holds the lock (its signal handler is in place
	// before it asks for the lock); its first request is then hanging.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(lockPath)
		if strings.Contains(string(b), `"pid":`+strconv.Itoa(cmd.Process.Pid)) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the run never took the lock:\n%s%s", &stdout, &stderr)
		}
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(cmd.Wait()); code != 1 || !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("run after SIGTERM: exit %d\n%s%s", code, &stdout, &stderr)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the run took %s to stop", d)
	}
	manifests, _ := filepath.Glob(filepath.Join(out, "sim", "runs", "*", "manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests: %v\n%s", manifests, &stdout)
	}
	var m piperun.Manifest
	if b, err := os.ReadFile(manifests[0]); err != nil || json.Unmarshal(b, &m) != nil || m.Status != piperun.StatusInterrupted {
		t.Fatalf("manifest %s: status %q (%v)", manifests[0], m.Status, err)
	}
	l, err := store.ProfileAt(out, "sim").Lock(context.Background(), store.LockOptions{Command: "test"})
	if err != nil {
		t.Fatalf("the lock is still held after the run stopped: %v", err)
	}
	l.Unlock()
}

// TestCLIApplySIGTERMFinishesTheChangeInFlight: SIGTERM while a change is
// being sent: apply finishes and journals it, starts no other, exits 1 and
// frees the lock; the next apply makes the rest, each change once.
func TestCLIApplySIGTERMFinishesTheChangeInFlight(t *testing.T) {
	// Every request takes 250 ms, so the signal can land mid-request.
	f := newApplyFixture(t, simtenant.Options{SlowRate: 1, SlowDelay: 250 * time.Millisecond}, 2)
	cmd, stdout, stderr := f.command(t, "apply", f.plan, "--auto-approve", "--concurrency", "1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(f.journal); bytes.Contains(b, []byte(`"phase":"intent"`)) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("apply never journalled an intent:\n%s%s", stdout, stderr)
		}
	}
	// The change request follows its intent at once and takes 250 ms:
	// 100 ms later it is in flight.
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(cmd.Wait()); code != 1 || !strings.Contains(stderr.String(), "apply interrupted") {
		t.Fatalf("apply after SIGTERM: exit %d\n%s%s", code, stdout, stderr)
	}
	done, entries := f.checkJournal(t)
	for id, e := range act.LastByAction(entries) {
		if e.Phase == schemas.PhaseIntent {
			t.Errorf("action %s left between intent and outcome", id)
		}
	}
	if n := f.writes(); n != int64(len(done)) || n != 1 {
		t.Fatalf("%d changes sent, %d journalled done; want the one in flight only\n%+v\n%s%s", n, len(done), entries, stdout, stderr)
	}

	resume, rOut, rErr := f.command(t, "apply", f.plan, "--auto-approve")
	if err := resume.Run(); err != nil {
		t.Fatalf("resume: %v\n%s%s", err, rOut, rErr)
	}
	if n := f.writes(); n != 2 {
		t.Errorf("%d assignLicense requests in all, want 2", n)
	}
}
