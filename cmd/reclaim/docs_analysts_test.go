package main

import (
	"database/sql"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/simtenant"
)

// TestAnalystsQueries keeps docs/analysts.md honest: every ```sql block in it
// runs on DuckDB against the snapshots of a real "reclaim run" of the demo
// configuration on the simulated tenant (and the journal of an apply), and the headline query (waste per
// SKU) returns rows.
func TestAnalystsQueries(t *testing.T) {
	doc, err := os.ReadFile("../../docs/analysts.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 5 {
		t.Fatalf("docs/analysts.md has %d SQL blocks; the test expects the documented handful", len(blocks))
	}

	srv, err := simtenant.Start(simtenant.Options{Users: 300, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := t.TempDir()
	vars := demoVars(srv, out)
	// run, plan and apply, so that the journal query has a journal to read.
	planFile := out + "/plan.json"
	for _, args := range [][]string{
		{"run", "../../examples/demo", "--progress", "log"},
		{"plan", "../../examples/demo", "-out", planFile},
		{"apply", planFile, "--auto-approve", "--writes-per-second", "500"},
	} {
		if r := runCLI(append(args, vars...)...); r.code != exitOK {
			t.Fatalf("reclaim %s: %s", args[0], r)
		}
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, b := range blocks {
		q := strings.ReplaceAll(b[1], "OUT/", out+"/")
		rows, err := db.Query(q)
		if err != nil {
			t.Errorf("query %d of docs/analysts.md fails: %v\n%s", i+1, err, b[1])
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("query %d: %v", i+1, err)
		}
		rows.Close()
		if i == 0 && n == 0 {
			t.Errorf("the waste-per-SKU query returned no rows")
		}
	}
}

// demoVars are the -var flags that point examples/demo at a simulated tenant
// and an output directory (the client secret comes from the environment, or
// the caller appends it).
func demoVars(srv *simtenant.Server, out string) []string {
	return []string{"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(),
		"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID(),
		"-var", "output_dir=" + out}
}
