package transform

import (
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/schemas"
)

// Microsoft's data shapes that the SQL must survive (issue 10): ids in upper
// case, Error-state licences, reports that miss users.

// TestGUIDsCompareCaseInsensitively: a snapshot whose licence assignments,
// user ids and service plans arrive in upper case (as in Microsoft's
// assignLicense example, skuId "0118A350-…") still gets part numbers,
// prices, rules, exclusions and data-at-risk checks. extract lower-cases
// ids; the SQL must not depend on it.
func TestGUIDsCompareCaseInsensitively(t *testing.T) {
	t.Parallel()
	f := baseFixture()
	for i := range f.assigns {
		f.assigns[i].SkuID = strings.ToUpper(f.assigns[i].SkuID)
		f.assigns[i].UserID = strings.ToUpper(f.assigns[i].UserID)
	}
	for i := range f.users {
		if f.users[i].UserPrincipalName == "paul@contoso.example" || f.users[i].UserPrincipalName == "nina@contoso.example" {
			f.users[i].ID = strings.ToUpper(f.users[i].ID)
		}
	}
	for i := range f.skus {
		for j := range f.skus[i].ServicePlanIDs {
			f.skus[i].ServicePlanIDs[j] = strings.ToUpper(f.skus[i].ServicePlanIDs[j])
		}
	}
	res, _ := runFixture(t, f, baseConfig(), nil)
	for _, ul := range readCurated[schemas.UserLicense](t, res, "user_licenses") {
		if ul.SkuPartNumber == "" || ul.SkuID != strings.ToLower(ul.SkuID) || ul.UserID != strings.ToLower(ul.UserID) {
			t.Errorf("%s %s: part number %q, ids not normalised", ul.UserPrincipalName, ul.SkuID, ul.SkuPartNumber)
		}
		if ul.SkuPartNumber == "SPE_E3" && (ul.PriceMonthly == nil || *ul.PriceMonthly != 36) {
			t.Errorf("%s: E3 without its price: %v", ul.UserPrincipalName, ul.PriceMonthly)
		}
	}
	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	if r := recs["bob@e3-inactive"]; r.Action != schemas.RecommendRemoveLicense {
		t.Errorf("bob (upper-case skuId) must still reach the plan: %+v", r)
	}
	if r := recs["paul@e3-inactive"]; r.Action != schemas.RecommendReview || !r.DataAtRisk {
		t.Errorf("paul (upper-case user id) must keep his data-at-risk review: %s %s", r.Action, r.Reason)
	}
	if r := recs["nina@e3-inactive"]; !r.Suppressed || r.SuppressedBy != "legal-hold" {
		t.Errorf("nina (upper-case user id, excluded by group): suppressed=%v by %q", r.Suppressed, r.SuppressedBy)
	}
}

// TestErrorStateLicences: a licence whose every path is in state Error
// (Microsoft could not assign it: CountViolation, …) is no seat in use and no
// removal candidate, but a licence_assignment_errors row; one failed path
// next to a working one changes nothing.
func TestErrorStateLicences(t *testing.T) {
	t.Parallel()
	f := baseFixture()
	idle := person{created: 400, lastSuccess: 200, lastSignIn: 200, lastNonInt: 200, exchange: never, teams: never}
	failed := viaGroup(skuE3, groupAll)
	failed.State, failed.Error = "Error", "CountViolation"
	idle.name = "uma" // inactive, but her E3 was never given
	f.add(idle, failed)
	idle.name = "vic" // inactive; the group path failed, the direct one works
	f.add(idle, direct(skuE3), failed)
	idle.name = "walt" // two failed paths with different errors
	other := direct(skuE3)
	other.State, other.Error = "Error", "MutuallyExclusiveViolation"
	f.add(idle, failed, other)
	res, _ := runFixture(t, f, baseConfig(), nil)

	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	if r, ok := recs["uma@e3-inactive"]; ok {
		t.Errorf("uma's E3 failed to assign (CountViolation) but is a %s recommendation: %s", r.Action, r.Reason)
	}
	if _, ok := recs["walt@e3-inactive"]; ok {
		t.Error("walt's E3 failed on every path but is a recommendation")
	}
	if r := recs["vic@e3-inactive"]; r.Action != schemas.RecommendReview || !strings.Contains(r.Reason, "frees no seat") {
		t.Errorf("vic (direct works, group failed): %s %s", r.Action, r.Reason)
	}
	errs := readCurated[schemas.LicenceAssignmentError](t, res, "licence_assignment_errors")
	got := map[string]string{}
	for _, e := range errs {
		got[strings.TrimSuffix(e.UserPrincipalName, "@contoso.example")] = e.SkuPartNumber + " " + e.Error
	}
	if len(got) != 2 || got["uma"] != "SPE_E3 CountViolation" || got["walt"] != "SPE_E3 CountViolation" {
		t.Errorf("licence_assignment_errors = %v, want uma and walt only", got)
	}
	base, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	assigned := func(res *Result) int64 {
		for _, p := range readCurated[schemas.LicencePosition](t, res, "licence_position") {
			if p.SkuPartNumber == "SPE_E3" {
				return p.Assigned
			}
		}
		t.Fatal("no SPE_E3 position")
		return 0
	}
	// Of the three new holders only vic holds a seat.
	if a, b := assigned(res), assigned(base); a != b+1 {
		t.Errorf("SPE_E3 assigned %d, want %d (the base %d plus vic)", a, b+1, b)
	}
}

// TestRenamedUserIsUnknownNotEmpty: usage reports are keyed by UPN and lag
// 2–3 days, so a user renamed since the report was cut is missing from it.
// A licensed user missing from a report that should list them is unknown for
// that signal, and their mailbox is "contents unknown", never empty; the
// Teams report carries the object id and still matches. The one exception is
// positive evidence: no OneDrive row for a user who never signed in.
func TestRenamedUserIsUnknownNotEmpty(t *testing.T) {
	t.Parallel()
	f := baseFixture()
	var paul, frank string
	for i := range f.users {
		switch f.users[i].UserPrincipalName {
		case "paul@contoso.example":
			// Renamed after the reports were cut: every report still says paul@.
			f.users[i].UserPrincipalName = "paul.renamed@contoso.example"
			paul = f.users[i].ID
		case "frank@contoso.example":
			frank = f.users[i].ID
		}
	}
	var drives []schemas.ReportOneDriveUsageAccountDetail
	for _, d := range f.onedrive {
		if d.OwnerPrincipalName != "frank@contoso.example" {
			drives = append(drives, d)
		}
	}
	f.onedrive = drives // frank never signed in: no OneDrive was provisioned
	cfg := baseConfig()
	cfg.ReclaimRules[0].Signals = append(cfg.ReclaimRules[0].Signals, "teams")
	res, _ := runFixture(t, f, cfg, nil)

	match := map[string]string{}
	for _, a := range readCurated[schemas.UserActivity](t, res, "user_activity") {
		if a.UserID == paul || a.UserID == frank {
			match[a.UserID[len(a.UserID)-2:]+"/"+a.Workload] = a.ReportMatch + "/" + map[bool]string{true: "known", false: "unknown"}[a.Known]
		}
	}
	p, fr := paul[len(paul)-2:], frank[len(frank)-2:]
	for k, want := range map[string]string{p + "/exchange": "missing/unknown", p + "/teams": "user_id/known",
		p + "/onedrive": "missing/unknown", fr + "/onedrive": "never_signed_in/known", fr + "/exchange": "user_principal_name/known",
		p + "/sign_in_interactive": "/known"} {
		if match[k] != want {
			t.Errorf("user_activity %s: %q, want %q", k, match[k], want)
		}
	}
	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	r := recs["paul.renamed@e3-inactive"]
	if r.Action != schemas.RecommendReview || !r.DataAtRisk ||
		!strings.Contains(r.DataAtRiskReason, "mailbox contents unknown: the user is not in report_mailbox_usage_detail") ||
		!strings.Contains(r.Reason, "office365 unknown (the user is licensed for it but not in report_office365_active_user_detail") ||
		len(r.SignalsUnknown) != 1 || r.SignalsUnknown[0] != "office365" {
		t.Errorf("renamed paul: %s risk=%v %q / %q unknown=%v", r.Action, r.DataAtRisk, r.DataAtRiskReason, r.Reason, r.SignalsUnknown)
	}
	if r := recs["frank@e3-inactive"]; r.Action != schemas.RecommendRemoveLicense || r.DataAtRisk {
		t.Errorf("frank (never signed in, no OneDrive row): %s %s", r.Action, r.DataAtRiskReason)
	}
}

// TestReportCutAtRowBoundary: a report that ends cleanly but lists only half
// the licensed users it should (cut short at a row boundary) is incomplete:
// its signal is unavailable, so nobody is inactive on it.
func TestReportCutAtRowBoundary(t *testing.T) {
	t.Parallel()
	f := baseFixture()
	f.o365 = f.o365[:len(f.o365)/2]
	res, _ := runFixture(t, f, baseConfig(), nil)
	for _, s := range readCurated[schemas.SignalStatus](t, res, "signal_status") {
		if s.Signal == "office365" && (s.Available || s.MissingUsers != 10 || !strings.Contains(s.Reason, "incomplete")) {
			t.Errorf("office365 status: available=%v missing=%d %q", s.Available, s.MissingUsers, s.Reason)
		}
	}
	recs := recsByUser(readCurated[schemas.Recommendation](t, res, "recommendations"))
	for k, r := range recs {
		if strings.HasSuffix(k, "@e3-inactive") && r.Action == schemas.RecommendRemoveLicense {
			t.Errorf("%s: remove_license although the office365 report is incomplete: %s", k, r.Reason)
		}
	}
	if r := recs["bob@e3-inactive"]; r.Action != schemas.RecommendReview || !strings.Contains(r.Reason, "incomplete") {
		t.Errorf("bob: %s %s", r.Action, r.Reason)
	}
}
