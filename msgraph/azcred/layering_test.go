package azcred_test

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the packages patterns (relative to the module root) link.
func deps(t *testing.T, patterns ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, patterns...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %v: %v", patterns, err)
	}
	return strings.Fields(string(out))
}

// TestOnlyTheWiringLinksAzidentity keeps the Azure identity SDK where this
// package is imported (cmd/reclaim): the stage contract and every stage, the
// pipeline packages and the client itself do without it. And the client is
// a leaf: it links no config, runner or view.
func TestOnlyTheWiringLinksAzidentity(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	for _, p := range deps(t, "./stages/...", "./pipeline/...", "./msgraph") {
		if strings.Contains(p, "azidentity") {
			t.Errorf("./stages/..., ./pipeline/... or ./msgraph links %s", p)
		}
	}
	wired := false
	for _, p := range deps(t, "./cmd/reclaim") {
		wired = wired || strings.HasSuffix(p, "/azidentity")
	}
	if !wired {
		t.Fatal("cmd/reclaim does not link azidentity: this test would see it nowhere")
	}
	for _, p := range deps(t, "./msgraph") {
		switch p {
		case "github.com/reclaimhq/reclaim/pipeline/config", "github.com/reclaimhq/reclaim/pipeline/ui", "github.com/reclaimhq/reclaim/pipeline/run":
			t.Errorf("msgraph links %s: it must stay a leaf", p)
		}
	}
}
