package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/pipeline/secret"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

func parquetRows(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pf.NumRows()
}

func runExtractCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r := runCLI(args...)
	if r.code != exitOK {
		return r.stdout + r.stderr, fmt.Errorf("exit %d", r.code)
	}
	return r.stdout + r.stderr, nil
}

// TestRunDemoExtractMatchesSimulator runs `reclaim run examples/demo --stage
// extract` against the simulated tenant (throttling and faults on) and checks
// every raw table holds as many rows as the tenant has: users and licence
// paths from the generator's truth, Dataverse users from the truth plus the
// three built-in system users, reports and sign-ins counted independently
// from what the simulator serves. A second run reads only new sign-ins.
func TestRunDemoExtractMatchesSimulator(t *testing.T) {
	const n = 600
	// The simulator spreads each day's sign-ins over the whole day; pinning
	// its today to yesterday keeps every event in the past, as in a real log.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	srv, err := simtenant.Start(simtenant.Options{Users: n, Seed: 7, Today: today.AddDate(0, 0, -1), Throttle: true, TimeScale: 50,
		FaultRate: 0.02, DropRate: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := t.TempDir()
	asOf := today.Format(time.DateOnly)
	args := []string{"run", "../../examples/demo", "--stage", "extract", "--as-of", asOf, "--progress", "log",
		"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(), "-var", "output_dir=" + out,
		"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID(), "-var", "client_secret=" + srv.ClientSecret()}
	text, err := runExtractCLI(t, args...)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, text)
	}
	raw := func(table string) string {
		return filepath.Join(out, "sim", "raw", table, "snapshot_date="+asOf, "part-0.parquet")
	}

	// From the generator's truth.
	var licences, dynamics int64
	for i := 0; i < n; i++ {
		tr := srv.Truth(i)
		licences += int64(len(tr.Licenses))
		if tr.DynamicsUser {
			dynamics++
		}
	}
	want := map[string]int64{
		schemas.TableUsers:                  n,
		schemas.TableUserLicenseAssignments: licences,
		schemas.TableDataverseSystemUsers:   dynamics + 3,
		schemas.TableReportSettings:         1,
	}

	// Counted independently: reports as CSV records, sign-ins and SKUs as
	// collection items, over a client of their own.
	c, err := msgraph.New(msgraph.Options{Profile: "count", TenantID: srv.TenantID(),
		Credentials: msgraph.Credentials{ClientID: srv.ClientID(), ClientSecret: secret.New(srv.ClientSecret())}, Authenticator: azcred.Authenticate,
		GraphEndpoint: srv.URL(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile(),
		Retry: msgraph.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for table, path := range map[string]string{
		schemas.TableReportOffice365ActiveUser:  "/reports/getOffice365ActiveUserDetail(period='D30')",
		schemas.TableReportOffice365Activations: "/reports/getOffice365ActivationsUserDetail",
		schemas.TableReportMailboxUsage:         "/reports/getMailboxUsageDetail(period='D30')",
		schemas.TableReportOneDriveUsageAccount: "/reports/getOneDriveUsageAccountDetail(period='D30')",
	} {
		f, _ := os.CreateTemp(t.TempDir(), "csv")
		if _, err := c.Graph().Download(ctx, msgraph.ClassReports, path, f); err != nil {
			t.Fatal(err)
		}
		f.Seek(0, 0)
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want[table] = int64(len(recs) - 1)
	}
	count := func(api *msgraph.API, path string, hdr map[string][]string) int64 {
		var k int64
		if err := api.Pages(ctx, msgraph.ClassDirectory, path, hdr, func(items []json.RawMessage) error {
			k += int64(len(items))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return k
	}
	want[schemas.TableSubscribedSkus] = count(c.Graph(), "/subscribedSkus", nil)
	want[schemas.TableSignIns] = count(c.Graph(), "/auditLogs/signIns?$top=1000", nil)
	dv, _ := c.Dataverse(srv.DataverseURL("contoso"))
	since := today.AddDate(0, 0, -90).Format(time.RFC3339)
	want[schemas.TableDataverseAudits] = count(dv, "/audits?$select=auditid&$filter="+
		strings.ReplaceAll("operation eq 4 and (action eq 64 or action eq 65) and createdon ge "+since, " ", "%20"), nil)

	for table, w := range want {
		if got := parquetRows(t, raw(table)); got != w {
			t.Errorf("%s: %d rows, the tenant has %d", table, got, w)
		}
	}
	if strings.Contains(text, srv.ClientSecret()) {
		t.Error("the client secret appears in the output")
	}
	for _, skipped := range []string{schemas.TableReportTeamsUserActivity, schemas.TableReportEmailActivityUser} {
		if _, err := os.Stat(filepath.Join(out, "sim", "raw", skipped)); !os.IsNotExist(err) {
			t.Errorf("%s was extracted though no demo rule needs it", skipped)
		}
	}
	if _, err := os.Stat(raw(schemas.TableGroupMembers)); err != nil {
		t.Errorf("group_members: %v", err)
	}
	if t.Failed() {
		t.Logf("run output:\n%s", text)
	}

	// Second run: only new sign-ins are read.
	before := srv.Stats().Requests["signins"]
	text, err = runExtractCLI(t, append(args, "--only", "sign_ins")...)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, text)
	}
	var reqs int64
	for _, k := range srv.Stats().Requests["signins"] {
		reqs += k
	}
	var prev int64
	for _, k := range before {
		prev += k
	}
	if reqs-prev > 3 {
		t.Errorf("second run made %d sign-in requests; the first read the whole log", reqs-prev)
	}
	if got := parquetRows(t, raw(schemas.TableSignIns)); got != want[schemas.TableSignIns] {
		t.Errorf("after the second run: %d sign-ins, want %d (no duplicates, none lost)", got, want[schemas.TableSignIns])
	}
}
