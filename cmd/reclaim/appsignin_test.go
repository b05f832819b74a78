package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/simtenant"
)

// TestVisioRuleCountsVisioSignIns runs examples/demo against the simulated
// tenant through the real client, Parquet and DuckDB, and judges its
// inactive_visio rule by the raw snapshot: a Visio holder who signs in to
// Exchange but never to Visio is recommended with app_sign_in known (a
// mailbox sign-in is not Visio use); one who signed in to Visio is not; one
// with a Visio desktop activation is review (installed, not used). Run
// again without the sign-in log, every Visio recommendation is review with
// app_sign_in unknown.
func TestVisioRuleCountsVisioSignIns(t *testing.T) {
	t.Parallel()
	const n, visioSKU, exchange = 900, "c5928f49-12ba-48f7-ada3-0d743a3601d5", "00000002-0000-0ff1-ce00-000000000000"
	today := time.Now().UTC().Truncate(24 * time.Hour)
	srv, err := simtenant.Start(simtenant.Options{Users: n, Seed: 11, Today: today.AddDate(0, 0, -1), CertDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	asOf := today.Format(time.DateOnly)
	run := func(extra ...string) string {
		out := t.TempDir()
		args := append([]string{"run", "../../examples/demo", "--as-of", asOf, "--progress", "log",
			"-var", "sim_url=" + srv.URL(), "-var", "ca_file=" + srv.CAFile(), "-var", "output_dir=" + out,
			"-var", "tenant_id=" + srv.TenantID(), "-var", "client_id=" + srv.ClientID(), "-var", "client_secret=" + srv.ClientSecret()}, extra...)
		if r := runCLI(args...); r.code != exitOK {
			t.Fatalf("run %v: exit %d\n%s%s", extra, r.code, r.stdout, r.stderr)
		}
		return out
	}
	read := func(out, layer, table string) string {
		return filepath.Join(out, "sim", layer, table, "snapshot_date="+asOf, "part-0.parquet")
	}
	visioRecs := func(out string) map[string]schemas.Recommendation {
		recs := readParquet[schemas.Recommendation](t, read(out, "curated", "recommendations"))
		m := map[string]schemas.Recommendation{}
		for _, r := range recs {
			if r.Rule == "inactive_visio" {
				m[r.UserID] = r
			}
		}
		return m
	}

	withLog := run()
	assigns := readParquet[schemas.UserLicenseAssignment](t, read(withLog, "raw", schemas.TableUserLicenseAssignments))
	signIns := readParquet[schemas.SignIn](t, read(withLog, "raw", schemas.TableSignIns))
	acts := readParquet[schemas.ReportOffice365ActivationsUserDetail](t, read(withLog, "raw", schemas.TableReportOffice365Activations))
	users := readParquet[schemas.User](t, read(withLog, "raw", schemas.TableUsers))
	upn, created := map[string]string{}, map[string]*time.Time{}
	for _, u := range users {
		upn[u.ID] = strings.ToLower(u.UserPrincipalName)
		created[u.ID] = u.CreatedDateTime
	}
	holders := map[string]bool{}
	for _, a := range assigns {
		if a.SkuID == visioSKU && a.State != "Error" {
			holders[a.UserID] = true
		}
	}
	usedVisio, usedExchange, installed := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range signIns {
		if s.StatusErrorCode != 0 {
			continue
		}
		switch {
		case s.AppID == simtenant.SimVisioAppID:
			usedVisio[s.UserID] = true
		case s.AppID == exchange:
			usedExchange[s.UserID] = true
		}
	}
	for _, a := range acts {
		if strings.Contains(strings.ToUpper(a.ProductType), "VISIO") {
			installed[strings.ToLower(a.UserPrincipalName)] = true
		}
	}

	recs := visioRecs(withLog)
	var mailOnly, visio, inst, removed int
	for id := range holders {
		r, ok := recs[id]
		switch {
		case usedVisio[id]:
			visio++
			if ok {
				t.Errorf("%s signed in to Visio but inactive_visio recommends %s: %s", upn[id], r.Action, r.Reason)
			}
		case installed[upn[id]]:
			if ok && r.Action != "review" {
				t.Errorf("%s activated Visio desktop: %s: %s, want review", upn[id], r.Action, r.Reason)
			}
			if ok && strings.Contains(r.Reason, "Visio desktop activated") {
				inst++
			}
		case created[id] != nil && created[id].After(today.AddDate(0, 0, -31)):
			// Inside the rule's 30-day grace period: left alone.
		case usedExchange[id]:
			mailOnly++
			if !ok {
				t.Errorf("%s signs in to Exchange, never to Visio, and keeps the Visio seat (created %v)", upn[id], created[id])
				continue
			}
			if !slices.Contains(r.SignalsCounted, schemas.SignalAppSignIn) || slices.Contains(r.SignalsUnknown, schemas.SignalAppSignIn) {
				t.Errorf("%s: app_sign_in counted %v, unknown %v: want counted and known", upn[id], r.SignalsCounted, r.SignalsUnknown)
			}
			if r.Action == "remove_license" {
				removed++
			}
		}
	}
	if mailOnly == 0 || visio == 0 || inst == 0 || removed == 0 {
		t.Fatalf("among %d Visio holders: %d Exchange-only (%d removed), %d Visio users, %d installed: the test proves too little",
			len(holders), mailOnly, removed, visio, inst)
	}

	noLog := visioRecs(run("--sign-in-log=false"))
	if len(noLog) < mailOnly {
		t.Errorf("without the sign-in log %d Visio recommendations, want every holder judged unknown (at least %d)", len(noLog), mailOnly)
	}
	for _, r := range noLog {
		if r.Action != "review" || !slices.Contains(r.SignalsUnknown, schemas.SignalAppSignIn) {
			t.Errorf("without the sign-in log %s: %s (unknown %v): %s, want review with app_sign_in unknown", r.UserPrincipalName, r.Action, r.SignalsUnknown, r.Reason)
		}
	}
}

func readParquet[T any](t *testing.T, path string) []T {
	t.Helper()
	rows, err := parquet.ReadFile[T](path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
