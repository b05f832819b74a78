package act

import (
	"golang.org/x/time/rate"

	"github.com/reclaimhq/reclaim/msgraph"
)

// How fast apply and undo work by default. Microsoft Graph allows 3,000
// writes per 150 s per app and tenant (20/s; graph-api-detail.md §7), and
// every assignLicense and membership removal is one. apply paces at 95 % of
// it and leaves the rest to whatever else the app does; when another client
// of the same app is writing too, the client's adaptive pace (msgraph: a 429
// halves the write rate, x-ms-throttle-limit-percentage ≥ 0.9 slows it)
// gives way rather than collecting 429s.
const (
	DefaultWritesPerSecond = 19
	// DefaultConcurrency is how many users are worked on at once: at 20
	// changes a second and a few hundred milliseconds per live re-read and
	// write, eight in flight keep the pace.
	DefaultConcurrency = 8
)

// ClientLimits are the msgraph class limits of apply's and undo's client:
// writes at writesPerSecond with concurrency in flight, and the live
// re-reads (the directory class) with as many in flight, so reads never
// hold back the write pace — each budget is paced separately.
// writesPerSecond ≤ 0 and concurrency ≤ 0 take the defaults.
func ClientLimits(concurrency int, writesPerSecond float64) map[msgraph.Class]msgraph.Limit {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	if writesPerSecond <= 0 {
		writesPerSecond = DefaultWritesPerSecond
	}
	dir := msgraph.DefaultLimits()[msgraph.ClassDirectory]
	dir.Concurrency = max(dir.Concurrency, concurrency)
	return map[msgraph.Class]msgraph.Limit{
		msgraph.ClassWrite:     {Concurrency: concurrency, Rate: rate.Limit(writesPerSecond), Burst: concurrency},
		msgraph.ClassDirectory: dir,
	}
}
