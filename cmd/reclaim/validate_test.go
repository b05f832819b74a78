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

// TestSecretNeverPrintedByValidate: a secret given by -var, by
// RECLAIM_VAR_* and through env() is not in anything validate prints,
// whether the configuration is valid or not.
func TestSecretNeverPrintedByValidate(t *testing.T) {
	const secret = "cli-Secret-0f-9aa1-never-shown"
	t.Setenv("RECLAIM_VAR_secret", secret)
	t.Setenv("RECLAIM_TEST_SECRET", secret)
	dir := t.TempDir()
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`
variable "secret" { sensitive = true }
variable "other" { sensitive = true }
profile "a" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = var.secret
}
profile "b" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("RECLAIM_TEST_SECRET")
  dynamics "d" {
    url                  = "https://x.crm.dynamics.com"
    client_id            = "33333333-3333-3333-3333-333333333333"
    certificate_file     = "d.pem"
    certificate_password = var.other
  }
}
`)
	ok := runCLI("validate", dir, "-var", "other="+secret, "--log-level", "trace")
	if ok.code != exitOK || !strings.Contains(ok.stdout, "(sensitive)") {
		t.Fatalf("valid config: %s", ok)
	}
	write(`
variable "secret" { sensitive = true }
profile "a" {
  tenant_id      = env("RECLAIM_TEST_SECRET")
  client_id      = var.secret
  client_secret  = regex(var.secret, "[")
  graph_endpoint = env("RECLAIM_TEST_SECRET")
}
reclaim "r" {
  skus          = [env("RECLAIM_TEST_SECRET")]
  signals       = [var.secret, env("RECLAIM_TEST_SECRET")]
  inactive_days = env("RECLAIM_TEST_SECRET")
}
`)
	bad := runCLI("validate", dir)
	if bad.code != exitError {
		t.Fatalf("invalid config: %s", bad)
	}
	for _, r := range []cliResult{ok, bad} {
		if strings.Contains(r.String(), secret) {
			t.Errorf("the secret was printed:\n%s", r)
		}
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
