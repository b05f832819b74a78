package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

// copilotConfig is a profile with the Copilot rule of the examples;
// %s are the tenant id, client id and the profile's extra arguments.
const copilotConfig = `
variable "secret" {
  sensitive = true
}
variable "url" {}
variable "ca" {}
variable "out" {}

profile "sim" {
  tenant_id      = "%s"
  client_id      = "%s"
  client_secret  = var.secret
  graph_endpoint = var.url
  login_endpoint = var.url
  ca_file        = var.ca
  %s
  tasks {
    reclaim_subscriptions = true
  }
}

reclaim "copilot" {
  skus          = ["Microsoft_365_Copilot"]
  service_plans = ["M365_COPILOT_*"]
  signals       = ["copilot"]
  inactive_days = 30
  grace_days    = 0
  action        = "remove_license"
}

price "Microsoft_365_Copilot" {
  amount = 30
}

output {
  dir = var.out
}
`

// TestCopilotSignalEndToEnd drives the copilot signal through the real
// client (the simulator answers the Copilot report 200 with the CSV body),
// raw Parquet and DuckDB to a plan: a direct Copilot seat idle for 30 days
// (per the generator's truth, measured from the report's refresh date) is
// planned for removal with copilot evidence, a seat used within the
// threshold is not; an idle seat inside a suite (Microsoft 365 E7, reached
// through service_plans) is a suite-decision review, never a removal; with
// concealed names every seat is a review, never a removal; the v2 report's
// extra columns reach the raw table.
func TestCopilotSignalEndToEnd(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	const users, seed = 150, 11
	for _, tc := range []struct {
		name      string
		version   string
		concealed bool
	}{{"v1", "", false}, {"v2_concealed", `copilot_report_version = "v2"`, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := simtenant.Start(simtenant.Options{Users: users, Seed: seed, Today: today, CertDir: t.TempDir(), ConcealedNames: tc.concealed})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			work := t.TempDir()
			cfgDir, out := filepath.Join(work, "config"), filepath.Join(work, "data")
			if err := os.MkdirAll(cfgDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(cfgDir, "main.hcl"), []byte(fmt.Sprintf(copilotConfig, srv.TenantID(), srv.ClientID(), tc.version)), 0o644); err != nil {
				t.Fatal(err)
			}
			vars := []string{"-var", "secret=" + srv.ClientSecret(), "-var", "url=" + srv.URL(), "-var", "ca=" + srv.CAFile(), "-var", "out=" + out}
			if code, stdout, stderr := runActCLI(t, "", append([]string{"run", cfgDir, "--as-of", today.Format(time.DateOnly), "--progress", "log", "--sign-in-log=false"}, vars...)...); code != 0 {
				t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
			}
			planPath := filepath.Join(work, "plan.json")
			if code, stdout, stderr := runActCLI(t, "", append([]string{"plan", cfgDir, "-out", planPath}, vars...)...); code != 0 {
				t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
			}
			p, err := plan.Read(planPath)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := parquet.ReadFile[schemas.ReportM365CopilotUsageUserDetail](filepath.Join(out, "sim", "raw", schemas.TableReportM365CopilotUsage,
				"snapshot_date="+today.Format(time.DateOnly), "part-0.parquet"))
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) == 0 || raw[0].ReportRefreshDate == nil {
				t.Fatalf("raw Copilot report: %d rows", len(raw))
			}
			refresh := raw[0].ReportRefreshDate.Time()
			prompts := 0
			for _, r := range raw {
				if r.PromptsSubmittedForAllApps != nil {
					prompts++
				}
			}
			if v2 := tc.version != ""; v2 != (prompts == len(raw)) || !v2 && prompts != 0 {
				t.Errorf("version %q: %d of %d rows carry a prompt count", tc.version, prompts, len(raw))
			}

			actions := map[string]plan.Action{}
			for _, a := range p.Actions {
				actions[a.UserID] = a
			}
			reviews := map[string]plan.Review{}
			for _, r := range p.Reviews {
				reviews[r.UserID] = r
			}
			var idle, used, suites int
			for i := range users {
				tr := srv.Truth(i)
				direct, suite := false, false
				for _, l := range tr.Licenses {
					direct = direct || l.SkuPartNumber == "Microsoft_365_Copilot" && l.Direct
					suite = suite || l.SkuPartNumber == "Microsoft_365_E7"
				}
				if suite {
					if a, ok := actions[tr.ID]; ok {
						t.Errorf("%s: the Copilot rule planned %s %s on a suite holder", tr.UserPrincipalName, a.Operation, a.SkuPartNumber)
					}
					if r, ok := reviews[tr.ID]; ok && r.SkuPartNumber == "Microsoft_365_E7" {
						suites++
						if !strings.Contains(r.Reason, "suite decision: Microsoft_365_E7 carries M365_COPILOT_APPS") || r.MonthlySaving != 0 {
							t.Errorf("%s: suite review %+v", tr.UserPrincipalName, r)
						}
					}
				}
				if !direct {
					if _, ok := actions[tr.ID]; ok {
						t.Errorf("%s holds no direct Copilot seat but is planned", tr.UserPrincipalName)
					}
					continue
				}
				last := tr.LastActivity[simtenant.WorkCopilot]
				if last == "" && tr.CreatedDate > today.AddDate(0, 0, -30).Format(time.DateOnly) {
					continue // never used, but the account is younger than the threshold
				}
				inactive := last == "" || last <= refresh.AddDate(0, 0, -30).Format(time.DateOnly)
				a, planned := actions[tr.ID]
				switch {
				case tc.concealed:
					r, ok := reviews[tr.ID]
					if planned || !ok || !strings.Contains(r.Reason, "concealed") {
						t.Errorf("concealed report: %s planned=%v, review %+v; want a review naming the concealed names", tr.UserPrincipalName, planned, r)
					}
				case inactive:
					idle++
					if !planned || a.Operation != plan.OpRemoveLicense {
						t.Errorf("%s last used Copilot %q (refresh %s): not planned for removal (%+v)", tr.UserPrincipalName, last, refresh.Format(time.DateOnly), reviews[tr.ID])
						continue
					}
					ev := a.Evidence
					var cp *plan.SignalEvidence
					for i := range ev.Signals {
						if ev.Signals[i].Signal == schemas.SignalCopilot {
							cp = &ev.Signals[i]
						}
					}
					day := func(t *time.Time) string {
						if t == nil {
							return ""
						}
						return t.Format(time.DateOnly)
					}
					if cp == nil || cp.Unknown || day(cp.LastActivity) != last || day(cp.RefreshDate) != refresh.Format(time.DateOnly) ||
						day(ev.LastActivity) != last || (last != "" && ev.LastActivitySource != "copilot") {
						t.Errorf("%s evidence %+v, want copilot last active %q", tr.UserPrincipalName, ev, last)
					}
				default:
					used++
					if planned {
						t.Errorf("%s used Copilot on %s: planned for removal", tr.UserPrincipalName, last)
					}
				}
			}
			if !tc.concealed && (idle == 0 || used == 0 || suites == 0) {
				t.Fatalf("%d idle and %d used direct Copilot seats, %d suite reviews: the tenant proves nothing", idle, used, suites)
			}
		})
	}
}
