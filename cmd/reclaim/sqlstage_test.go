package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages/transform"
)

// sqlStageMain is the profile half of the configurations below; the
// transform and sql_stage blocks go in stages.hcl so errors must name that
// file.
const sqlStageMain = `
variable "secret" {
  sensitive = true
}
variable "url" {}
variable "ca" {}
variable "out" {}
variable "tmp" {}

profile "sim" {
  tenant_id      = "%s"
  client_id      = "%s"
  client_secret  = var.secret
  graph_endpoint = var.url
  login_endpoint = var.url
  ca_file        = var.ca
}

# Declared so a stage can be limited to it; the runs here use --profile sim.
profile "other" {
  tenant_id     = "%s"
  client_id     = "%s"
  client_secret = var.secret
}

reclaim "inactive_o365" {
  skus          = ["SPE_E3", "SPE_E5"]
  signals       = ["office365"]
  inactive_days = 60
  action        = "report"
}

output {
  dir = var.out
}

transform {
  threads           = 1
  memory_limit      = "1GB"
  temp_directory    = var.tmp
  # The simulator's reports lag two days: with a one-day limit the
  # office365 signal must come out unknown.
  stale_report_days = 1
}
`

const sqlStageGood = `
sql_stage "licences_by_department" {
  query = <<-SQL
    SELECT u.department, l.sku_part_number, count(*) AS licences
    FROM user_licenses l
    JOIN raw.users u ON u.id = l.user_id
    GROUP BY ALL
    ORDER BY ALL
  SQL
}

# A stage reads the ones declared before it.
sql_stage "department_count" {
  query = "SELECT count(DISTINCT department) AS departments FROM licences_by_department"
}

sql_stage "only_other" {
  profiles = ["other"]
  query    = "SELECT 1 AS n"
}
`

const sqlStageBroken = `
sql_stage "broken" {
  query = <<-SQL
    SELECT sku_part_number,
           count(*) AS n
    FROM user_licenses
    WHERE no_such_column > 0
    GROUP BY ALL
  SQL
}

sql_stage "after_broken" {
  query = "SELECT count(*) AS n FROM recommendations"
}
`

// TestRunSQLStages runs reclaim run against the simulated tenant with a
// transform block and sql_stage blocks: the stages' Parquet holds what the
// same SQL gives over the curated and raw snapshots, the transform block
// reaches DuckDB and the staleness check, and a stage DuckDB cannot bind
// (a syntax error is refused earlier, by validation) is reported at its
// file and line while every other table is written.
func TestRunSQLStages(t *testing.T) {
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	day := "snapshot_date=" + today.Format(time.DateOnly)
	srv, err := simtenant.Start(simtenant.Options{Users: 200, Seed: 5, Today: today, CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	run := func(t *testing.T, stagesHCL string) (string, string, cliResult) {
		t.Helper()
		work := t.TempDir()
		cfgDir, out, tmp := filepath.Join(work, "config"), filepath.Join(work, "data"), filepath.Join(work, "spill")
		if err := os.MkdirAll(cfgDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, src := range map[string]string{
			"main.hcl":   fmt.Sprintf(sqlStageMain, srv.TenantID(), srv.ClientID(), srv.TenantID(), srv.ClientID()),
			"stages.hcl": stagesHCL,
		} {
			if err := os.WriteFile(filepath.Join(cfgDir, name), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := runCLI("run", cfgDir, "--as-of", today.Format(time.DateOnly), "--progress", "log", "--sign-in-log=false", "--profile", "sim",
			"-var", "secret="+srv.ClientSecret(), "-var", "url="+srv.URL(), "-var", "ca="+srv.CAFile(),
			"-var", "out="+out, "-var", "tmp="+tmp)
		if _, err := os.Stat(tmp); err != nil {
			t.Errorf("temp_directory was not handed to DuckDB: %v", err)
		}
		return cfgDir, filepath.Join(out, "sim", "curated"), r
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows := func(t *testing.T, q string) []string {
		t.Helper()
		rs, err := db.Query(q)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			var a, b any
			var n int64
			if err := rs.Scan(&a, &b, &n); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%v|%v|%d", a, b, n))
		}
		return out
	}

	t.Run("good", func(t *testing.T) {
		_, curated, r := run(t, sqlStageGood)
		if r.code != exitOK {
			t.Fatalf("run: %s", r)
		}
		for _, want := range []string{"licences_by_department", "department_count"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("run summary lacks %s:\n%s", want, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, `skipped: sql_stage "only_other" is for profiles other`) {
			t.Errorf("run summary does not show only_other skipped for profile sim:\n%s", r.stdout)
		}
		if _, err := os.Stat(filepath.Join(curated, "only_other")); err == nil {
			t.Error("only_other was written for profile sim")
		}
		stage := filepath.Join(curated, "licences_by_department", day, "part-0.parquet")
		got := rows(t, fmt.Sprintf("SELECT department, sku_part_number, licences FROM read_parquet('%s') ORDER BY ALL", stage))
		// The same aggregate, computed here from the snapshots on disk.
		raw := filepath.Join(filepath.Dir(curated), "raw", "users", day, "part-0.parquet")
		want := rows(t, fmt.Sprintf(`SELECT u.department, l.sku_part_number, count(*)
			FROM read_parquet('%s') l JOIN read_parquet('%s') u ON u.id = l.user_id
			GROUP BY ALL ORDER BY ALL`, filepath.Join(curated, "user_licenses", day, "part-0.parquet"), raw))
		if len(want) < 2 {
			t.Fatalf("the tenant's licences span %d department × SKU pairs: the test proves nothing", len(want))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("licences_by_department:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var departments, distinct int64
		if err := db.QueryRow(fmt.Sprintf("SELECT departments FROM read_parquet('%s')",
			filepath.Join(curated, "department_count", day, "part-0.parquet"))).Scan(&departments); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(fmt.Sprintf("SELECT count(DISTINCT department) FROM read_parquet('%s')", stage)).Scan(&distinct); err != nil {
			t.Fatal(err)
		}
		if departments != distinct || departments == 0 {
			t.Errorf("department_count = %d; want %d", departments, distinct)
		}
		var available bool
		var reason string
		if err := db.QueryRow(fmt.Sprintf("SELECT available, reason FROM read_parquet('%s') WHERE signal = 'office365'",
			filepath.Join(curated, "signal_status", day, "part-0.parquet"))).Scan(&available, &reason); err != nil {
			t.Fatal(err)
		}
		if available || !strings.Contains(reason, "limit 1 days") {
			t.Errorf("office365 with stale_report_days = 1: available %t, reason %q; want unknown past the 1-day limit", available, reason)
		}
	})

	t.Run("bind error", func(t *testing.T) {
		cfgDir, curated, r := run(t, sqlStageBroken)
		if r.code != exitError {
			t.Fatalf("run with a broken sql_stage: exit %d, want %d\n%s", r.code, exitError, r)
		}
		line := 0
		for i, l := range strings.Split(sqlStageBroken, "\n") {
			if strings.Contains(l, "no_such_column") {
				line = i + 1
			}
		}
		where := fmt.Sprintf("%s:%d:", filepath.Join(cfgDir, "stages.hcl"), line)
		// The run summary a person reads names the stage, its file and line.
		if !strings.Contains(r.stdout, where) || !strings.Contains(r.stdout, `sql_stage "broken"`) {
			t.Errorf("the run summary does not name the stage at %s\n%s", where, r)
		}
		for _, table := range []string{"recommendations", "user_licenses", "signal_status", "after_broken"} {
			if _, err := os.Stat(filepath.Join(curated, table, day, "part-0.parquet")); err != nil {
				t.Errorf("%s not written beside the broken stage: %v", table, err)
			}
		}
		if left, _ := filepath.Glob(filepath.Join(curated, "broken", day, "*")); len(left) > 0 {
			t.Errorf("the broken stage left files: %v", left)
		}
	})
}

// The configuration's default staleness limit is the transform's.
func TestStaleReportDaysDefaultsAgree(t *testing.T) {
	if config.DefaultStaleReportDays != transform.DefaultStaleReportDays {
		t.Errorf("config default %d, transform default %d", config.DefaultStaleReportDays, transform.DefaultStaleReportDays)
	}
}
