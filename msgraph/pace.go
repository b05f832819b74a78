package msgraph

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Adaptive pacing. Each class's rate limiter starts at its configured rate
// (Limit.Rate, the target) and follows what Microsoft says about the budget
// it shares with every other client of the app and tenant:
//   - a 429 halves the class's rate;
//   - x-ms-throttle-limit-percentage, which Graph adds to normal answers once
//     the app has used more than 0.8 of a limit (0.8–1.8, Microsoft Graph
//     "throttling-limits": regular responses), slows it by a fifth at 0.9
//     or more and holds it between 0.8 and 0.9;
//   - every other answer wins back a fiftieth of the target, up to it.
// Decreases come at most once per paceCooldown, so a burst of answers to
// requests sent at the old rate does not collapse the rate to its floor.
// Field reports say the percentage header is not always sent even while
// 429s are, so the 429 is the signal relied on and the header a head start.

const (
	paceCooldown = time.Second
	// paceFloor is the lowest share of the target a class slows to.
	paceFloor = 0.05
)

// ThrottleLimitPercentageHeader is Graph's early warning on normal answers.
const ThrottleLimitPercentageHeader = "x-ms-throttle-limit-percentage"

type pace struct {
	mu        sync.Mutex
	lim       *rate.Limiter
	target    rate.Limit
	lastSlow  time.Time
	slowdowns int64
}

func newPace(l Limit) *pace {
	return &pace{lim: rate.NewLimiter(l.Rate, l.Burst), target: l.Rate}
}

// observe adjusts the rate after an answer of status with header h.
func (p *pace) observe(status int, h http.Header, now time.Time) {
	if p.target == rate.Inf {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.lim.Limit()
	pct, hasPct := throttlePercentage(h)
	switch {
	case status == http.StatusTooManyRequests:
		p.slow(cur*0.5, now)
	case hasPct && pct >= 0.9:
		p.slow(cur*0.8, now)
	case hasPct && pct >= 0.8:
		// Near the limit: hold.
	case cur < p.target:
		p.lim.SetLimitAt(now, min(cur+p.target/50, p.target))
	}
}

func (p *pace) slow(to rate.Limit, now time.Time) {
	to = max(to, p.target*paceFloor)
	if now.Sub(p.lastSlow) < paceCooldown || to >= p.lim.Limit() {
		return
	}
	p.lastSlow = now
	p.slowdowns++
	p.lim.SetLimitAt(now, to)
}

// throttlePercentage reads x-ms-throttle-limit-percentage as a fraction
// (0.85); a value written as a percentage (85) is read as one too.
func throttlePercentage(h http.Header) (float64, bool) {
	v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h.Get(ThrottleLimitPercentageHeader)), "%"))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, false
	}
	if f > 10 {
		f /= 100
	}
	return f, true
}

// Pace is a class's current rate (requests per second) and how many times
// it has slowed down; the rate is the configured one until Microsoft pushes
// back.
func (c *Client) Pace(cl Class) (rate.Limit, int64) {
	l := c.classes[cl]
	if l == nil {
		return 0, 0
	}
	l.pace.mu.Lock()
	defer l.pace.mu.Unlock()
	return l.pace.lim.Limit(), l.pace.slowdowns
}
