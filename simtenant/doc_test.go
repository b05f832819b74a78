package simtenant

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestOnlyTheCLIImportsTheSimulator checks what the package doc promises:
// among the module's packages (tests aside) only cmd/reclaim links the
// simulator, so the pipeline and the stages reach it only over HTTPS.
func TestOnlyTheCLIImportsTheSimulator(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const self = "github.com/reclaimhq/reclaim/simtenant"
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "github.com/reclaimhq/reclaim/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var importers []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 && slices.Contains(fields[1:], self) {
			importers = append(importers, fields[0])
		}
	}
	if want := []string{"github.com/reclaimhq/reclaim/cmd/reclaim"}; !slices.Equal(importers, want) {
		t.Errorf("packages linking %s: %v, want %v (update the package doc if this is intended)", self, importers, want)
	}
}
