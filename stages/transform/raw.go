package transform

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// openRaw loads one table raw.<table> per raw table of the snapshot,
// projected and cast through the table's Go schema so the SQL sees exactly
// the documented columns. A table absent from the snapshot (or unreadable)
// becomes an empty table with the same columns, and the returned map says
// why (""= present): activity SQL treats an empty source as an unknown
// signal, and queries that require it are skipped.
func openRaw(ctx context.Context, e *engine, rawDir string, snapshot time.Time) (map[string]string, error) {
	status := map[string]string{}
	for _, t := range schemas.RawTables {
		cols, err := ColumnsOf(t.Row)
		if err != nil {
			return nil, err
		}
		dir := store.PartitionDir(rawDir, t.Name, snapshot)
		files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
		view := "raw." + quoteIdent(t.Name)
		if len(files) > 0 {
			list := make([]string, len(files))
			for i, f := range files {
				list[i] = quoteString(f)
			}
			sel := make([]string, len(cols))
			for i, c := range cols {
				sel[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", quoteIdent(c.Name), c.Type, quoteIdent(c.Name))
			}
			q := fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM read_parquet([%s])", view, strings.Join(sel, ", "), strings.Join(list, ", "))
			// Loaded once into DuckDB's own storage (spilling to the temp
			// directory beyond memory_limit): every query reads several raw
			// tables several times, and Parquet decoding dominated.
			// A file that lacks a documented column fails here, by name.
			err := e.exec(ctx, q)
			if err == nil {
				status[t.Name] = ""
				continue
			}
			status[t.Name] = fmt.Sprintf("raw table %s in %s does not match schemas.%T: %s", t.Name, dir, t.Row, firstLine(err.Error()))
			e.exec(ctx, "DROP TABLE IF EXISTS "+view)
		} else {
			status[t.Name] = fmt.Sprintf("raw table %s is not in snapshot %s", t.Name, snapshot.Format(time.DateOnly))
		}
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, quoteIdent(c.Name))
		}
		if err := e.exec(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT %s WHERE false", view, strings.Join(sel, ", "))); err != nil {
			return nil, fmt.Errorf("creating empty view for %s: %w", t.Name, err)
		}
	}
	return status, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
