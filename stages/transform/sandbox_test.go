package transform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// secretFile writes a file outside any snapshot, as the app's certificate
// would sit on the same host, and returns its path and content.
func secretFile(t *testing.T) (string, string) {
	t.Helper()
	const content = "TOP-SECRET-CERTIFICATE-9f3a"
	path := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, content
}

// TestEngineSandbox drives the engine's second line of defence directly,
// with SQL pipeline/sqlcheck would refuse: once sandboxed, DuckDB reads and
// writes only below the allowed directories (views made before still read
// them), attaches nothing, loads nothing, and cannot be un-sandboxed.
func TestEngineSandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	secret, content := secretFile(t)
	allowed := filepath.Join(t.TempDir(), "curated", "t", "snapshot_date=2026-01-01")
	if err := os.MkdirAll(allowed, 0o755); err != nil {
		t.Fatal(err)
	}
	e, err := openEngine(ctx, Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	inside := filepath.Join(allowed, "part-0.parquet")
	if err := e.exec(ctx, "COPY (SELECT 42 AS n) TO "+quoteString(inside)+" (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(ctx, "CREATE VIEW v AS SELECT * FROM read_parquet("+quoteString(filepath.Join(allowed, "*.parquet"))+")"); err != nil {
		t.Fatal(err)
	}
	if err := e.sandbox(ctx, []string{allowed}); err != nil {
		t.Fatal(err)
	}
	// What the transform itself does keeps working.
	if n, err := e.count(ctx, "v"); err != nil || n != 1 {
		t.Errorf("view over an allowed directory: %d rows, %v", n, err)
	}
	if err := e.copyOut(ctx, "v", filepath.Join(allowed, "out.parquet")); err != nil {
		t.Errorf("writing into an allowed directory: %v", err)
	}
	outside := filepath.Join(filepath.Dir(secret), "written.csv")
	for _, q := range []string{
		"SELECT content FROM read_text(" + quoteString(secret) + ")",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_csv(" + quoteString(secret) + ")",
		"SELECT * FROM " + quoteString(secret),
		"SELECT * FROM read_text(" + quoteString(filepath.Join(allowed, "..", "..", "..", "..", filepath.Base(filepath.Dir(secret)), "app.pem")) + ")",
		"SELECT * FROM read_text(" + quoteString(allowed+"x/a") + ")",
		"SELECT * FROM glob('/etc/*')",
		"COPY (SELECT 1) TO " + quoteString(outside),
		"ATTACH " + quoteString(filepath.Join(filepath.Dir(secret), "x.db")),
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"SET allowed_directories = ['/']",
		"RESET lock_configuration",
	} {
		err := e.exec(ctx, q)
		if err == nil {
			t.Errorf("%s: ran in the sandbox", q)
			continue
		}
		if strings.Contains(err.Error(), content) {
			t.Errorf("%s: the error quotes the secret: %v", q, err)
		}
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("COPY wrote %s outside the sandbox", outside)
	}
}

// TestConfigSQLRefusedAtRun forces each bypass of issue 11 past
// validation (the config is built in Go) and checks the transform refuses
// it at its file and line, leaks nothing of the file it aimed at and
// writes nothing outside the snapshot.
func TestConfigSQLRefusedAtRun(t *testing.T) {
	t.Parallel()
	secret, content := secretFile(t)
	pwned := filepath.Join(filepath.Dir(secret), "pwned.csv")
	rng := hcl.Range{Filename: "exclusions.hcl", Start: hcl.Pos{Line: 4, Column: 10}, End: hcl.Pos{Line: 4, Column: 30}}
	read := "SELECT content FROM read_text(" + quoteString(secret) + ")"
	// The two quotings issue 11 named; the other shapes (a closed WHERE, a
	// second statement) are pipeline/sqlcheck's tests, through the same call.
	whens := []string{
		"department = $$'$$ OR CAST((" + read + ") AS INTEGER) = 1 OR $$'$$ = ''",
		"department = E'\\'' OR CAST((" + read + ") AS INTEGER) = 1 OR '' = E'\\''",
	}
	for _, w := range whens {
		cfg := baseConfig()
		cfg.Exclusions = []*config.Exclusion{{Name: "bad", When: w, WhenRange: rng}}
		out := t.TempDir()
		baseFixture().write(t, out+"/raw")
		_, err := Run(context.Background(), Request{RawDir: out + "/raw", CuratedDir: out + "/curated", AsOf: asOf, Config: cfg, DuckDB: Settings{Threads: 1}})
		if err == nil || !strings.Contains(err.Error(), `exclusions.hcl:4,10-30: exclusion "bad": refused: when`) {
			t.Errorf("when %q: error %v; want it refused at exclusions.hcl:4,10-30", w, err)
		}
		if err != nil && strings.Contains(err.Error(), content) {
			t.Errorf("when %q: the error quotes the file: %v", w, err)
		}
	}

	// The stages are refused before they run, in a real run over the
	// fixture: each fails alone, at its line, and writes nothing.
	out := t.TempDir()
	var stages []SQLStage
	for i, q := range []string{
		"SELECT 1 AS n; COPY (SELECT 1) TO " + quoteString(pwned),
		read,
		"SELECT * FROM " + quoteString(secret),
		"SELECT n FROM range(1) r(n), (" + read + ")",
		"SELECT * FROM read_parquet(" + quoteString(filepath.Join(out, "p", "raw", "*", "*", "*.parquet")) + ")",
	} {
		stages = append(stages, SQLStage{Name: fmt.Sprintf("leak%d", i), Query: "\n" + q, QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 7}}})
	}
	res, err := runStages(t, out, stages)
	if err != nil && strings.Contains(err.Error(), content) {
		t.Errorf("the run's error quotes the file: %v", err)
	}
	curated := filepath.Join(out, "p", "curated")
	for _, s := range stages {
		st, ok := res.Table(s.Name)
		// Line 8 holds the text; a second statement has no place of its own.
		if !ok || st.Status != StatusFailed || !strings.Contains(st.Reason, `sql_stage "`+s.Name+`": stages.hcl:`) || !strings.Contains(st.Reason, "refused: the query") {
			t.Errorf("sql_stage %q: status %+v; want it refused at stages.hcl:LINE", s.Query, st)
		}
		if err == nil || !strings.Contains(err.Error(), `sql_stage "`+s.Name+`"`) {
			t.Errorf("sql_stage %q: the run's error %v does not name it", s.Query, err)
		}
		if strings.Contains(st.Reason, content) {
			t.Errorf("sql_stage %q: the error quotes the file: %v", s.Query, st.Reason)
		}
		if left, _ := filepath.Glob(filepath.Join(curated, s.Name, "*", "*")); len(left) > 0 {
			t.Errorf("sql_stage %q wrote %v", s.Query, left)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Errorf("a configured statement wrote %s", pwned)
	}
}
