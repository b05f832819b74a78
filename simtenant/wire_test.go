package simtenant

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// innerErrorVolatile matches the parts of a Graph error body that change per
// request (the clock and the request id), which the golden file cannot hold.
var innerErrorVolatile = regexp.MustCompile(`"(date|request-id|client-request-id)":"[^"]*"`)

// TestDirectoryWireGolden pins the directory endpoints' bytes (users with every
// $select, $filter and $count form, licenceDetails, subscribedSkus,
// subscriptions, groups and members, assignLicense and membership writes) in
// each mode that changes them: plain, MicrosoftQuirks, HostileNames with
// RenamedUsers, and NoP1. Clients parse what the simulator sends exactly as
// Microsoft sends it, so a change here is a change to the wire: refresh with
// -update only when that change is intended.
func TestDirectoryWireGolden(t *testing.T) {
	modes := []struct {
		name string
		opts Options
		// catalogue: the SKU and group endpoints, which only NoP1 changes;
		// writes: assignLicense and membership changes.
		catalogue, writes bool
	}{
		{"plain", Options{Users: 30, Seed: 3}, true, true},
		{"quirks", Options{Users: 30, Seed: 3, MicrosoftQuirks: true}, false, true},
		{"hostile", Options{Users: 30, Seed: 3, HostileNames: true, RenamedUsers: []int{2, 5}}, false, false},
		{"nop1", Options{Users: 30, Seed: 3, NoP1: true}, true, false},
	}
	var out bytes.Buffer
	for _, m := range modes {
		srv, c := startSim(t, m.opts)
		tok := tokenFor(t, srv, c, "")
		// An interactive sign-in recorded through the control API and an
		// administrator's edit, both at fixed times so the bytes are stable.
		if err := srv.RecordSignIn(srv.Truth(3).ID, testToday.Add(-90*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := srv.PatchUser(srv.Truth(6).UserPrincipalName, UserAttributes{Department: ptr("Moved"), JobTitle: ptr("")}); err != nil {
			t.Fatal(err)
		}
		record := func(method, path, body string, hdr ...string) []byte {
			t.Helper()
			u := path
			if !strings.HasPrefix(u, "https://") {
				u = srv.URL() + path
			}
			resp, b := do(t, c, method, u, tok, body, hdr...)
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !json.Valid(b) {
				t.Errorf("%s %s %s: %d with a body that is not JSON: %.300s", m.name, method, path, resp.StatusCode, b)
			}
			fmt.Fprintf(&out, "=== %s %s %s\n%d\n", m.name, method, strings.ReplaceAll(u, srv.URL(), "https://sim"), resp.StatusCode)
			writeBody(t, &out, srv.URL(), b)
			return b
		}
		follow := func(path string, hdr ...string) {
			t.Helper()
			b := record("GET", path, "", hdr...)
			var p struct {
				NextLink string `json:"@odata.nextLink"`
			}
			if json.Unmarshal(b, &p) == nil && p.NextLink != "" {
				record("GET", p.NextLink, "", hdr...)
			}
		}
		q := url.QueryEscape
		u4, u5 := srv.Truth(4), srv.Truth(5)
		e3 := skus[skuM365E3].ID
		follow("/v1.0/users?$top=7")
		record("GET", "/v1.0/users?$top=6&$select="+strings.Join(userEntity.all.names(), ","), "")
		follow("/v1.0/users?$top=10&$select=ID,signinactivity,userprincipalname")
		for _, f := range []string{
			"accountEnabled eq false",
			"userType eq 'Guest'",
			"startswith(displayName,'a') or endswith(userPrincipalName,'5@contoso.com')",
			"mail ne null and jobTitle eq null",
			"not(department eq 'Sales') and country ne null",
			"onPremisesSyncEnabled eq true",
			"createdDateTime ge 2025-06-01T00:00:00Z",
			"signInActivity/lastSignInDateTime le 2026-10-01",
			"signInActivity/lastNonInteractiveSignInDateTime eq null",
			"signInActivity/lastSuccessfulSignInDateTime gt 2026-11-01T00:00:00Z",
			"assignedLicenses/any(x:x/skuId eq " + e3 + ")",
			"assignedLicenses/any(s:s/skuId eq '" + strings.ToUpper(e3) + "')",
			"ID eq '" + u4.ID + "'",
			"userPrincipalName eq '" + u5.UserPrincipalName + "'",
			"usageLocation eq 'US' and (jobTitle ne null or city eq 'Paris')",
			"givenName ge 'M' and surname lt 'T'",
			"department eq 'Moved'",
			// Refused, each with its own message.
			"employeeId eq '1'",
			"accountEnabled eq 'yes'",
			"startswith(accountEnabled,'t')",
			"assignedLicenses/all(x:x/skuId eq " + e3 + ")",
			"displayName eq 'a' and",
			"(displayName eq 'a'",
			"displayName has 'a'",
		} {
			follow("/v1.0/users?$top=999&$select=id&$filter=" + q(f))
		}
		follow("/v1.0/users?$count=true&$top=3&$select=id&$filter="+q("accountEnabled eq true"), "ConsistencyLevel", "eventual")
		record("GET", "/v1.0/users?$count=true", "")
		record("GET", "/v1.0/users?$count=maybe", "")
		record("GET", "/v1.0/users/$count", "", "ConsistencyLevel", "eventual")
		record("GET", "/v1.0/users/$count?$filter="+q("userType eq 'Member'"), "", "ConsistencyLevel", "eventual")
		record("GET", "/v1.0/users/$count", "")
		record("GET", "/v1.0/users?$select=id,nope", "")
		record("GET", "/v1.0/users?$top=0", "")
		record("GET", "/v1.0/users?$orderby=displayName", "")
		record("GET", "/v1.0/users?$skiptoken=RFNwdAIAbogus", "")
		record("GET", "/v1.0/users/"+u4.ID, "")
		record("GET", "/v1.0/users/"+q(u5.UserPrincipalName)+"?$select="+strings.Join(userEntity.all.names(), ","), "")
		record("GET", "/v1.0/users/"+srv.Truth(3).ID+"?$select=id,signInActivity", "")
		record("GET", "/v1.0/users/"+srv.Truth(6).ID+"?$select=id,department,jobTitle,country", "")
		record("GET", "/v1.0/users/00000000-0000-0000-0000-000000000000", "")
		// A user who never signed in has no signInActivity: selecting only
		// that leaves an object with nothing but @odata.context.
		never := -1
		for i := 0; i < 30 && never < 0; i++ {
			la := srv.Truth(i).LastActivity
			if la[WorkSignIn] == "" && la[WorkNonInteractive] == "" && i != 3 {
				never = i
			}
		}
		if never < 0 {
			t.Fatal("the tenant has no user who never signed in")
		}
		record("GET", "/v1.0/users/"+srv.Truth(never).ID+"?$select=signInActivity", "")
		g0, g1 := groups[0].ID, groups[1].ID
		if m.catalogue {
			for _, i := range []int{0, 4, 9} {
				record("GET", "/v1.0/users/"+srv.Truth(i).ID+"/licenseDetails", "")
			}
			if !m.opts.NoP1 {
				record("GET", "/v1.0/subscribedSkus", "")
			}
			record("GET", "/v1.0/subscribedSkus?$select=skuId,prepaidUnits,consumedUnits", "")
			record("GET", "/v1.0/subscribedSkus?$filter=x", "")
			record("GET", "/v1.0/directory/subscriptions", "")
			record("GET", "/v1.0/groups", "")
			record("GET", "/v1.0/groups?$filter="+q("displayName eq '"+groups[1].DisplayName+"' or id eq '"+g0+"'"), "")
			record("GET", "/v1.0/groups?$filter="+q("mailEnabled eq true"), "")
			record("GET", "/v1.0/groups/"+g1, "")
			record("GET", "/v1.0/groups/nope", "")
		}
		follow("/v1.0/groups/" + g0 + "/members?$top=3")
		follow("/v1.0/groups/" + g1 + "/transitiveMembers?$select=id,displayName,assignedLicenses")
		record("GET", "/v1.0/groups/"+g0+"/members?$select=id,signInActivity", "")
		record("GET", "/v1.0/groups/"+g0+"/members?$filter=x", "")
		if !m.writes {
			continue
		}
		// Writes: a direct licence removed and added back, a refused
		// removal, a membership added and removed.
		var direct, member string
		for i := 0; i < 30 && (direct == "" || member == ""); i++ {
			tr := srv.Truth(i)
			for _, l := range tr.Licenses {
				if l.Direct && direct == "" {
					direct = `{"id":"` + tr.ID + `","sku":"` + l.SkuID + `"}`
				}
			}
			if member == "" && !inGroup(tr, g1) {
				member = tr.ID
			}
		}
		var d struct{ ID, Sku string }
		if err := json.Unmarshal([]byte(direct), &d); err != nil || member == "" {
			t.Fatalf("tenant has no user with a direct licence (%q) or outside %s (%q)", direct, g1, member)
		}
		record("POST", "/v1.0/users/"+d.ID+"/assignLicense", `{"addLicenses":[],"removeLicenses":["`+d.Sku+`"]}`)
		record("POST", "/v1.0/users/"+d.ID+"/assignLicense", `{"addLicenses":[],"removeLicenses":["`+d.Sku+`"]}`)
		record("POST", "/v1.0/users/"+d.ID+"/assignLicense", `{"addLicenses":[{"skuId":"`+d.Sku+`","disabledPlans":[]}],"removeLicenses":[]}`)
		record("POST", "/v1.0/users/"+d.ID+"/assignLicense", `{"addLicenses":[]}`)
		record("POST", "/v1.0/groups/"+g1+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+member+`"}`)
		record("POST", "/v1.0/groups/"+g1+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+member+`"}`)
		record("GET", "/v1.0/users/"+member+"?$select=id,assignedLicenses,licenseAssignmentStates", "")
		record("DELETE", "/v1.0/groups/"+g1+"/members/"+member+"/$ref", "")
		record("DELETE", "/v1.0/groups/"+g1+"/members/"+member+"/$ref", "")
		record("GET", "/v1.0/subscribedSkus?$select=skuId,consumedUnits", "")
	}
	golden := "testdata/directory_wire.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestDirectoryWireGolden -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		got, wantL := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(got) || i < len(wantL); i++ {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(wantL) {
				w = wantL[i]
			}
			if g != w {
				t.Fatalf("%s: first difference at line %d:\n got: %.400s\nwant: %.400s", golden, i+1, g, w)
			}
		}
	}
}

// writeBody writes a response body indented for review. JSON the simulator
// writes compactly is indented (json.Compact of the golden text gives the
// wire bytes back, which the check below proves); anything else is written
// as it came.
func writeBody(t *testing.T, out *bytes.Buffer, base string, b []byte) {
	t.Helper()
	b = innerErrorVolatile.ReplaceAll(b, []byte(`"$1":"…"`))
	b = bytes.ReplaceAll(b, []byte(base), []byte("https://sim"))
	var compact bytes.Buffer
	if json.Valid(b) && json.Compact(&compact, b) == nil && bytes.Equal(compact.Bytes(), b) {
		var ind bytes.Buffer
		if err := json.Indent(&ind, b, "", " "); err != nil {
			t.Fatal(err)
		}
		out.Write(ind.Bytes())
	} else {
		out.WriteString("raw: ")
		out.Write(b)
	}
	out.WriteString("\n")
}

func inGroup(tr UserTruth, gid string) bool {
	for _, l := range tr.Licenses {
		if l.GroupID == gid {
			return true
		}
	}
	return false
}

func ptr(s string) *string { return &s }
