package ui

import (
	"bytes"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestWriteDiagnostics(t *testing.T) {
	src := []byte("profile \"p\" {\n\tcolour = \"blue\"\n  when = \"a\n    b\"\n}\n")
	files := map[string]*hcl.File{"main.hcl": {Bytes: src}}
	rng := func(sl, sc, sb, el, ec, eb int) *hcl.Range {
		return &hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: sl, Column: sc, Byte: sb}, End: hcl.Pos{Line: el, Column: ec, Byte: eb}}
	}
	tests := []struct {
		name string
		diag *hcl.Diagnostic
		want string
	}{
		{
			name: "tab-indented subject keeps the caret under it",
			diag: &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument",
				Detail: `An argument named "colour" is not expected here.`, Subject: rng(2, 2, 15, 2, 8, 21)},
			want: "main.hcl:2,2: error: Unsupported argument\n" +
				"  An argument named \"colour\" is not expected here.\n\n" +
				"  2 | \tcolour = \"blue\"\n" +
				"    | \t^^^^^^\n\n",
		},
		{
			name: "multi-line subject underlines to the end of its first line",
			diag: &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Odd", Subject: rng(3, 10, 40, 4, 7, 47)},
			want: "main.hcl:3,10: warning: Odd\n\n" +
				"  3 |   when = \"a\n" +
				"    |          ^^\n\n",
		},
		{
			name: "empty subject gets one caret",
			diag: &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing", Subject: rng(1, 13, 12, 1, 13, 12)},
			want: "main.hcl:1,13: error: Missing\n\n" +
				"  1 | profile \"p\" {\n" +
				"    |             ^\n\n",
		},
		{
			name: "no subject",
			diag: &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No profile", Detail: "Add one."},
			want: "error: No profile\n  Add one.\n\n",
		},
		{
			name: "unknown file: position without source",
			diag: &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Gone", Subject: &hcl.Range{Filename: "other.hcl", Start: hcl.Pos{Line: 7, Column: 1}}},
			want: "other.hcl:7,1: error: Gone\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteDiagnostics(&buf, files, hcl.Diagnostics{tt.diag}); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", buf.String(), tt.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	e, w := Count(hcl.Diagnostics{{Severity: hcl.DiagError}, {Severity: hcl.DiagWarning}, {Severity: hcl.DiagError}})
	if e != 2 || w != 1 {
		t.Errorf("Count = %d, %d; want 2, 1", e, w)
	}
}
