package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// Set is the transform as pipeline stages: one stage per curated table (so
// the runner records each in the manifest, checksums it and renames it into
// place), all served by a single Run per profile and run. The first curated
// stage to start computes every table into a hidden directory under
// OUT/<profile>/curated and writes the run's report; each stage then copies
// its own table to the runner's output.
//
// The zero value is not usable; call NewSet. A Set is safe for concurrent
// use by the runner.
type Set struct {
	// DuckDB tunes the engine (zero: DuckDB defaults).
	DuckDB Settings
	// StaleReportDays: see Request.StaleReportDays.
	StaleReportDays int
	// SQLStages are user tables computed after the built-in ones (one
	// pipeline stage each); set them before calling Stages.
	SQLStages []SQLStage

	mu        sync.Mutex
	sessions  map[string]*session // by run directory
	summaries map[string]*Summary // by profile, from its latest run
}

// NewSet returns the transform stages' shared state.
func NewSet() *Set {
	return &Set{sessions: map[string]*session{}, summaries: map[string]*Summary{}}
}

type session struct {
	once   sync.Once
	dir    string
	res    *Result
	err    error
	mu     sync.Mutex
	served map[string]bool
}

// Stages returns one stage per curated table.
func (s *Set) Stages() []stages.Stage {
	qs, err := curatedQueries()
	if err != nil {
		// The SQL is embedded: this is a build defect, caught by the tests.
		panic(err)
	}
	var out []stages.Stage
	var curated []string
	for _, q := range qs {
		out = append(out, &stage{set: s, q: q})
		curated = append(curated, q.table)
	}
	for _, u := range s.SQLStages {
		// A user stage may read any curated table (and earlier user
		// stages): it runs after all of them, and the ones its query names
		// (and the raw.* tables it names) are needs, so when one of them
		// failed in this run the stage is not run instead of reporting ok
		// over the previous same-day tables.
		out = append(out, &stage{set: s, q: query{table: u.Name, file: u.QueryRange.Filename,
			after: append([]string(nil), curated...), needs: sqlStageNeeds(u.Query, curated)}})
		curated = append(curated, u.Name)
	}
	return out
}

// Summary returns the summary of the profile's latest transform in this
// process, or nil.
func (s *Set) Summary(profile string) *Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summaries[profile]
}

type stage struct {
	set *Set
	q   query
}

func (st *stage) Info() stages.Info {
	info := stages.Single(st.q.table, stages.KindTransform, stages.LayerCurated)
	if st.q.after != nil {
		info.After, info.Needs = st.q.after, st.q.needs
		return info
	}
	needs := map[string]bool{}
	for _, r := range st.q.requires {
		name := strings.TrimPrefix(r, "raw.")
		needs[name] = true
		info.Needs = append(info.Needs, name)
	}
	// Optional raw inputs: wait for their extracts when they run, but a
	// failed one only makes its signal unknown.
	for _, t := range schemas.RawTables {
		if !needs[t.Name] {
			info.After = append(info.After, t.Name)
		}
	}
	return info
}

func (st *stage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	sess := st.set.session(req.RunDir)
	sess.once.Do(func() { sess.dir, sess.res, sess.err = st.set.compute(ctx, req) })
	ts, ok := sess.res.Table(st.q.table)
	switch {
	case ok && ts.Status == StatusWritten:
	case ok:
		return nil, fmt.Errorf("%s %s: %s", st.q.table, ts.Status, ts.Reason)
	case sess.err != nil && !errors.Is(sess.err, ErrPartial):
		return nil, sess.err
	default:
		return nil, fmt.Errorf("%s was not computed", st.q.table)
	}
	f, err := os.Open(ts.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := io.Copy(req.Out, f); err != nil {
		return nil, fmt.Errorf("copying %s: %w", st.q.table, err)
	}
	if req.Rows != nil {
		req.Rows.Add(ts.Rows)
	}
	res := &stages.Result{Rows: ts.Rows}
	if st.q.table == "signal_status" && sess.res.Summary != nil {
		for _, sig := range sess.res.Summary.Signals {
			if !sig.Available && sig.Counted {
				res.Warnings = append(res.Warnings, fmt.Sprintf("signal %s unknown: %s", sig.Signal, sig.Reason))
			}
		}
	}
	sess.done(st.q.table)
	return res, nil
}

// identRE finds the names a query may refer to: table or raw.table.
var identRE = regexp.MustCompile(`(?i)\b(raw\.)?([a-z_][a-z0-9_]*)\b`)

// sqlStageNeeds are the curated tables query names, and the raw tables it
// reads as raw.NAME. A word that only looks like a table name (a column
// called "users") makes a need too: the stage then requires a table it does
// not read to have succeeded, which is the safe side.
func sqlStageNeeds(query string, curated []string) []string {
	var needs []string
	named := map[string]bool{}
	for _, m := range identRE.FindAllStringSubmatch(query, -1) {
		name := strings.ToLower(m[2])
		if m[1] == "" {
			named[name] = true
		} else if _, ok := schemas.RawTable(name); ok && !slices.Contains(needs, name) {
			needs = append(needs, name)
		}
	}
	for _, c := range curated {
		if named[c] {
			needs = append(needs, c)
		}
	}
	return needs
}

func (s *Set) session(runDir string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[runDir]
	if sess == nil {
		sess = &session{served: map[string]bool{}}
		s.sessions[runDir] = sess
	}
	return sess
}

// compute runs the whole transform once for this run of the profile.
func (s *Set) compute(ctx context.Context, req *stages.Request) (string, *Result, error) {
	curated := filepath.Join(req.Root, string(stages.LayerCurated))
	if err := os.MkdirAll(curated, 0o755); err != nil {
		return "", nil, err
	}
	// Leftovers of earlier runs (a run that served only some tables); the
	// profile lock keeps other runs out while this one works.
	old, _ := filepath.Glob(filepath.Join(curated, ".transform-*"))
	for _, d := range old {
		os.RemoveAll(d)
	}
	dir, err := os.MkdirTemp(curated, ".transform-")
	if err != nil {
		return "", nil, err
	}
	res, err := Run(ctx, Request{
		Profile: req.Profile.Name, RawDir: filepath.Join(req.Root, string(stages.LayerRaw)), CuratedDir: dir,
		RunDir: req.RunDir, AsOf: req.AsOf, SnapshotDate: req.AsOf, Config: req.Config,
		DuckDB: s.DuckDB, StaleReportDays: s.StaleReportDays, SQLStages: s.SQLStages, Logger: req.Logger,
	})
	if res != nil && res.Summary != nil {
		s.mu.Lock()
		s.summaries[req.Profile.Name] = res.Summary
		s.mu.Unlock()
	}
	if res == nil {
		res = &Result{}
	}
	return dir, res, err
}

// done removes the scratch directory once every written table was served.
func (sess *session) done(table string) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	sess.served[table] = true
	for _, t := range sess.res.Tables {
		if t.Status == StatusWritten && !sess.served[t.Name] {
			return
		}
	}
	os.RemoveAll(sess.dir)
}
