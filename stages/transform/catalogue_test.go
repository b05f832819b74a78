package transform

import (
	"context"
	"database/sql"
	"os"
	"path"
	"reflect"
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

// TestStructFieldNames checks structFieldName quotes exactly the nested
// struct fields of the curated schemas that DuckDB counts as keywords (as
// DESCRIBE prints them).
func TestStructFieldNames(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tab := range schemas.CuratedTables {
		rt := reflect.TypeOf(tab.Row)
		for _, f := range columnFields(rt) {
			et := f.Type
			for et.Kind() == reflect.Slice || et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() != reflect.Struct || et == timeType {
				continue
			}
			for _, sf := range columnFields(et) {
				name := strings.Split(sf.Tag.Get("parquet"), ",")[0]
				var n int
				if err := db.QueryRow("SELECT count(*) FROM duckdb_keywords() WHERE keyword_name = ?", name).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if quoted := structFieldName(name) != name; quoted != (n > 0) {
					t.Errorf("%s.%s: structFieldName quotes %q: %t; DuckDB keyword: %t", tab.Name, f.Name, name, quoted, n > 0)
				}
			}
		}
	}
}

// TestRecommendationSignals checks each recommendation carries one entry per
// catalogue signal, in order, and that the analysts' pivot (the query under
// "One column per signal" in docs/analysts.md) gives the per-signal columns
// back over the real curated Parquet.
func TestRecommendationSignals(t *testing.T) {
	res, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	recs := readCurated[schemas.Recommendation](t, res, "recommendations")
	if len(recs) == 0 {
		t.Fatal("no recommendations")
	}
	for _, r := range recs {
		if len(r.Signals) != len(schemas.Signals) {
			t.Fatalf("%s: %d signal entries, want %d", r.UserPrincipalName, len(r.Signals), len(schemas.Signals))
		}
		for i, s := range schemas.Signals {
			if r.Signals[i].Signal != s.Name {
				t.Errorf("%s: entry %d is %q, want %q", r.UserPrincipalName, i, r.Signals[i].Signal, s.Name)
			}
		}
		for _, u := range r.SignalsUnknown {
			if !r.Signal(u).Unknown {
				t.Errorf("%s: %s in signals_unknown but its entry is known", r.UserPrincipalName, u)
			}
		}
	}

	doc, err := os.ReadFile("../../docs/analysts.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(doc), "## One column per signal")
	_, block, _ := strings.Cut(after, "```sql\n")
	block, _, _ = strings.Cut(block, "```")
	st, _ := res.Table("recommendations")
	q := strings.Replace(block, "'OUT/sim/curated/recommendations/*/*.parquet', hive_partitioning = true", quoteString(st.Path), 1)
	if q == block {
		t.Fatal("docs/analysts.md: the pivot query no longer reads OUT/sim/curated/recommendations")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var office365, teams time.Time
	var email sql.NullTime
	err = db.QueryRow("SELECT office365_refresh_date, teams_refresh_date, last_email_date FROM ("+strings.TrimSuffix(strings.TrimSpace(q), ";")+
		") WHERE user_principal_name = 'bob@contoso.example' AND rule = 'e3-inactive'").Scan(&office365, &teams, &email)
	if err != nil {
		t.Fatal(err)
	}
	if office365.Format(time.DateOnly) != "2026-11-18" || teams.Format(time.DateOnly) != "2026-11-13" || email.Valid {
		t.Errorf("bob through the pivot: office365 refresh %v, teams refresh %v, last email %v", office365, teams, email)
	}
}
