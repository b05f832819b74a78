package simtenant

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/schemas"
)

// fetchReport requests a report, checks the 302 and downloads the CSV
// without the bearer token, as Microsoft's pre-authenticated URL requires.
func fetchReport(t *testing.T, srv *Server, tok, call string) (header []string, rows [][]string) {
	t.Helper()
	c := clientFor(t, srv)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, b := get(t, c, srv.URL()+"/v1.0/reports/"+call, tok)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("%s: status %d, want 302: %s", call, resp.StatusCode, b)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, srv.URL()+"/data/download/") {
		t.Fatalf("Location %q", loc)
	}
	resp, b = get(t, c, loc, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatalf("%s: no UTF-8 BOM", call)
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatalf("%s: CSV: %v", call, err)
	}
	return recs[0], recs[1:]
}

// The simulator serves exactly the catalogue's usage reports, each with the
// catalogue's parameter forms, and holds no row builder for a report the
// catalogue does not name.
func TestReportsAreTheCatalogues(t *testing.T) {
	catalogue := map[string]bool{}
	for _, r := range schemas.UsageReports() {
		catalogue[r.Function] = true
		got := reports[strings.ToLower(r.Function)]
		if got == nil {
			t.Errorf("usage report %s (table %s) is not simulated: add its reportSims entry and row function", r.Function, r.Table)
			continue
		}
		if got.name != r.Function || got.form != r.Form {
			t.Errorf("%s served as %s with form %q, catalogue says %q", r.Function, got.name, got.form, r.Form)
		}
	}
	for name := range reportSims {
		if !catalogue[name] {
			t.Errorf("reportSims has %s, which the signal catalogue does not name", name)
		}
	}
}

func TestReportsShapeAndRefreshDate(t *testing.T) {
	srv, c := startSim(t, Options{Users: 300, Seed: 4})
	tok := tokenFor(t, srv, c, "")
	tests := []struct {
		call    string
		name    string
		lag     int
		minRows int
	}{
		{"getOffice365ActiveUserDetail(period='D30')", "getOffice365ActiveUserDetail", 2, 200},
		{"getOffice365ActiveUserDetail(date=2026-11-10)", "getOffice365ActiveUserDetail", 2, 200},
		{"getEmailActivityUserDetail(period='D7')", "getEmailActivityUserDetail", 2, 150},
		{"getM365AppUserDetail(period='D90')", "getM365AppUserDetail", 3, 100},
		{"getM365AppUserDetail(date='2026-11-10')", "getM365AppUserDetail", 3, 100},
		{"getMailboxUsageDetail(period='D180')", "getMailboxUsageDetail", 2, 150},
		{"getOneDriveUsageAccountDetail(period='D30')", "getOneDriveUsageAccountDetail", 2, 100},
		{"getOffice365ActivationsUserDetail", "getOffice365ActivationsUserDetail", 2, 50},
		{"getTeamsUserActivityUserDetail(period='D30')", "getTeamsUserActivityUserDetail", 3, 100},
		{"getSharePointActivityUserDetail(period='D30')", "getSharePointActivityUserDetail", 2, 100},
	}
	for _, tc := range tests {
		t.Run(tc.call, func(t *testing.T) {
			header, rows := fetchReport(t, srv, tok, tc.call)
			if strings.Join(header, ",") != strings.Join(ReportHeaders(tc.name), ",") {
				t.Errorf("header %v", header)
			}
			if len(rows) < tc.minRows {
				t.Errorf("%d rows, want at least %d", len(rows), tc.minRows)
			}
			want := testToday.AddDate(0, 0, -tc.lag).Format(time.DateOnly)
			for _, r := range rows {
				if len(r) != len(header) || r[0] != want {
					t.Fatalf("row %v: want %d fields and refresh date %s", r, len(header), want)
				}
			}
		})
	}
	for _, bad := range []string{"getEmailActivityUserDetail(period='D8')", "getMailboxUsageDetail(date=2026-11-10)", "getEmailActivityUserDetail(date=2026-09-01)", "getNope(period='D7')"} {
		if resp, b := get(t, c, srv.URL()+"/v1.0/reports/"+bad, tok); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, b)
		}
	}
	if resp, _ := get(t, c, srv.URL()+"/data/download/forged.token", ""); resp.StatusCode != 403 {
		t.Errorf("forged download token: %d", resp.StatusCode)
	}
}

func TestActiveUserReportMatchesTruth(t *testing.T) {
	srv, c := startSim(t, Options{Users: 400, Seed: 8})
	tok := tokenFor(t, srv, c, "")
	header, rows := fetchReport(t, srv, tok, "getOffice365ActiveUserDetail(period='D180')")
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	byUPN := map[string][]string{}
	for _, r := range rows {
		byUPN[r[col["User Principal Name"]]] = r
	}
	checked := 0
	for i := 0; i < 400; i++ {
		tr := srv.Truth(i)
		r, ok := byUPN[tr.UserPrincipalName]
		if len(tr.Licenses) > 0 != ok {
			t.Fatalf("user %d licensed=%v but in report=%v", i, len(tr.Licenses) > 0, ok)
		}
		if !ok {
			continue
		}
		for h, w := range map[string]string{"Exchange Last Activity Date": WorkEmail, "Teams Last Activity Date": WorkTeams, "OneDrive Last Activity Date": WorkOneDrive, "SharePoint Last Activity Date": WorkSharePoint} {
			if r[col[h]] != tr.LastActivity[w] {
				t.Errorf("user %d (%s) %s = %q, truth %q", i, tr.Archetype, h, r[col[h]], tr.LastActivity[w])
			}
		}
		checked++
	}
	if checked < 200 {
		t.Errorf("checked only %d users", checked)
	}
}

func TestReportSettingsConcealNames(t *testing.T) {
	perms := append(append([]string{}, DefaultPermissions...), "ReportSettings.ReadWrite.All")
	srv, c := startSim(t, Options{Users: 60, Permissions: perms})
	tok := tokenFor(t, srv, c, "")
	_, b := get(t, c, srv.URL()+"/v1.0/admin/reportSettings", tok)
	if m := mustJSON(t, b); m["displayConcealedNames"] != false {
		t.Fatalf("default reportSettings %s", b)
	}
	if resp, b := do(t, c, "PATCH", srv.URL()+"/v1.0/admin/reportSettings", tok, `{"displayConcealedNames":true}`); resp.StatusCode != 204 {
		t.Fatalf("PATCH: %d %s", resp.StatusCode, b)
	}
	_, b = get(t, c, srv.URL()+"/v1.0/admin/reportSettings", tok)
	if m := mustJSON(t, b); m["displayConcealedNames"] != true {
		t.Fatalf("after PATCH %s", b)
	}
	_, rows := fetchReport(t, srv, tok, "getEmailActivityUserDetail(period='D30')")
	hexName := regexp.MustCompile(`^[0-9A-F]{32}$`)
	for _, r := range rows {
		if !hexName.MatchString(r[1]) || !hexName.MatchString(r[2]) {
			t.Fatalf("names not concealed: %v", r)
		}
	}
	// Without ReportSettings.ReadWrite.All the PATCH is refused.
	srv2, c2 := startSim(t, Options{Users: 10})
	tok2 := tokenFor(t, srv2, c2, "")
	if resp, _ := do(t, c2, "PATCH", srv2.URL()+"/v1.0/admin/reportSettings", tok2, `{"displayConcealedNames":false}`); resp.StatusCode != 403 {
		t.Errorf("PATCH without permission: %d", resp.StatusCode)
	}
}
