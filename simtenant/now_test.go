package simtenant

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestNothingLaterThanNow: on the real current date, no sign-in (user
// signInActivity or sign-in log) is later than the moment it is read.
func TestNothingLaterThanNow(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, Options{Users: 400, Seed: 5, Today: time.Now()})
	tok := tokenFor(t, srv, c, "")
	var newest time.Time
	check := func(what string, s any) {
		v, ok := s.(string)
		if !ok {
			return
		}
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if now := time.Now(); at.After(now) {
			t.Errorf("%s = %s, later than now %s", what, v, now.Format(time.RFC3339))
		}
		if at.After(newest) {
			newest = at
		}
	}
	eachPage(t, c, tok, srv.URL()+"/v1.0/users?$top=500&$select=id,createdDateTime,signInActivity", func(u map[string]any) {
		check("createdDateTime", u["createdDateTime"])
		if sa, ok := u["signInActivity"].(map[string]any); ok {
			for _, k := range []string{"lastSignInDateTime", "lastNonInteractiveSignInDateTime", "lastSuccessfulSignInDateTime"} {
				check(k, sa[k])
			}
		}
	})
	today := time.Now().UTC().Truncate(24 * time.Hour)
	eachPage(t, c, tok, srv.URL()+"/v1.0/auditLogs/signIns?$top=500&$filter="+url.QueryEscape("createdDateTime ge "+today.Format(time.RFC3339)), func(e map[string]any) {
		check("sign-in log createdDateTime", e["createdDateTime"])
	})
	if newest.Before(today) {
		t.Fatalf("no sign-in today among 400 users (newest %s): the test checks nothing", newest)
	}
}

// eachPage calls fn with every item of a paged collection.
func eachPage(t *testing.T, c *http.Client, tok, next string, fn func(map[string]any)) {
	t.Helper()
	for next != "" {
		resp, b := get(t, c, next, tok)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		var p struct {
			NextLink string           `json:"@odata.nextLink"`
			Value    []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Value {
			fn(v)
		}
		next = p.NextLink
	}
}

// TestRecordSignInControl: POST /_sim/users/{id}/sign-in makes the user's
// signInActivity show a successful sign-in now.
func TestRecordSignInControl(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, Options{Users: 20, Seed: 5})
	tok := tokenFor(t, srv, c, "")
	id := srv.Truth(3).ID
	before := time.Now().UTC().Truncate(time.Second)
	if resp, b := do(t, c, "POST", srv.URL()+"/_sim/users/"+id+"/sign-in", "", ""); resp.StatusCode != 204 {
		t.Fatalf("control: %d %s", resp.StatusCode, b)
	}
	if resp, _ := do(t, c, "POST", srv.URL()+"/_sim/users/nobody/sign-in", "", ""); resp.StatusCode != 404 {
		t.Errorf("unknown user: %d, want 404", resp.StatusCode)
	}
	resp, b := get(t, c, srv.URL()+"/v1.0/users/"+id+"?$select=id,signInActivity", tok)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	sa, _ := mustJSON(t, b)["signInActivity"].(map[string]any)
	for _, k := range []string{"lastSignInDateTime", "lastSuccessfulSignInDateTime"} {
		v, _ := sa[k].(string)
		at, err := time.Parse(time.RFC3339, v)
		if err != nil || at.Before(before) || at.After(time.Now()) {
			t.Errorf("%s = %q, want about now (%s)", k, v, before.Format(time.RFC3339))
		}
	}
	// $filter sees it too.
	f := url.QueryEscape("signInActivity/lastSuccessfulSignInDateTime ge " + before.Format(time.RFC3339))
	resp, b = get(t, c, srv.URL()+"/v1.0/users?$select=id&$filter="+f, tok)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if v, _ := mustJSON(t, b)["value"].([]any); len(v) != 1 {
		t.Errorf("filter on the recorded sign-in: %s", b)
	}
}

// TestPatchUserControl: PATCH /_sim/users/{id} changes the user's department
// as every later read shows it; an unknown field or user is refused.
func TestPatchUserControl(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, Options{Users: 20, Seed: 5})
	tok := tokenFor(t, srv, c, "")
	id := srv.Truth(4).ID
	if resp, b := do(t, c, "PATCH", srv.URL()+"/_sim/users/"+id, "", `{"department": "Legal"}`); resp.StatusCode != 204 {
		t.Fatalf("control: %d %s", resp.StatusCode, b)
	}
	if resp, _ := do(t, c, "PATCH", srv.URL()+"/_sim/users/nobody", "", `{"department": "Legal"}`); resp.StatusCode != 404 {
		t.Errorf("unknown user: %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, c, "PATCH", srv.URL()+"/_sim/users/"+id, "", `{"departmnt": "Legal"}`); resp.StatusCode != 400 {
		t.Errorf("unknown field: %d, want 400", resp.StatusCode)
	}
	resp, b := get(t, c, srv.URL()+"/v1.0/users/"+id+"?$select=id,department", tok)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if d := mustJSON(t, b)["department"]; d != "Legal" {
		t.Errorf("department = %v, want Legal", d)
	}
	f := url.QueryEscape("department eq 'Legal' and id eq '" + id + "'")
	resp, b = get(t, c, srv.URL()+"/v1.0/users?$select=id&$filter="+f, tok)
	if v, _ := mustJSON(t, b)["value"].([]any); resp.StatusCode != 200 || len(v) != 1 {
		t.Errorf("filter on the patched department: %d %s", resp.StatusCode, b)
	}
}
