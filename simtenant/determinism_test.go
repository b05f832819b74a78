package simtenant

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestSameSeedSameBytes starts two servers with the same options and checks
// that data endpoints answer byte for byte the same (apart from the base URL,
// which carries the port).
func TestSameSeedSameBytes(t *testing.T) {
	paths := []string{
		"/v1.0/users?$top=999&$select=id,userPrincipalName,displayName,accountEnabled,userType,department,jobTitle,country,usageLocation,createdDateTime,onPremisesSyncEnabled,assignedLicenses,licenseAssignmentStates,signInActivity",
		"/v1.0/users",
		"/v1.0/subscribedSkus",
		"/v1.0/groups/" + groups[grpE3].ID + "/transitiveMembers",
		"/v1.0/auditLogs/signIns?$top=700",
		"/v1.0/reports/getEmailActivityUserDetail(period='D30')",
		"/v1.0/reports/getTeamsUserActivityUserDetail(date=2026-11-01)",
	}
	fetch := func() [][]byte {
		srv, c := startSim(t, Options{Users: 1500, Seed: 99})
		tok := tokenFor(t, srv, c, "")
		var out [][]byte
		for _, p := range paths {
			next := srv.URL() + p
			for next != "" {
				resp, b := get(t, c, next, tok)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", next, resp.StatusCode, b)
				}
				out = append(out, bytes.ReplaceAll(b, []byte(srv.URL()), []byte("BASE")))
				var pg struct {
					NextLink string `json:"@odata.nextLink"`
				}
				json.Unmarshal(b, &pg)
				next = pg.NextLink
			}
		}
		dv := tokenFor(t, srv, c, srv.DataverseURL("contoso")+"/.default")
		for _, p := range []string{"/systemusers", "/audits?$select=auditid,createdon,action,_userid_value"} {
			resp, b := get(t, c, srv.DataverseURL("contoso")+"/api/data/v9.2"+p, dv)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", p, resp.StatusCode, b)
			}
			out = append(out, bytes.ReplaceAll(b, []byte(srv.URL()), []byte("BASE")))
		}
		srv.Close()
		return out
	}
	a, b := fetch(), fetch()
	if len(a) != len(b) {
		t.Fatalf("%d vs %d pages", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("page %d differs:\n%.300s\n%.300s", i, a[i], b[i])
		}
	}
	if !strings.Contains(string(a[0]), "signInActivity") {
		t.Error("first page has no signInActivity")
	}
}

func TestStatsCountRequests(t *testing.T) {
	srv, c := startSim(t, Options{Users: 10})
	tok := tokenFor(t, srv, c, "")
	get(t, c, srv.URL()+"/v1.0/users", tok)
	get(t, c, srv.URL()+"/v1.0/users", "")
	st := srv.Stats()
	if st.Requests["users"][200] != 1 || st.Requests["users"][401] != 1 || st.Requests["token"][200] != 1 {
		t.Errorf("stats %+v", st.Requests)
	}
	_, b := get(t, c, srv.URL()+"/_sim/stats", "")
	var js Stats
	if err := json.Unmarshal(b, &js); err != nil || js.Requests["users"][401] != 1 {
		t.Errorf("/_sim/stats = %s", b)
	}
	do(t, c, "POST", srv.URL()+"/_sim/reset-stats", "", "")
	if st := srv.Stats(); st.Total != 0 {
		t.Errorf("after reset total=%d", st.Total)
	}
}
