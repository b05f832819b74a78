package simtenant

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"testing"
)

func keysOf(m map[string]any) string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}

func sortedCSV(s string) string {
	k := strings.Split(s, ",")
	sort.Strings(k)
	return strings.Join(k, ",")
}

// TestResponseShapes checks the field names of each JSON object against the
// ones Microsoft documents (graph-api-detail.md §2, §3, §5, §6.2, §9).
func TestResponseShapes(t *testing.T) {
	srv, c := startSim(t, Options{Users: 200, Seed: 9})
	tok := tokenFor(t, srv, c, "")
	first := func(u string) map[string]any {
		t.Helper()
		resp, b := get(t, c, u, tok)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
		}
		var p struct {
			Value []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(b, &p); err != nil || len(p.Value) == 0 {
			t.Fatalf("%s: %v %s", u, err, b)
		}
		return p.Value[0]
	}
	u := first(srv.URL() + "/v1.0/users?$top=999&$select=id,assignedLicenses,licenseAssignmentStates,signInActivity&$filter=" + url.QueryEscape("accountEnabled eq true and assignedLicenses/any(x:x/skuId eq "+skus[skuM365E3].ID+")"))
	if _, ok := u["signInActivity"]; !ok {
		t.Fatal("first E3 user never signed in; pick another seed")
	}
	tests := []struct {
		name string
		obj  any
		want string
	}{
		{"subscribedSku", first(srv.URL() + "/v1.0/subscribedSkus"),
			"accountId,accountName,appliesTo,capabilityStatus,consumedUnits,id,prepaidUnits,servicePlans,skuId,skuPartNumber,subscriptionIds"},
		{"prepaidUnits", first(srv.URL() + "/v1.0/subscribedSkus")["prepaidUnits"], "enabled,lockedOut,suspended,warning"},
		{"servicePlanInfo", first(srv.URL() + "/v1.0/subscribedSkus")["servicePlans"].([]any)[0], "appliesTo,provisioningStatus,servicePlanId,servicePlanName"},
		{"assignedLicense", u["assignedLicenses"].([]any)[0], "disabledPlans,skuId"},
		{"licenseAssignmentState", u["licenseAssignmentStates"].([]any)[0], "assignedByGroup,disabledPlans,error,lastUpdatedDateTime,skuId,state"},
		{"signInActivity", u["signInActivity"], "lastNonInteractiveSignInDateTime,lastNonInteractiveSignInRequestId,lastSignInDateTime,lastSignInRequestId,lastSuccessfulSignInDateTime,lastSuccessfulSignInRequestId"},
		{"licenseDetails", first(srv.URL() + "/v1.0/users/" + u["id"].(string) + "/licenseDetails"), "id,servicePlans,skuId,skuPartNumber"},
		{"signIn", first(srv.URL() + "/v1.0/auditLogs/signIns?$top=1"),
			sortedCSV("id,createdDateTime,userDisplayName,userPrincipalName,userId,appId,appDisplayName,ipAddress,clientAppUsed,correlationId,conditionalAccessStatus,isInteractive,riskDetail,riskLevelAggregated,riskLevelDuringSignIn,riskState,riskEventTypes,riskEventTypes_v2,resourceDisplayName,resourceId,status,deviceDetail,location,appliedConditionalAccessPolicies")},
		{"signIn.status", first(srv.URL() + "/v1.0/auditLogs/signIns?$top=1")["status"], "additionalDetails,errorCode,failureReason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := tc.obj.(map[string]any)
			if !ok {
				t.Fatalf("not an object: %v", tc.obj)
			}
			if got := keysOf(m); got != tc.want {
				t.Errorf("fields\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	env := srv.DataverseURL("contoso")
	dvTok := tokenFor(t, srv, c, env+"/.default")
	resp, b := get(t, c, env+"/api/data/v9.2/systemusers", dvTok)
	var p struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	if json.Unmarshal(b, &p); resp.StatusCode != 200 || len(p.Value) == 0 || resp.Header.Get("OData-Version") != "4.0" {
		t.Fatalf("systemusers: %d %s", resp.StatusCode, b)
	}
	want := "@odata.etag," + sortedCSV(strings.Join(systemUserProps, ","))
	if got := keysOf(p.Value[0]); got != want {
		t.Errorf("systemuser fields\n got %s\nwant %s", got, want)
	}
}
