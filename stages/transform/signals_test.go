package transform

import (
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/schemas"
)

// recsByUser indexes recommendations by "user@rule".
func recsByUser(recs []schemas.Recommendation) map[string]schemas.Recommendation {
	m := map[string]schemas.Recommendation{}
	for _, r := range recs {
		m[strings.TrimSuffix(r.UserPrincipalName, "@contoso.example")+"@"+r.Rule] = r
	}
	return m
}

// The signals people get wrong, one assertion each, over the base tenant.
func TestSignalsPeopleGetWrong(t *testing.T) {
	t.Parallel()
	res, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	activity := readCurated[schemas.UserActivity](t, res, "user_activity")

	t.Run("failed attempts are not activity", func(t *testing.T) {
		// bob's lastSignInDateTime is 2 days ago (a failed attempt), his
		// last successful sign-in 200 days ago.
		r, ok := recs["bob@e3-inactive"]
		if !ok || r.Action != schemas.RecommendRemoveLicense || r.DaysInactive == nil || *r.DaysInactive != 200 {
			t.Fatalf("bob: %+v", r)
		}
	})
	t.Run("non-interactive sign-ins count", func(t *testing.T) {
		if r, ok := recs["carol@e3-inactive"]; ok {
			t.Fatalf("carol signs in non-interactively every 10 days but got %s: %s", r.Action, r.Reason)
		}
	})
	t.Run("report lag is not inactivity", func(t *testing.T) {
		// lena's last Exchange activity is 90 days before as_of but 88
		// before the report's refresh date: active at threshold 90.
		if r, ok := recs["lena@e3-inactive"]; ok {
			t.Fatalf("lena flagged: %s", r.Reason)
		}
		for _, a := range activity {
			if a.UserPrincipalName == "lena@contoso.example" && a.Workload == "exchange" {
				if a.DaysInactive == nil || *a.DaysInactive != 88 || !a.ReferenceDate.Equal(asOf.AddDate(0, 0, -2)) {
					t.Fatalf("lena exchange activity: %+v", a)
				}
			}
		}
	})
	t.Run("no activity ever on an old account is inactive", func(t *testing.T) {
		if r := recs["frank@e3-inactive"]; r.Action != schemas.RecommendRemoveLicense || r.DaysInactive != nil {
			t.Fatalf("frank: %+v", r)
		}
		if _, ok := recs["gina@e3-inactive"]; ok {
			t.Fatal("gina's account is 50 days old: too new to call inactive at 90")
		}
		if _, ok := recs["hank@e3-inactive"]; ok {
			t.Fatal("hank is inside the grace period")
		}
	})
	t.Run("group licences are never remove_license", func(t *testing.T) {
		for k, r := range recs {
			if r.Action == schemas.RecommendRemoveLicense && !r.AssignedDirectly {
				t.Errorf("%s: remove_license for a group-only licence", k)
			}
		}
		if r := recs["erin@e3-inactive"]; r.Action != schemas.RecommendReview || !strings.Contains(r.Reason, "frees no seat") {
			t.Errorf("erin (direct + group): %s %s", r.Action, r.Reason)
		}
	})
}

// TestSignInUnknownIsNeverInactive: with signInActivity unreadable for one
// user (and the tenant otherwise fine) that user's rows are reviews.
func TestSignInUnknownIsNeverInactive(t *testing.T) {
	t.Parallel()
	f := baseFixture()
	f.users[1].SignInActivityAvailable = false // bob
	res, _ := runFixture(t, f, baseConfig(), nil)
	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	r := recs["bob@e3-inactive"]
	if r.Action != schemas.RecommendReview || len(r.SignalsUnknown) != 1 || r.SignalsUnknown[0] != "sign_in" ||
		!strings.Contains(r.Reason, "sign-in activity not readable for this user") {
		t.Fatalf("bob: %s %v %s", r.Action, r.SignalsUnknown, r.Reason)
	}
	if recs["frank@e3-inactive"].Action != schemas.RecommendRemoveLicense {
		t.Fatal("other users must not be affected")
	}
}

// TestDynamicsAndAppsRules: rules counting the dynamics and m365_apps
// signals read Dataverse audit and the apps/activations reports.
func TestDynamicsAndAppsRules(t *testing.T) {
	t.Parallel()
	f := baseFixture()
	sam := f.users[18]
	f.dvUsers = []schemas.DataverseSystemUser{{Environment: "sales", SystemUserID: "su-sam", AzureActiveDirectoryObjectID: sam.ID}}
	f.dvAudits = []schemas.DataverseAudit{{Environment: "sales", AuditID: "a1", CreatedOn: daysAgo(75), Operation: 4, Action: 64, UserID: "SU-SAM"}}
	alice, rita := f.users[0], f.users[17]
	f.apps = []schemas.ReportM365AppUserDetail{
		{ReportRefreshDate: dateAgo(3), UserPrincipalName: alice.UserPrincipalName, LastActivityDate: dateAgo(5), Mobile: boolPtr(true)},
		{ReportRefreshDate: dateAgo(3), UserPrincipalName: rita.UserPrincipalName, LastActivityDate: nil},
	}
	f.activatns = []schemas.ReportOffice365ActivationsUserDetail{{ReportRefreshDate: dateAgo(3), UserPrincipalName: rita.UserPrincipalName, LastActivatedDate: dateAgo(20)}}
	cfg := baseConfig()
	cfg.ReclaimRules = []*config.ReclaimRule{
		{Name: "dyn", SKUs: []string{"DYN365_ENTERPRISE_SALES", "DYN365_ENTERPRISE_CUSTOMER_SERVICE"}, Signals: []config.Signal{config.SignalDynamics},
			InactiveDays: 60, Action: config.ActionRemoveLicense, IncludeGuests: true},
		{Name: "apps", SKUs: []string{"SPE_E5", "SPE_E3"}, Signals: []config.Signal{config.SignalM365Apps},
			InactiveDays: 30, Action: config.ActionReport, IncludeGuests: true},
	}
	res, _ := runFixture(t, f, cfg, nil)
	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	r := recs["sam@dyn"]
	if r.Action != schemas.RecommendRemoveLicense || r.DaysInactive == nil || *r.DaysInactive != 75 || r.LastActivitySource != "dynamics" {
		t.Errorf("sam (Dataverse access 75 days ago): %+v", r)
	}
	if _, ok := recs["alice@apps"]; ok {
		t.Error("alice used the mobile apps 2 days before the refresh: active")
	}
	if r, ok := recs["rita@apps"]; ok {
		t.Errorf("rita activated Office 17 days before the refresh: active, got %s", r.Reason)
	}
	if r := recs["bob@apps"]; r.Action != schemas.RecommendReport || !strings.HasPrefix(r.Reason, "report only: no activity ever recorded on m365_apps") {
		t.Errorf("bob: %s %s", r.Action, r.Reason)
	}
}
