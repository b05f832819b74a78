package simtenant

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func TestDataverseSystemUsersAndAudits(t *testing.T) {
	srv, c := startSim(t, Options{Users: 800, Seed: 31})
	env := srv.DataverseURL("contoso")
	tok := tokenFor(t, srv, c, env+"/.default")
	// A Graph token is refused by Dataverse.
	if resp, _ := get(t, c, env+"/api/data/v9.2/systemusers", tokenFor(t, srv, c, "")); resp.StatusCode != 401 {
		t.Errorf("Graph token on Dataverse: %d", resp.StatusCode)
	}
	type page struct {
		NextLink string           `json:"@odata.nextLink"`
		Value    []map[string]any `json:"value"`
	}
	pull := func(u string) []map[string]any {
		var out []map[string]any
		for n := 0; u != ""; n++ {
			resp, b := get(t, c, u, tok, "Prefer", "odata.maxpagesize=10", "OData-MaxVersion", "4.0", "OData-Version", "4.0")
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
			}
			if resp.Header.Get("Preference-Applied") != "odata.maxpagesize=10" {
				t.Errorf("Preference-Applied = %q", resp.Header.Get("Preference-Applied"))
			}
			var p page
			json.Unmarshal(b, &p)
			if len(p.Value) > 10 {
				t.Fatalf("page of %d > maxpagesize", len(p.Value))
			}
			out = append(out, p.Value...)
			u = p.NextLink
		}
		return out
	}
	users := pull(env + "/api/data/v9.2/systemusers?$select=systemuserid,azureactivedirectoryobjectid,domainname,fullname,isdisabled,accessmode")
	byAAD := map[string]string{}
	for _, u := range users {
		if id, ok := u["azureactivedirectoryobjectid"].(string); ok {
			byAAD[id] = u["systemuserid"].(string)
		}
	}
	dyn := 0
	for i := 0; i < 800; i++ {
		if tr := srv.Truth(i); tr.DynamicsUser {
			dyn++
			if byAAD[tr.ID] == "" {
				t.Errorf("Dynamics user %d has no systemuser", i)
			}
		}
	}
	if dyn < 10 || len(byAAD) != dyn || len(users) != dyn+builtinSystemUsers {
		t.Fatalf("%d Dynamics users, %d systemusers with AAD id, %d rows", dyn, len(byAAD), len(users))
	}
	from := testToday.AddDate(0, 0, -120)
	filter := "operation eq 4 and (action eq 64 or action eq 65) and createdon ge " + from.Format(time.RFC3339)
	audits := pull(env + "/api/data/v9.2/audits?$select=createdon,action,operation,_userid_value&$filter=" + url.QueryEscape(filter))
	last := map[string]string{}
	for _, a := range audits {
		d := a["createdon"].(string)[:10]
		if d > last[a["_userid_value"].(string)] {
			last[a["_userid_value"].(string)] = d
		}
		if a["action"] != float64(64) && a["action"] != float64(65) {
			t.Fatalf("audit action %v", a["action"])
		}
	}
	for i := 0; i < 800; i++ {
		tr := srv.Truth(i)
		if !tr.DynamicsUser {
			continue
		}
		want := tr.LastActivity[WorkDynamics]
		if want < from.Format(time.DateOnly) {
			want = ""
		}
		if got := last[byAAD[tr.ID]]; got != want {
			t.Errorf("user %d (%s): last audit %q, truth %q", i, tr.Archetype, got, want)
		}
	}
	resp, b := get(t, c, env+"/api/data/v9.2/audits?$select=nope", tok)
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(b, &e); resp.StatusCode != 400 || e.Error.Code == "" {
		t.Errorf("bad $select: %d %s", resp.StatusCode, b)
	}
}
