// An external test package: pipeline/ui renders configurations, so it
// imports this package, and the golden renders through ui.
package config_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

var update = flag.Bool("update", false, "rewrite testdata golden files from the current output")

// envLoader is a Loader whose environment is env (testLoader, for the
// external tests).
func envLoader(env map[string]string) *config.Loader {
	l := config.NewLoader()
	l.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return l
}

// TestInvalidConfigsGolden renders the diagnostics of every file in
// testdata/invalid as a person sees them and compares the text with
// NAME.golden beside it (refresh: go test -update). TestInvalidConfigs
// checks where each diagnostic lands; this keeps the wording reviewed.
func TestInvalidConfigsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			l := envLoader(map[string]string{"SECRET": "s3cr3t-value", "EMPTY": ""})
			_, diags := l.Load(path, nil)
			var buf bytes.Buffer
			if err := ui.WriteDiagnostics(&buf, l.Files(), diags); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(path, ".hcl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if buf.String() != string(want) {
				t.Errorf("diagnostics differ from %s (go test -update to accept):\n--- got ---\n%s--- want ---\n%s", golden, buf.String(), want)
			}
		})
	}
}
