package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestTransformBlock(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Transform // DeclRange is checked separately
	}{
		{"absent: defaults", ``, Transform{StaleReportDays: DefaultStaleReportDays}},
		{"empty block: defaults", `transform {}`, Transform{StaleReportDays: DefaultStaleReportDays}},
		{"every argument", `
transform {
  threads           = 2
  memory_limit      = "4GB"
  temp_directory    = "./spill"
  stale_report_days = 3
}`, Transform{Threads: 2, MemoryLimit: "4GB", TempDirectory: "./spill", StaleReportDays: 3}},
		{"binary units and a space", `transform { memory_limit = "512 MiB" }`,
			Transform{MemoryLimit: "512 MiB", StaleReportDays: DefaultStaleReportDays}},
		{"from a variable", `
variable "mem" { default = "1.5GB" }
transform { memory_limit = var.mem }`, Transform{MemoryLimit: "1.5GB", StaleReportDays: DefaultStaleReportDays}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, minimalProfile, tt.src)
			got := *cfg.Transform
			got.DeclRange = hcl.Range{}
			if got != tt.want {
				t.Errorf("transform = %+v; want %+v", got, tt.want)
			}
			if (tt.src == "") != (cfg.Transform.DeclRange.Filename == "") {
				t.Errorf("DeclRange = %v for source %q", cfg.Transform.DeclRange, tt.src)
			}
		})
	}
}

// TestTransformDiagnostics checks each invalid argument is blamed on its
// value (file, line and column), and a duplicate names the first block.
func TestTransformDiagnostics(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		summary string
		file    string
		line    int
		col     int
		detail  string // a substring
	}{
		{"threads zero", []string{"transform {\n  threads = 0\n}"}, "Invalid threads", "b.hcl", 2, 13, "at least 1"},
		{"threads fraction", []string{"transform {\n  threads = 1.5\n}"}, "Invalid number", "b.hcl", 2, 13, "whole number"},
		{"percentage", []string{`transform { memory_limit = "50%" }`}, "Invalid memory_limit", "b.hcl", 1, 28, "no percentage"},
		{"no unit", []string{`transform { memory_limit = "4096" }`}, "Invalid memory_limit", "b.hcl", 1, 28, `"4096" is not`},
		{"stale days", []string{"transform {\n  stale_report_days = -1\n}"}, "Invalid stale_report_days", "b.hcl", 2, 23, "got -1"},
		{"empty temp dir", []string{`transform { temp_directory = "" }`}, "Empty temp_directory", "b.hcl", 1, 30, "must name a directory"},
		{"duplicate across files", []string{"transform {}", "\n\ntransform { threads = 1 }"}, "Duplicate transform block", "c.hcl", 3, 1, "first is at b.hcl:1,1-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadString(t, nil, nil, append([]string{minimalProfile}, tt.files...)...)
			checkOneDiag(t, diags, tt.summary, tt.file, tt.line, tt.col, tt.detail)
		})
	}
}

func checkOneDiag(t *testing.T, diags hcl.Diagnostics, summary, file string, line, col int, detail string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(diags), diags)
	}
	d := diags[0]
	if d.Severity != hcl.DiagError || d.Summary != summary {
		t.Errorf("summary = %q; want error %q", d.Summary, summary)
	}
	if d.Subject == nil {
		t.Fatal("no subject range")
	}
	if d.Subject.Filename != file || d.Subject.Start.Line != line || d.Subject.Start.Column != col {
		t.Errorf("subject = %s; want %s:%d,%d", d.Subject, file, line, col)
	}
	if !strings.Contains(d.Detail, detail) {
		t.Errorf("detail = %q; want it to contain %q", d.Detail, detail)
	}
}

func TestSQLStageBlocks(t *testing.T) {
	src := `
sql_stage "by_department" {
  query = <<-SQL
    SELECT department, count(*) AS n
    FROM user_licenses
    GROUP BY ALL
  SQL
}

sql_stage "one_line" {
  profiles = ["p"]
  query    = "SELECT * FROM by_department"
}
`
	cfg := mustLoad(t, minimalProfile, src)
	if len(cfg.SQLStages) != 2 {
		t.Fatalf("got %d sql stages; want 2", len(cfg.SQLStages))
	}
	tests := []struct {
		name, query string
		line, col   int // of QueryRange's start
		declLine    int
	}{
		// The heredoc's text starts on the line after <<-SQL, its
		// indentation removed.
		{"by_department", "SELECT department, count(*) AS n\nFROM user_licenses\nGROUP BY ALL\n", 4, 5, 2},
		// A quoted string starts just inside the quote.
		{"one_line", "SELECT * FROM by_department", 12, 15, 10},
	}
	for i, tt := range tests {
		s := cfg.SQLStages[i]
		if s.Name != tt.name || s.Query != tt.query {
			t.Errorf("stage %d = %q %q; want %q %q", i, s.Name, s.Query, tt.name, tt.query)
		}
		if s.QueryRange.Filename != "b.hcl" || s.QueryRange.Start.Line != tt.line || s.QueryRange.Start.Column != tt.col {
			t.Errorf("%s: QueryRange = %s; want b.hcl:%d,%d", s.Name, s.QueryRange, tt.line, tt.col)
		}
		if s.DeclRange.Start.Line != tt.declLine {
			t.Errorf("%s: DeclRange = %s; want line %d", s.Name, s.DeclRange, tt.declLine)
		}
		// one_line names profile p; by_department names none: all profiles.
		if everyProfile := s.Name == "by_department"; !s.AppliesTo("p") || s.AppliesTo("other") != everyProfile {
			t.Errorf("%s: profiles %v: AppliesTo(p) %t, AppliesTo(other) %t", s.Name, s.Profiles, s.AppliesTo("p"), s.AppliesTo("other"))
		}
		if cfg.SQLStage(tt.name) != s {
			t.Errorf("SQLStage(%q) did not find it", tt.name)
		}
	}
}

func TestSQLStageDiagnostics(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		summary string
		file    string
		line    int
		col     int
		detail  string
	}{
		{"uppercase name", []string{`sql_stage "ByDept" { query = "SELECT 1" }`}, "Invalid sql_stage name", "b.hcl", 1, 11, `"ByDept" is not`},
		{"leading underscore", []string{`sql_stage "_x" { query = "SELECT 1" }`}, "Invalid sql_stage name", "b.hcl", 1, 11, "lowercase letter"},
		{"curated clash", []string{"\nsql_stage \"user_activity\" { query = \"SELECT 1\" }"}, `sql_stage "user_activity" is a built-in table`, "b.hcl", 2, 11, `"recommendations"`},
		{"raw clash", []string{`sql_stage "sign_ins" { query = "SELECT 1" }`}, `sql_stage "sign_ins" is a raw table`, "b.hcl", 1, 11, "raw table"},
		{"duplicate across files", []string{`sql_stage "x" { query = "SELECT 1" }`, "\nsql_stage \"x\" { query = \"SELECT 2\" }"},
			`Duplicate sql_stage "x"`, "c.hcl", 2, 1, "already declared at b.hcl:1,1-14"},
		{"empty query", []string{"sql_stage \"x\" {\n  query = <<-SQL\n\n  SQL\n}"}, "Empty query", "b.hcl", 2, 11, "SELECT"},
		{"missing query", []string{`sql_stage "x" {}`}, "Missing required argument", "b.hcl", 1, 15, "query"},
		{"unknown argument", []string{"sql_stage \"x\" {\n  query = \"SELECT 1\"\n  profile = [\"p\"]\n}"}, "Unsupported argument", "b.hcl", 3, 3, "profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadString(t, nil, nil, append([]string{minimalProfile}, tt.files...)...)
			checkOneDiag(t, diags, tt.summary, tt.file, tt.line, tt.col, tt.detail)
		})
	}
}

// A query read with file("PATH") is blamed on that file, from its line 1,
// so DuckDB's line numbers point into the .sql file.
func TestSQLStageFromFile(t *testing.T) {
	l := testLoader(map[string]string{"SECRET": "s3cr3t"})
	l.ReadFile = func(name string) ([]byte, error) {
		if name != "cfg/sql/by_sku.sql" {
			t.Errorf("file() read %q", name)
		}
		return []byte("SELECT sku_part_number, count(*) AS n\nFROM user_licenses\nGROUP BY ALL\n"), nil
	}
	cfg, diags := l.LoadSources("cfg", map[string][]byte{
		"a.hcl": []byte(minimalProfile),
		"b.hcl": []byte("sql_stage \"by_sku\" {\n  query = file(\"sql/by_sku.sql\")\n}\n" +
			"sql_stage \"trimmed\" {\n  query = trimspace(file(\"sql/by_sku.sql\"))\n}\n"),
	}, nil)
	for _, d := range diags {
		t.Errorf("unexpected diagnostic: %s", d)
	}
	if len(cfg.SQLStages) != 2 {
		t.Fatalf("got %d stages", len(cfg.SQLStages))
	}
	if r := cfg.SQLStages[0].QueryRange; r.Filename != "cfg/sql/by_sku.sql" || r.Start.Line != 1 {
		t.Errorf("file(): QueryRange = %s; want cfg/sql/by_sku.sql:1", r)
	}
	if !strings.HasPrefix(cfg.SQLStages[0].Query, "SELECT sku_part_number") {
		t.Errorf("query = %q", cfg.SQLStages[0].Query)
	}
	// Anything else: the expression in the configuration.
	if r := cfg.SQLStages[1].QueryRange; r.Filename != "b.hcl" || r.Start.Line != 5 || r.Start.Column != 11 {
		t.Errorf("trimspace(file()): QueryRange = %s; want b.hcl:5,11", r)
	}
}
