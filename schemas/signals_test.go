package schemas

import (
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestSignalCatalogue checks each entry names raw tables that exist, report
// columns its row struct has, and that no name or table is given twice.
func TestSignalCatalogue(t *testing.T) {
	names := map[string]bool{}
	for _, s := range Signals {
		if names[s.Name] {
			t.Errorf("signal %q listed twice", s.Name)
		}
		names[s.Name] = true
		if len(s.RawTables()) == 0 || len(s.Workloads) == 0 || s.Permission == "" || s.Doc == "" {
			t.Errorf("signal %q: needs raw tables, workloads, a permission and a doc", s.Name)
		}
		for _, tab := range s.Tables {
			if _, ok := RawTable(tab); !ok {
				t.Errorf("signal %q: no raw table %q", s.Name, tab)
			}
		}
	}
	tables := map[string]bool{}
	for _, r := range UsageReports() {
		if tables[r.Table] {
			t.Errorf("report table %q listed twice", r.Table)
		}
		tables[r.Table] = true
		if _, ok := RawTable(r.Table); !ok {
			t.Errorf("report %s: table %q is not in RawTables", r.Function, r.Table)
		}
		cols := []string{r.UPNColumn, "report_refresh_date"} // UPNColumn may not be empty
		if r.UserIDColumn != "" {
			cols = append(cols, r.UserIDColumn)
		}
		for _, col := range cols {
			if _, ok := parquet.SchemaOf(r.Row).Lookup(col); !ok {
				t.Errorf("report %s: row %T has no column %q", r.Function, r.Row, col)
			}
		}
	}
	for _, tab := range DataAtRiskTables() {
		if !tables[tab] {
			t.Errorf("data-at-risk table %q is not a usage report", tab)
		}
	}
}

func TestReportPath(t *testing.T) {
	for _, tc := range []struct {
		r    Report
		p    ReportParams
		want string
	}{
		{Report{Function: "getEmailActivityUserDetail", Form: ReportPeriodOrDate}, ReportParams{Period: "D7"}, "/reports/getEmailActivityUserDetail(period='D7')"},
		{Report{Function: "getOffice365ActivationsUserDetail", Form: ReportNoParam}, ReportParams{Period: "D7"}, "/reports/getOffice365ActivationsUserDetail"},
		// Microsoft's v1.0 path (m365copilot-docs copilotreportroot-getmicrosoft365copilotusageuserdetail.md).
		{CopilotReport, ReportParams{Period: "D30"}, "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D30',version='v1')"},
		// v2 has no D30: the nearest period it takes is D28.
		{CopilotReport, ReportParams{Period: "D30", Version: "v2"}, "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D28',version='v2')"},
		{CopilotReport, ReportParams{Period: "D90", Version: "v2"}, "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')"},
	} {
		if got := tc.r.Path(tc.p); got != tc.want {
			t.Errorf("Path = %q, want %q", got, tc.want)
		}
	}
}
