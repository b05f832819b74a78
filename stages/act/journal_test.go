package act

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

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
	for _, ph := range []string{PhaseIntent, PhaseDone} {
		if err := j.Append(schemas.JournalEntry{Kind: "apply", PlanID: "x", ActionID: "a1", Phase: ph, Operation: "remove_license",
			UserPrincipalName: "alice@contoso.com", SkuPartNumber: "SPE_E3", DisabledPlans: []string{"p1", "p2"}, MonthlySaving: 36}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	// A crash mid-write leaves a torn line; reopening cuts it and appends
	// on a fresh line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":3,"pha`)
	f.Close()
	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(schemas.JournalEntry{Kind: "apply", ActionID: "a2", Phase: PhaseSkipped, Detail: "the user no longer exists"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	entries, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[2].Seq != 3 || entries[2].Phase != PhaseSkipped {
		t.Fatalf("entries after reopen: %+v", entries)
	}
	if last := LastByAction(entries); last["a1"].Phase != PhaseDone {
		t.Fatalf("last of a1 = %s", last["a1"].Phase)
	}
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "\n") != 3 || strings.Contains(string(b), `"pha`+"\n") {
		t.Fatalf("journal file:\n%s", b)
	}

	// Analysts read the Parquet export with DuckDB.
	pq := ParquetPath(path)
	if err := ExportParquet(entries, pq); err != nil {
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
