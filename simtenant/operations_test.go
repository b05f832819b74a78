package simtenant

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBatch(t *testing.T) {
	srv, c := startSim(t, Options{Users: 200, Seed: 21})
	tok := tokenFor(t, srv, c, "")
	e3 := skus[skuM365E3].ID
	i := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return d && !g })
	g := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return g && !d })
	body := `{"requests":[
	 {"id":"1","method":"POST","url":"/users/` + srv.Truth(i).ID + `/assignLicense","headers":{"Content-Type":"application/json"},"body":` + assignBody(nil, []string{e3}) + `},
	 {"id":"2","method":"POST","url":"/users/` + srv.Truth(g).ID + `/assignLicense","headers":{"Content-Type":"application/json"},"body":` + assignBody(nil, []string{e3}) + `},
	 {"id":"3","method":"GET","url":"/users/` + srv.Truth(g).ID + `?$select=id","dependsOn":["2"]},
	 {"id":"4","method":"GET","url":"/subscribedSkus","dependsOn":["1"]}]}`
	resp, b := do(t, c, "POST", srv.URL()+"/v1.0/$batch", tok, body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var out struct {
		Responses []struct {
			ID     string          `json:"id"`
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"1": 200, "2": 400, "3": 424, "4": 200}
	for _, r := range out.Responses {
		if r.Status != want[r.ID] {
			t.Errorf("request %s: status %d, want %d: %s", r.ID, r.Status, want[r.ID], r.Body)
		}
	}
	if len(out.Responses) != 4 {
		t.Fatalf("%d responses", len(out.Responses))
	}
	if d, _ := licPaths(srv.Truth(i), e3); d {
		t.Error("batched removal not applied")
	}
	var many []string
	for n := 0; n < 21; n++ {
		many = append(many, `{"id":"`+strconv.Itoa(n)+`","method":"GET","url":"/users"}`)
	}
	if resp, _ := do(t, c, "POST", srv.URL()+"/v1.0/$batch", tok, `{"requests":[`+strings.Join(many, ",")+`]}`); resp.StatusCode != 400 {
		t.Errorf("21 requests: %d", resp.StatusCode)
	}
	if resp, _ := do(t, c, "POST", srv.URL()+"/v1.0/$batch", tok, `{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"1","method":"GET","url":"/users"}]}`); resp.StatusCode != 400 {
		t.Errorf("duplicate ids: %d", resp.StatusCode)
	}
}

func TestThrottling(t *testing.T) {
	srv, c := startSim(t, Options{Users: 50, Throttle: true})
	tok := tokenFor(t, srv, c, "")
	throttled := 0
	for n := 0; n < 8; n++ {
		resp, b := get(t, c, srv.URL()+"/v1.0/auditLogs/signIns?$top=1", tok)
		switch resp.StatusCode {
		case 200:
		case 429:
			throttled++
			ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || ra < 1 || ra > 10 {
				t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
			if code, _ := graphErrorCode(t, b); code != "TooManyRequests" {
				t.Errorf("429 body %s", b)
			}
		default:
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
	}
	if throttled != 3 {
		t.Errorf("%d of 8 sign-in requests throttled, want 3 (budget 5 per 10 s)", throttled)
	}
	// Reports: 14 per 10 minutes per report API; another report is unaffected.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for n := 1; n <= 15; n++ {
		resp, _ := get(t, c, srv.URL()+"/v1.0/reports/getEmailActivityUserDetail(period='D7')", tok)
		if want := map[bool]int{true: 302, false: 429}[n <= 14]; resp.StatusCode != want {
			t.Fatalf("report request %d: %d, want %d", n, resp.StatusCode, want)
		}
	}
	if resp, _ := get(t, c, srv.URL()+"/v1.0/reports/getTeamsUserActivityUserDetail(period='D7')", tok); resp.StatusCode != 302 {
		t.Errorf("other report throttled too: %d", resp.StatusCode)
	}
	st := srv.Stats()
	if st.Throttled["signIns"] != 3 || st.Throttled["reports"] != 1 {
		t.Errorf("stats throttled = %v", st.Throttled)
	}
}

func TestThrottlingTimeScale(t *testing.T) {
	srv, c := startSim(t, Options{Users: 50, Throttle: true, TimeScale: 10})
	tok := tokenFor(t, srv, c, "")
	got429 := false
	for n := 0; n < 7; n++ {
		if resp, _ := get(t, c, srv.URL()+"/v1.0/auditLogs/signIns?$top=1", tok); resp.StatusCode == 429 {
			got429 = true
		}
	}
	if !got429 {
		t.Fatal("no 429 in a burst")
	}
	time.Sleep(1100 * time.Millisecond) // the 10 s window is 1 s at time scale 10
	if resp, b := get(t, c, srv.URL()+"/v1.0/auditLogs/signIns?$top=1", tok); resp.StatusCode != 200 {
		t.Errorf("after the scaled window: %d %s", resp.StatusCode, b)
	}
}

func TestFaults(t *testing.T) {
	t.Run("fault rate", func(t *testing.T) {
		srv, c := startSim(t, Options{Users: 10, FaultRate: 1})
		resp, b := get(t, c, srv.URL()+"/v1.0/users", "")
		if resp.StatusCode != 503 && resp.StatusCode != 504 {
			t.Errorf("%d %s", resp.StatusCode, b)
		}
	})
	t.Run("slow", func(t *testing.T) {
		srv, c := startSim(t, Options{Users: 10, SlowRate: 1, SlowDelay: 200 * time.Millisecond})
		start := time.Now()
		tokenFor(t, srv, c, "")
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("slow response took %v", d)
		}
	})
	t.Run("drop mid-body", func(t *testing.T) {
		srv, c := startSim(t, Options{Users: 50, DropRate: 1})
		resp, err := c.Get(srv.URL() + "/" + srv.TenantID() + "/v2.0/.well-known/openid-configuration")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Error("dropped connection read without error")
		}
		if srv.Stats().Faults["drop"] == 0 {
			t.Errorf("faults %v", srv.Stats().Faults)
		}
	})
	t.Run("fail after", func(t *testing.T) {
		srv, c := startSim(t, Options{Users: 10, FailAfter: 2})
		tok := tokenFor(t, srv, c, "")
		if resp, _ := get(t, c, srv.URL()+"/v1.0/users", tok); resp.StatusCode != 200 {
			t.Fatalf("request 2: %d", resp.StatusCode)
		}
		if resp, _ := get(t, c, srv.URL()+"/v1.0/users", tok); resp.StatusCode != 503 {
			t.Errorf("request 3: %d", resp.StatusCode)
		}
		if srv.Stats().Faults["fail_after"] != 1 {
			t.Errorf("faults %v", srv.Stats().Faults)
		}
	})
	t.Run("fail after, drop", func(t *testing.T) {
		srv, c := startSim(t, Options{Users: 10, FailAfter: 1, FailMode: "drop"})
		tokenFor(t, srv, c, "")
		if _, err := c.Get(srv.URL() + "/v1.0/users"); err == nil {
			t.Error("request after FailAfter succeeded")
		}
	})
}

func TestStateFileSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e3 := skus[skuM365E3].ID
	srv, c := startSim(t, Options{Users: 200, Seed: 21, StateFile: path})
	i := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return d && !g })
	tok := tokenFor(t, srv, c, "")
	if resp, b := do(t, c, "POST", srv.URL()+"/v1.0/users/"+srv.Truth(i).ID+"/assignLicense", tok, assignBody(nil, []string{e3})); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	srv.Close()
	srv2, _ := startSim(t, Options{Users: 200, Seed: 21, StateFile: path})
	if d, _ := licPaths(srv2.Truth(i), e3); d {
		t.Error("restarted server forgot the removal")
	}
	if _, err := Start(Options{Users: 200, Seed: 22, StateFile: path}); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("state file of another seed accepted: %v", err)
	}
}

// TestThrottleLimitPercentage: above 0.8 of a limit a served answer carries
// Graph's early warning x-ms-throttle-limit-percentage (the share in use, as
// throttling-limits.md describes "regular responses"); below it, none.
func TestThrottleLimitPercentage(t *testing.T) {
	srv, c := startSim(t, Options{Users: 50, Throttle: true})
	// The budget's clock stands still, so no refill between the requests
	// moves the share in use (take reads now under the same lock).
	frozen := time.Now()
	srv.thr.mu.Lock()
	srv.thr.now = func() time.Time { return frozen }
	srv.thr.mu.Unlock()
	tok := tokenFor(t, srv, c, "")
	resp, b := get(t, c, srv.URL()+"/v1.0/users?$top=1", tok)
	if resp.StatusCode != 200 || resp.Header.Get("x-ms-throttle-limit-percentage") != "" {
		t.Fatalf("fresh budget: %d, percentage %q %s", resp.StatusCode, resp.Header.Get("x-ms-throttle-limit-percentage"), b)
	}
	// Another client of the app used 85 % of the 5,000 units per 10 s.
	srv.thr.take("directory", 4250)
	resp, b = get(t, c, srv.URL()+"/v1.0/users?$top=1", tok)
	pct, err := strconv.ParseFloat(resp.Header.Get("x-ms-throttle-limit-percentage"), 64)
	if resp.StatusCode != 200 || err != nil || pct < 0.85 || pct > 0.9 {
		t.Fatalf("near the limit: %d, percentage %q %s", resp.StatusCode, resp.Header.Get("x-ms-throttle-limit-percentage"), b)
	}
}
