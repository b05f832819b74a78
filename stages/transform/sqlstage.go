package transform

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// SQLStage is a user-defined table: a DuckDB SELECT over the curated tables
// (by name: recommendations, user_licenses, … and earlier SQL stages)
// producing another curated Parquet table. In HCL:
//
//	sql_stage "NAME" { query = <<-EOT ... EOT }
type SQLStage struct {
	Name string
	// Profiles the stage runs for; empty means every profile.
	Profiles []string
	Query    string
	// QueryRange is where Query's text starts in the config: DuckDB's line
	// numbers are mapped onto it so errors point at the HCL line.
	QueryRange hcl.Range
}

var stageNameRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func (s SQLStage) validate() error {
	if !stageNameRe.MatchString(s.Name) {
		return fmt.Errorf("%s: sql_stage %q: the name must be lowercase letters, digits and _ (it names the table and its directory)", s.QueryRange, s.Name)
	}
	if _, ok := curatedSchema(s.Name); ok {
		return fmt.Errorf("%s: sql_stage %q: the name is a built-in curated table", s.QueryRange, s.Name)
	}
	if _, ok := schemas.RawTable(s.Name); ok {
		return fmt.Errorf("%s: sql_stage %q: the name is a raw table", s.QueryRange, s.Name)
	}
	if strings.TrimSpace(s.Query) == "" {
		return fmt.Errorf("%s: sql_stage %q: query is empty", s.QueryRange, s.Name)
	}
	return nil
}

// appliesTo reports whether the stage runs for the profile.
func (s SQLStage) appliesTo(profile string) bool {
	return config.CoversProfile(s.Profiles, profile)
}

// error maps a DuckDB error onto the stage's source.
func (s SQLStage) error(err error) error {
	file, line := s.QueryRange.Filename, s.QueryRange.Start.Line
	if file == "" {
		file = "sql_stage " + s.Name
	}
	if line == 0 {
		line = 1
	}
	if !lineRe.MatchString(err.Error()) && strings.Contains(err.Error(), "end of input") {
		// DuckDB gives no line for a query that stops short: the last line.
		line += strings.Count(strings.TrimRight(s.Query, "; \t\r\n"), "\n")
		return fmt.Errorf("sql_stage %q: %s:%d: %s", s.Name, file, line, strings.TrimSpace(err.Error()))
	}
	e := sqlError(file, line, 1, err)
	return fmt.Errorf("sql_stage %q: %w", s.Name, e)
}

// refused reports a query pipeline/sqlcheck refused, at its line.
func (s SQLStage) refused(err error) error {
	file, line := s.QueryRange.Filename, max(s.QueryRange.Start.Line, 1)
	if file == "" {
		file = "sql_stage " + s.Name
	}
	var p *sqlcheck.Problem
	if errors.As(err, &p) && p.Line > 0 {
		line += p.Line - 1
	}
	return fmt.Errorf("sql_stage %q: %s:%d: refused: %s", s.Name, file, line, sqlcheck.Describe("the query", err))
}

// runStage creates the stage's table in the engine and writes it where
// output says.
func runStage(ctx context.Context, e *engine, s SQLStage, output func(string) (string, error), st *TableStatus) error {
	if err := s.validate(); err != nil {
		return err
	}
	// Only trailing space and ";" go: leading lines must stay for DuckDB's
	// line numbers to match the file's.
	query := strings.TrimRight(s.Query, "; \t\r\n")
	// One SELECT, reading tables by name: then the CREATE TABLE … AS below
	// is one statement too, and no file is read or written by the query.
	if err := sqlcheck.Select(query); err != nil {
		return s.refused(err)
	}
	if err := e.exec(ctx, "CREATE OR REPLACE TABLE main."+quoteIdent(s.Name)+" AS\n"+query); err != nil {
		return s.error(err)
	}
	n, err := e.count(ctx, "main."+quoteIdent(s.Name))
	if err != nil {
		return s.error(err)
	}
	st.Rows = n
	if err := copyTable(ctx, e, s.Name, output, st); err != nil {
		return fmt.Errorf("sql_stage %q: %w", s.Name, err)
	}
	return nil
}

// SQLStageRequest runs SQL stages over a curated snapshot already on disk.
type SQLStageRequest struct {
	// CuratedDir is OUT/<profile>/curated; every table directory holding
	// the SnapshotDate partition is visible to the query by its name.
	CuratedDir   string
	SnapshotDate time.Time
	Stages       []SQLStage
	DuckDB       Settings
	// Compression: see Request.Compression.
	Compression string
}

// RunSQLStages runs each stage in order (a stage can read the ones before
// it) and writes each one's partition of CuratedDir (store.PartitionPath).
// It stops at the first failing stage; the statuses so far are returned
// with the error, which names the stage's file and line.
func RunSQLStages(ctx context.Context, req SQLStageRequest) ([]TableStatus, error) {
	if req.SnapshotDate.IsZero() {
		return nil, fmt.Errorf("sql stages: SnapshotDate is required")
	}
	snapshot := dayOf(req.SnapshotDate)
	e, err := openEngine(ctx, req.DuckDB)
	if err != nil {
		return nil, err
	}
	defer e.close()
	if e.codec, err = duckDBCodec(req.Compression); err != nil {
		return nil, err
	}
	output := (&Request{CuratedDir: req.CuratedDir, SnapshotDate: snapshot}).output
	dirs, _ := filepath.Glob(filepath.Join(store.PartitionDir(req.CuratedDir, "*", snapshot), "*.parquet"))
	seen := map[string]bool{}
	var tables []string
	for _, f := range dirs {
		name := filepath.Base(filepath.Dir(filepath.Dir(f)))
		if seen[name] || !stageNameRe.MatchString(name) {
			continue
		}
		seen[name] = true
		tables = append(tables, name)
		glob := filepath.Join(store.PartitionDir(req.CuratedDir, name, snapshot), "*.parquet")
		if err := e.exec(ctx, fmt.Sprintf("CREATE VIEW main.%s AS SELECT * FROM read_parquet(%s)", quoteIdent(name), quoteString(glob))); err != nil {
			return nil, fmt.Errorf("opening curated table %s: %w", name, err)
		}
	}
	// The stages' SQL may read the curated snapshot and nothing else.
	if err := e.sandbox(ctx, snapshotDirs(req.CuratedDir, snapshot, req.DuckDB.TempDirectory, tables, stageNames(req.Stages))); err != nil {
		return nil, err
	}
	var out []TableStatus
	for _, s := range req.Stages {
		st := TableStatus{Name: s.Name}
		start := time.Now()
		// A stage replaces the view of its own previous output.
		e.exec(ctx, "DROP VIEW IF EXISTS main."+quoteIdent(s.Name))
		err := runStage(ctx, e, s, output, &st)
		st.Duration = time.Since(start)
		if err != nil {
			st.Status, st.Reason = StatusFailed, err.Error()
			return append(out, st), err
		}
		out = append(out, st)
	}
	return out, nil
}
