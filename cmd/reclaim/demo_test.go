package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemo builds the reclaim binary and runs "reclaim demo" on a small
// simulated tenant, as "make demo" does: run, plan, apply, run, plan again.
// The demo itself checks that the first plan has changes and the second has
// none but the one-way removals it left out of the approval; here we also
// check what a newcomer reads. Seed 1 at 400 users plans one one-way removal
// (a guest without usageLocation), as the default 3,000-user demo does.
func TestDemo(t *testing.T) {
	bin := reclaimBinary(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "demo")
	cmd := exec.Command(bin, "demo", "--users", "400", "--seed", "1", "--dir", dir, "--config", "../../examples/demo")
	cmd.Env = append(os.Environ(), "RECLAIM_LOG=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reclaim demo: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"==> 1. Extract and transform",
		"one-way, undo could not put it back",
		"==> 3. Apply the reviewed plan, leaving out its 1 one-way removal(s)",
		"Apply complete:",
		"1 action(s) not approved (--exclude-action ",
		"==> 5. Plan again: only the one-way removals left out of the approval remain",
		"1 to remove (1 licence, 0 group memberships), 1 one-way",
		"The simulated tenant is stopped.",
		"sku_part_number",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	if m := regexp.MustCompile(`Apply complete: (\d+) done, 0 skipped, 0 failed`).FindStringSubmatch(text); m == nil || m[1] == "0" {
		t.Errorf("the demo should apply at least one change and fail none:\n%s", text)
	}
	if strings.Contains(text, "sim-demo-secret") {
		t.Errorf("the demo printed the client secret")
	}
	for _, p := range []string{"plan.json", "step-3-apply.log"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("demo should leave %s: %v", p, err)
		}
	}
}

// TestDemoDirIsNeverSomeonesData: --dir naming a non-empty directory the
// demo did not make is refused with nothing deleted; a directory an earlier
// demo made loses only the demo's files.
func TestDemoDirIsNeverSomeonesData(t *testing.T) {
	t.Parallel()
	precious := t.TempDir()
	os.WriteFile(filepath.Join(precious, "thesis.tex"), []byte("years of work"), 0o644)
	os.MkdirAll(filepath.Join(precious, "data"), 0o755)
	r := runCLI("demo", "--dir", precious, "--config", "../../examples/demo")
	if r.code == exitOK || !strings.Contains(r.stderr, "refusing to delete anything") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, p := range []string{"thesis.tex", "data"} {
		if _, err := os.Stat(filepath.Join(precious, p)); err != nil {
			t.Errorf("%s was deleted: %v", p, err)
		}
	}

	// An earlier demo's directory: its files go, a file added since stays.
	old := t.TempDir()
	for _, p := range []string{demoMarker, "plan.json", "step-1-run.log", "notes.txt"} {
		os.WriteFile(filepath.Join(old, p), []byte("x"), 0o644)
	}
	os.MkdirAll(filepath.Join(old, "data", "sim"), 0o755)
	if err := prepareDemoDir(old); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(old)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, ","); got != demoMarker+",notes.txt" {
		t.Errorf("left %s, want %s,notes.txt", got, demoMarker)
	}
}
