package transform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
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
