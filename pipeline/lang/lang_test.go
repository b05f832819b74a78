package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func eval(t *testing.T, s *Scope, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, diags)
	}
	return expr.Value(s.EvalContext())
}

func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Scope{
		BaseDir:   dir,
		Variables: map[string]cty.Value{"region": cty.StringVal("eu"), "key": MarkSecret(cty.StringVal("k3y-value"))},
		LookupEnv: func(k string) (string, bool) {
			if k == "SET" {
				return "from-env", true
			}
			return "", false
		},
	}
	tests := []struct {
		src       string
		want      string
		sensitive bool
		secret    bool
		err       string // substring of the error detail; "" means success
	}{
		{src: `env("SET")`, want: "from-env", sensitive: true},
		{src: `env("UNSET", "fallback")`, want: "fallback", sensitive: true},
		{src: `env("UNSET")`, err: `environment variable "UNSET" is not set`},
		{src: `env("A", "b", "c")`, err: "at most one default"},
		{src: `trimspace(file("token.txt"))`, want: "from-file", sensitive: true},
		{src: `file("missing.txt")`, err: "no file exists at"},
		{src: `upper(var.region)`, want: "EU"},
		{src: `format("%s-%d", var.region, 3)`, want: "eu-3"},
		{src: `join(",", concat(["a"], split("/", "b/c")))`, want: "a,b,c"},
		{src: `coalesce(null, lower("X"))`, want: "x"},
		{src: `"${var.key}-suffix"`, want: "k3y-value-suffix", sensitive: true, secret: true},
		{src: `upper(var.key)`, want: "K3Y-VALUE", sensitive: true, secret: true},
		{src: `regex(var.key, "(")`, err: "withheld"},
		{src: `regex("(", "x")`, err: "missing closing )"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			v, diags := eval(t, s, tt.src)
			if tt.err != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.err) {
					t.Fatalf("diags = %v; want an error containing %q", diags, tt.err)
				}
				if strings.Contains(diags.Error(), "k3y-value") {
					t.Errorf("error quotes the secret: %v", diags)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if IsSensitive(v) != tt.sensitive || IsSecret(v) != tt.secret {
				t.Errorf("sensitive %v secret %v; want %v %v", IsSensitive(v), IsSecret(v), tt.sensitive, tt.secret)
			}
			plain, _ := Unmark(v)
			if plain.AsString() != tt.want {
				t.Errorf("= %q; want %q", plain.AsString(), tt.want)
			}
		})
	}
}

func TestFunctionNames(t *testing.T) {
	names := strings.Join(FunctionNames(), " ")
	for _, want := range []string{"env", "file", "upper", "lower", "format", "join", "split", "concat", "coalesce"} {
		if !strings.Contains(" "+names+" ", " "+want+" ") {
			t.Errorf("FunctionNames lacks %q: %s", want, names)
		}
	}
}

func TestRedactor(t *testing.T) {
	var r Redactor
	r.Add(cty.StringVal("short"))            // too short to redact
	r.Add(cty.StringVal("  s3cret-token\n")) // redacted with and without the space
	r.Add(cty.ListVal([]cty.Value{cty.StringVal("inner-secret")}))
	got := r.Redact(`a "s3cret-token" b inner-secret c short`)
	if want := `a "(sensitive)" b (sensitive) c short`; got != want {
		t.Errorf("Redact = %q; want %q", got, want)
	}
}

// TestFileBounded: file() refuses what would exhaust memory — a device
// that never ends, a file over MaxFileBytes, a directory — with an error
// naming the path, and reads a file of exactly the limit.
func TestFileBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, []byte(strings.Repeat("a", MaxFileBytes+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "limit.txt"), []byte(strings.Repeat("a", MaxFileBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Scope{BaseDir: dir}
	for _, c := range []struct{ src, want string }{
		{`file("/dev/zero")`, "/dev/zero is not a regular file (it is a device)"},
		{`file("big.txt")`, big + " is larger than 4 MiB"},
		{`file(".")`, "not a regular file (it is a directory)"},
	} {
		_, diags := eval(t, s, c.src)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) {
			t.Errorf("%s: %v; want an error containing %q", c.src, diags, c.want)
		}
	}
	v, diags := eval(t, s, `file("limit.txt")`)
	if v, _ = Unmark(v); diags.HasErrors() || len(v.AsString()) != MaxFileBytes {
		t.Errorf("file of exactly MaxFileBytes: %v", diags)
	}
	// An injected reader is bounded too.
	s.ReadFile = func(string) ([]byte, error) { return make([]byte, MaxFileBytes+1), nil }
	if _, diags := eval(t, s, `file("any")`); !diags.HasErrors() || !strings.Contains(diags.Error(), "larger than 4 MiB") {
		t.Errorf("injected reader, too much: %v", diags)
	}
}
