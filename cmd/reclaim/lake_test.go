package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/store/lake"
	"github.com/reclaimhq/reclaim/pipeline/store/lake/azurite"
	"github.com/reclaimhq/reclaim/simtenant"
)

// lakeConfig is cliConfig publishing to an object store: output.url with
// Azurite's endpoint and its shared key from a sensitive variable.
var lakeConfig = strings.Replace(cliConfig, "output {\n  dir = var.out\n}", `variable "key" {
  sensitive = true
}
variable "lake" {}
variable "endpoint" {}

output {
  dir        = var.out
  url        = var.lake
  endpoint   = var.endpoint
  shared_key = var.key
}`, 1)

// lakeHosts is one simulated tenant, one Azurite container and a
// configuration; each "host" is a fresh local working directory.
type lakeHosts struct {
	srv                   *simtenant.Server
	work, cfgDir, lakeURL string
	remote                *config.Remote
	secrets               []string
}

func newLakeHosts(t *testing.T) *lakeHosts {
	t.Helper()
	az := azurite.Start(t)
	container := az.Container(t)
	srv, err := simtenant.Start(simtenant.Options{Users: 200, Seed: 5, Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if !strings.Contains(lakeConfig, "url        = var.lake") {
		t.Fatal("cliConfig's output block changed: update lakeConfig")
	}
	h := &lakeHosts{srv: srv, work: t.TempDir(), lakeURL: "az://" + azurite.Account + "/" + container + "/reclaim/prod"}
	h.cfgDir = filepath.Join(h.work, "config")
	os.MkdirAll(h.cfgDir, 0o755)
	if err := os.WriteFile(filepath.Join(h.cfgDir, "main.hcl"), []byte(fmt.Sprintf(lakeConfig, srv.TenantID(), srv.ClientID(), 5)), 0o644); err != nil {
		t.Fatal(err)
	}
	h.remote = &config.Remote{URL: h.lakeURL, Scheme: config.RemoteAzure, Account: azurite.Account, Container: container,
		Prefix: "reclaim/prod", Endpoint: az.Endpoint, SharedKey: config.NewSecret(azurite.Key)}
	h.secrets = []string{"-var", "secret=" + srv.ClientSecret(), "-var", "key=" + azurite.Key}
	return h
}

// vars are the -var flags of a host whose working directory is out.
func (h *lakeHosts) vars(out string) []string {
	return append([]string{"-var", "url=" + h.srv.URL(), "-var", "ca=" + h.srv.CAFile(), "-var", "out=" + out,
		"-var", "lake=" + h.lakeURL, "-var", "endpoint=" + h.remote.Endpoint}, h.secrets...)
}

func (h *lakeHosts) host(name string) string { return filepath.Join(h.work, name) }

func (h *lakeHosts) run(t *testing.T, out, day string) {
	t.Helper()
	if code, stdout, stderr := runActCLI(t, "", append([]string{"run", h.cfgDir, "--as-of", day, "--progress", "log"}, h.vars(out)...)...); code != 0 {
		t.Fatalf("run %s in %s: exit %d\n%s\n%s", day, out, code, stdout, stderr)
	}
}

func (h *lakeHosts) objects(t *testing.T) (store.Objects, store.Leases) {
	t.Helper()
	objs, leases, err := lake.Open(h.remote, lake.Credential{})
	if err != nil {
		t.Fatal(err)
	}
	return objs, leases
}

// newestManifest is what a reader does: the newest run manifest in the
// store, and every file it names read back and checked against its
// recorded SHA-256.
func (h *lakeHosts) newestManifest(t *testing.T) *store.Manifest {
	t.Helper()
	ctx := context.Background()
	objs, _ := h.objects(t)
	list, err := objs.List(ctx, "sim/runs/")
	if err != nil {
		t.Fatal(err)
	}
	var newest string
	for _, o := range list {
		if strings.HasSuffix(o.Key, "/"+store.ManifestFile) {
			newest = o.Key
		}
	}
	if newest == "" {
		t.Fatalf("no manifest in the store: %+v", list)
	}
	var b bytes.Buffer
	if err := objs.Get(ctx, newest, &b); err != nil {
		t.Fatal(err)
	}
	var m store.Manifest
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, rec := range m.Stages {
		if rec.File == "" {
			continue
		}
		var f bytes.Buffer
		if err := objs.Get(ctx, "sim/"+rec.File, &f); err != nil {
			t.Fatalf("manifest %s names %s: %v", newest, rec.File, err)
		}
		if got := plan.Digest(f.Bytes()); got != "sha256:"+rec.SHA256 {
			t.Errorf("manifest %s: %s in the store is %s, the manifest says %s", newest, rec.File, got, rec.SHA256)
		}
		files++
	}
	if files < 3 {
		t.Fatalf("manifest %s names %d files", newest, files)
	}
	return &m
}

// TestLakeRoundTrip drives run, plan, apply and undo through the command
// line with output.url in Azurite, hopping hosts: host a runs, host b (a
// fresh working directory) continues a's incremental sign-in state, host c
// (fresh) plans and applies from what is in the store, host d (fresh)
// undoes c's apply from the journal in the store.
func TestLakeRoundTrip(t *testing.T) {
	t.Parallel()
	h := newLakeHosts(t)
	ctx := context.Background()
	objs, _ := h.objects(t)

	h.srv.ResetStats()
	h.run(t, h.host("a"), "2026-11-25")
	first := h.srv.Stats().Requests["signIns"][200]
	m1 := h.newestManifest(t)
	var st bytes.Buffer
	if err := objs.Get(ctx, "sim/state.json", &st); err != nil || !strings.Contains(st.String(), "watermark") {
		t.Fatalf("state in the store: %q, %v", st.String(), err)
	}

	// Host b has never run: its sign-in extract starts from a's watermark
	// (a few pages of overlap), not the log's 30 days.
	h.srv.ResetStats()
	h.run(t, h.host("b"), "2026-11-26")
	second := h.srv.Stats().Requests["signIns"][200]
	if first < 2 || second >= first {
		t.Fatalf("sign-in log pages: %d on host a's first run, %d on host b's; want b to continue a's watermark", first, second)
	}
	m2 := h.newestManifest(t)
	if m2.RunID == m1.RunID || m2.SnapshotDate != "2026-11-26" {
		t.Fatalf("newest manifest in the store is %s of %s", m2.RunID, m2.SnapshotDate)
	}

	// Host c plans from the store, applies and undoes.
	c := h.host("c")
	planPath := filepath.Join(h.work, "plan.json")
	code, stdout, stderr := runActCLI(t, "", append([]string{"plan", h.cfgDir, "-out", planPath}, h.vars(c)...)...)
	if code != 0 {
		t.Fatalf("plan on a fresh host: exit %d\n%s\n%s", code, stdout, stderr)
	}
	p, err := plan.Read(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) == 0 || p.Sources[0].SnapshotDate != "2026-11-26" || p.Sources[0].SnapshotID != m2.RunID {
		t.Fatalf("plan on a fresh host: %d actions from %+v, want run %s", len(p.Actions), p.Sources, m2.RunID)
	}
	holds := func(a plan.Action) bool {
		for i := range 200 {
			if u := h.srv.Truth(i); u.ID == a.UserID {
				for _, l := range u.Licenses {
					if l.SkuID == a.SkuID && l.Direct {
						return true
					}
				}
			}
		}
		return false
	}
	code, stdout, stderr = runActCLI(t, "", append([]string{"apply", planPath, "--auto-approve"}, h.secrets...)...)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, a := range p.Actions {
		if holds(a) {
			t.Fatalf("apply left %s on %s", a.SkuPartNumber, a.UserPrincipalName)
		}
	}
	journal := store.ProfileAt(c, "sim").JournalPath(p.ID)
	local, _ := os.ReadFile(journal)
	var remote bytes.Buffer
	if err := objs.Get(ctx, "sim/journal/"+filepath.Base(journal), &remote); err != nil || remote.String() != string(local) || len(local) == 0 {
		t.Fatalf("journal in the store (%v) differs from the local one:\n%s\n---\n%s", err, remote.String(), local)
	}
	// Undo on yet another fresh host: the journal and its plan copy are
	// read back from the store.
	journal = store.ProfileAt(h.host("d"), "sim").JournalPath(p.ID)
	code, stdout, stderr = runActCLI(t, "", append([]string{"undo", journal, "--auto-approve", "--config", h.cfgDir}, h.vars(h.host("d"))...)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d done", len(p.Actions))) {
		t.Fatalf("undo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, a := range p.Actions {
		if !holds(a) {
			t.Fatalf("undo did not put %s back on %s", a.SkuPartNumber, a.UserPrincipalName)
		}
	}
	if err := objs.Get(ctx, "sim/journal/"+filepath.Base(store.UndoJournalPath(journal)), &bytes.Buffer{}); err != nil {
		t.Fatalf("undo journal not published: %v", err)
	}
}

// TestLakeLeaseRefusesSecondHost: while another host holds the profile's
// lease, run on this host (a different working directory, so no local
// lock is shared) is refused at once naming the holder, and waits with
// --lock-timeout; once released, it runs.
func TestLakeLeaseRefusesSecondHost(t *testing.T) {
	t.Parallel()
	h := newLakeHosts(t)
	_, leases := h.objects(t)
	other := store.Holder{Command: "run", PID: 4242, Host: "reclaim-7d9f-pod", Since: time.Now().UTC().Truncate(time.Second)}
	release, _, err := leases.Lease(context.Background(), "sim/.lock", other)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	args := append([]string{"run", h.cfgDir, "--as-of", "2026-11-25", "--progress", "log"}, h.vars(h.host("b"))...)
	code, _, stderr := runActCLI(t, "", args...)
	want := other.String() + " holds the profile lock " + h.lakeURL + "/sim/.lock"
	if code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("run while another host holds the lease: exit %d\n%s\nwant %q", code, stderr, want)
	}
	code, _, stderr = runActCLI(t, "", append(args, "--lock-timeout", "2s")...)
	if code != 1 || !strings.Contains(stderr, "after waiting 2s") {
		t.Fatalf("run --lock-timeout 2s: exit %d\n%s", code, stderr)
	}
	release()
	h.run(t, h.host("b"), "2026-11-25")
}

// TestLakeKilledMidPublish: a run killed with SIGKILL in the middle of
// publishing (its third upload) leaves the previous run's manifest the
// newest in the store, with every file it names intact. Its lease is not
// broken by the next host, which is refused naming the dead run until the
// lease runs out (within a minute; not waited for here).
func TestLakeKilledMidPublish(t *testing.T) {
	t.Parallel()
	bin := reclaimBinary(t)
	h := newLakeHosts(t)
	h.run(t, h.host("a"), "2026-11-25")
	m1 := h.newestManifest(t)

	cmd := exec.Command(bin, append([]string{"run", h.cfgDir, "--as-of", "2026-11-26", "--progress", "log"}, h.vars(h.host("a"))...)...)
	cmd.Env = append(os.Environ(), "RECLAIM_TEST_KILL_AFTER_PUBLISHES=3")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ProcessState.Sys() == nil || ee.ProcessState.ExitCode() != -1 {
		t.Fatalf("run with the kill hook: %v (want killed by a signal)\n%s", err, out)
	}
	if m := h.newestManifest(t); m.RunID != m1.RunID {
		t.Fatalf("after a run killed mid-publish the newest manifest is %s, want the previous run's %s", m.RunID, m1.RunID)
	}
	code, _, stderr := runActCLI(t, "", append([]string{"run", h.cfgDir, "--as-of", "2026-11-26"}, h.vars(h.host("b"))...)...)
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("(pid %d on host", cmd.Process.Pid)) || !strings.Contains(stderr, "within a minute") {
		t.Fatalf("run after the killed one: exit %d\n%s", code, stderr)
	}
}
