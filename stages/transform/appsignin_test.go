package transform

import (
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
)

// The Visio rule of the examples, over a tenant whose sign-in log carries
// Outlook and Visio sign-ins: a daily Outlook user keeps no Visio seat, a
// Visio user keeps hers, and without the log nobody is judged.
const (
	skuVisio    = "c5928f49-12ba-48f7-ada3-0d743a3601d5"
	planVisio   = "663a804f-1c30-4ff0-9915-9db84f0d1cea"
	visioAppID  = "8f3e1c2a-0000-4e6f-9a7b-000000000001" // a tenant's own, as an app block names it
	exchangeRes = "00000002-0000-0ff1-ce00-000000000000"
)

// appFixture adds Visio holders to the base tenant. logDays is how far back
// the sign-in log reaches.
func appFixture(logDays int) *fixture {
	f := baseFixture()
	f.skus = append(f.skus, schemas.SubscribedSku{ID: "s8", SkuID: skuVisio, SkuPartNumber: "VISIOCLIENT", AppliesTo: "User",
		CapabilityStatus: "Enabled", PrepaidEnabled: 10, ConsumedUnits: 3,
		ServicePlanIDs: []string{planVisio, planFoundatn}, ServicePlanNames: []string{"VISIO_CLIENT_SUBSCRIPTION", "EXCHANGE_S_FOUNDATION"}})
	active := person{created: 400, lastSuccess: 0, lastSignIn: 0, lastNonInt: 0, exchange: 0, teams: 0}
	signIn := func(user string, days int, appID, resourceID string, errCode int64) {
		var id string
		for _, u := range f.users {
			if u.UserPrincipalName == user+"@contoso.example" {
				id = u.ID
			}
		}
		f.signIns = append(f.signIns, schemas.SignIn{ID: user + itoa(len(f.signIns)), CreatedDateTime: daysAgo(days), UserID: id,
			UserPrincipalName: user + "@contoso.example", AppID: appID, ResourceID: resourceID, StatusErrorCode: errCode})
	}
	// olga reads her mail every day (Outlook on the web) and never opens Visio.
	olga := active
	olga.name = "olga"
	f.add(olga, direct(skuVisio))
	for d := 0; d < logDays; d++ {
		signIn("olga", d, exchangeRes, exchangeRes, 0)
	}
	// vera draws in Visio for the web (5 days ago); a failed attempt
	// yesterday counts for nothing.
	vera := active
	vera.name = "vera"
	f.add(vera, direct(skuVisio))
	signIn("vera", 5, visioAppID, "00000003-0000-0ff1-ce00-000000000000", 0)
	signIn("vera", 1, visioAppID, "00000003-0000-0ff1-ce00-000000000000", 50126)
	// fred last drew in Visio 65 days ago; yesterday's attempt failed (a
	// failed attempt is not activity, as for sign_in).
	fred := active
	fred.name = "fred"
	f.add(fred, direct(skuVisio))
	if logDays > 65 {
		signIn("fred", 65, visioAppID, "", 0)
	}
	signIn("fred", 1, visioAppID, "", 50126)
	// ines never signs in to Visio but activated Visio desktop: installed,
	// which is not use.
	ines := active
	ines.name = "ines"
	f.add(ines, direct(skuVisio))
	signIn("ines", 2, exchangeRes, exchangeRes, 0)
	win := int64(1)
	f.activatns = append(f.activatns, schemas.ReportOffice365ActivationsUserDetail{ReportRefreshDate: dateAgo(2),
		UserPrincipalName: "ines@contoso.example", ProductType: "VISIO CLIENT", LastActivatedDate: dateAgo(200), Windows: &win})
	return f
}

func appConfig(apps ...config.App) *config.Config {
	cfg := baseConfig()
	cfg.ReclaimRules = append(cfg.ReclaimRules, &config.ReclaimRule{Name: "visio", SKUs: []string{"VISIOCLIENT"},
		Signals: []config.Signal{config.SignalAppSignIn}, Apps: apps,
		InactiveDays: 60, GraceDays: 30, DisabledAccounts: "include", IncludeGuests: true, Action: config.ActionRemoveLicense})
	return cfg
}

var visioApp = config.App{Name: "visio", AppIDs: []string{visioAppID}}

func TestAppSignIn(t *testing.T) {
	t.Parallel()
	t.Run("a mailbox sign-in is not Visio use", func(t *testing.T) {
		t.Parallel()
		res, _ := runFixture(t, appFixture(70), appConfig(visioApp), nil)
		recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
		r, ok := recs["olga@visio"]
		if !ok || r.Action != "remove_license" {
			t.Fatalf("olga (daily Outlook, never Visio) under the Visio rule: %+v, want remove_license", r)
		}
		if !strings.Contains(r.Reason, "no activity ever recorded on app_sign_in") {
			t.Errorf("olga's reason: %q", r.Reason)
		}
		if s := r.Signal(schemas.SignalAppSignIn); s.Unknown || s.LastActivity != nil {
			t.Errorf("olga's app_sign_in evidence: %+v, want known with no activity", s)
		}
		if r, ok := recs["vera@visio"]; ok {
			t.Errorf("vera signed in to Visio 5 days ago but is recommended: %s: %s", r.Action, r.Reason)
		}
		if r, ok := recs["fred@visio"]; !ok || r.Action != "remove_license" || !strings.Contains(r.Reason, "for 65 days") {
			t.Errorf("fred (last successful Visio sign-in 65 days ago, a failed one yesterday): %s: %q, want remove_license", r.Action, r.Reason)
		}
		r, ok = recs["ines@visio"]
		if !ok || r.Action != "review" || !strings.Contains(r.Reason, "Visio desktop activated on 1 computer(s), last on") {
			t.Errorf("ines (Visio desktop activated, no Visio sign-in): %s: %q, want review naming the installation", r.Action, r.Reason)
		}
	})
	t.Run("without the sign-in log the signal is unknown", func(t *testing.T) {
		t.Parallel()
		f := appFixture(70)
		f.skip[schemas.TableSignIns] = true
		res, _ := runFixture(t, f, appConfig(visioApp), nil)
		recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
		for _, u := range []string{"olga", "vera"} {
			r, ok := recs[u+"@visio"]
			if !ok || r.Action != "review" || !strings.Contains(r.Reason, "app_sign_in unknown (the sign-in log was not read") {
				t.Errorf("%s without the sign-in log: %s: %q, want review, app_sign_in unknown", u, r.Action, r.Reason)
			}
		}
	})
	t.Run("a log shorter than inactive_days proves no idleness", func(t *testing.T) {
		t.Parallel()
		res, _ := runFixture(t, appFixture(20), appConfig(visioApp), nil)
		recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
		r := recs["olga@visio"]
		if r.Action != "review" || !strings.Contains(r.Reason, "the sign-in log reaches back only 20 days, fewer than inactive_days 60") {
			t.Errorf("olga with 20 days of log: %s: %q, want review", r.Action, r.Reason)
		}
	})
	t.Run("an app no sign-in names is unknown", func(t *testing.T) {
		t.Parallel()
		wrong := config.App{Name: "visio", AppIDs: []string{"99999999-0000-4e6f-9a7b-000000000009"}}
		res, _ := runFixture(t, appFixture(70), appConfig(wrong), nil)
		recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
		for _, u := range []string{"olga", "vera"} {
			r := recs[u+"@visio"]
			if r.Action != "review" || !strings.Contains(r.Reason, "no successful sign-in in the log names the ids of app visio") {
				t.Errorf("%s under a Visio app with wrong ids: %s: %q, want review", u, r.Action, r.Reason)
			}
		}
	})
	t.Run("a resource id counts", func(t *testing.T) {
		t.Parallel()
		// exchange_online matches olga's sign-ins by their resourceId.
		exo, _ := schemas.AppNamed("exchange_online")
		res, _ := runFixture(t, appFixture(70), appConfig(config.App{Name: exo.Name, AppIDs: exo.AppIDs, ResourceIDs: exo.ResourceIDs}), nil)
		recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
		if r, ok := recs["olga@visio"]; ok {
			t.Errorf("olga signs in to Exchange daily but a rule counting exchange_online recommends %s: %s", r.Action, r.Reason)
		}
	})
}
