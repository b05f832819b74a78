package simtenant

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

type usersPage struct {
	Context  string           `json:"@odata.context"`
	NextLink string           `json:"@odata.nextLink"`
	Value    []map[string]any `json:"value"`
}

func TestUsersPagingReturnsEveryUserOnce(t *testing.T) {
	srv, c := startSim(t, Options{Users: 5000, Seed: 7})
	tok := tokenFor(t, srv, c, "")
	seen := map[string]bool{}
	next := srv.URL() + "/v1.0/users?$top=999&$select=id,userPrincipalName"
	pages := 0
	for next != "" {
		resp, b := get(t, c, next, tok)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", next, resp.StatusCode, b)
		}
		var p usersPage
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if pages == 0 && p.Context != srv.URL()+"/v1.0/$metadata#users(id,userPrincipalName)" {
			t.Errorf("@odata.context = %q", p.Context)
		}
		if p.NextLink != "" && !strings.Contains(p.NextLink, "%24top=999") && !strings.Contains(p.NextLink, "$top=999") {
			t.Errorf("nextLink does not repeat the query: %s", p.NextLink)
		}
		for _, u := range p.Value {
			id := u["id"].(string)
			if seen[id] {
				t.Fatalf("user %s served twice", id)
			}
			seen[id] = true
		}
		next = p.NextLink
		pages++
	}
	if len(seen) != 5000 || pages != 6 {
		t.Fatalf("got %d users in %d pages, want 5000 in 6", len(seen), pages)
	}
}

func TestUsersDefaultPropertiesAndSelect(t *testing.T) {
	srv, c := startSim(t, Options{Users: 20, Seed: 1})
	tok := tokenFor(t, srv, c, "")
	_, b := get(t, c, srv.URL()+"/v1.0/users", tok)
	var p usersPage
	json.Unmarshal(b, &p)
	if len(p.Value) != 20 || p.NextLink != "" {
		t.Fatalf("got %d users, nextLink %q", len(p.Value), p.NextLink)
	}
	var keys []string
	for k := range p.Value[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := userEntity.def.names()
	sort.Strings(want)
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("default properties = %v, want %v", keys, want)
	}
	resp, b := get(t, c, srv.URL()+"/v1.0/users?$select=id,nope", tok)
	if code, _ := graphErrorCode(t, b); resp.StatusCode != 400 || code != "Request_BadRequest" {
		t.Errorf("unknown $select: %d %s", resp.StatusCode, b)
	}
	resp, _ = get(t, c, srv.URL()+"/v1.0/users?$top=1000", tok)
	if resp.StatusCode != 400 {
		t.Errorf("$top=1000: %d", resp.StatusCode)
	}
}

func TestUsersFilter(t *testing.T) {
	srv, c := startSim(t, Options{Users: 400, Seed: 3})
	tok := tokenFor(t, srv, c, "")
	e3 := skus[skuM365E3].ID
	tests := []struct {
		filter string
		check  func(tr UserTruth) bool
	}{
		{"accountEnabled eq false", func(tr UserTruth) bool { return !tr.AccountEnabled }},
		{"userType eq 'Guest'", func(tr UserTruth) bool { return tr.UserType == "Guest" }},
		{"assignedLicenses/any(u:u/skuId eq " + e3 + ")", func(tr UserTruth) bool {
			for _, l := range tr.Licenses {
				if l.SkuID == e3 {
					return true
				}
			}
			return false
		}},
		{"startswith(userPrincipalName,'shared.')", func(tr UserTruth) bool { return strings.HasPrefix(tr.UserPrincipalName, "shared.") }},
		{"id eq '" + srv.Tenant().Truth(17).ID + "'", func(tr UserTruth) bool { return tr.Index == 17 }},
		{"accountEnabled eq true and userType eq 'Member'", func(tr UserTruth) bool { return tr.AccountEnabled && tr.UserType == "Member" }},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			want := map[string]bool{}
			for i := 0; i < 400; i++ {
				if tr := srv.Truth(i); tc.check(tr) {
					want[tr.ID] = true
				}
			}
			if len(want) == 0 {
				t.Fatal("test tenant has no matching user; pick another seed")
			}
			got := map[string]bool{}
			next := srv.URL() + "/v1.0/users?$filter=" + url.QueryEscape(tc.filter)
			for next != "" {
				resp, b := get(t, c, next, tok)
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, b)
				}
				var p usersPage
				json.Unmarshal(b, &p)
				for _, u := range p.Value {
					got[u["id"].(string)] = true
				}
				next = p.NextLink
			}
			if len(got) != len(want) {
				t.Fatalf("got %d users, want %d", len(got), len(want))
			}
			for id := range want {
				if !got[id] {
					t.Fatalf("missing %s", id)
				}
			}
		})
	}
	resp, b := get(t, c, srv.URL()+"/v1.0/users?$filter="+url.QueryEscape("employeeId eq '1'"), tok)
	if code, _ := graphErrorCode(t, b); resp.StatusCode != 400 || code != "Request_UnsupportedQuery" {
		t.Errorf("unsupported filter: %d %s", resp.StatusCode, b)
	}
}

func TestUserByIDAndGuestUPN(t *testing.T) {
	srv, c := startSim(t, Options{Users: 300, Seed: 5})
	tok := tokenFor(t, srv, c, "")
	guest := -1
	for i := 0; i < 300; i++ {
		if srv.Truth(i).Kind == KindGuest {
			guest = i
			break
		}
	}
	tr := srv.Truth(guest)
	if !strings.Contains(tr.UserPrincipalName, "#EXT#@contoso.onmicrosoft.com") {
		t.Fatalf("guest UPN %q", tr.UserPrincipalName)
	}
	for _, key := range []string{tr.ID, url.PathEscape(tr.UserPrincipalName)} {
		resp, b := get(t, c, srv.URL()+"/v1.0/users/"+key+"?$select=id,userType", tok)
		if resp.StatusCode != 200 {
			t.Fatalf("GET user %s: %d %s", key, resp.StatusCode, b)
		}
		m := mustJSON(t, b)
		if m["id"] != tr.ID || m["userType"] != "Guest" {
			t.Errorf("GET %s = %s", key, b)
		}
	}
	resp, b := get(t, c, srv.URL()+"/v1.0/users/00000000-0000-4000-8000-000000000000", tok)
	if code, _ := graphErrorCode(t, b); resp.StatusCode != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("unknown user: %d %s", resp.StatusCode, b)
	}
}

func TestSignInActivityNeedsP1AndAuditLog(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		status int
		code   string
	}{
		{"granted", Options{}, 200, ""},
		{"no P1", Options{NoP1: true}, 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant"},
		{"no AuditLog.Read.All", Options{Permissions: []string{"User.Read.All"}}, 403, "Authorization_RequestDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Users = 30
			srv, c := startSim(t, tc.opts)
			tok := tokenFor(t, srv, c, "")
			resp, b := get(t, c, srv.URL()+"/v1.0/users?$select=id,signInActivity&$top=999", tok)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.code != "" {
				if code, _ := graphErrorCode(t, b); code != tc.code {
					t.Errorf("code %q, want %q", code, tc.code)
				}
				return
			}
			var p usersPage
			json.Unmarshal(b, &p)
			withSignIn := 0
			for _, u := range p.Value {
				if sa, ok := u["signInActivity"].(map[string]any); ok {
					withSignIn++
					if _, ok := sa["lastSuccessfulSignInDateTime"]; !ok {
						t.Errorf("signInActivity lacks lastSuccessfulSignInDateTime: %v", sa)
					}
				}
			}
			if withSignIn == 0 || withSignIn == len(p.Value) {
				t.Errorf("%d of %d users have signInActivity; want some but not all", withSignIn, len(p.Value))
			}
		})
	}
}

func TestPermissionDenied(t *testing.T) {
	srv, c := startSim(t, Options{Users: 10, Permissions: []string{"User.Read.All"}})
	tok := tokenFor(t, srv, c, "")
	resp, b := get(t, c, srv.URL()+"/v1.0/subscribedSkus", tok)
	if code, msg := graphErrorCode(t, b); resp.StatusCode != 403 || code != "Authorization_RequestDenied" || msg != "Insufficient privileges to complete the operation." {
		t.Errorf("subscribedSkus without permission: %d %s", resp.StatusCode, b)
	}
}

type skuItem struct {
	SkuID         string `json:"skuId"`
	SkuPartNumber string `json:"skuPartNumber"`
	ConsumedUnits int    `json:"consumedUnits"`
	PrepaidUnits  struct {
		Enabled int `json:"enabled"`
	} `json:"prepaidUnits"`
	ServicePlans []struct {
		ServicePlanID   string `json:"servicePlanId"`
		ServicePlanName string `json:"servicePlanName"`
	} `json:"servicePlans"`
}

func getSkus(t *testing.T, srv *Server, c interface{}, tok string) map[string]skuItem {
	t.Helper()
	_, b := get(t, clientFor(t, srv), srv.URL()+"/v1.0/subscribedSkus", tok)
	var p struct {
		Value []skuItem `json:"value"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	out := map[string]skuItem{}
	for _, s := range p.Value {
		out[s.SkuID] = s
	}
	return out
}

func TestSubscribedSkusCountsMatchTruth(t *testing.T) {
	srv, c := startSim(t, Options{Users: 500, Seed: 11})
	tok := tokenFor(t, srv, c, "")
	got := getSkus(t, srv, c, tok)
	want := map[string]int{}
	for i := 0; i < 500; i++ {
		seen := map[string]bool{}
		for _, l := range srv.Truth(i).Licenses {
			if !seen[l.SkuID] {
				want[l.SkuID]++
				seen[l.SkuID] = true
			}
		}
	}
	for id, s := range got {
		if s.ConsumedUnits != want[id] {
			t.Errorf("%s consumedUnits %d, truth %d", s.SkuPartNumber, s.ConsumedUnits, want[id])
		}
		if s.PrepaidUnits.Enabled < s.ConsumedUnits {
			t.Errorf("%s prepaid %d < consumed %d", s.SkuPartNumber, s.PrepaidUnits.Enabled, s.ConsumedUnits)
		}
	}
	if e3 := got[skus[skuM365E3].ID]; e3.SkuPartNumber != "SPE_E3" || len(e3.ServicePlans) == 0 || e3.ServicePlans[0].ServicePlanName != "EXCHANGE_S_ENTERPRISE" {
		t.Errorf("SPE_E3 = %+v", e3)
	}
	resp, _ := get(t, c, srv.URL()+"/v1.0/subscribedSkus?$filter=x", tok)
	if resp.StatusCode != 400 {
		t.Errorf("$filter on subscribedSkus: %d", resp.StatusCode)
	}
}

func TestLicenseDetails(t *testing.T) {
	srv, c := startSim(t, Options{Users: 300, Seed: 2})
	tok := tokenFor(t, srv, c, "")
	i := findUserT(t, srv, func(tr UserTruth) bool {
		for _, l := range tr.Licenses {
			if l.Direct && len(l.DisabledPlans) > 0 {
				return true
			}
		}
		return false
	})
	tr := srv.Truth(i)
	_, b := get(t, c, srv.URL()+"/v1.0/users/"+tr.ID+"/licenseDetails", tok)
	var p struct {
		Value []struct {
			ID            string `json:"id"`
			SkuID         string `json:"skuId"`
			SkuPartNumber string `json:"skuPartNumber"`
			ServicePlans  []struct {
				ServicePlanID      string `json:"servicePlanId"`
				ProvisioningStatus string `json:"provisioningStatus"`
			} `json:"servicePlans"`
		} `json:"value"`
	}
	if err := json.Unmarshal(b, &p); err != nil || len(p.Value) == 0 {
		t.Fatalf("%v %s", err, b)
	}
	disabled := 0
	for _, ld := range p.Value {
		if ld.ID == "" || ld.SkuPartNumber == "" {
			t.Errorf("licenseDetail %+v", ld)
		}
		for _, sp := range ld.ServicePlans {
			if sp.ProvisioningStatus == "Disabled" {
				disabled++
			}
		}
	}
	if disabled == 0 {
		t.Errorf("no disabled plan for a user with disabledPlans: %s", b)
	}
}

func findUserT(t *testing.T, srv *Server, pred func(UserTruth) bool) int {
	return findUser(t, srv, pred)
}

func TestUsersCount(t *testing.T) {
	srv, c := startSim(t, Options{Users: 250, Seed: 3})
	tok := tokenFor(t, srv, c, "")
	guests := 0
	for i := 0; i < 250; i++ {
		if srv.Truth(i).UserType == "Guest" {
			guests++
		}
	}
	f := url.QueryEscape("userType eq 'Guest'")
	_, b := get(t, c, srv.URL()+"/v1.0/users?$count=true&$top=5&$filter="+f, tok, "ConsistencyLevel", "eventual")
	if m := mustJSON(t, b); m["@odata.count"] != float64(guests) {
		t.Errorf("@odata.count = %v, want %d", m["@odata.count"], guests)
	}
	_, b = get(t, c, srv.URL()+"/v1.0/users/$count?$filter="+f, tok, "ConsistencyLevel", "eventual")
	if string(b) != strconv.Itoa(guests) {
		t.Errorf("/users/$count = %s, want %d", b, guests)
	}
	if resp, _ := get(t, c, srv.URL()+"/v1.0/users?$count=true", tok); resp.StatusCode != 400 {
		t.Errorf("$count without ConsistencyLevel: %d", resp.StatusCode)
	}
}

// TestSubscriptionsMatchSubscribedSkus: GET /directory/subscriptions has one
// companySubscription per subscribedSku, with the same id, skuId and seats;
// only the catalog's trial SKU (EXCHANGESTANDARD) is a trial, ending within 30 days.
func TestSubscriptionsMatchSubscribedSkus(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, Options{Users: 200, Seed: 5})
	tok := tokenFor(t, srv, c, "")
	got := getSkus(t, srv, c, tok)
	_, b := get(t, c, srv.URL()+"/v1.0/directory/subscriptions", tok)
	var p struct {
		Value []struct {
			ID                    string `json:"id"`
			SkuID                 string `json:"skuId"`
			SkuPartNumber         string `json:"skuPartNumber"`
			Status                string `json:"status"`
			IsTrial               bool   `json:"isTrial"`
			TotalLicenses         int    `json:"totalLicenses"`
			NextLifecycleDateTime string `json:"nextLifecycleDateTime"`
		} `json:"value"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if len(p.Value) != len(got) {
		t.Fatalf("%d subscriptions for %d subscribedSkus", len(p.Value), len(got))
	}
	trials := 0
	for _, s := range p.Value {
		sku, ok := got[s.SkuID]
		if !ok || sku.SkuPartNumber != s.SkuPartNumber || sku.PrepaidUnits.Enabled != s.TotalLicenses || s.Status != "Enabled" {
			t.Errorf("subscription %+v does not match subscribedSku %+v", s, sku)
		}
		next, err := time.Parse(time.RFC3339, s.NextLifecycleDateTime)
		if err != nil {
			t.Fatalf("%s nextLifecycleDateTime: %v", s.SkuPartNumber, err)
		}
		if s.IsTrial {
			trials++
			if s.SkuPartNumber != "EXCHANGESTANDARD" || next.After(srv.opts.Today.AddDate(0, 0, 30)) {
				t.Errorf("trial %s ends %s", s.SkuPartNumber, next)
			}
		}
	}
	if trials != 1 {
		t.Errorf("%d trial subscriptions, want 1", trials)
	}
}
