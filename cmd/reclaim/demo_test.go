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
// none; here we also check what a newcomer reads.
func TestDemo(t *testing.T) {
	bin := reclaimBinary(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "demo")
	cmd := exec.Command(bin, "demo", "--users", "400", "--seed", "3", "--dir", dir, "--config", "../../examples/demo")
	cmd.Env = append(os.Environ(), "RECLAIM_LOG=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reclaim demo: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"==> 1. Extract and transform",
		"==> 3. Apply exactly the reviewed plan",
		"Apply complete:",
		"==> 5. Plan again",
		"No changes.",
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
