package act

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/pipeline/secret"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/simtenant"
)

// BenchmarkApplyPaced applies a plan of removals with apply's production
// pacing (DefaultWritesPerSecond, DefaultConcurrency, ClientLimits) against
// the simulated tenant with Microsoft's throttling on at its real windows
// (3,000 writes per 150 s) and every request delayed by 30 ms, as a remote
// service would. It reports the sustained change rate, the 429s the tenant
// answered and how often the client slowed down. Target (issue 17): ≥ 18
// writes/s (0.9 × Microsoft's 20/s) with no 429s.
// RECLAIM_BENCH_ACTIONS sets the plan size (default 600: ~32 s).
//
//	go test -run '^$' -bench ApplyPaced -benchtime 1x ./stages/act/
func BenchmarkApplyPaced(b *testing.B) {
	actions := 600
	if v := os.Getenv("RECLAIM_BENCH_ACTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("RECLAIM_BENCH_ACTIONS: %v", err)
		}
		actions = n
	}
	for range b.N {
		b.StopTimer()
		env := startSimWith(b, simtenant.Options{Users: actions * 2, Seed: 11})
		out := b.TempDir()
		env.recommend(b, out, actions)
		cfg := simConfig()
		p, err := Build(BuildOptions{Config: cfg, ConfigDigest: cfg.DecisionDigest(), OutDir: out, Now: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		env.srv.Close()
		// The same tenant again, now throttled and slow, and apply's own
		// client: the production limits, not the test helpers' fast ones.
		srv, err := simtenant.Start(simtenant.Options{Users: actions * 2, Seed: 11, Today: simToday, CertDir: b.TempDir(),
			Throttle: true, SlowRate: 1, SlowDelay: 30 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		client, err := msgraph.New(msgraph.Options{Profile: "sim", TenantID: srv.TenantID(),
			Credentials: msgraph.Credentials{ClientID: srv.ClientID(), ClientSecret: secret.New(srv.ClientSecret())}, Authenticator: azcred.Authenticate,
			GraphEndpoint: srv.GraphEndpoint(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile(),
			Limits: ClientLimits(0, 0)})
		if err != nil {
			b.Fatal(err)
		}
		dir := NewGraphDirectory(client.Graph())
		j, err := OpenJournal(store.ProfileAt(out, "sim").JournalPath(p.ID))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := ApplyActions(context.Background(), ApplyOptions{Plan: p, Config: cfg, Journal: j,
			Directories: func(string) (Directory, error) { return dir, nil }})
		elapsed := time.Since(start)
		b.StopTimer()
		j.Close()
		// A few simulated users have no usageLocation: their removals are
		// one-way and skipped, as in production.
		if err != nil || res.Failed > 0 || res.Done+res.Skipped != len(p.Actions) || res.Done < len(p.Actions)*9/10 {
			b.Fatalf("apply: %d done, %d skipped, %d failed of %d: %v", res.Done, res.Skipped, res.Failed, len(p.Actions), err)
		}
		st := srv.Stats()
		writes := st.Requests["assignLicense"][200]
		_, slowdowns := client.Pace(msgraph.ClassWrite)
		b.ReportMetric(float64(writes)/elapsed.Seconds(), "writes/s")
		var throttled int64
		for _, n := range st.Throttled {
			throttled += n
		}
		b.ReportMetric(float64(throttled), "429s")
		b.ReportMetric(float64(slowdowns), "slowdowns")
		b.ReportMetric(float64(len(p.Actions)), "actions")
		srv.Close()
	}
}
