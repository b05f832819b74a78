package transform

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestSQLStages(t *testing.T) {
	stage := SQLStage{Name: "savings_by_department", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 3, Column: 11}},
		Query: `SELECT u.department, count(*) AS recommendations, sum(r.monthly_saving) AS monthly_saving
FROM recommendations r JOIN user_licenses l USING (user_id, sku_id)
JOIN (SELECT user_principal_name, CASE WHEN user_principal_name LIKE 'oscar%' THEN 'Board' ELSE 'Staff' END AS department FROM user_licenses GROUP BY 1) u
  ON u.user_principal_name = r.user_principal_name
WHERE NOT r.suppressed GROUP BY 1 ORDER BY 1;`}
	res, _ := runFixture(t, baseFixture(), baseConfig(), func(r *Request) {
		r.SQLStages = []SQLStage{stage,
			{Name: "for_p", Profiles: []string{"other", "p"}, Query: "SELECT 1 AS n"},
			{Name: "for_other", Profiles: []string{"other"}, Query: "SELECT 1 AS n"},
			{Name: "total", Query: "SELECT sum(monthly_saving) AS monthly_saving FROM savings_by_department"}}
	})
	st, ok := res.Table("savings_by_department")
	if !ok || st.Status != StatusWritten || st.Rows != 1 {
		t.Fatalf("stage status %+v", st)
	}
	// A stage for other profiles is not computed for this one.
	if st, ok := res.Table("for_p"); !ok || st.Status != StatusWritten {
		t.Errorf("for_p: %+v, %t", st, ok)
	}
	if st, ok := res.Table("for_other"); ok {
		t.Errorf("for_other ran for profile p: %+v", st)
	}
	got := dumpParquet(t, st.Path)
	if lines := strings.Split(strings.TrimSpace(got), "\n"); len(lines) != 2 ||
		lines[0] != "department | recommendations | monthly_saving" ||
		!(strings.HasPrefix(lines[1], "Board | ") || strings.HasPrefix(lines[1], "Staff | ")) {
		t.Fatalf("stage output:\n%s", got)
	}

	// A stage reads the ones before it by name.
	if got := dumpParquet(t, chained(t, res).Path); got != "monthly_saving\n247.00\n" {
		t.Errorf("chained stage:\n%s", got)
	}

	// Errors name the HCL file and the line inside the query. Each failing
	// stage fails alone, in one run: its status carries the error, and the
	// run's error joins them all.
	cases := []struct {
		stage SQLStage
		want  string
	}{
		{SQLStage{Name: "bad", Query: "SELECT user_id\nFROM recommendations\nWHERE AND", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 10}}},
			`sql_stage "bad": stages.hcl:12: refused: the query: DuckDB cannot parse it: syntax error at or near "AND"`},
		{SQLStage{Name: "missing", Query: "SELECT * FROM no_such_table", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 4}}},
			`stages.hcl:4: Catalog Error: Table with name no_such_table does not exist`},
		{SQLStage{Name: "Bad-Name", Query: "SELECT 1"}, `the name must be lowercase letters`},
		{SQLStage{Name: "recommendations", Query: "SELECT 1"}, `the name is a built-in curated table`},
	}
	var bad []SQLStage
	for _, c := range cases {
		bad = append(bad, c.stage)
	}
	res, err := runStages(t, t.TempDir(), bad)
	for i, c := range cases {
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("stage %s: run error %v, want %q", c.stage.Name, err, c.want)
		}
		// The built-in recommendations come first; the stages' statuses
		// follow in order.
		st := res.Tables[len(res.Tables)-len(cases)+i]
		if st.Name != c.stage.Name || st.Status != StatusFailed || !strings.Contains(st.Reason, c.want) {
			t.Errorf("stage %s: status %+v, want failed with %q", c.stage.Name, st, c.want)
		}
	}
}

// chained is the status of the "total" stage TestSQLStages adds after
// savings_by_department, reading it.
func chained(t *testing.T, res *Result) TableStatus {
	t.Helper()
	st, ok := res.Table("total")
	if !ok || st.Status != StatusWritten {
		t.Fatalf("total: %+v, %t", st, ok)
	}
	return st
}

// runStages runs the transform of profile p over the base fixture, written
// to out/p/raw, with stages as the configuration's sql stages, and returns
// the run's error (which runFixture treats as fatal).
func runStages(t *testing.T, out string, stages []SQLStage) (*Result, error) {
	t.Helper()
	raw := filepath.Join(out, "p", "raw")
	baseFixture().write(t, raw)
	res, err := Run(context.Background(), Request{Profile: "p", RawDir: raw, CuratedDir: filepath.Join(out, "p", "curated"),
		AsOf: asOf, Config: baseConfig(), DuckDB: Settings{Threads: 1, MemoryLimit: "512MB"}, SQLStages: stages})
	if res == nil {
		t.Fatalf("Run: no result: %v", err)
	}
	return res, err
}
