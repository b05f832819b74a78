package transform

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/<name>.golden (rewriting it with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden (run with -update if intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// runFixture writes f, runs the transform with cfg and returns the result
// and the output directory.
func runFixture(t *testing.T, f *fixture, cfg *config.Config, edit func(*Request)) (*Result, string) {
	t.Helper()
	out := t.TempDir()
	raw := filepath.Join(out, "p", "raw")
	f.write(t, raw)
	req := Request{Profile: "p", RawDir: raw, CuratedDir: filepath.Join(out, "p", "curated"), AsOf: asOf, Config: cfg,
		DuckDB: Settings{Threads: 1, MemoryLimit: "512MB"}}
	if edit != nil {
		edit(&req)
	}
	res, err := Run(context.Background(), req)
	if err != nil && !errors.Is(err, ErrPartial) {
		t.Fatalf("Run: %v", err)
	}
	return res, out
}

func readCurated[T any](t *testing.T, res *Result, table string) []T {
	t.Helper()
	st, ok := res.Table(table)
	if !ok || st.Status != StatusWritten {
		t.Fatalf("table %s not written: %+v", table, st)
	}
	rows, err := parquet.ReadFile[T](st.Path)
	if err != nil {
		t.Fatalf("reading %s with parquet-go: %v", st.Path, err)
	}
	return rows
}

// dumpRecommendations renders the columns people check, one row per line.
func dumpRecommendations(recs []schemas.Recommendation) string {
	var b strings.Builder
	for _, r := range recs {
		days := "never"
		if r.DaysInactive != nil {
			days = fmt.Sprint(*r.DaysInactive)
		}
		saving := "-"
		if r.MonthlySaving != nil {
			saving = fmt.Sprintf("%.2f %s", *r.MonthlySaving, r.Currency)
		}
		supp := ""
		if r.Suppressed {
			supp = " suppressed_by=" + r.SuppressedBy
		}
		fmt.Fprintf(&b, "%s %s %s action=%s group=%s days=%s src=%s unknown=%v risk=%v saving=%s%s\n    %s\n",
			r.Rule, strings.TrimSuffix(r.UserPrincipalName, "@contoso.example"), r.SkuPartNumber, r.Action, r.AssignedByGroup,
			days, r.LastActivitySource, r.SignalsUnknown, r.DataAtRisk, saving, supp+oneWay(r), r.Reason)
	}
	return b.String()
}

// oneWay shows a row's one_way_reasons, when it has any.
func oneWay(r schemas.Recommendation) string {
	if len(r.OneWayReasons) == 0 {
		return ""
	}
	return " one_way=" + strings.Join(r.OneWayReasons, " | ")
}

func TestGoldenRecommendations(t *testing.T) {
	cases := []struct {
		name string
		edit func(f *fixture, cfg *config.Config, req *Request)
	}{
		{"base", nil},
		// Removals undo could not reverse: bob has no usageLocation; Power
		// BI Pro has 2 seats in warning (quinn's is a group removal, not
		// marked); E3's subscription is suspended for everyone.
		{"one_way", func(f *fixture, _ *config.Config, _ *Request) {
			f.users[1].UsageLocation = ""
			f.skus[0].CapabilityStatus = "Suspended"
		}},
		// raw.subscriptions: E3 is bought twice, one of them a trial ending
		// in 20 days (skuId in upper case, as Graph may send it), the other
		// Suspended: every E3 removal is one-way, as a trial and as ending
		// on the trial's date.
		{"trial_subscriptions", func(f *fixture, _ *config.Config, _ *Request) {
			f.subs = []schemas.Subscription{
				{ID: "c1", SkuID: strings.ToUpper(skuE3), SkuPartNumber: "SPE_E3", Status: "Enabled", IsTrial: true, TotalLicenses: 25, NextLifecycleDateTime: daysAgo(-20)},
				{ID: "c2", SkuID: skuE3, SkuPartNumber: "SPE_E3", Status: "Suspended", TotalLicenses: 5},
			}
		}},
		// One E3 subscription expires in 10 days but the other renews in
		// 200: the SKU does not end, no mark (the golden equals base).
		{"subscription_renews", func(f *fixture, _ *config.Config, _ *Request) {
			f.subs = []schemas.Subscription{
				{ID: "c1", SkuID: skuE3, SkuPartNumber: "SPE_E3", Status: "Enabled", TotalLicenses: 25, NextLifecycleDateTime: daysAgo(-10)},
				{ID: "c2", SkuID: skuE3, SkuPartNumber: "SPE_E3", Status: "Enabled", TotalLicenses: 5, NextLifecycleDateTime: daysAgo(-200)},
			}
		}},
		// No Entra ID P1: sign-in is unknown, never inactive.
		{"no_sign_in_activity", func(f *fixture, _ *config.Config, _ *Request) {
			for i := range f.users {
				u := &f.users[i]
				u.SignInActivityAvailable = false
				u.LastSignInDateTime, u.LastNonInteractiveSignInDateTime, u.LastSuccessfulSignInDateTime = nil, nil, nil
			}
		}},
		// Concealed report names: report signals unknown.
		{"concealed_names", func(f *fixture, _ *config.Config, _ *Request) {
			f.settings = []schemas.ReportSettings{{DisplayConcealedNames: boolPtr(true)}}
		}},
		// Hashed names without the setting saying so: detected by matching.
		{"hashed_names", func(f *fixture, _ *config.Config, _ *Request) {
			f.settings = nil
			for i := range f.o365 {
				f.o365[i].UserPrincipalName = fmt.Sprintf("%X", i*7919+13)
			}
		}},
		// Office 365 report 15 days old with a 10-day limit: unknown.
		{"stale_report", func(f *fixture, _ *config.Config, _ *Request) {
			for i := range f.o365 {
				f.o365[i].ReportRefreshDate = dateAgo(15)
			}
		}},
		// Office 365 report missing from the snapshot.
		{"missing_report", func(f *fixture, _ *config.Config, _ *Request) {
			f.skip[schemas.TableReportOffice365ActiveUser] = true
		}},
		// A tenant that never populates lastSuccessfulSignInDateTime falls
		// back to lastSignInDateTime (bob's failed attempt then counts).
		{"no_successful_property", func(f *fixture, _ *config.Config, _ *Request) {
			for i := range f.users {
				f.users[i].LastSuccessfulSignInDateTime = nil
			}
		}},
		// An empty mailbox still uses a few hundred KB (system folders): no
		// items means no data at risk; paul's 1,200 items still are.
		{"empty_mailboxes_use_bytes", func(f *fixture, _ *config.Config, _ *Request) {
			for i := range f.mailbox {
				if *f.mailbox[i].ItemCount == 0 {
					b := int64(300_000)
					f.mailbox[i].StorageUsedByte = &b
				}
			}
		}},
		// Group removal and data at risk allowed; disabled accounts only.
		{"allow_all_disabled_only", func(_ *fixture, cfg *config.Config, _ *Request) {
			r := cfg.ReclaimRules[0]
			r.AllowGroupRemoval, r.AllowDataAtRisk, r.DisabledAccounts = true, true, "only"
		}},
		// Disabled accounts excluded; an exclusion by SKU suppresses Power BI.
		{"exclude_disabled_sku_exclusion", func(_ *fixture, cfg *config.Config, _ *Request) {
			cfg.ReclaimRules[0].DisabledAccounts = "exclude"
			cfg.Exclusions = append(cfg.Exclusions, &config.Exclusion{Name: "no-pbi", SKUs: []string{"POWER_BI_PRO"}})
		}},
		// Group membership not extracted: a group exclusion protects everyone.
		{"group_members_missing", func(f *fixture, _ *config.Config, _ *Request) {
			f.skip[schemas.TableGroupMembers] = true
		}},
		// Profile-restricted rules apply to their profile only.
		{"other_profile_rule", func(_ *fixture, cfg *config.Config, _ *Request) {
			cfg.ReclaimRules[0].Profiles = []string{"other"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, cfg := baseFixture(), baseConfig()
			var editReq func(*Request)
			if c.edit != nil {
				c.edit(f, cfg, nil)
			}
			res, _ := runFixture(t, f, cfg, editReq)
			recs := readCurated[schemas.Recommendation](t, res, "recommendations")
			golden(t, "recommendations_"+c.name, dumpRecommendations(recs))
		})
	}
}
