package transform

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
	"github.com/reclaimhq/reclaim/schemas"
)

// WhenEvaluator evaluates the configuration's exclusion `when` expressions
// against one user at a time, as apply re-reads them live from Microsoft
// Graph just before each change. It is the transform's own evaluation
// (evalWhen over raw.users) on a table raw.users holding only that user:
// the same columns and types (ColumnsOf(schemas.User)), so a predicate
// means the same live as it did at plan time.
//
// It holds one in-memory DuckDB, sandboxed before any configuration SQL
// runs (no file, extension or network access at all); Close releases it.
// Safe for concurrent use (calls are serialised on its one connection). A
// nil *WhenEvaluator matches nothing.
type WhenEvaluator struct {
	mu    sync.Mutex
	e     *engine
	excls []*config.Exclusion
}

// NewLiveWhen prepares the evaluator for cfg's exclusions that have a
// `when`; it returns nil (and no error) when there are none. Each
// expression is checked with pipeline/sqlcheck first, as the transform
// does, so a config edited since validate cannot slip past.
func NewLiveWhen(ctx context.Context, cfg *config.Config) (*WhenEvaluator, error) {
	var excls []*config.Exclusion
	for _, x := range cfg.Exclusions {
		if strings.TrimSpace(x.When) == "" {
			continue
		}
		if err := checkWhen(x); err != nil {
			return nil, err
		}
		excls = append(excls, x)
	}
	if len(excls) == 0 {
		return nil, nil
	}
	cols, err := ColumnsOf(schemas.User{})
	if err != nil {
		return nil, err
	}
	e, err := openEngine(ctx, Settings{Threads: 1})
	if err != nil {
		return nil, err
	}
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = quoteIdent(c.Name) + " " + c.Type
	}
	if err := e.exec(ctx, "CREATE TABLE raw.users ("+strings.Join(defs, ", ")+")"); err != nil {
		e.close()
		return nil, fmt.Errorf("creating the live users table: %w", err)
	}
	// No directory at all: the live check reads nothing but its own table.
	if err := e.sandbox(ctx, nil); err != nil {
		e.close()
		return nil, err
	}
	return &WhenEvaluator{e: e, excls: excls}, nil
}

// Match returns the names of the `when` exclusions (config order) whose
// expression is true for u. Profiles and SKUs are not looked at: the caller
// narrows by them as for any other exclusion. An error names the exclusion.
func (w *WhenEvaluator) Match(ctx context.Context, u schemas.User) ([]string, error) {
	if w == nil {
		return nil, nil
	}
	args := userArgs(u)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.e.exec(ctx, "DELETE FROM raw.users"); err != nil {
		return nil, fmt.Errorf("live when: clearing the users table: %w", err)
	}
	// The live values are bound parameters, never pasted into SQL.
	q := "INSERT INTO raw.users VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")"
	if err := w.e.exec(ctx, q, args...); err != nil {
		return nil, fmt.Errorf("live when: loading user %s: %w", u.ID, err)
	}
	var names []string
	for _, x := range w.excls {
		var n int64
		q := "SELECT count(*) FROM raw.users WHERE (\n" + x.When + "\n)"
		if err := w.e.conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("%s: exclusion %q: when: %s", whenAt(x), x.Name, firstLine(strings.TrimSpace(err.Error())))
		}
		if n > 0 {
			names = append(names, x.Name)
		}
	}
	return names, nil
}

// Close releases the DuckDB database; a nil evaluator is fine.
func (w *WhenEvaluator) Close() {
	if w != nil {
		w.e.close()
	}
}

// userArgs lists u's column values in column order (columnFields, the walk
// ColumnsOf makes), nil pointers as NULL and times in UTC (raw timestamps
// are UTC wall-clock).
func userArgs(u schemas.User) []any {
	v := reflect.ValueOf(u)
	fields := columnFields(v.Type())
	args := make([]any, len(fields))
	for i, f := range fields {
		fv := v.FieldByIndex(f.Index)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue // args[i] stays nil: NULL
			}
			fv = fv.Elem()
		}
		if t, ok := fv.Interface().(time.Time); ok {
			args[i] = t.UTC()
		} else {
			args[i] = fv.Interface()
		}
	}
	return args
}

// checkWhen is the one gate every `when` passes before DuckDB runs it, in the
// transform (evalWhen) and live (NewLiveWhen) alike: pipeline/sqlcheck's
// parse-tree check, which holds the only list of forbidden functions.
func checkWhen(x *config.Exclusion) error {
	if _, err := sqlcheck.Expression(x.When); err != nil {
		return fmt.Errorf("%s: exclusion %q: refused: %s", whenAt(x), x.Name, sqlcheck.Describe("when", err))
	}
	return nil
}

func whenAt(x *config.Exclusion) string {
	if x.WhenRange.Filename == "" {
		return "exclusion " + x.Name
	}
	return x.WhenRange.String()
}
