package msgraph

import (
	"net/http"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestPaceFollowsMicrosoft: a 429 halves the rate, a limit percentage of 0.9
// or more slows it by a fifth, 0.8–0.9 holds it, clean answers win it back
// up to the target, decreases come at most once per cooldown and never
// below the floor.
func TestPaceFollowsMicrosoft(t *testing.T) {
	p := newPace(Limit{Rate: 20, Burst: 4})
	t0 := time.Unix(1e9, 0)
	hdr := func(v string) http.Header {
		h := http.Header{}
		if v != "" {
			h.Set(ThrottleLimitPercentageHeader, v)
		}
		return h
	}
	steps := []struct {
		at     time.Duration
		status int
		pct    string
		want   rate.Limit
	}{
		{0, 200, "", 20},                       // at the target: stays
		{0, 429, "", 10},                       // halved
		{100 * time.Millisecond, 429, "", 10},  // within the cooldown: not again
		{2 * time.Second, 200, "0.95", 8},      // ≥ 0.9: a fifth less
		{4 * time.Second, 200, "0.85", 8},      // 0.8–0.9: held
		{4 * time.Second, 200, "85", 8},        // written as a percentage
		{4 * time.Second, 200, "", 8.4},        // clean: +target/50
		{4 * time.Second, 200, "garbage", 8.8}, // unreadable header: a clean answer
		{6 * time.Second, 429, "", 4.4},        // halved again
		{8 * time.Second, 429, "", 2.2},
		{10 * time.Second, 429, "", 1.1},
		{12 * time.Second, 429, "", 1},    // floor: 5 % of 20
		{14 * time.Second, 200, "1.8", 1}, // still the floor
	}
	for i, s := range steps {
		p.observe(s.status, hdr(s.pct), t0.Add(s.at))
		if got := p.lim.Limit(); got < s.want-1e-9 || got > s.want+1e-9 {
			t.Fatalf("step %d (%d %q at %s): rate %v, want %v", i, s.status, s.pct, s.at, got, s.want)
		}
	}
	for range 200 {
		p.observe(200, nil, t0.Add(20*time.Second))
	}
	if got := p.lim.Limit(); got != 20 {
		t.Fatalf("after clean answers the rate is %v, want the target 20", got)
	}
	if p.slowdowns != 6 {
		t.Errorf("slowdowns = %d, want 6", p.slowdowns)
	}
	// An unlimited class is left alone.
	inf := newPace(Limit{Rate: rate.Inf})
	inf.observe(429, nil, t0)
	if inf.lim.Limit() != rate.Inf {
		t.Errorf("an unlimited class slowed to %v", inf.lim.Limit())
	}
}
