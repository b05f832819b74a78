package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliResult is what a person sees from one command line.
type cliResult struct {
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", r.code, r.stdout, r.stderr)
}

func runCLI(args ...string) cliResult {
	return runCLIInput("", args...)
}

// runCLIInput is runCLI with text on standard input (never a terminal).
func runCLIInput(stdin string, args ...string) cliResult {
	var out, errb bytes.Buffer
	code := execute(args, strings.NewReader(stdin), &out, &errb)
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// TestValidatePathological: files built to crash validate (issue 11) get an
// error naming the file instead: 100,000 nested brackets would overflow the
// parser's stack, file("/dev/zero") would read until memory runs out.
func TestValidatePathological(t *testing.T) {
	const profile = `profile "p" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = file("/dev/zero")
}
`
	for _, c := range []struct{ name, src, want string }{
		{"brackets", "x = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n", "main.hcl:1,105: error: Configuration nested too deeply"},
		{"dev_zero", profile, "main.hcl:4,25: error: Invalid function argument\n  Invalid value for \"path\" parameter: reading /dev/zero: /dev/zero is not a\n  regular file (it is a device)."},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(c.src), 0o600); err != nil {
				t.Fatal(err)
			}
			r := runCLI("validate", dir)
			if r.code != exitError || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("want exit %d and %q:\n%.2000s", exitError, c.want, r)
			}
		})
	}
}

// TestExamplesValidate: every directory under examples/ that holds *.hcl files
// is a configuration that validates with no environment set, as on a fresh
// machine. Other directories (examples/scheduling) hold scheduler files.
func TestExamplesValidate(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "RECLAIM_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	dirs, err := filepath.Glob("../../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	configs := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(hcl) == 0 {
			continue
		}
		configs++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r := runCLI("validate", dir)
			if r.code != exitOK {
				t.Fatalf("reclaim validate %s: %s", dir, r)
			}
			if strings.Contains(r.stderr, "warning:") {
				t.Errorf("examples should validate without warnings:\n%s", r.stderr)
			}
		})
	}
	if configs < 2 {
		t.Errorf("found %d example configurations, want at least examples/demo and examples/contoso", configs)
	}
}

func TestSingleDashLongFlags(t *testing.T) {
	root := newRootCmd()
	got := singleDashLongFlags(root, []string{"validate", "-var", "a=b", "-var=c=d", "-h", "--var", "e=f", "dir", "--", "-var"})
	want := []string{"validate", "--var", "a=b", "--var=c=d", "-h", "--var", "e=f", "dir", "--", "-var"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q; want %q", got, want)
	}
}
