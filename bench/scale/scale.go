package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/simtenant"
)

// stepResult is one measured command.
type stepResult struct {
	Step     string // what was measured
	Command  string // the command line, shortened for the doc
	Skipped  string // why the step was not measured
	Wall     time.Duration
	MaxRSS   int64 // bytes, of the child process
	Stats    simtenant.Stats
	Rows     int64 // rows written (or, for plan, recommendation rows read)
	DataReqs int64 // requests other than token/discovery
	AuthReqs int64
	MinReqs  int64 // the fewest data requests the page sizes allow; -1 unknown
	MinWall  time.Duration
	// Stages is the run manifest's per-table record (reclaim run steps).
	Stages []store.StageRecord
	Note   string
}

type scaleResult struct {
	Users int
	Steps []stepResult
}

// runScale measures every step against a tenant of n users. Each step that
// talks to the tenant gets a fresh simulator (same seed, so the same tenant):
// its throttling buckets start full and its counters at zero, which is what
// the minimums below assume.
func runScale(f flags, work string, n int) (scaleResult, error) {
	res := scaleResult{Users: n}
	dir := filepath.Join(work, fmt.Sprintf("users-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	data := filepath.Join(dir, "data")
	cfg, err := filepath.Abs(f.config)
	if err != nil {
		return res, err
	}

	// 1. The whole extract the configuration needs.
	ex, err := measureRun(f, dir, n, "extract", "reclaim run --stage extract",
		func(v []string) []string {
			return append([]string{"run", cfg, "--stage", "extract", "--progress", "log"}, v...)
		}, data)
	if err != nil {
		return res, err
	}
	ex.MinReqs = minExtractRequests(ex.Stages)
	res.Steps = append(res.Steps, ex)

	// 2. Transform the raw snapshot just written.
	tr, err := measureRun(f, dir, n, "transform", "reclaim run --stage transform",
		func(v []string) []string {
			return append([]string{"run", cfg, "--stage", "transform", "--progress", "log"}, v...)
		}, data)
	if err != nil {
		return res, err
	}
	transformed := false
	for _, s := range tr.Stages {
		if s.Kind == "transform" {
			transformed = true
		}
	}
	if !transformed {
		tr = stepResult{Step: "transform", Skipped: "this build of reclaim has no transform stages in `reclaim run`"}
	} else {
		tr.MinReqs = 0
	}
	res.Steps = append(res.Steps, tr)

	// 3. Plan from the recommendations (local: Microsoft is not contacted).
	if !transformed {
		res.Steps = append(res.Steps, stepResult{Step: "plan", Skipped: "needs the transform stage's recommendations"})
	} else {
		var recs int64 = -1
		for _, s := range tr.Stages {
			if s.Table == "recommendations" {
				recs = s.Rows
			}
		}
		pl, err := measure(f, dir, n, "plan", "reclaim plan -out plan.json", func(v []string) []string {
			return append([]string{"plan", cfg, "-out", filepath.Join(dir, "plan.json")}, v...)
		}, data, nil)
		if err != nil {
			return res, err
		}
		pl.Rows, pl.MinReqs = recs, 0
		pl.Note = "rows = recommendation rows the plan was built from"
		res.Steps = append(res.Steps, pl)
	}

	// 4. reclaim and the SDK baseline on the same two endpoints.
	same, err := measureRun(f, dir, n, "users + subscribedSkus: reclaim", "reclaim run --stage extract --only users,subscribed_skus",
		func(v []string) []string {
			return append([]string{"run", cfg, "--stage", "extract", "--only", "users,subscribed_skus", "--progress", "log"}, v...)
		}, data)
	if err != nil {
		return res, err
	}
	same.MinReqs = minExtractRequests(same.Stages)
	res.Steps = append(res.Steps, same)

	csvOut := filepath.Join(dir, "sdkbaseline.csv")
	var counts struct{ Users, Skus int64 }
	bl, err := measure(f, dir, n, "users + subscribedSkus: msgraph-sdk-go", "sdkbaseline (msgraph-sdk-go PageIterator, $top=500)",
		nil, data, func(sim *simtenant.Server) *exec.Cmd {
			c := exec.Command(f.baseline, "-url", sim.URL(), "-tenant", sim.TenantID(), "-client", sim.ClientID(), "-out", csvOut)
			c.Env = append(os.Environ(), "SSL_CERT_FILE="+sim.CAFile(), "SDKBASELINE_CLIENT_SECRET="+sim.ClientSecret())
			return c
		})
	if err != nil {
		return res, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "sdkbaseline.stdout")); err == nil {
		if err := json.Unmarshal(b, &counts); err != nil {
			return res, fmt.Errorf("sdkbaseline printed %q: %w", b, err)
		}
	}
	bl.Rows = counts.Users + counts.Skus
	bl.MinReqs = ceilDiv(counts.Users, 500) + 1
	res.Steps = append(res.Steps, bl)
	return res, nil
}

// measureRun measures a `reclaim run` and reads the manifest it wrote.
func measureRun(f flags, dir string, n int, step, shown string, args func(vars []string) []string, data string) (stepResult, error) {
	before := manifests(data)
	r, err := measure(f, dir, n, step, shown, args, data, nil)
	if err != nil {
		return r, err
	}
	after := manifests(data)
	if len(after) == len(before) {
		return r, nil // nothing ran (e.g. no stage of that kind)
	}
	m, err := store.ReadManifest(after[len(after)-1])
	if err != nil {
		return r, err
	}
	sort.Slice(m.Stages, func(i, j int) bool { return m.Stages[i].Table < m.Stages[j].Table })
	r.Stages = m.Stages
	for _, s := range m.Stages {
		if s.Status != "ok" {
			return r, fmt.Errorf("%s: stage %s %s: %s", step, s.Table, s.Status, s.Error)
		}
		r.Rows += s.Rows
	}
	return r, nil
}

// manifests lists the run manifests of every profile under data, oldest
// run first.
func manifests(data string) []string {
	var m []string
	entries, _ := os.ReadDir(data)
	for _, e := range entries {
		if e.IsDir() {
			m = append(m, store.ProfileAt(data, e.Name()).ManifestPaths()...)
		}
	}
	// Across profiles too: run ids start with the UTC time.
	sort.Slice(m, func(i, j int) bool { return store.RunIDOf(m[i]) < store.RunIDOf(m[j]) })
	return m
}

// measure starts a throttled simulator, runs one child process against it
// and records wall time, peak RSS and the simulator's counters. args builds
// reclaim's arguments from the -var flags; mk, when set, builds the command
// instead.
func measure(f flags, dir string, n int, step, shown string, args func(vars []string) []string, data string,
	mk func(*simtenant.Server) *exec.Cmd) (stepResult, error) {
	r := stepResult{Step: step, Command: shown, MinReqs: -1}
	sim, err := simtenant.Start(simtenant.Options{Addr: "127.0.0.1:0", Users: n, Seed: f.seed,
		Throttle: true, TimeScale: f.timeScale})
	if err != nil {
		return r, fmt.Errorf("starting the simulated tenant: %w", err)
	}
	defer sim.Close()
	var cmd *exec.Cmd
	if mk != nil {
		cmd = mk(sim)
	} else {
		vars := []string{
			"-var", "sim_url=" + sim.URL(), "-var", "ca_file=" + sim.CAFile(),
			"-var", "tenant_id=" + sim.TenantID(), "-var", "client_id=" + sim.ClientID(),
			"-var", "output_dir=" + data,
		}
		cmd = exec.Command(f.reclaim, args(vars)...)
		cmd.Env = append(os.Environ(), "RECLAIM_VAR_client_secret="+sim.ClientSecret())
	}
	slug := strings.NewReplacer(" ", "", ":", "-", "+", "-").Replace(step)
	if mk != nil {
		slug = "sdkbaseline"
	}
	stdout, err := os.Create(filepath.Join(dir, slug+".stdout"))
	if err != nil {
		return r, err
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(dir, slug+".stderr"))
	if err != nil {
		return r, err
	}
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	logf("%d users: %s …", n, shown)
	sim.ResetStats() // Start made no requests, but be explicit
	start := time.Now()
	err = cmd.Run()
	r.Wall = time.Since(start)
	r.Stats = sim.Stats()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = ru.Maxrss * 1024 // KiB on Linux
			if runtime.GOOS == "darwin" {
				r.MaxRSS = ru.Maxrss // bytes on macOS
			}
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		tail, _ := os.ReadFile(stderr.Name())
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return r, fmt.Errorf("%s exited %d:\n%s", shown, ee.ExitCode(), tail)
	} else if err != nil {
		return r, fmt.Errorf("%s: %w", shown, err)
	}
	for class, codes := range r.Stats.Requests {
		for _, c := range codes {
			if class == "token" || class == "discovery" {
				r.AuthReqs += c
			} else {
				r.DataReqs += c
			}
		}
	}
	r.MinWall = throttleMinimum(r.Stats, n, f.timeScale)
	logf("%d users: %s: %s, %d requests, peak RSS %.0f MB", n, shown, r.Wall.Round(time.Millisecond), r.DataReqs+r.AuthReqs, float64(r.MaxRSS)/1e6)
	return r, nil
}

// Page sizes reclaim asks for, which are the largest the services serve for
// those queries (docs/simulator.md, graph-api-detail.md): the fewest pages a
// table of R rows can take is ceil(R/size).
var pageSize = map[string]int64{
	"users":                  500,  // $top max with signInActivity
	"group_members":          999,  // transitiveMembers $top max
	"sign_ins":               1000, // auditLogs/signIns $top max
	"dataverse_system_users": 5000, // odata.maxpagesize max
	"dataverse_audits":       5000,
}

// minExtractRequests is the fewest data requests (no token/discovery) that
// read the tables a run wrote, from the rows it wrote: one request per page
// of the largest size, at least one per table; a usage report is a request
// and a download.
func minExtractRequests(st []store.StageRecord) int64 {
	var users int64 = -1
	for _, s := range st {
		if s.Table == "users" {
			users = s.Rows
		}
	}
	var total int64
	for _, s := range st {
		switch {
		case s.Status != "ok":
		case strings.HasPrefix(s.Table, "report_") && s.Table != "report_settings":
			total += 2
		case s.Table == "user_license_assignments":
			// Written from the same walk of /users as users, whose pages
			// are counted there; alone, how many users it walked is unknown.
			if users < 0 {
				return -1
			}
		case pageSize[s.Table] > 0:
			total += max(1, ceilDiv(s.Rows, pageSize[s.Table]))
		default: // subscribedSkus, reportSettings: one page
			total++
		}
	}
	return total
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// budget is one simulator throttling bucket (simtenant/throttle.go, from
// Microsoft's published limits): capacity units per window, starting full.
type budget struct {
	name     string
	capacity float64
	window   time.Duration
	units    func(simtenant.Stats) float64
}

func budgets(users int) []budget {
	dir := 8000.0
	switch {
	case users < 50:
		dir = 3500
	case users <= 500:
		dir = 5000
	}
	count := func(class string) func(simtenant.Stats) float64 {
		return func(s simtenant.Stats) float64 {
			// A 429 is refused before it is charged.
			var n int64
			for code, c := range s.Requests[class] {
				if code != 429 {
					n += c
				}
			}
			return float64(n)
		}
	}
	return []budget{
		// Resource units: GET users with $select 1, groups 1 ($select), subscribedSkus 3.
		{"directory", dir, 10 * time.Second, func(s simtenant.Stats) float64 {
			return count("users")(s) + count("groups")(s) + 3*count("subscribedSkus")(s)
		}},
		{"sign-in log", 5, 10 * time.Second, count("signIns")},
		{"Dataverse", 6000, 5 * time.Minute, count("dataverse")},
		// Usage reports: 14 per 10 minutes per report API; each run requests
		// each report once, so this bucket never binds (checked as a total).
		{"usage reports (per report)", 14, 10 * time.Minute, func(s simtenant.Stats) float64 { return 0 }},
	}
}

// throttleMinimum is the least wall time the simulator's budgets allow for
// the requests made: for each bucket, the units beyond its starting capacity
// at its refill rate; buckets refill in parallel, so the largest wins.
func throttleMinimum(s simtenant.Stats, users int, scale float64) time.Duration {
	if scale <= 0 {
		scale = 1
	}
	var worst float64
	for _, b := range budgets(users) {
		over := b.units(s) - b.capacity
		if over <= 0 {
			continue
		}
		secs := over * b.window.Seconds() / scale / b.capacity
		worst = math.Max(worst, secs)
	}
	return time.Duration(worst * float64(time.Second))
}
