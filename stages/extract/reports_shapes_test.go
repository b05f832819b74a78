package extract

import (
	"os"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/schemas"
)

// TestReportPartialLastLine: over Microsoft's documented getMailboxUsageDetail
// header, a CSV whose last line has no line end (a download cut inside it)
// quarantines that row instead of writing a possibly short one; its user is
// then missing and unknown in the transform. "0001-01-01" dates are NULL.
func TestReportPartialLastLine(t *testing.T) {
	t.Parallel()
	header, err := os.ReadFile("../../testdata/microsoft/getmailboxusagedetail-header.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows := "2026-11-18,a@contoso.com,A,False,,2020-01-01,0001-01-01,221627,5000,1,2,3,0,0,7\n" +
		"2026-11-18,b@contoso.com,B,False,,2020-01-01,2026-11-01,22,5000,1,2,3,0,0,7"
	for _, tc := range []struct {
		name   string
		csv    string
		want   int
		quaran int64
	}{
		{"whole", string(header) + rows + "\r\n", 2, 0},
		{"cut inside the last line", string(header) + rows, 1, 1},
	} {
		var got []schemas.ReportMailboxUsageDetail
		mailbox := schemas.GuardReports[0].Report
		res, err := parseReport(strings.NewReader("\ufeff"+tc.csv), mailbox, 0, func(r any) error {
			got = append(got, r.(schemas.ReportMailboxUsageDetail))
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != tc.want || res.Quarantined != tc.quaran {
			t.Errorf("%s: %d rows, %d quarantined; want %d, %d (%v)", tc.name, len(got), res.Quarantined, tc.want, tc.quaran, res.Warnings)
		}
		if got[0].LastActivityDate != nil || got[0].ItemCount == nil || *got[0].ItemCount != 221627 {
			t.Errorf("%s: first row %+v: 0001-01-01 must be NULL", tc.name, got[0])
		}
		if tc.quaran > 0 && !strings.Contains(strings.Join(res.Warnings, " "), "line 3: the report ends inside it") {
			t.Errorf("%s: warnings %v", tc.name, res.Warnings)
		}
	}
}

// TestCopilotReportMicrosoftExample parses Microsoft's own v1.0 example of
// the Copilot usage report (testdata/microsoft): its hashed names are
// detected as concealed, its empty dates are NULL, and a v1 report's
// missing v2 columns are no warning, while a v2 report without them is.
func TestCopilotReportMicrosoftExample(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../../testdata/microsoft/getmicrosoft365copilotusageuserdetail-v1.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"v1", "v2"} {
		v, _ := schemas.CopilotReport.Version(version)
		var got []schemas.ReportM365CopilotUsageUserDetail
		res, err := parseReport(strings.NewReader(string(body)), schemas.CopilotReport, v.Columns, func(r any) error {
			got = append(got, r.(schemas.ReportM365CopilotUsageUserDetail))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !res.concealed || res.Quarantined != 0 || res.ReportRefreshDate != "2026-07-03" {
			t.Fatalf("%s: %d rows, concealed %v, %d quarantined, refresh %q", version, len(got), res.concealed, res.Quarantined, res.ReportRefreshDate)
		}
		r := got[0]
		if r.UserPrincipalName != "E58EEF6A6BBD3D0293CB306D24A42057" || r.LastActivityDate != nil || r.CopilotChatLastActivityDate != nil ||
			r.ReportPeriod == nil || *r.ReportPeriod != 7 || r.PromptsSubmittedForAllApps != nil {
			t.Errorf("%s: row %+v", version, r)
		}
		warned := strings.Contains(strings.Join(res.Warnings, " "), "prompts_submitted_for_all_apps")
		if warned != (version == "v2") {
			t.Errorf("%s: warnings %v", version, res.Warnings)
		}
	}
}
