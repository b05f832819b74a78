package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/reclaimhq/reclaim/pipeline/store/lake/azurite"
)

// The reclaim binary, built once per test process for the tests that need a
// real process (signals, kill -9, two processes at once) and removed by
// TestMain.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
	binOut  []byte
)

// TestMain also makes this test binary the reclaim command of the CLI
// scripts (script_test.go): run as "reclaim", it is reclaim's main.
func TestMain(m *testing.M) {
	testscript.Main(removeBinary{m}, map[string]func(){
		"reclaim": func() { os.Exit(run(os.Args[1:])) },
	})
}

// removeBinary runs the tests, then removes the binary reclaimBinary built
// and stops the Azurite the object-storage tests started.
type removeBinary struct{ m *testing.M }

func (r removeBinary) Run() int {
	code := r.m.Run()
	azurite.Stop()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	return code
}

// reclaimBinary builds cmd/reclaim (without -race: linking DuckDB takes
// long enough already) and returns its path; tests that need it are skipped
// under -short.
func reclaimBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the reclaim binary")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "reclaim-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "reclaim")
		binOut, binErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binOut)
	}
	return binPath
}
