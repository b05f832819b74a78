package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The layering docs/architecture.md describes, checked on the module's real
// import graph. Folders are layers that import downward; each rule names
// packages that must not be among a layer's dependencies (go list's Deps:
// transitive, so a forbidden package reached through a permitted one still
// counts). This is the one place the rules are written.
var layerRules = []struct {
	// pkgs is a module-relative package or a folder's tree ("stages/...").
	pkgs string
	// never are module-relative packages or full external import paths.
	never []string
	why   string
}{
	{"stages/...", []string{"pipeline/ui", "pipeline/run", "simtenant"},
		"stages produce data; the views, the runner and the simulator sit above them"},
	{"msgraph", []string{"pipeline/config", "pipeline/lang", "pipeline/ui", "pipeline/run", azidentity},
		"the Microsoft client is a leaf: HTTP and Microsoft's protocols, not our config language; credentials are plugged in by msgraph/azcred"},
	{"stages", []string{azidentity},
		"linking the stage contract (and so the DuckDB transform) must not link the Azure identity SDK"},
	{"stages/...", []string{azidentity}, "only the wiring (cmd/reclaim) links the Azure identity SDK"},
	{"pipeline/...", []string{"stages/extract", "stages/transform", "stages/act", "simtenant", "cmd/reclaim", azidentity},
		"pipeline/ never imports a concrete stage: cmd/reclaim wires them in"},
	{"pipeline/store", []string{azblob},
		"the store is a leaf every stage links; the object-store drivers (pipeline/store/lake) plug in from the wiring"},
	{"stages", []string{azblob}, "linking the stage contract must not link the Azure storage SDK"},
	{"schemas", []string{"pipeline/config", "stages", "msgraph"},
		"the table definitions are the bottom layer"},
}

const (
	module     = "github.com/reclaimhq/reclaim/"
	azidentity = "github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	azblob     = "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// goList returns, for every package pattern matches, its non-standard
// dependencies (module-relative where they are ours).
func goList(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, pattern)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list %s: %v\n%s", pattern, err, stderr)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for i := range f {
			f[i] = strings.TrimPrefix(f[i], module)
		}
		pkgs[f[0]] = f[1:]
	}
	return pkgs
}

func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	for _, r := range layerRules {
		pkgs := goList(t, "./"+r.pkgs)
		for pkg, deps := range pkgs {
			for _, d := range deps {
				for _, n := range r.never {
					if d == n {
						t.Errorf("%s depends on %s, which the layering forbids: %s (see `go list -deps ./%s`)", pkg, n, r.why, pkg)
					}
				}
			}
		}
	}
	// Who may link what, the other way round: the simulator and azidentity
	// are linked by the CLI (and azcred, which exists to hold azidentity),
	// and by nothing else. Without this half, a rule above could pass only
	// because the package it guards against moved.
	only := map[string][]string{
		"simtenant": {"cmd/reclaim"},
		azidentity:  {"cmd/reclaim", "msgraph/azcred"},
	}
	all := goList(t, "./...")
	for dep, allowed := range only {
		var got []string
		for pkg, deps := range all {
			for _, d := range deps {
				if d == dep {
					got = append(got, pkg)
				}
			}
		}
		if !sameSet(got, allowed) {
			t.Errorf("packages linking %s: %v, want exactly %v (update docs/architecture.md and this test if that is intended)", dep, got, allowed)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if !in[x] {
			return false
		}
	}
	return true
}
