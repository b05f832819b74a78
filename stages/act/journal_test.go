package act

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

func TestJournalAppendReopenAndExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal", "plan-x.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 10, 2, 11, 500_000_000, time.UTC)
	j.now = func() time.Time { return at }
	for _, ph := range []string{schemas.PhaseIntent, schemas.PhaseDone} {
		if err := j.Append(schemas.JournalEntry{Kind: "apply", PlanID: "x", ActionID: "a1", Phase: ph, Operation: "remove_license",
			UserPrincipalName: "alice@contoso.com", SkuPartNumber: "SPE_E3", DisabledPlans: []string{"p1", "p2"}, MonthlySaving: 36}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	// A crash mid-write leaves a torn line; reopening sets it aside, cuts
	// it, warns, and appends on a fresh line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":3,"pha`)
	f.Close()
	if _, warns, err := ReadJournalWithWarnings(path); err != nil || len(warns) != 1 || !strings.Contains(warns[0], path+":3: the last line is torn") {
		t.Fatalf("read-only look at a torn journal: %v %q", err, warns)
	}
	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if w := j.Warnings(); len(w) != 1 || !strings.Contains(w[0], path+":3: the last line was torn (13 bytes") || !strings.Contains(w[0], "set aside in "+path+".torn-") {
		t.Fatalf("warnings after a torn line: %q", w)
	}
	aside, _ := filepath.Glob(path + ".torn-*")
	if len(aside) != 1 {
		t.Fatalf("torn line set aside in %v", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != `{"seq":3,"pha` {
		t.Fatalf("set-aside file holds %q", b)
	}
	if err := j.Append(schemas.JournalEntry{Kind: "apply", ActionID: "a2", Phase: schemas.PhaseSkipped, Detail: "the user no longer exists"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	entries, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[2].Seq != 3 || entries[2].Phase != schemas.PhaseSkipped {
		t.Fatalf("entries after reopen: %+v", entries)
	}
	if last := LastByAction(entries); last["a1"].Phase != schemas.PhaseDone {
		t.Fatalf("last of a1 = %s", last["a1"].Phase)
	}
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "\n") != 3 || strings.Contains(string(b), `"pha`+"\n") {
		t.Fatalf("journal file:\n%s", b)
	}

	// Analysts read the Parquet export with DuckDB.
	pq := store.JournalParquetPath(path)
	if err := ExportParquet(nil, entries, pq); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var ts time.Time
	var plans string
	row := db.QueryRow(`SELECT count(*) OVER (), time, array_to_string(disabled_plans, ',') FROM read_parquet(?) WHERE phase = 'done'`, pq)
	if err := row.Scan(&n, &ts, &plans); err != nil {
		t.Fatal(err)
	}
	if n != 1 || !ts.Equal(at.Truncate(time.Millisecond)) || plans != "p1,p2" {
		t.Fatalf("duckdb read n=%d time=%v plans=%q", n, ts, plans)
	}
}

// TestJournalGarbledMiddleLine: a line garbled by two unlocked writers (as
// older versions let happen) is reported with its number; the entries on
// either side are still read, and the journal can still be appended to.
func TestJournalGarbledMiddleLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan-x.jsonl")
	lines := []string{
		`{"seq":1,"kind":"apply","action_id":"a1","phase":"intent"}`,
		`{"seq":2,"kind":"apply","action_id":"a1","phase":"done"}`,
		`{"seq":12,"time":"2026-12{"seq":11,"kind":"apply","action_id":"a2","phase":"intent"}`,
		`{"seq":13,"kind":"apply","action_id":"a3","phase":"done"}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, warns, err := ReadJournalWithWarnings(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[2].ActionID != "a3" {
		t.Fatalf("entries: %+v", entries)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], path+":3: skipped a garbled line") {
		t.Fatalf("warnings: %q", warns)
	}
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(schemas.JournalEntry{Kind: "apply", ActionID: "a2", Phase: schemas.PhaseDone}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	entries, _ = ReadJournal(path)
	if len(entries) != 4 || entries[3].Seq != 14 || len(j.Warnings()) != 1 {
		t.Fatalf("after append: %+v (warnings %q)", entries, j.Warnings())
	}
}

// TestJournalAppendsNeverOverwrite: two handles on one journal (two
// processes that somehow both write) each append whole lines at the end;
// neither overwrites the other's, because the file is opened O_APPEND.
func TestJournalAppendsNeverOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan-x.jsonl")
	a, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 3 {
		for _, j := range []*Journal{a, b} {
			if err := j.Append(schemas.JournalEntry{Kind: "apply", ActionID: fmt.Sprintf("%p-%d", j, i), Phase: schemas.PhaseIntent}); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, warns, err := ReadJournalWithWarnings(path)
	if err != nil || len(warns) != 0 || len(entries) != 6 {
		t.Fatalf("%d entries, warnings %q, err %v", len(entries), warns, err)
	}
}
