package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
)

// dumpParquet renders a Parquet file through a fresh DuckDB: one line per
// row, columns as DuckDB prints them, snapshot_date left out.
func dumpParquet(t *testing.T, path string, exclude ...string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ex := append([]string{"snapshot_date"}, exclude...)
	rows, err := db.Query(fmt.Sprintf("SELECT * EXCLUDE (%s) FROM read_parquet('%s')", strings.Join(ex, ", "), path))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	b.WriteString(strings.Join(cols, " | ") + "\n")
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = formatValue(v)
		}
		b.WriteString(strings.Join(parts, " | ") + "\n")
	}
	return b.String()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return fmt.Sprintf("%.2f", x)
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = formatValue(e)
		}
		return "[" + strings.Join(s, ",") + "]"
	case interface{ Format(string) string }:
		return x.Format("2006-01-02")
	}
	return fmt.Sprint(v)
}

// TestCuratedFilesMatchSchemas opens every curated file in a fresh DuckDB
// and with parquet-go: the columns and types are those of the Go struct
// (the documented contract), and every row decodes into it.
func TestCuratedFilesMatchSchemas(t *testing.T) {
	res, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tab := range schemas.CuratedTables {
		st, ok := res.Table(tab.Name)
		if !ok || st.Status != StatusWritten {
			t.Errorf("%s: %+v", tab.Name, st)
			continue
		}
		want, err := ColumnsOf(tab.Row)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('%s'))", st.Path))
		if err != nil {
			t.Fatal(err)
		}
		var got []Column
		for rows.Next() {
			var c Column
			rows.Scan(&c.Name, &c.Type)
			got = append(got, c)
		}
		rows.Close()
		if diff := sameColumns(got, want); diff != "" {
			t.Errorf("%s: %s", tab.Name, diff)
		}
		// Decoding through parquet-go with the struct, as the act stage does.
		f, err := os.Open(st.Path)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		pf, err := parquet.OpenFile(f, info.Size())
		if err != nil {
			t.Fatal(err)
		}
		r := parquet.NewReader(pf, parquet.SchemaOf(tab.Row))
		row := reflect.New(reflect.TypeOf(tab.Row))
		for i := int64(0); i < st.Rows; i++ {
			if err := r.Read(row.Interface()); err != nil {
				t.Errorf("%s row %d: %v", tab.Name, i, err)
				break
			}
		}
		r.Close()
		f.Close()
		if st.Rows > 0 && tab.Name == "recommendations" {
			rec := row.Elem().Interface().(schemas.Recommendation)
			if rec.SnapshotDate != asOf || rec.AsOf != asOf {
				t.Errorf("recommendation dates decode as %v / %v, want %v", rec.SnapshotDate, rec.AsOf, asOf)
			}
		}
	}
}

// TestGoldenFindings covers the tables other than recommendations.
func TestGoldenFindings(t *testing.T) {
	res, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	var b strings.Builder
	for _, name := range []string{"signal_status", "licence_position", "unassigned_licences", "consolidation", "overlapping_suites", "disabled_licensed_accounts"} {
		st, _ := res.Table(name)
		fmt.Fprintf(&b, "== %s (%d rows)\n%s\n", name, st.Rows, dumpParquet(t, st.Path))
	}
	golden(t, "findings", b.String())
}

// TestGoldenUserActivity pins the activity table for three users: report
// lag (lena), non-interactive sign-ins (carol), failed attempts (bob).
func TestGoldenUserActivity(t *testing.T) {
	f := baseFixture()
	// Dynamics and the apps report for carol.
	carol := f.users[2]
	f.dvUsers = []schemas.DataverseSystemUser{{Environment: "sales", SystemUserID: "su-1", AzureActiveDirectoryObjectID: carol.ID, DomainName: carol.UserPrincipalName}}
	f.dvAudits = []schemas.DataverseAudit{
		{Environment: "sales", AuditID: "a1", CreatedOn: daysAgo(4), Operation: 4, Action: 64, UserID: "su-1"},
		{Environment: "sales", AuditID: "a2", CreatedOn: daysAgo(1), Operation: 1, Action: 1, UserID: "su-1"}, // not an access event
	}
	f.apps = []schemas.ReportM365AppUserDetail{{ReportRefreshDate: dateAgo(3), UserPrincipalName: carol.UserPrincipalName,
		LastActivityDate: dateAgo(20), Windows: boolPtr(true), Web: boolPtr(true), Mac: boolPtr(false)}}
	f.activatns = []schemas.ReportOffice365ActivationsUserDetail{{ReportRefreshDate: dateAgo(3), UserPrincipalName: carol.UserPrincipalName, ProductType: "MICROSOFT 365 APPS FOR ENTERPRISE", LastActivatedDate: dateAgo(300)}}
	f.signIns = []schemas.SignIn{
		{ID: "s1", CreatedDateTime: daysAgo(5), UserID: carol.ID, StatusErrorCode: 0, IsInteractive: true},
		{ID: "s2", CreatedDateTime: daysAgo(1), UserID: carol.ID, StatusErrorCode: 50126, IsInteractive: true}, // failed
	}
	res, _ := runFixture(t, f, baseConfig(), nil)
	st, _ := res.Table("user_activity")
	var b strings.Builder
	for _, line := range strings.Split(dumpParquet(t, st.Path, "user_id"), "\n") {
		if strings.HasPrefix(line, "user_principal_name") || strings.HasPrefix(line, "bob@") || strings.HasPrefix(line, "carol@") || strings.HasPrefix(line, "lena@") {
			b.WriteString(line + "\n")
		}
	}
	golden(t, "user_activity", b.String())
}

func TestMissingRawTables(t *testing.T) {
	f := baseFixture()
	f.skip[schemas.TableSubscribedSkus] = true
	res, _ := runFixture(t, f, baseConfig(), nil)
	want := map[string]string{
		"signal_status": StatusWritten, "user_licenses": StatusWritten, "user_activity": StatusWritten,
		"recommendations": StatusWritten, "licence_position": StatusMissing, "unassigned_licences": StatusMissing,
		"consolidation": StatusMissing, "overlapping_suites": StatusMissing, "disabled_licensed_accounts": StatusWritten,
	}
	for name, status := range want {
		st, _ := res.Table(name)
		if st.Status != status {
			t.Errorf("%s: status %s (%s), want %s", name, st.Status, st.Reason, status)
		}
	}
	st, _ := res.Table("unassigned_licences")
	if !strings.Contains(st.Reason, "licence_position") {
		t.Errorf("unassigned_licences reason %q should name licence_position", st.Reason)
	}
	st, _ = res.Table("licence_position")
	if !strings.Contains(st.Reason, "subscribed_skus is not in snapshot 2026-11-20") {
		t.Errorf("licence_position reason %q", st.Reason)
	}

	f = baseFixture()
	f.skip[schemas.TableUsers] = true
	out := t.TempDir()
	f.write(t, out+"/raw")
	res, err := Run(context.Background(), Request{RawDir: out + "/raw", CuratedDir: out + "/curated", AsOf: asOf, Config: baseConfig()})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("Run without users: err = %v, want ErrPartial", err)
	}
	for _, st := range res.Tables {
		if st.Status == StatusWritten && st.Name != "licence_position" && st.Name != "unassigned_licences" {
			t.Errorf("%s written without users", st.Name)
		}
	}
}

func TestExclusionWhenErrors(t *testing.T) {
	rng := hcl.Range{Filename: "exclusions.hcl", Start: hcl.Pos{Line: 4, Column: 10}, End: hcl.Pos{Line: 4, Column: 30}}
	for _, c := range []struct{ when, want string }{
		{"departmnt = 'Legal'", `exclusions.hcl:4,10-30: exclusion "bad": when: Binder Error: Referenced column "departmnt" not found`},
		{"department = 'Legal' AND", `exclusions.hcl:4,10-30: exclusion "bad": refused: when: DuckDB cannot parse it: it ends before the expression is complete`},
		{"true; DROP TABLE x", `exclusions.hcl:4,10-30: exclusion "bad": refused: when: DuckDB cannot parse it: syntax error at or near ";"`},
		{"id IN (SELECT id FROM raw.users)", `refused: when may not contain a sub-query`},
		{"display_name = 'select; from'", ""}, // keywords inside strings are fine
	} {
		cfg := baseConfig()
		cfg.Exclusions = []*config.Exclusion{{Name: "bad", When: c.when, WhenRange: rng}}
		out := t.TempDir()
		baseFixture().write(t, out+"/raw")
		_, err := Run(context.Background(), Request{RawDir: out + "/raw", CuratedDir: out + "/curated", AsOf: asOf, Config: cfg})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("when %q: %v", c.when, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("when %q: error %v, want it to contain %q", c.when, err, c.want)
		}
	}
}

// TestReproducible: the same snapshot, config and as_of give the same
// recommendations, whatever the clock says.
func TestReproducible(t *testing.T) {
	a, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	b, _ := runFixture(t, baseFixture(), baseConfig(), func(r *Request) { r.DuckDB.Threads = 2 })
	sa, _ := a.Table("recommendations")
	sb, _ := b.Table("recommendations")
	if da, db := dumpParquet(t, sa.Path), dumpParquet(t, sb.Path); da != db {
		t.Errorf("two runs differ:\n%s\n%s", da, db)
	}
}

// TestCuratedTablesDocumented: docs/schemas.md documents every curated
// column with the type the SQL produces.
func TestCuratedTablesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/schemas.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	curated := strings.Index(text, "\n## Curated tables\n")
	if curated < 0 {
		t.Fatal(`docs/schemas.md: no "## Curated tables" section`)
	}
	text = text[curated:]
	for _, tab := range schemas.CuratedTables {
		start := strings.Index(text, "\n### "+tab.Name+"\n")
		if start < 0 {
			t.Errorf("docs/schemas.md: no section \"### %s\" under Curated tables", tab.Name)
			continue
		}
		section := text[start+1:]
		if end := strings.Index(section[4:], "\n#"); end >= 0 {
			section = section[:end+4]
		}
		cols, err := ColumnsOf(tab.Row)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			if !strings.Contains(section, "| `"+c.Name+"` | "+c.Type+" |") {
				t.Errorf("docs/schemas.md %s: column %s (%s) not documented", tab.Name, c.Name, c.Type)
			}
		}
	}
}
