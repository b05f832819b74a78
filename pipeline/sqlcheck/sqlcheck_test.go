package sqlcheck

import (
	"slices"
	"strings"
	"testing"
)

// TestExpressionRefuses covers the ways issue 11 found to hide a sub-query
// or a second statement from the old word list, and the other ways out of
// one expression.
func TestExpressionRefuses(t *testing.T) {
	tests := []struct{ name, when, want string }{
		{"dollar-quoted string hides a sub-query", `department = $$'$$ OR id IN (SELECT content FROM read_text('/etc/passwd')) OR $$'$$ = ''`, "sub-query"},
		{"E-string hides a sub-query", `department = E'\'' OR id IN (SELECT content FROM read_text('/etc/passwd')) OR '' = E'\''`, "sub-query"},
		{"scalar sub-query", `(SELECT count(*) FROM read_text('/etc/passwd')) > 0`, "sub-query"},
		{"semicolon", `true; COPY (SELECT 1) TO '/tmp/x'`, "cannot parse"},
		{"second statement", `true); SELECT 1 WHERE (true`, "more than one statement"},
		{"second statement COPY", `true); COPY (SELECT 1) TO '/tmp/x'; SELECT (1`, "second statement"},
		{"closes the WHERE: union", "1=1) UNION SELECT content FROM read_text('/etc/passwd') WHERE (true", "more than one expression"},
		{"closes the WHERE: comment", "1=1) UNION SELECT content FROM read_text('/etc/passwd') --", "cannot parse"},
		{"closes the WHERE: order by", "true) ORDER BY (1", "more than one expression"},
		{"closes the WHERE: group by", "true) GROUP BY ALL HAVING (true", "more than one expression"},
		{"getenv", `getenv('HOME') <> ''`, "getenv"},
		{"current_setting", `current_setting('temp_directory') <> ''`, "current_setting"},
		{"qualified function", `main.lower(department) = 'x'`, "schema"},
		{"star", `COLUMNS(*) IS NOT NULL`, "COLUMNS"},
		{"attach", `true); ATTACH '/tmp/x.db'; SELECT (1`, "second statement"},
		{"not SQL", `department = = 'x'`, "cannot parse"},
		{"deep", strings.Repeat("(", 100000) + "true" + strings.Repeat(")", 100000), "cannot parse"},
		{"deep NOT", strings.Repeat("NOT ", 2000) + "true", "depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Expression(tt.when)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Expression(%.60q) = %v; want an error containing %q", tt.when, err, tt.want)
			}
			if !IsProblem(err) {
				t.Errorf("error %v is not a *Problem", err)
			}
		})
	}
}

func TestExpressionAccepts(t *testing.T) {
	tests := []struct {
		when string
		cols []string
	}{
		{`department = 'Legal'`, []string{"department"}},
		{`department = 'R&D; SELECT team' AND "country" IN ('DE', 'FR')`, []string{"department", "country"}},
		{`lower(job_title) LIKE '%admin%' AND created_date_time < current_date - INTERVAL 30 DAY`, []string{"job_title", "created_date_time"}},
		{`CASE WHEN account_enabled THEN usage_location::VARCHAR <> '' ELSE false END`, []string{"account_enabled", "usage_location"}},
		{"department = 'IT' -- a comment", []string{"department"}},
		{`id BETWEEN 'a' AND 'b' AND user_type IS NOT NULL`, []string{"id", "user_type"}},
	}
	for _, tt := range tests {
		cols, err := Expression(tt.when)
		if err != nil {
			t.Errorf("Expression(%q): %v", tt.when, err)
			continue
		}
		if !slices.Equal(cols, tt.cols) && !sameSet(cols, tt.cols) {
			t.Errorf("Expression(%q) columns = %v; want %v", tt.when, cols, tt.cols)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestSelectRefuses(t *testing.T) {
	tests := []struct{ name, query, want string }{
		{"read_text", `SELECT content FROM read_text('/etc/passwd')`, "read_text"},
		{"read_text in a sub-query", `SELECT (SELECT content FROM read_text('/etc/passwd')) AS c FROM recommendations`, "read_text"},
		{"read_csv in a CTE", `WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x`, "read_csv"},
		{"replacement scan of a file", `SELECT * FROM '/etc/passwd'`, "not files"},
		{"replacement scan with a dot", `SELECT * FROM "secret.csv"`, "not files"},
		{"glob", `SELECT * FROM glob('/etc/*')`, "glob"},
		{"query", `SELECT * FROM query('SELECT 1')`, "query"},
		{"read_parquet of another snapshot", `SELECT * FROM read_parquet('/out/p/curated/*/*/*.parquet')`, "read_parquet"},
		{"second statement COPY", `SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'`, "other than SELECT"},
		{"second statement SELECT", `SELECT 1; SELECT 2`, "2 statements"},
		{"COPY", `COPY (SELECT 1) TO '/tmp/x.csv'`, "other than SELECT"},
		{"ATTACH", `ATTACH '/tmp/x.db'`, "other than SELECT"},
		{"INSTALL", `INSTALL httpfs`, "other than SELECT"},
		{"LOAD", `LOAD httpfs`, "other than SELECT"},
		{"DESCRIBE a file", `SELECT * FROM (DESCRIBE '/etc/passwd')`, "DESCRIBE"},
		{"getenv", `SELECT getenv('HOME') AS h`, "getenv"},
		{"another catalog", `SELECT * FROM other.main.t`, "other"},
		{"dollar-quoted file name", `SELECT * FROM read_text($$/etc/passwd$$)`, "read_text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Select(tt.query)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Select(%q) = %v; want an error containing %q", tt.query, err, tt.want)
			}
		})
	}
}

func TestSelectAccepts(t *testing.T) {
	for _, q := range []string{
		`SELECT department, count(*) AS n FROM recommendations r LEFT JOIN raw.users u ON u.id = r.user_id GROUP BY ALL ORDER BY n DESC`,
		`WITH a AS (SELECT 1 AS x) SELECT * FROM a, range(3) r(i)`,
		`SELECT * FROM main.user_licenses WHERE sku_part_number = 'x' UNION ALL SELECT * FROM user_licenses`,
		`SELECT 1 AS n;`,
	} {
		if err := Select(q); err != nil {
			t.Errorf("Select(%q): %v", q, err)
		}
	}
}

// TestProblemOffset: a refused node is placed in the checked text, so the
// config can say where.
func TestProblemOffset(t *testing.T) {
	when := `department = 'x' OR getenv('HOME') <> ''`
	_, err := Expression(when)
	p, ok := err.(*Problem)
	if !ok || p.Offset != strings.Index(when, "getenv") {
		t.Fatalf("Expression: %v (offset %v); want the offset of getenv, %d", err, p, strings.Index(when, "getenv"))
	}
}
