package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

// TestRunRenamedUsersAndTruncatedReport drives `reclaim run` against the
// simulated tenant with users renamed after the usage reports were cut and
// the active-users report cut short at a row boundary (issues 10 and 11):
// a renamed inactive user whose mailbox holds mail is missing from the
// mailbox report, and must be a review ("mailbox contents unknown"), never
// remove_license; the cut report makes its signal unavailable. The tenant
// also answers in Microsoft's documented shapes (MicrosoftQuirks).
func TestRunRenamedUsersAndTruncatedReport(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	const users = 300
	base := simtenant.NewTenant(5, users, today)
	var renamed []int
	for i := 0; i < users && len(renamed) < 5; i++ {
		tr := base.Truth(i)
		if tr.Kind != simtenant.KindMember || tr.LastActivity[simtenant.WorkEmail] == "" || !strings.HasPrefix(string(tr.Archetype), "inactive_") ||
			tr.Archetype == simtenant.ArchInactive30 || tr.Archetype == simtenant.ArchInactive60 {
			continue
		}
		for _, l := range tr.Licenses {
			if l.Direct && l.SkuPartNumber == "SPE_E3" {
				renamed = append(renamed, i)
				break
			}
		}
	}
	if len(renamed) == 0 {
		t.Fatal("no inactive E3 holder with mail in this tenant: the test proves nothing")
	}
	srv, err := simtenant.Start(simtenant.Options{Users: users, Seed: 5, Today: today, CertDir: t.TempDir(),
		RenamedUsers: renamed, TruncatedReports: []string{"getOffice365ActiveUserDetail"}, MicrosoftQuirks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	work := t.TempDir()
	cfgDir, out := filepath.Join(work, "config"), filepath.Join(work, "data")
	os.MkdirAll(cfgDir, 0o755)
	if err := os.WriteFile(filepath.Join(cfgDir, "main.hcl"), []byte(fmt.Sprintf(transformConfig, srv.TenantID(), srv.ClientID())), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runActCLI(t, "", "run", cfgDir, "--as-of", today.Format(time.DateOnly), "--progress", "log", "--sign-in-log=false",
		"-var", "secret="+srv.ClientSecret(), "-var", "url="+srv.URL(), "-var", "ca="+srv.CAFile(), "-var", "out="+out)
	if code != 0 && !strings.Contains(stdout, "recommendations                            ok") {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "incomplete") {
		t.Errorf("the run output does not say the active-users report is incomplete:\n%s", stdout)
	}
	part := filepath.Join(out, "sim", "curated", "%s", "snapshot_date=2026-11-24", "part-0.parquet")
	status, err := parquet.ReadFile[schemas.SignalStatus](fmt.Sprintf(part, "signal_status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if s.Signal == "office365" && (s.Available || !strings.Contains(s.Reason, "incomplete")) {
			t.Errorf("office365: available=%v %q", s.Available, s.Reason)
		}
	}
	recs, err := parquet.ReadFile[schemas.Recommendation](fmt.Sprintf(part, "recommendations"))
	if err != nil {
		t.Fatal(err)
	}
	// Microsoft's quirks (upper-case skuIds, 0001-01-01 and "" dates) change
	// nothing: every licence has its part number, no date is year 1.
	lics, err := parquet.ReadFile[schemas.UserLicense](fmt.Sprintf(part, "user_licenses"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lics {
		if l.SkuPartNumber == "" {
			t.Fatalf("%s: licence %s lost its part number", l.UserPrincipalName, l.SkuID)
		}
	}
	activity, err := parquet.ReadFile[schemas.UserActivity](fmt.Sprintf(part, "user_activity"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range activity {
		if a.DaysInactive != nil && *a.DaysInactive > 10000 {
			t.Fatalf("%s %s: %d days inactive", a.UserPrincipalName, a.Workload, *a.DaysInactive)
		}
	}
	checked := 0
	for _, i := range renamed {
		id := srv.Truth(i).ID
		for _, r := range recs {
			if r.UserID != id || r.Rule != "inactive_e3" || r.SkuPartNumber != "SPE_E3" {
				continue
			}
			checked++
			if !strings.HasPrefix(r.UserPrincipalName, "renamed.") || r.Action != schemas.RecommendReview ||
				!strings.Contains(r.DataAtRiskReason, "mailbox contents unknown: the user is not in report_mailbox_usage_detail") {
				t.Errorf("renamed %s: %s %q", r.UserPrincipalName, r.Action, r.DataAtRiskReason)
			}
		}
	}
	if checked == 0 {
		t.Fatalf("no inactive_e3 recommendation for the renamed users %v", renamed)
	}
}
