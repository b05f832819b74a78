package transform

import (
	"context"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
)

// TestSignalFragmentsMatchCatalogue checks every catalogue signal has its
// SQL fragment (sql/signals/<name>.sql) and every fragment a catalogue
// entry, and that a fragment produces rows of its own signal only.
func TestSignalFragmentsMatchCatalogue(t *testing.T) {
	frags, err := signalFragments()
	if err != nil {
		t.Fatal(err)
	}
	files, err := fragmentFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".sql")
		if _, ok := schemas.SignalNamed(name); !ok {
			t.Errorf("%s: no signal %q in schemas.Signals", f, name)
		}
	}
	if len(files) != len(schemas.Signals) {
		t.Errorf("%d fragments for %d signals", len(files), len(schemas.Signals))
	}
	for _, f := range frags {
		if !strings.Contains(f.text, "'"+f.signal+"'") {
			t.Errorf("%s: never names its signal %q", f.file, f.signal)
		}
	}
}

// TestCatalogueViews builds the parameter tables, the prelude and the
// activity view over an empty raw snapshot (every raw table absent reads as
// empty): each fragment binds, and param.signals lists the catalogue in
// order with the guard reports last.
func TestCatalogueViews(t *testing.T) {
	ctx := context.Background()
	e, err := openEngine(ctx, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	raw, err := openRaw(ctx, e, t.TempDir(), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Config: &config.Config{}, Profile: "p"}
	if err := loadParams(ctx, e, req, raw); err != nil {
		t.Fatal(err)
	}
	if err := runPrelude(ctx, e); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := e.db.QueryContext(ctx, "SELECT signal FROM param.signals ORDER BY ord")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	var want []string
	for _, s := range schemas.Signals {
		want = append(want, s.Name)
	}
	for _, g := range schemas.GuardReports {
		want = append(want, g.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("param.signals = %v, want %v", got, want)
	}
	var n int
	if err := e.db.QueryRowContext(ctx, "SELECT count(*) FROM param.signal_activity").Scan(&n); err != nil || n != 0 {
		t.Errorf("param.signal_activity over an empty snapshot: %d rows, %v", n, err)
	}
}
