package simtenant

import (
	"net/url"
	"testing"
)

// TestSignInLogProductApps: the sign-in log carries Power BI, Visio and
// Project sign-ins for a share of those products' holders — only holders,
// never all of them, and the same on every read.
func TestSignInLogProductApps(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, Options{Users: 1500, Seed: 7})
	tok := tokenFor(t, srv, c, "")
	read := func() map[string]map[string]bool {
		users := map[string]map[string]bool{} // app id → user ids
		eachPage(t, c, tok, srv.URL()+"/v1.0/auditLogs/signIns?$top=1000&$filter="+url.QueryEscape("status/errorCode eq 0"), func(e map[string]any) {
			app, _ := e["appId"].(string)
			if users[app] == nil {
				users[app] = map[string]bool{}
			}
			users[app][e["userId"].(string)] = true
		})
		return users
	}
	first := read()
	holders := map[string]map[string]bool{SimVisioAppID: {}, SimProjectAppID: {}, "871c010f-5e61-4fb1-83ac-98610a7e9110": {}}
	sku := map[string]string{SimVisioAppID: "Visio", SimProjectAppID: "Project", "871c010f-5e61-4fb1-83ac-98610a7e9110": "Power BI"}
	// Holders by service plan: Microsoft 365 E5 carries Power BI Pro too.
	work := map[string]workload{SimVisioAppID: wVisio, SimProjectAppID: wProject, "871c010f-5e61-4fb1-83ac-98610a7e9110": wPowerBI}
	for i := 0; i < 1500; i++ {
		u := srv.current(i)
		for app, w := range work {
			if licWork(u.lic)&w != 0 {
				holders[app][u.id] = true
			}
		}
	}
	for app, hs := range holders {
		used := first[app]
		if len(hs) < 10 {
			t.Fatalf("%s: only %d holders among 1,500 users: the test checks nothing", sku[app], len(hs))
		}
		for u := range used {
			if !hs[u] {
				t.Errorf("%s: user %s signs in to it without holding it", sku[app], u)
			}
		}
		// Of the holders who signed in at all in the last 30 days, 60 %
		// use the product (a few of them not in this window).
		active := 0
		for u := range hs {
			for _, us := range first {
				if us[u] {
					active++
					break
				}
			}
		}
		t.Logf("%s: %d of %d holders active in the log sign in to it", sku[app], len(used), active)
		if share := float64(len(used)) / float64(active); share < 0.35 || share > 0.75 {
			t.Errorf("%s: %d of %d active holders sign in to it (%.0f %%), want about 60 %%", sku[app], len(used), active, 100*share)
		}
	}
	second := read()
	for app := range holders {
		if len(first[app]) != len(second[app]) {
			t.Errorf("%s: %d users on the first read, %d on the second: not deterministic", sku[app], len(first[app]), len(second[app]))
		}
	}
}
