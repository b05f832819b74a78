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
