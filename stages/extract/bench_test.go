package extract_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/graph"
	"github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/simtenant"
	"github.com/reclaimhq/reclaim/stages"
	"github.com/reclaimhq/reclaim/stages/extract"
)

// BenchmarkExtract runs every extract stage against the simulated tenant with
// Microsoft's throttling on (windows sped up by timeScale, and the client's
// limits scaled to match) and reports requests, req/s, rows/s and peak RSS.
// Sizes: 10k users by default; RECLAIM_BENCH_USERS=100000,1000000 for more.
//
//	go test -run '^$' -bench . -benchtime 1x ./stages/extract/
func BenchmarkExtract(b *testing.B) {
	sizes := []int{10000}
	if v := os.Getenv("RECLAIM_BENCH_USERS"); v != "" {
		sizes = nil
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				b.Fatalf("RECLAIM_BENCH_USERS: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	const timeScale = 20
	for _, n := range sizes {
		b.Run(strconv.Itoa(n)+"users", func(b *testing.B) {
			srv, err := simtenant.Start(simtenant.Options{Users: n, Seed: 1, Today: time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1),
				Throttle: true, TimeScale: timeScale})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			limits := msgraph.DefaultLimits()
			for _, cl := range []msgraph.Class{msgraph.ClassReports, msgraph.ClassAuditLogs} {
				l := limits[cl]
				l.Rate *= rate.Limit(timeScale)
				limits[cl] = l
			}
			p := &config.Profile{Name: "bench", TenantID: srv.TenantID(),
				Credentials:   config.Credentials{ClientID: srv.ClientID(), ClientSecret: config.NewSecret(srv.ClientSecret())},
				GraphEndpoint: srv.URL(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile(),
				Tasks: config.Tasks{DownloadActivity: true}, LookbackDays: 90,
				Dynamics: []*config.DynamicsEnvironment{{Name: "contoso", URL: srv.DataverseURL("contoso")}}}
			cfg := &config.Config{Profiles: map[string]*config.Profile{"bench": p},
				ReclaimRules: []*config.ReclaimRule{{Name: "all", Signals: config.AllSignals, Action: config.ActionRemoveLicense}}}
			var total, rows int64
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				cfg.Output = &config.Output{Dir: b.TempDir()}
				reg, _ := stages.NewRegistry(extract.New().Stages()...)
				r := &run.Runner{Registry: reg, Options: stages.Options{SignInRequestBudget: 100000},
					NewClient: func(p *config.Profile) (*msgraph.Client, error) {
						return newClient(p, limits, msgraph.RetryPolicy{})
					}}
				srv.ResetStats()
				start := time.Now()
				ms, err := r.Run(context.Background(), run.Request{Config: cfg, Selection: graph.Selection{SignInLog: true}})
				wall += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				total += srv.Stats().Total
				for _, s := range ms[0].Stages {
					rows += s.Rows
					b.Logf("%-42s %8d rows %4d pages %3d retries %3d throttled %6.2fs", s.Table, s.Rows, s.Pages, s.Retries, s.ThrottledWaits, s.DurationSeconds)
				}
			}
			secs := wall.Seconds() / float64(b.N)
			b.ReportMetric(float64(total)/float64(b.N), "requests/op")
			b.ReportMetric(float64(total)/wall.Seconds(), "req/s")
			b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
			b.ReportMetric(secs, "wall-s/op")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		})
	}
}

// peakRSSMiB reads the process's high-water resident set size (Linux).
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
