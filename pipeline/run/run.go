// Package run runs the stages a configuration needs, profile by profile:
// it takes the profile's lock, asks pipeline/graph for the stages, runs them
// (independent stages concurrently), writes each table of a stage to a
// temporary file and commits it into its snapshot partition only when the
// stage succeeded (and the stage did not report that table failed), keeps
// per-profile state (watermarks) and writes one manifest per run. Where
// files live and how they are made durable is pipeline/store's. It never
// imports a concrete stage: the stages come in a stages.Registry.
package run

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/version"
	"github.com/reclaimhq/reclaim/stages"
)

// Progress is told about stages as they run. Start is called before Run
// with live counters; Done after, with the records of the stage's tables.
// Implementations must be safe for concurrent use. A nil Progress shows
// nothing.
type Progress interface {
	Start(profile string, info stages.Info, rows *stages.Counter, stats *msgraph.Stats)
	Done(profile string, info stages.Info, recs []StageRecord)
}

// Runner runs stages. Registry is required.
type Runner struct {
	Registry *stages.Registry
	// NewClient builds the Graph/Dataverse client of a profile; the runner
	// builds none itself. It is called once per profile, and only when an
	// extract stage runs; nil hands extract stages no client (tests of
	// stages that need none).
	NewClient func(p *config.Profile) (*msgraph.Client, error)
	Options   stages.Options
	Logger    hclog.Logger
	Progress  Progress
	// Parallel is how many stages of one profile run at once (default 4).
	Parallel int
	// ParallelProfiles is how many profiles run at once (default 1).
	ParallelProfiles int
	// Hook, if set, is told about each file the run commits (see store.Hook).
	Hook store.Hook
	// Store, if set, is the store the run writes and locks through (its
	// Dir must be OutputDir of the configuration); its Remote publishes to
	// object storage. nil: a local store of OutputDir with Hook.
	Store *store.Store
	// Report, if set, is handed the summary a stage returned (the
	// transform's), before the manifest is written: the caller renders it
	// into the run directory (OUT/<profile>/runs/<run-id>). An error fails
	// no stage; it is returned with the run's.
	Report func(out *store.Store, prof store.Profile, runID string, sum *report.Summary) error
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
	for _, n := range names {
		if _, ok := req.Config.Profiles[n]; !ok {
			return nil, fmt.Errorf("no profile %q in the configuration", n)
		}
	}
	// Profiles run side by side up to ParallelProfiles: each has its own
	// lock, state, output directory and Graph client, and Microsoft
	// throttles per app per tenant, so one tenant's waits never slow
	// another. Results are reported in name order whatever order they end.
	par := max(r.ParallelProfiles, 1)
	ms := make([]*Manifest, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, n := range names {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() != nil {
				return
			}
			m, err := r.runProfile(ctx, req, req.Config.Profiles[n])
			ms[i] = m
			if err != nil {
				errs[i] = &ProfileError{Profile: n, Err: err}
			}
		}()
	}
	wg.Wait()
	var out []*Manifest
	for _, m := range ms {
		if m != nil {
			out = append(out, m)
		}
	}
	return out, errors.Join(errs...)
}

// ProfileError is one profile's failure in Run's joined error: a run over
// many tenants fails tenant by tenant, and the caller lists which.
type ProfileError struct {
	Profile string
	Err     error
}

func (e *ProfileError) Error() string { return fmt.Sprintf("profile %q: %v", e.Profile, e.Err) }
func (e *ProfileError) Unwrap() error { return e.Err }

// FailedProfiles lists the profile failures joined in an error Run
// returned, in name order.
func FailedProfiles(err error) []*ProfileError {
	var out []*ProfileError
	var walk func(error)
	walk = func(err error) {
		if pe, ok := err.(*ProfileError); ok {
			out = append(out, pe)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
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

// OutputDir is the root of all snapshots of a configuration (the store's
// Dir); a configuration built without an output block gets the default.
func OutputDir(cfg *config.Config) string {
	if cfg.Output != nil && cfg.Output.Dir != "" {
		return cfg.Output.Dir
	}
	return config.DefaultOutputDir
}

func (r *Runner) runProfile(ctx context.Context, req Request, p *config.Profile) (*Manifest, error) {
	out := r.Store
	if out == nil {
		out = &store.Store{Dir: OutputDir(req.Config), Hook: r.Hook}
	}
	prof := out.Profile(p.Name)
	// With a remote, the lock is also the cross-host lease, and taking it
	// reads the state and latest snapshots back (a fresh host continues).
	l, err := out.Lock(ctx, prof, store.LockOptions{Command: "run", Timeout: r.LockTimeout})
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

	// Run in dependency waves: a stage starts when everything it waits for
	// that this run produces has finished; a failed need fails it, or only
	// the tables of it that need what failed.
	recs := make([][]StageRecord, len(g.Stages))
	done := map[string]chan struct{}{} // by table
	status := sync.Map{}               // table → ok, failed, not_run
	for _, n := range g.Stages {
		ch := make(chan struct{})
		for _, t := range n.Tables {
			done[t.Name] = ch
		}
	}
	par := r.Parallel
	if par <= 0 {
		par = 4
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var reportMu sync.Mutex
	var reportErrs []error
	for i, n := range g.Stages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[n.Tables[0].Name])
			finish := func(rs []StageRecord) {
				recs[i] = rs
				for _, rec := range rs {
					status.Store(rec.Table, rec.Status)
				}
			}
			failedNeed := func(ts []string) string {
				for _, t := range ts {
					if ch, ok := done[t]; ok {
						<-ch
						if v, _ := status.Load(t); v != store.StatusOK {
							return fmt.Sprintf("needs %s, which failed", t)
						}
					}
				}
				return ""
			}
			for _, t := range n.Waits() {
				if ch, ok := done[t]; ok {
					<-ch
				}
			}
			blocked := map[string]string{}
			stageWhy := failedNeed(n.Info.Needs)
			for _, t := range n.Tables {
				if why := cmp.Or(stageWhy, failedNeed(t.Needs)); why != "" {
					blocked[t.Name] = why
				}
			}
			if len(blocked) == len(n.Tables) {
				finish(notRunRecords(n, blocked))
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, t := range n.Tables {
					blocked[t.Name] = ctx.Err().Error()
				}
				finish(notRunRecords(n, blocked))
				return
			}
			defer func() { <-sem }()
			rs, sum := r.runStage(ctx, out, prof, req.Config, p, prof.RunDir(m.RunID), asOf, n, blocked, st, getClient, log)
			if sum != nil && r.Report != nil {
				if err := r.Report(out, prof, m.RunID, sum); err != nil {
					reportMu.Lock()
					reportErrs = append(reportErrs, fmt.Errorf("report: %w", err))
					reportMu.Unlock()
				}
			}
			finish(rs)
		}()
	}
	wg.Wait()
	for _, rs := range recs {
		m.Stages = append(m.Stages, rs...)
	}
	m.Finished = r.now().UTC()
	var failed []string
	for _, rec := range m.Stages {
		if rec.Status != store.StatusOK {
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
		m.Status = store.StatusFailed
	}
	if err := out.WriteManifest(prof, m); err != nil {
		return m, fmt.Errorf("writing manifest: %w", err)
	}
	mpath := prof.ManifestPath(m.RunID)
	reportErr := errors.Join(reportErrs...)
	if interrupted {
		return m, errors.Join(fmt.Errorf("%w (%v); see %s", ErrInterrupted, context.Cause(ctx), mpath), reportErr)
	}
	if len(failed) > 0 {
		if cause := sharedCause(m.Stages); cause != "" {
			return m, errors.Join(fmt.Errorf("%w (%s): %s (see %s)", ErrStagesFailed, strings.Join(failed, ", "), cause, mpath), reportErr)
		}
		return m, errors.Join(fmt.Errorf("%w: %v (see %s)", ErrStagesFailed, failed, mpath), reportErr)
	}
	return m, reportErr
}

// notRunRecords are the records of the tables of n when none runs: why
// maps each to the reason.
func notRunRecords(n graph.Node, why map[string]string) []StageRecord {
	var out []StageRecord
	for _, t := range n.Tables {
		out = append(out, StageRecord{Table: t.Name, Stage: stageName(n, t.Name), Kind: string(n.Info.Kind), Status: store.StatusNotRun, Error: why[t.Name]})
	}
	return out
}

// stageName is what StageRecord.Stage holds for table of n.
func stageName(n graph.Node, table string) string {
	if n.Info.Name == table && len(n.Info.Tables) == 1 {
		return ""
	}
	return n.Info.Name
}

// outputs are the temporary files of one stage run, one per table, made
// by the store beside the table's partition (hidden from *.parquet globs,
// on the same file system so the final rename is atomic).
type outputs struct {
	store *store.Store
	prof  store.Profile
	asOf  time.Time
	node  graph.Node
	mu    sync.Mutex
	files map[string]*store.Temp
}

func (o *outputs) Create(table string) (*os.File, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t, ok := o.files[table]; ok {
		return t.File, nil
	}
	t, ok := o.node.Info.Table(table)
	if !ok {
		return nil, fmt.Errorf("stage %s produces no table %s", o.node.Info.Name, table)
	}
	tmp, err := o.store.Create(o.prof.Partition(t.Layer, table, o.asOf), store.KindSnapshot)
	if err != nil {
		return nil, err
	}
	o.files[table] = tmp
	return tmp.File, nil
}

// discard removes every temporary file not committed.
func (o *outputs) discard() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for t, f := range o.files {
		f.Abort()
		delete(o.files, t)
	}
}

// commit makes table's file its partition, returning its path relative to
// the profile, size and SHA-256. The stage may have replaced the file by
// path (DuckDB's COPY does), so it is read back by name.
func (o *outputs) commit(table string) (rel string, size int64, sum string, err error) {
	o.mu.Lock()
	tmp, ok := o.files[table]
	delete(o.files, table)
	o.mu.Unlock()
	if !ok {
		return "", 0, "", fmt.Errorf("the stage wrote no file for %s", table)
	}
	defer tmp.Abort() // a no-op once committed
	if err := tmp.Close(); err != nil {
		return "", 0, "", err
	}
	f, err := os.Open(tmp.Name())
	if err != nil {
		return "", 0, "", err
	}
	h := sha256.New()
	size, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return "", 0, "", err
	}
	if err := tmp.Commit(); err != nil {
		return "", 0, "", err
	}
	rel, _ = filepath.Rel(o.prof.Root, tmp.Path())
	return filepath.ToSlash(rel), size, hex.EncodeToString(h.Sum(nil)), nil
}

// runStage runs one node and returns a record per table of it, and the
// stage's report when it made one.
func (r *Runner) runStage(ctx context.Context, out *store.Store, prof store.Profile, cfg *config.Config, p *config.Profile, runDir string, asOf time.Time,
	n graph.Node, blocked map[string]string, st *store.State, getClient func() (*msgraph.Client, error), log hclog.Logger) ([]StageRecord, *report.Summary) {
	info := n.Info
	start := r.now()
	stats := &msgraph.Stats{}
	rows := &stages.Counter{}
	if r.Progress != nil {
		r.Progress.Start(p.Name, info, rows, stats)
	}
	tables := n.TableNames()
	record := func(i int, t string) StageRecord {
		rec := StageRecord{Table: t, Stage: stageName(n, t), Kind: string(info.Kind), Endpoint: info.Endpoint}
		rec.DurationSeconds = r.now().Sub(start).Seconds()
		if i == 0 {
			fillStats(&rec, stats)
		}
		return rec
	}
	done := func(recs []StageRecord) []StageRecord {
		if r.Progress != nil {
			r.Progress.Done(p.Name, info, recs)
		}
		return recs
	}
	fail := func(err error) ([]StageRecord, *report.Summary) {
		var recs []StageRecord
		for i, t := range tables {
			rec := record(i, t)
			rec.Status = store.StatusFailed
			rec.Error = err.Error()
			rec.Cause = msgraph.SharedCause(err)
			if why, ok := blocked[t]; ok {
				rec.Status, rec.Error, rec.Cause = store.StatusNotRun, why, ""
			}
			if len(tables) == 1 {
				rec.Rows = rows.Load()
			}
			recs = append(recs, rec)
		}
		log.Error("stage failed", "stage", info.Name, "error", err)
		return done(recs), nil
	}

	outs := &outputs{store: out, prof: prof, asOf: asOf, node: n, files: map[string]*store.Temp{}}
	defer outs.discard()
	var runnable []string
	for _, t := range tables {
		if _, ok := blocked[t]; !ok {
			runnable = append(runnable, t)
		}
	}
	sreq := &stages.Request{Config: cfg, Profile: p, AsOf: asOf, Now: r.now(), Outputs: outs, Tables: runnable, Blocked: blocked,
		Root: prof.Root, RunDir: runDir, State: st.Get(info.Name), Stats: stats, Rows: rows, Logger: log.Named(info.Name), Options: r.Options}
	if len(info.Tables) == 1 {
		out, err := sreq.Output(tables[0])
		if err != nil {
			return fail(err)
		}
		sreq.Out = out
		if info.Incremental {
			sreq.Existing = prof.LatestPartition(info.Tables[0].Layer, tables[0], asOf)
		}
	}
	if info.Kind == stages.KindExtract {
		c, err := getClient()
		if err != nil {
			return fail(err)
		}
		sreq.Client = c
	}
	log.Info("stage start", "stage", info.Name, "endpoint", info.Endpoint)
	res, err := n.Stage.Run(msgraph.WithStats(ctx, stats), sreq)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		return fail(err)
	}
	var recs []StageRecord
	anyOK := false
	for i, t := range tables {
		rec := record(i, t)
		if why, ok := blocked[t]; ok {
			rec.Status, rec.Error = store.StatusNotRun, why
			recs = append(recs, rec)
			continue
		}
		tr, ok := res.Tables[t]
		switch {
		case ok:
		case res.Tables == nil && len(tables) == 1:
			tr = stages.TableResult{Rows: res.Rows, Quarantined: res.Quarantined, ReportRefreshDate: res.ReportRefreshDate, Warnings: res.Warnings}
		default:
			tr.Err = fmt.Errorf("stage %s did not produce %s", info.Name, t)
		}
		rec.Rows, rec.Quarantined, rec.ReportRefreshDate, rec.Warnings = tr.Rows, tr.Quarantined, tr.ReportRefreshDate, tr.Warnings
		if tr.Err == nil {
			rec.File, rec.Bytes, rec.SHA256, tr.Err = outs.commit(t)
		}
		switch {
		case errors.Is(tr.Err, stages.ErrNotRun):
			rec.Status, rec.Error = store.StatusNotRun, tr.Err.Error()
		case tr.Err != nil:
			rec.Status, rec.Error, rec.File, rec.Bytes, rec.SHA256 = store.StatusFailed, tr.Err.Error(), "", 0, ""
			log.Error("table failed", "stage", info.Name, "table", t, "error", tr.Err)
		default:
			rec.Status = store.StatusOK
			anyOK = true
		}
		for _, w := range rec.Warnings {
			log.Warn("stage warning", "warning", w, "table", t) // w may quote tenant data; hclog escapes values, not messages
		}
		log.Info("table done", "stage", info.Name, "table", t, "status", rec.Status, "rows", rec.Rows, "pages", rec.Pages, "retries", rec.Retries,
			"throttled", rec.ThrottledWaits, "quarantined", rec.Quarantined, "seconds", rec.DurationSeconds)
		recs = append(recs, rec)
	}
	if res.State != nil && anyOK {
		if err := st.Put(info.Name, res.State); err != nil {
			// The snapshot is in place; a stale watermark only means the
			// next run re-reads (and deduplicates) more.
			log.Warn("could not save state", "stage", info.Name, "error", err)
			recs[0].Warnings = append(recs[0].Warnings, "state not saved: "+err.Error())
		}
	}
	return done(recs), res.Report
}

// sharedCause names the causes of the failed stages when each has one and
// they are few (a token refusal for Graph and one for Dataverse), or "".
func sharedCause(recs []StageRecord) string {
	var causes []string
	for _, r := range recs {
		if r.Status != store.StatusFailed {
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

func newRunID(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
