// Package run runs the stages a configuration needs, profile by profile:
// it takes the profile's lock, asks pipeline/graph for the stages, runs them
// (independent stages concurrently), writes each table to a temporary file
// and renames it into its snapshot partition only when the stage succeeded,
// keeps per-profile state (watermarks) and writes one manifest per run.
// It never imports a concrete stage: the stages come in a stages.Registry.
//
// On-disk layout under Output.Dir:
//
//	<profile>/raw/<table>/snapshot_date=YYYY-MM-DD/part-0.parquet
//	<profile>/curated/<table>/snapshot_date=YYYY-MM-DD/part-0.parquet
//	<profile>/runs/<run-id>/manifest.json
//	<profile>/state.json
//	<profile>/.lock
//
// A re-run on the same day replaces that day's part-0.parquet with one
// rename, so readers see the old file or the new one, never a mix.
package run

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/graph"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/version"
	"github.com/reclaimhq/reclaim/stages"
)

// Progress is told about stages as they run. Start is called before Run
// with live counters; Done after. Implementations must be safe for
// concurrent use. A nil Progress shows nothing.
type Progress interface {
	Start(profile string, info stages.Info, rows *stages.Counter, stats *msgraph.Stats)
	Done(profile string, info stages.Info, rec StageRecord)
}

// Runner runs stages. Registry and NewClient are required.
type Runner struct {
	Registry *stages.Registry
	// NewClient builds the Graph/Dataverse client of a profile; it is called
	// once per profile, and only when an extract stage runs.
	NewClient func(p *config.Profile) (*msgraph.Client, error)
	Options   stages.Options
	Logger    hclog.Logger
	Progress  Progress
	// Parallel is how many stages run at once (default 4).
	Parallel int
	// Hook, if set, is told about each file the run commits (see store.Hook).
	Hook store.Hook
	// LockTimeout is how long to wait for a profile lock another process
	// holds (0: give up at once).
	LockTimeout time.Duration
	// Now is the clock (default time.Now), for run ids and timings.
	Now func() time.Time
}

// Request selects what to run.
type Request struct {
	Config *config.Config
	// Profiles to run; empty means every profile, in name order.
	Profiles  []string
	Selection graph.Selection
	// AsOf is the snapshot date; zero means today (UTC).
	AsOf time.Time
}

// Manifest and StageRecord are the store's: one type for the runner that
// writes a manifest and for plan, which reads it.
type (
	Manifest    = store.Manifest
	StageRecord = store.StageRecord
)

// StatusInterrupted is a manifest's status when the run was stopped (SIGINT,
// SIGTERM) before its stages finished.
const StatusInterrupted = store.StatusInterrupted

// ErrInterrupted is wrapped by Run's error when the context was cancelled
// before every stage finished; the manifest says "interrupted".
var ErrInterrupted = errors.New("run interrupted")

// ErrStagesFailed is wrapped by Run's error when some stage failed; the
// manifests say which.
var ErrStagesFailed = errors.New("stages failed")

// Run runs every selected profile and returns their manifests. An error is
// returned when a profile could not start (lock, bad selection) or a stage
// failed; manifests are returned and written in both cases.
func (r *Runner) Run(ctx context.Context, req Request) ([]*Manifest, error) {
	if r.Registry == nil {
		return nil, errors.New("run: no stage registry")
	}
	names := req.Profiles
	if len(names) == 0 {
		for n := range req.Config.Profiles {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	var out []*Manifest
	var errs []error
	for _, n := range names {
		p, ok := req.Config.Profiles[n]
		if !ok {
			return out, fmt.Errorf("no profile %q in the configuration", n)
		}
		m, err := r.runProfile(ctx, req, p)
		if m != nil {
			out = append(out, m)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("profile %q: %w", n, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return out, errors.Join(errs...)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) log() hclog.Logger {
	if r.Logger == nil {
		return hclog.NewNullLogger()
	}
	return r.Logger
}

// OutputDir is the root of all snapshots of a configuration.
func OutputDir(cfg *config.Config) string {
	if cfg.Output != nil && cfg.Output.Dir != "" {
		return cfg.Output.Dir
	}
	return "./reclaim-data"
}

// PartitionPath is where a table's snapshot of a day lives.
func PartitionPath(root string, layer stages.Layer, table string, day time.Time) string {
	return filepath.Join(root, string(layer), table, "snapshot_date="+day.Format(time.DateOnly), "part-0.parquet")
}

func (r *Runner) runProfile(ctx context.Context, req Request, p *config.Profile) (*Manifest, error) {
	out := &store.Store{Dir: OutputDir(req.Config), Hook: r.Hook}
	prof := out.Profile(p.Name)
	root := prof.Root
	l, err := prof.Lock(ctx, store.LockOptions{Command: "run", Timeout: r.LockTimeout})
	if err != nil {
		return nil, err
	}
	defer l.Unlock()

	g, err := graph.Build(req.Config, p, r.Registry, req.Selection)
	if err != nil {
		return nil, err
	}
	asOf := req.AsOf
	if asOf.IsZero() {
		asOf = r.now().UTC()
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	started := r.now().UTC()
	m := &Manifest{RunID: newRunID(started), Profile: p.Name, ToolVersion: version.Version,
		SnapshotDate: asOf.Format(time.DateOnly), Started: started, Status: store.StatusOK}
	for _, sk := range g.Skipped {
		m.Skipped = append(m.Skipped, store.Skip(sk))
	}
	log := r.log().Named(p.Name)

	st, err := out.LoadState(prof)
	if err != nil {
		return nil, err
	}

	var client *msgraph.Client
	var clientErr error
	var clientOnce sync.Once
	getClient := func() (*msgraph.Client, error) {
		clientOnce.Do(func() {
			if r.NewClient == nil {
				return // stages that need no client (tests, local stages)
			}
			client, clientErr = r.NewClient(p)
		})
		return client, clientErr
	}

	// Run in dependency waves: a stage starts when everything it needs
	// that this run produces has finished; a failed need fails it.
	recs := make([]StageRecord, len(g.Stages))
	done := map[string]chan struct{}{}
	status := sync.Map{}
	for _, s := range g.Stages {
		done[s.Info().Table] = make(chan struct{})
	}
	par := r.Parallel
	if par <= 0 {
		par = 4
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, s := range g.Stages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info := s.Info()
			defer close(done[info.Table])
			for _, n := range info.Needs {
				if ch, ok := done[n]; ok {
					<-ch
					if v, _ := status.Load(n); v != "ok" {
						recs[i] = StageRecord{Table: info.Table, Kind: string(info.Kind), Status: "not_run",
							Error: fmt.Sprintf("needs %s, which failed", n)}
						status.Store(info.Table, "not_run")
						return
					}
				}
			}
			for _, n := range info.After {
				if ch, ok := done[n]; ok {
					<-ch
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				recs[i] = StageRecord{Table: info.Table, Kind: string(info.Kind), Status: "not_run", Error: ctx.Err().Error()}
				status.Store(info.Table, "not_run")
				return
			}
			defer func() { <-sem }()
			recs[i] = r.runStage(ctx, req.Config, p, root, filepath.Join(root, "runs", m.RunID), asOf, s, st, getClient, log)
			status.Store(info.Table, recs[i].Status)
		}()
	}
	wg.Wait()
	m.Stages = recs
	m.Finished = r.now().UTC()
	var failed []string
	for _, rec := range recs {
		if rec.Status != "ok" {
			failed = append(failed, rec.Table)
		}
	}
	interrupted := ctx.Err() != nil && len(failed) > 0
	switch {
	case interrupted:
		// Stopped by a signal (or the caller): stages cut short are failed
		// or not_run, their snapshots discarded; the run as a whole did not
		// fail on its own.
		m.Status = StatusInterrupted
	case len(failed) > 0:
		m.Status = "failed"
	}
	if err := writeJSONAtomic(filepath.Join(root, "runs", m.RunID, "manifest.json"), m); err != nil {
		return m, fmt.Errorf("writing manifest: %w", err)
	}
	if interrupted {
		return m, fmt.Errorf("%w (%v); see %s", ErrInterrupted, context.Cause(ctx), filepath.Join(root, "runs", m.RunID, "manifest.json"))
	}
	if len(failed) > 0 {
		mpath := filepath.Join(root, "runs", m.RunID, "manifest.json")
		if cause := sharedCause(recs); cause != "" {
			return m, fmt.Errorf("%w (%s): %s (see %s)", ErrStagesFailed, strings.Join(failed, ", "), cause, mpath)
		}
		return m, fmt.Errorf("%w: %v (see %s)", ErrStagesFailed, failed, mpath)
	}
	return m, nil
}

func (r *Runner) runStage(ctx context.Context, cfg *config.Config, p *config.Profile, root, runDir string, asOf time.Time,
	s stages.Stage, st *store.State, getClient func() (*msgraph.Client, error), log hclog.Logger) StageRecord {
	info := s.Info()
	rec := StageRecord{Table: info.Table, Kind: string(info.Kind), Endpoint: info.Endpoint}
	start := r.now()
	stats := &msgraph.Stats{}
	rows := &stages.Counter{}
	if r.Progress != nil {
		r.Progress.Start(p.Name, info, rows, stats)
	}
	fail := func(err error) StageRecord {
		rec.Status = "failed"
		rec.Error = err.Error()
		rec.Cause = msgraph.SharedCause(err)
		rec.DurationSeconds = r.now().Sub(start).Seconds()
		fillStats(&rec, stats)
		rec.Rows = rows.Load()
		log.Error("stage failed", "table", info.Table, "error", err)
		if r.Progress != nil {
			r.Progress.Done(p.Name, info, rec)
		}
		return rec
	}

	final := PartitionPath(root, info.Layer, info.Table, asOf)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fail(err)
	}
	// The temporary file sits beside the partition directories, hidden
	// from readers that glob */*.parquet, on the same file system as the
	// target so the final rename is atomic.
	tmp, err := os.CreateTemp(filepath.Join(root, string(info.Layer), info.Table), ".tmp-*.parquet")
	if err != nil {
		return fail(err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}

	sreq := &stages.Request{Config: cfg, Profile: p, AsOf: asOf, Now: r.now(), Out: cw, Root: root, RunDir: runDir,
		State: st.Get(info.Table), Stats: stats, Rows: rows, Logger: log.Named(info.Table), Options: r.Options}
	if info.Incremental {
		sreq.Existing = latestPartition(root, info.Layer, info.Table, asOf)
	}
	if info.Kind == stages.KindExtract {
		c, err := getClient()
		if err != nil {
			return fail(err)
		}
		sreq.Client = c
	}
	log.Info("stage start", "table", info.Table, "endpoint", info.Endpoint)
	res, err := s.Run(msgraph.WithStats(ctx, stats), sreq)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fail(err)
	}
	committed = true
	syncDir(filepath.Dir(final))
	if res.State != nil {
		if err := st.Put(info.Table, res.State); err != nil {
			// The snapshot is in place; a stale watermark only means the
			// next run re-reads (and deduplicates) more.
			log.Warn("could not save state", "table", info.Table, "error", err)
			res.Warnings = append(res.Warnings, "state not saved: "+err.Error())
		}
	}
	rec.Status = "ok"
	rec.Rows = res.Rows
	rec.Quarantined = res.Quarantined
	rec.ReportRefreshDate = res.ReportRefreshDate
	rec.Warnings = res.Warnings
	rec.File, _ = filepath.Rel(root, final)
	rec.File = filepath.ToSlash(rec.File)
	rec.Bytes = cw.n
	rec.SHA256 = hex.EncodeToString(h.Sum(nil))
	rec.DurationSeconds = r.now().Sub(start).Seconds()
	fillStats(&rec, stats)
	for _, w := range res.Warnings {
		log.Warn("stage warning", "warning", w, "table", info.Table) // w may quote tenant data; hclog escapes values, not messages
	}
	log.Info("stage done", "table", info.Table, "rows", rec.Rows, "pages", rec.Pages, "retries", rec.Retries,
		"throttled", rec.ThrottledWaits, "quarantined", rec.Quarantined, "seconds", rec.DurationSeconds)
	if r.Progress != nil {
		r.Progress.Done(p.Name, info, rec)
	}
	return rec
}

// sharedCause names the causes of the failed stages when each has one and
// they are few (a token refusal for Graph and one for Dataverse), or "".
func sharedCause(recs []StageRecord) string {
	var causes []string
	for _, r := range recs {
		if r.Status != "failed" {
			continue
		}
		if r.Cause == "" {
			return ""
		}
		if !slices.Contains(causes, r.Cause) {
			causes = append(causes, r.Cause)
		}
	}
	if len(causes) > 3 {
		return ""
	}
	return strings.Join(causes, "; ")
}

func fillStats(rec *StageRecord, s *msgraph.Stats) {
	rec.Pages = s.Pages.Load()
	rec.Requests = s.Requests.Load()
	rec.Retries = s.Retries.Load()
	rec.ThrottledWaits = s.ThrottledWaits.Load()
	rec.WaitedSeconds = time.Duration(s.WaitedNanos.Load()).Seconds()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newRunID(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// writeJSONAtomic writes v as indented JSON to a temporary file and renames
// it over path.
func writeJSONAtomic(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.json")
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// latestPartition is the newest part-0.parquet of table dated on or before
// day, or "".
func latestPartition(root string, layer stages.Layer, table string, day time.Time) string {
	entries, err := os.ReadDir(filepath.Join(root, string(layer), table))
	if err != nil {
		return ""
	}
	best := ""
	limit := "snapshot_date=" + day.Format(time.DateOnly)
	for _, e := range entries {
		n := e.Name()
		// Names sort by date: snapshot_date=YYYY-MM-DD.
		if !e.IsDir() || !strings.HasPrefix(n, "snapshot_date=") || n > limit || n <= best {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, string(layer), table, n, "part-0.parquet")); err == nil {
			best = n
		}
	}
	if best == "" {
		return ""
	}
	return filepath.Join(root, string(layer), table, best, "part-0.parquet")
}
