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
	res, out := runFixture(t, baseFixture(), baseConfig(), func(r *Request) {
		r.SQLStages = []SQLStage{stage,
			{Name: "for_p", Profiles: []string{"other", "p"}, Query: "SELECT 1 AS n"},
			{Name: "for_other", Profiles: []string{"other"}, Query: "SELECT 1 AS n"}}
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

	// The same query as a standalone stage over the files on disk, chained
	// with a second stage reading the first.
	curated := filepath.Join(out, "p", "curated")
	sts, err := RunSQLStages(context.Background(), SQLStageRequest{CuratedDir: curated, SnapshotDate: asOf, Stages: []SQLStage{
		stage,
		{Name: "total", Query: "SELECT sum(monthly_saving) AS monthly_saving FROM savings_by_department"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpParquet(t, sts[1].Path); got != "monthly_saving\n247.00\n" {
		t.Errorf("chained stage:\n%s", got)
	}

	// Errors name the HCL file and the line inside the query.
	for _, c := range []struct {
		stage SQLStage
		want  string
	}{
		{SQLStage{Name: "bad", Query: "SELECT user_id\nFROM recommendations\nWHERE AND", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 10}}},
			`sql_stage "bad": stages.hcl:12: refused: the query: DuckDB cannot parse it: syntax error at or near "AND"`},
		{SQLStage{Name: "missing", Query: "SELECT * FROM no_such_table", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 4}}},
			`stages.hcl:4: Catalog Error: Table with name no_such_table does not exist`},
		{SQLStage{Name: "Bad-Name", Query: "SELECT 1"}, `the name must be lowercase letters`},
		{SQLStage{Name: "recommendations", Query: "SELECT 1"}, `the name is a built-in curated table`},
	} {
		_, err := RunSQLStages(context.Background(), SQLStageRequest{CuratedDir: curated, SnapshotDate: asOf, Stages: []SQLStage{c.stage}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("stage %s: error %v, want %q", c.stage.Name, err, c.want)
		}
	}
}
