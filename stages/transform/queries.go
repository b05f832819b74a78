package transform

import (
	"context"
	"embed"
	"fmt"
	"path"
	"strings"

	"github.com/reclaimhq/reclaim/schemas"
)

// sqlFiles holds one SELECT per curated table, named <table>.sql. Each file
// starts with a header naming its hard inputs:
//
//	-- requires: raw.users, raw.user_license_assignments, user_licenses
//
// A required raw table missing from the snapshot, or a required curated
// table not written, marks the output missing. Raw tables not listed are
// optional: they read as empty when absent.
//
//go:embed sql/*.sql sql/signals/*.sql
var sqlFiles embed.FS

type query struct {
	table    string
	file     string // for error messages: stages/transform/sql/<table>.sql
	text     string
	requires []string
	row      any
	columns  []Column
	// after and needs are set for user SQL stages only: the tables to
	// wait for, and those of them (curated or raw) the query reads.
	after []string
	needs []string
}

// curatedQueries loads the SQL of every curated table in schemas order.
func curatedQueries() ([]query, error) {
	var qs []query
	for _, t := range schemas.CuratedTables {
		b, err := sqlFiles.ReadFile("sql/" + t.Name + ".sql")
		if err != nil {
			return nil, fmt.Errorf("no SQL for curated table %s: %w", t.Name, err)
		}
		cols, err := ColumnsOf(t.Row)
		if err != nil {
			return nil, err
		}
		q := query{table: t.Name, file: path.Join("stages/transform/sql", t.Name+".sql"), text: string(b), row: t.Row, columns: cols}
		for _, line := range strings.Split(q.text, "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- requires:"); ok {
				for _, r := range strings.Split(rest, ",") {
					if r = strings.TrimSpace(r); r != "" {
						q.requires = append(q.requires, r)
					}
				}
			}
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// blocked says why q cannot run, or "".
func (q query) blocked(raw map[string]string, done map[string]string) string {
	for _, r := range q.requires {
		if name, ok := strings.CutPrefix(r, "raw."); ok {
			if why, known := raw[name]; !known {
				return fmt.Sprintf("%s requires unknown raw table %s", q.file, name)
			} else if why != "" {
				return why
			}
			continue
		}
		if why, ok := done[r]; !ok {
			return fmt.Sprintf("%s requires %s, which is computed later or not at all", q.file, r)
		} else if why != "" {
			return fmt.Sprintf("depends on %s, which was not written (%s)", r, why)
		}
	}
	return ""
}

// runPrelude creates the helper views of sql/_prelude.sql, then the
// activity view the signal fragments make (param.signal_activity).
func runPrelude(ctx context.Context, e *engine) error {
	b, err := sqlFiles.ReadFile("sql/_prelude.sql")
	if err != nil {
		return err
	}
	if err := e.exec(ctx, string(b)); err != nil {
		return sqlError("stages/transform/sql/_prelude.sql", 1, 0, err)
	}
	return createActivityView(ctx, e)
}
