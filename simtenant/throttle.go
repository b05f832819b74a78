package simtenant

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Throttling budgets, per app per tenant, from Microsoft Graph's
// "service-specific throttling limits" (microsoft-graph-docs-contrib
// concepts/throttling-limits.md, checked 2026-11):
//   - Identity and access (users, subscribedSkus, licenseDetails, groups,
//     assignLicense): resource units per app+tenant pair per 10 s — S (<50
//     users) 3,500, M (50–500) 5,000, L (>500) 8,000; writes 3,000 per
//     2 min 30 s. Base costs: GET users 2, subscribedSkus 3, licenseDetails 2,
//     other GET 1, writes 1 + 1 write; $select −1, $expand +1, $top<20 −1,
//     never below 1.
//   - Identity and access reports (auditLogs/signIns): 5 requests per 10 s.
//   - Microsoft 365 usage reports: 14 CSV requests per 10 minutes per report
//     API (per app per tenant).
//   - Dataverse service protection: 6,000 requests per 5 minutes per user
//     (power-apps docs "Service protection API limits").
type bucketLimit struct {
	capacity float64
	window   time.Duration
}

func limitFor(bucket string, users int) bucketLimit {
	switch {
	case bucket == "directory":
		switch {
		case users < 50:
			return bucketLimit{3500, 10 * time.Second}
		case users <= 500:
			return bucketLimit{5000, 10 * time.Second}
		}
		return bucketLimit{8000, 10 * time.Second}
	case bucket == "write":
		return bucketLimit{3000, 150 * time.Second}
	case bucket == "signins":
		return bucketLimit{5, 10 * time.Second}
	case strings.HasPrefix(bucket, "report:"):
		return bucketLimit{14, 10 * time.Minute}
	case bucket == "dataverse":
		return bucketLimit{6000, 5 * time.Minute}
	}
	return bucketLimit{1e9, time.Second}
}

type bucket struct {
	tokens float64
	last   time.Time
	limit  bucketLimit
}

// throttler is a set of token buckets; TimeScale shortens every window so
// benchmarks meet the same budgets faster.
type throttler struct {
	mu      sync.Mutex
	scale   float64
	users   int
	buckets map[string]*bucket
	now     func() time.Time
}

func newThrottler(scale float64, users int) *throttler {
	return &throttler{scale: scale, users: users, buckets: map[string]*bucket{}, now: time.Now}
}

// throttleAnswer is what take decides for one request.
type throttleAnswer struct {
	// Wait is how long to wait when the budget is exhausted (0: served).
	Wait time.Duration
	// Scope and Info are the 429's x-ms-throttle-scope prefix and
	// x-ms-throttle-information value.
	Scope, Info string
	// Used is the highest share of a charged bucket's capacity in use after
	// a served request: Graph's x-ms-throttle-limit-percentage, which it
	// sends once it is above 0.8.
	Used float64
}

// take charges units to the named bucket (writes also charge the directory
// bucket).
func (t *throttler) take(name string, units float64) throttleAnswer {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	charge := []string{name}
	if name == "write" {
		charge = []string{"directory", "write"}
	}
	var wait time.Duration
	for _, n := range charge {
		b := t.get(n, now)
		if b.tokens < units {
			rate := b.limit.capacity / (float64(b.limit.window) / t.scale) // tokens per ns
			if d := time.Duration((units - b.tokens) / rate); d > wait {
				wait = d
			}
		}
	}
	if wait > 0 {
		info := "ResourceUnitLimitExceeded"
		if name == "write" {
			info = "WriteLimitExceeded"
		}
		return throttleAnswer{Wait: wait, Scope: "Tenant_Application/ReadWrite", Info: info}
	}
	var used float64
	for _, n := range charge {
		b := t.get(n, now)
		b.tokens -= units
		used = max(used, 1-b.tokens/b.limit.capacity)
	}
	return throttleAnswer{Used: used}
}

func (t *throttler) get(name string, now time.Time) *bucket {
	b := t.buckets[name]
	if b == nil {
		l := limitFor(name, t.users)
		b = &bucket{tokens: l.capacity, last: now, limit: l}
		t.buckets[name] = b
	}
	window := float64(b.limit.window) / t.scale
	b.tokens += float64(now.Sub(b.last)) * b.limit.capacity / window
	if b.tokens > b.limit.capacity {
		b.tokens = b.limit.capacity
	}
	b.last = now
	return b
}

// dirCost is the identity-and-access resource-unit cost of a GET.
func dirCost(base float64) func(r *http.Request) (string, float64) {
	return func(r *http.Request) (string, float64) {
		q := r.URL.Query()
		c := base
		if q.Has("$select") {
			c--
		}
		if q.Has("$expand") {
			c++
		}
		if top, err := strconv.Atoi(q.Get("$top")); err == nil && top < 20 {
			c--
		}
		if c < 1 {
			c = 1
		}
		return "directory", c
	}
}

func writeCost(r *http.Request) (string, float64) { return "write", 1 }

func signInCost(r *http.Request) (string, float64) { return "signins", 1 }

func reportCost(r *http.Request) (string, float64) {
	fn := r.PathValue("fn")
	if i := strings.IndexByte(fn, '('); i >= 0 {
		fn = fn[:i]
	}
	return "report:" + strings.ToLower(fn), 1
}

func dataverseCost(r *http.Request) (string, float64) { return "dataverse", 1 }
