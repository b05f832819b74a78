package extract_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/msgraph/msgraphtest"
	"github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// microsoftItems reads the "value" items of one of Microsoft's verbatim
// example responses in the top-level testdata/microsoft (see its README for sources).
func microsoftItems(t *testing.T, file string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "microsoft", file))
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Value []map[string]any }
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return page.Value
}

func readRaw[T any](t *testing.T, out, table string) []T {
	t.Helper()
	rows, err := parquet.ReadFile[T](store.ProfileAt(out, "demo").Partition(stages.LayerRaw, table, asOf))
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return rows
}

// TestExtractMicrosoftExamples runs the extract stages over Microsoft's own
// example responses: the users of "List users" Example 11 (signInActivity
// with "" and 0001-01-01T00:00:00Z for no value), the subscribedSkus list
// example, and a licence assignment whose skuId is spelt as in the
// assignLicense example response (upper case).
func TestExtractMicrosoftExamples(t *testing.T) {
	t.Parallel()
	ten := msgraphtest.Demo(0)
	ten.Users = microsoftItems(t, "user-list-example11.json")
	ten.SKUs = microsoftItems(t, "subscribedskus-list.json")
	var assign struct {
		AssignedLicenses []struct {
			SkuID         string
			DisabledPlans []string
		}
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "microsoft", "user-assignlicense-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &assign); err != nil {
		t.Fatal(err)
	}
	upperSku := assign.AssignedLicenses[0].SkuID // "0118A350-71FC-…"
	ten.Users[0]["id"] = strings.ToUpper(ten.Users[0]["id"].(string))
	ten.Users[0]["licenseAssignmentStates"] = []map[string]any{
		{"skuId": upperSku, "assignedByGroup": nil, "state": "Active", "error": "None",
			"disabledPlans": assign.AssignedLicenses[0].DisabledPlans, "lastUpdatedDateTime": "0001-01-01T00:00:00Z"},
		{"skuId": strings.ToUpper("c7df2760-2c81-4ef7-b578-5b5392b571df"), "assignedByGroup": "7D1F3A20-5B6C-4E8F-9A01-2B3C4D5E6F70",
			"state": "Error", "error": "CountViolation", "disabledPlans": []string{}, "lastUpdatedDateTime": "2021-06-17T16:41:33Z"},
	}
	msgraphtest.Start(t, ten)
	out := t.TempDir()
	cfg := testConfig(ten, out)
	cfg.Profiles["demo"].Dynamics = nil
	cfg.Exclusions = nil
	r, sel := runner(t, false)
	if _, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf}); err != nil {
		t.Logf("run: %v (report stages of an empty tenant may fail; the directory tables are checked)", err)
	}

	users := readRaw[schemas.User](t, out, schemas.TableUsers)
	if len(users) != 2 {
		t.Fatalf("users: %d rows, want 2", len(users))
	}
	adele, alex := users[0], users[1]
	if adele.ID != "1aecaf40-dc3a-461f-88a8-d06994e12898" {
		t.Errorf("user id not lower-cased: %q", adele.ID)
	}
	if adele.LastNonInteractiveSignInDateTime != nil {
		t.Errorf("Adele: 0001-01-01T00:00:00Z stored as %v, want NULL", adele.LastNonInteractiveSignInDateTime)
	}
	if adele.LastSuccessfulSignInDateTime != nil || alex.LastSuccessfulSignInDateTime != nil {
		t.Error(`lastSuccessfulSignInDateTime "" must be NULL`)
	}
	if want := time.Date(2021, 6, 17, 16, 41, 33, 0, time.UTC); adele.LastSignInDateTime == nil || !adele.LastSignInDateTime.Equal(want) {
		t.Errorf("Adele lastSignInDateTime = %v, want %v", adele.LastSignInDateTime, want)
	}
	if alex.LastNonInteractiveSignInDateTime == nil || alex.LastNonInteractiveSignInDateTime.Year() != 2021 {
		t.Errorf("Alex lastNonInteractiveSignInDateTime = %v", alex.LastNonInteractiveSignInDateTime)
	}

	assigns := readRaw[schemas.UserLicenseAssignment](t, out, schemas.TableUserLicenseAssignments)
	if len(assigns) != 2 {
		t.Fatalf("assignments: %d rows, want 2", len(assigns))
	}
	a, e := assigns[0], assigns[1]
	if a.SkuID != strings.ToLower(upperSku) || a.UserID != adele.ID || a.LastUpdatedDateTime != nil {
		t.Errorf("assignment: sku %q user %q updated %v; want lower-case ids and NULL for 0001-01-01", a.SkuID, a.UserID, a.LastUpdatedDateTime)
	}
	if e.State != "Error" || e.Error != "CountViolation" || e.SkuID != "c7df2760-2c81-4ef7-b578-5b5392b571df" || e.AssignedByGroup != "7d1f3a20-5b6c-4e8f-9a01-2b3c4d5e6f70" {
		t.Errorf("error-state assignment: %+v", e)
	}

	skus := readRaw[schemas.SubscribedSku](t, out, schemas.TableSubscribedSkus)
	if len(skus) != 2 || skus[0].SkuPartNumber != "ENTERPRISEPREMIUM" || skus[1].CapabilityStatus != "Suspended" ||
		skus[1].PrepaidSuspended != 25 || skus[0].ServicePlanIDs[0] != "8c098270-9dd4-4350-9b30-ba4703f3b36b" {
		t.Errorf("subscribedSkus: %+v", skus)
	}
}

// TestExtractRejectsUnparsableDates: a date that is neither a value nor one
// of Microsoft's no-value forms fails the stage naming the value, instead of
// turning an active user into one who never signed in.
func TestExtractRejectsUnparsableDates(t *testing.T) {
	t.Parallel()
	ten := msgraphtest.Demo(0)
	ten.Users = []map[string]any{{"id": "u1", "userPrincipalName": "a@contoso.com",
		"signInActivity": map[string]any{"lastSignInDateTime": "17/06/2021 16:41"}}}
	msgraphtest.Start(t, ten)
	out := t.TempDir()
	cfg := testConfig(ten, out)
	cfg.Profiles["demo"].Dynamics = nil
	r, sel := runner(t, false)
	ms, _ := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf})
	for _, m := range ms {
		for _, rec := range m.Stages {
			if rec.Table == schemas.TableUsers {
				if rec.Status == "ok" || !strings.Contains(rec.Error, `"17/06/2021 16:41"`) {
					t.Fatalf("users stage: status %s, error %q; want a failure naming the value", rec.Status, rec.Error)
				}
				return
			}
		}
	}
	t.Fatal("users stage not in the manifest")
}

// TestExtractMicrosoftSubscriptionsExample: the "List subscriptions" example
// (companySubscription) through the real client becomes one subscriptions
// row, dates parsed; a second, upper-case trial subscription keeps isTrial
// and a lower-case skuId. Without the permission (403) the stage warns and
// the run goes on with no rows: trial status unknown.
func TestExtractMicrosoftSubscriptionsExample(t *testing.T) {
	t.Parallel()
	ten := msgraphtest.Demo(0)
	ten.Subscriptions = microsoftItems(t, "directory-list-subscriptions.json")
	ten.Subscriptions = append(ten.Subscriptions, map[string]any{"id": "A1", "skuId": "C5928F49-12BA-48F7-ADA3-0D743A3601D5",
		"skuPartNumber": "VISIOCLIENT", "status": "Warning", "isTrial": true, "totalLicenses": 3, "nextLifecycleDateTime": nil})
	msgraphtest.Start(t, ten)
	out := t.TempDir()
	cfg := testConfig(ten, out)
	cfg.Profiles["demo"].Tasks.ReclaimSubscriptions = true
	r, sel := runner(t, false)
	sel.Only = []string{schemas.TableSubscriptions}
	if _, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	subs := readRaw[schemas.Subscription](t, out, schemas.TableSubscriptions)
	if len(subs) != 2 {
		t.Fatalf("subscriptions: %d rows, want 2: %+v", len(subs), subs)
	}
	ms, trial := subs[0], subs[1]
	if ms.ID != "860697e3-b0aa-4196-a6c6-7ec361ed58f7" || ms.SkuID != "0816ccb9-3785-4d19-bf78-6c53e2106509" || ms.SkuPartNumber != "MyPartNumber" ||
		ms.Status != "Enabled" || ms.IsTrial || ms.TotalLicenses != 25 || ms.CommerceSubscriptionID != "f9c1ea2d-2c6e-4717-8c3b-7130812d70ba" {
		t.Errorf("Microsoft's example: %+v", ms)
	}
	if want := time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC); ms.NextLifecycleDateTime == nil || !ms.NextLifecycleDateTime.Equal(want) {
		t.Errorf("nextLifecycleDateTime = %v, want %v", ms.NextLifecycleDateTime, want)
	}
	if ms.CreatedDateTime == nil || ms.CreatedDateTime.Year() != 2023 {
		t.Errorf("createdDateTime = %v", ms.CreatedDateTime)
	}
	if !trial.IsTrial || trial.SkuID != "c5928f49-12ba-48f7-ada3-0d743a3601d5" || trial.ID != "a1" || trial.NextLifecycleDateTime != nil {
		t.Errorf("trial subscription: %+v", trial)
	}

	ten.Faults.ForbiddenPath = "/v1.0/directory/subscriptions"
	res, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatalf("a 403 on /directory/subscriptions failed the run: %v", err)
	}
	if w := strings.Join(res[0].Stages[0].Warnings, " "); !strings.Contains(w, "trial is unknown") {
		t.Errorf("403: warnings %q do not say trial status is unknown", w)
	}
}

// TestSignInMicrosoftExample reads Microsoft's "List signIns" example
// sign-in through the sign-ins stage: appId and resourceId reach the raw
// table (app_sign_in matches on both), lower-cased when Microsoft spells a
// GUID in upper case. Its createdDateTime (2020) is moved into the window
// the stage asks for; everything else is Microsoft's.
func TestSignInMicrosoftExample(t *testing.T) {
	t.Parallel()
	ten := msgraphtest.Demo(0)
	ten.SignIns = microsoftItems(t, "signin-list.json")
	upper := map[string]any{}
	for k, v := range ten.SignIns[0] {
		upper[k] = v
	}
	upper["id"] = "66ea54eb-6301-4ee5-be62-ff5a759b0101"
	upper["resourceId"] = "00000009-0000-0000-C000-000000000000"
	upper["appId"] = "871C010F-5E61-4FB1-83AC-98610A7E9110"
	ten.SignIns = append(ten.SignIns, upper)
	now := time.Now().UTC()
	for i, s := range ten.SignIns {
		s["createdDateTime"] = now.Add(-time.Duration(i+1) * time.Hour).Format(time.RFC3339)
	}
	msgraphtest.Start(t, ten)
	out := t.TempDir()
	cfg := testConfig(ten, out)
	r, sel := runner(t, true)
	sel.Only = []string{schemas.TableSignIns}
	if _, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: sel, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	rows := readRaw[schemas.SignIn](t, out, schemas.TableSignIns)
	if len(rows) != 2 {
		t.Fatalf("%d sign-ins, want 2", len(rows))
	}
	got := map[string]schemas.SignIn{}
	for _, r := range rows {
		got[r.ID] = r
	}
	if s := got["66ea54eb-6301-4ee5-be62-ff5a759b0100"]; s.AppID != "de8bc8b5-d9f9-48b1-a8ad-b748da725064" ||
		s.ResourceID != "00000003-0000-0000-c000-000000000000" || s.ResourceDisplayName != "Microsoft Graph" || s.StatusErrorCode != 0 {
		t.Errorf("Microsoft's example sign-in: %+v", s)
	}
	if s := got["66ea54eb-6301-4ee5-be62-ff5a759b0101"]; s.AppID != "871c010f-5e61-4fb1-83ac-98610a7e9110" || s.ResourceID != "00000009-0000-0000-c000-000000000000" {
		t.Errorf("upper-case ids not lowered: app %q resource %q", s.AppID, s.ResourceID)
	}
}
