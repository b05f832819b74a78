package simtenant

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func TestSignInLogMatchesSignInActivity(t *testing.T) {
	srv, c := startSim(t, Options{Users: 300, Seed: 12})
	tok := tokenFor(t, srv, c, "")
	from := testToday.AddDate(0, 0, -7)
	next := srv.URL() + "/v1.0/auditLogs/signIns?$top=100&$filter=" + url.QueryEscape("createdDateTime ge "+from.Format(time.RFC3339))
	type ev struct {
		ID              string    `json:"id"`
		CreatedDateTime time.Time `json:"createdDateTime"`
		UserID          string    `json:"userId"`
		IsInteractive   bool      `json:"isInteractive"`
		Status          struct {
			ErrorCode int `json:"errorCode"`
		} `json:"status"`
	}
	var all []ev
	ids := map[string]bool{}
	for next != "" {
		resp, b := get(t, c, next, tok)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		var p struct {
			NextLink string `json:"@odata.nextLink"`
			Value    []ev   `json:"value"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Value {
			if ids[e.ID] {
				t.Fatalf("event %s twice", e.ID)
			}
			ids[e.ID] = true
			all = append(all, e)
		}
		next = p.NextLink
	}
	if len(all) < 100 {
		t.Fatalf("only %d sign-ins in a week of a 300-user tenant", len(all))
	}
	latest := map[string]time.Time{}
	for n, e := range all {
		if e.CreatedDateTime.Before(from) {
			t.Fatalf("event %v before the filter bound", e.CreatedDateTime)
		}
		if n > 0 && e.CreatedDateTime.After(all[n-1].CreatedDateTime) {
			t.Fatalf("not newest first at %d", n)
		}
		if e.CreatedDateTime.After(latest[e.UserID]) {
			latest[e.UserID] = e.CreatedDateTime
		}
	}
	for i := 0; i < 300; i++ {
		tr := srv.Truth(i)
		last, ok := tr.LastActivity[WorkSignIn]
		d, _ := time.Parse(time.DateOnly, last)
		inWindow := ok && !d.Before(from)
		got, seen := latest[tr.ID]
		if inWindow != seen {
			t.Fatalf("user %d (%s) last sign-in %q: in log=%v", i, tr.Archetype, last, seen)
		}
		if seen && got.Format(time.DateOnly) != last {
			t.Errorf("user %d latest log event %s, truth %s", i, got, last)
		}
	}
	srv2, c2 := startSim(t, Options{Users: 10, NoP1: true})
	if resp, _ := get(t, c2, srv2.URL()+"/v1.0/auditLogs/signIns", tokenFor(t, srv2, c2, "")); resp.StatusCode != 403 {
		t.Errorf("sign-ins without P1: %d", resp.StatusCode)
	}
}
