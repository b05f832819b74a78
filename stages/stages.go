// Package stages holds the contract every pipeline stage implements and the
// Registry value that lists them. The runner (pipeline/run) and the stage
// graph (pipeline/graph) work only with these types; cmd/reclaim builds the
// Registry from the concrete stage packages (stages/extract, stages/transform)
// and hands it over. There is no global registration: a Registry is a value.
package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/pipeline/store"
)

// Kind is the step of the pipeline a stage belongs to; stages run in Kind
// order, and `reclaim run --stage KIND` runs one kind.
type Kind string

const (
	KindExtract   Kind = "extract"
	KindTransform Kind = "transform"
)

// Layer is where a stage's table is written under OUT/<profile>/: the
// store's layers, named here for stage authors.
type Layer = store.Layer

const (
	LayerRaw     = store.Raw
	LayerCurated = store.Curated
)

// Table is one table a stage produces.
type Table struct {
	Name  string
	Layer Layer
	// Needs are tables this one reads that other stages produce, beyond the
	// stage's own Info.Needs: when one of them fails in this run the runner
	// still runs the stage for its other tables, but lists this one in
	// Request.Blocked and records it not_run. Tables of the same stage are
	// the stage's own business and are ignored here.
	Needs []string
}

// Info describes a stage.
type Info struct {
	// Name names the stage (state.json, logs, progress). A stage producing
	// one table is named after it.
	Name string
	Kind Kind
	// Tables are what the stage produces, each committed on its own.
	Tables []Table
	// Needs are tables every table of this stage reads (raw tables for a
	// transform). The graph orders stages so that every need runs first, and
	// the stage is not run when one of them failed in this run.
	Needs []string
	// After are tables whose stages, when they run, go first; unlike Needs
	// their failure does not stop this stage.
	After []string
	// Endpoint is what the stage calls, for the manifest and progress
	// ("GET /v1.0/users"); empty for local stages.
	Endpoint string
	// Incremental stages (sign-ins) fetch only what is new and carry the
	// rest over from the previous snapshot, so every partition is still a
	// complete snapshot: the runner hands them the latest partition dated
	// on or before AsOf as Request.Existing.
	Incremental bool
}

// Single describes a stage producing one table, named after it.
func Single(table string, kind Kind, layer Layer) Info {
	return Info{Name: table, Kind: kind, Tables: []Table{{Name: table, Layer: layer}}}
}

// Table returns the stage's table called name.
func (i Info) Table(name string) (Table, bool) {
	for _, t := range i.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// Stage produces one or more tables.
//
// Lifecycle: Info is called any number of times and must be cheap. Run is
// called at most once per profile per run, after every stage named in Needs
// succeeded; it writes each table to the file req.Output (or
// req.OutputPath) hands it and returns what it did. An error means no table
// of the stage is written: the runner discards its outputs and keeps the
// earlier snapshots and state. A stage producing several tables reports
// each in Result.Tables; one that failed there is discarded alone.
type Stage interface {
	Info() Info
	Run(ctx context.Context, req *Request) (*Result, error)
}

// Outputs creates the temporary files a stage's tables are written to; the
// runner implements it, renaming each file into its snapshot partition only
// when the stage succeeded.
type Outputs interface {
	// Create returns the open, empty temporary file of table. Calling it
	// again for the same table returns the same file.
	Create(table string) (*os.File, error)
}

// Request is everything a stage gets from the runner.
type Request struct {
	Config  *config.Config
	Profile *config.Profile
	// AsOf is the snapshot date (UTC midnight).
	AsOf time.Time
	// Now is the runner's clock at the start of the stage.
	Now time.Time
	// Out is Output of a stage's only table (nil for a stage producing
	// several): write it with NewWriter and Close the writer before
	// returning.
	Out io.Writer
	// Outputs hands out the files of the stage's tables (see Output).
	Outputs Outputs
	// Tables are the stage's tables this run writes (a selection, --only,
	// may leave some out); Blocked those of them whose Table.Needs failed in
	// this run, with why. The stage must not write a blocked table, and
	// should treat tables that read it as blocked too.
	Tables  []string
	Blocked map[string]string
	// Existing is the path of the latest partition of this table dated on
	// or before AsOf (the one being replaced, when a run already happened
	// that day), for Incremental stages; "" when there is none.
	Existing string
	// Root is OUT/<profile>: transform stages read raw snapshots under it.
	Root string
	// RunDir is OUT/<profile>/runs/<run-id>, unique to this run.
	RunDir string
	// State is this stage's entry of OUT/<profile>/state.json (nil: none).
	// Return the new state in Result.State; it is saved only on success.
	State map[string]string
	// Stats counts HTTP work; progress displays read it while Run runs.
	Stats *msgraph.Stats
	// Rows counts rows written so far (NewWriter keeps it up to date).
	Rows   *Counter
	Logger hclog.Logger
	// Client is the profile's Graph/Dataverse client (nil for transforms).
	Client *msgraph.Client
	// Options are the extract tuning knobs (page sizes, budgets).
	Options Options
}

// Output returns the writer of table, a temporary file the runner renames
// into place only if Run succeeds.
func (r *Request) Output(table string) (io.Writer, error) {
	f, err := r.output(table)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// OutputPath returns the path of table's temporary file, for an engine
// that writes files itself (DuckDB's COPY): it may replace the file, and
// must have finished writing it when Run returns.
func (r *Request) OutputPath(table string) (string, error) {
	f, err := r.output(table)
	if err != nil {
		return "", err
	}
	return f.Name(), nil
}

func (r *Request) output(table string) (*os.File, error) {
	if !slices.Contains(r.Tables, table) {
		return nil, fmt.Errorf("table %s is not written by this run of the stage", table)
	}
	if why, ok := r.Blocked[table]; ok {
		return nil, fmt.Errorf("table %s is blocked: %s", table, why)
	}
	if r.Outputs == nil {
		return nil, fmt.Errorf("table %s: the request has no outputs", table)
	}
	return r.Outputs.Create(table)
}

// Options tune extract stages; zero values take defaults.
type Options struct {
	// ReportPeriod is the usage-report period: D7, D30 (default), D90, D180.
	ReportPeriod string
	// SignInRequestBudget bounds the requests one sign-ins extract makes
	// (default 200 pages): the audit-log API allows 5 requests per 10 s.
	SignInRequestBudget int
	// SignInOverlap is how far before the watermark a run re-reads, to
	// catch late-arriving events (default 1 hour).
	SignInOverlap time.Duration
	// FlushRows is the number of rows per Parquet row group (default 10000).
	FlushRows int
}

// Result is what a stage reports; the runner adds timing, file size and
// checksum and writes it into the run manifest.
type Result struct {
	// Rows, Quarantined, ReportRefreshDate and Warnings describe the table
	// of a stage producing one (the entry of Tables, when that is set, wins).
	Rows        int64
	Quarantined int64 // malformed input rows counted and not written
	// ReportRefreshDate is the "Report Refresh Date" of a usage report.
	ReportRefreshDate string
	Warnings          []string
	// Tables has an entry per table written or refused by a stage producing
	// several. A table of the request missing from it was not produced.
	Tables map[string]TableResult
	// State replaces the stage's entry in state.json on success.
	State map[string]string
	// Report is the people-facing digest of a transform (nil for other
	// stages); the caller renders it (pipeline/ui).
	Report *report.Summary
}

// TableResult is the outcome of one table of a stage.
type TableResult struct {
	Rows        int64
	Quarantined int64
	// ReportRefreshDate: see Result.
	ReportRefreshDate string
	Warnings          []string
	// Err says why the table was not written (nil: it was); the runner
	// discards its file. Wrap ErrNotRun when an input of it failed, so the
	// manifest says not_run rather than failed.
	Err error
}

// ErrNotRun is wrapped by a TableResult.Err when the table was not
// computed because something it reads failed.
var ErrNotRun = errors.New("not run")

// NotRun is an error wrapping ErrNotRun whose message is only why.
func NotRun(why string) error { return notRun(why) }

type notRun string

func (n notRun) Error() string        { return string(n) }
func (n notRun) Is(target error) bool { return target == ErrNotRun }

// Registry lists the stages a build of reclaim knows about.
type Registry struct {
	stages   map[string]Stage // by stage name
	producer map[string]Stage // by table
}

// NewRegistry returns a Registry holding the given stages; two stages
// with the same name or producing the same table is an error.
func NewRegistry(ss ...Stage) (*Registry, error) {
	r := &Registry{}
	return r, r.Add(ss...)
}

// Add adds stages.
func (r *Registry) Add(ss ...Stage) error {
	if r.stages == nil {
		r.stages, r.producer = map[string]Stage{}, map[string]Stage{}
	}
	for _, s := range ss {
		info := s.Info()
		if _, dup := r.stages[info.Name]; dup {
			return fmt.Errorf("two stages are called %q", info.Name)
		}
		if len(info.Tables) == 0 {
			return fmt.Errorf("stage %q produces no table", info.Name)
		}
		for _, t := range info.Tables {
			if other, dup := r.producer[t.Name]; dup {
				return fmt.Errorf("stages %q and %q both produce table %q", other.Info().Name, info.Name, t.Name)
			}
		}
		r.stages[info.Name] = s
		for _, t := range info.Tables {
			r.producer[t.Name] = s
		}
	}
	return nil
}

// Get returns the stage producing table.
func (r *Registry) Get(table string) (Stage, bool) {
	s, ok := r.producer[table]
	return s, ok
}

// Stages lists every stage, by name.
func (r *Registry) Stages() []Stage {
	names := slices.Sorted(maps.Keys(r.stages))
	out := make([]Stage, len(names))
	for i, n := range names {
		out[i] = r.stages[n]
	}
	return out
}

// Tables lists every table the registry can produce, sorted.
func (r *Registry) Tables() []string {
	return slices.Sorted(maps.Keys(r.producer))
}
