// Package stages holds the contract every pipeline stage implements and the
// Registry value that lists them. The runner (pipeline/run) and the stage
// graph (pipeline/graph) work only with these types; cmd/reclaim builds the
// Registry from the concrete stage packages (stages/extract, stages/transform)
// and hands it over. There is no global registration: a Registry is a value.
package stages

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/pipeline/config"
)

// Kind is the step of the pipeline a stage belongs to; stages run in Kind
// order, and `reclaim run --stage KIND` runs one kind.
type Kind string

const (
	KindExtract   Kind = "extract"
	KindTransform Kind = "transform"
)

// Layer is where a stage's table is written under OUT/<profile>/.
type Layer string

const (
	LayerRaw     Layer = "raw"
	LayerCurated Layer = "curated"
)

// Info describes a stage. A stage produces exactly one table; its name is
// the stage's name.
type Info struct {
	Table string
	Kind  Kind
	Layer Layer
	// Row is a zero value of the table's row struct (from package schemas).
	Row any
	// Needs are tables this stage reads (raw tables for a transform). The
	// graph orders stages so that every need runs first.
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

// Stage produces one table.
//
// Lifecycle: Info is called any number of times and must be cheap. Run is
// called at most once per profile per run, after every stage named in Needs
// succeeded; it writes rows to req.Out and returns what it did. An error
// means the table is not written: the runner discards req.Out and keeps the
// earlier snapshot and state.
type Stage interface {
	Info() Info
	Run(ctx context.Context, req *Request) (*Result, error)
}

// Request is everything a stage gets from the runner.
type Request struct {
	Config  *config.Config
	Profile *config.Profile
	// AsOf is the snapshot date (UTC midnight).
	AsOf time.Time
	// Now is the runner's clock at the start of the stage.
	Now time.Time
	// Out receives the Parquet file; write it with NewWriter and Close the
	// writer before returning. It is a temporary file the runner renames
	// into place only if Run succeeds.
	Out io.Writer
	// Existing is the path of the latest partition of this table dated on
	// or before AsOf (the one being replaced, when a run already happened
	// that day), for Incremental stages; "" when there is none.
	Existing string
	// Root is OUT/<profile>: transform stages read raw snapshots under it.
	Root string
	// RunDir is OUT/<profile>/runs/<run-id>, unique to this run: the
	// transform writes report.md and report.html there.
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
	Rows        int64
	Quarantined int64 // malformed input rows counted and not written
	// ReportRefreshDate is the "Report Refresh Date" of a usage report.
	ReportRefreshDate string
	Warnings          []string
	// State replaces the stage's entry in state.json on success.
	State map[string]string
}

// Registry lists the stages a build of reclaim knows about.
type Registry struct {
	stages map[string]Stage
}

// NewRegistry returns a Registry holding the given stages; two stages
// producing the same table is an error.
func NewRegistry(ss ...Stage) (*Registry, error) {
	r := &Registry{stages: map[string]Stage{}}
	return r, r.Add(ss...)
}

// Add adds stages.
func (r *Registry) Add(ss ...Stage) error {
	if r.stages == nil {
		r.stages = map[string]Stage{}
	}
	for _, s := range ss {
		t := s.Info().Table
		if _, dup := r.stages[t]; dup {
			return fmt.Errorf("two stages produce table %q", t)
		}
		r.stages[t] = s
	}
	return nil
}

// Get returns the stage producing table.
func (r *Registry) Get(table string) (Stage, bool) {
	s, ok := r.stages[table]
	return s, ok
}

// Tables lists every table the registry can produce, sorted.
func (r *Registry) Tables() []string {
	var ts []string
	for t := range r.stages {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}
