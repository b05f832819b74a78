// Package transform turns one raw Parquet snapshot into the curated tables
// with embedded DuckDB SQL: one .sql file per curated table (sql/*.sql),
// run in dependency order over the raw tables loaded once into DuckDB, with
// the config's rules, exclusions and prices and the signal catalogue loaded
// as parameter tables, and one fragment per activity signal
// (sql/signals/<name>.sql) feeding the one activity view user_activity reads
// (param.signal_activity). It owns the meaning of "inactive": which signals
// count, how report lags and unknown signals are handled, and what a
// recommendation may ask for.
//
// Entry points: Run, or Stage, the one pipeline stage "reclaim run"
// registers, which produces every curated table (and the user SQL stages'
// tables) from one DuckDB session. User SQL stages (a named query over
// curated tables) run through Request.SQLStages. The Summary in the Result
// is plain data (pipeline/report); this package writes no report file.
package transform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// DefaultStaleReportDays is how old (before as_of) a usage report's refresh
// date may be before its signal counts as unknown. Reports normally lag 2–3
// days, Teams and Microsoft 365 Apps up to a week.
const DefaultStaleReportDays = 10

// Request is one transform run over one profile's raw snapshot.
type Request struct {
	// Profile is the profile name: rules and exclusions restricted to other
	// profiles are ignored.
	Profile string
	// RawDir is OUT/<profile>/raw; tables are read from the *.parquet of
	// their SnapshotDate partition (store.PartitionDir).
	RawDir string
	// CuratedDir is OUT/<profile>/curated; tables are written to their
	// SnapshotDate partition (store.PartitionPath) unless Output says
	// otherwise.
	CuratedDir string
	// Output, when set, says where each table is written: a path (in the
	// table's partition directory, which the sandbox admits), or "" for a
	// table computed only for the tables that read it (a run limited with
	// --only). Nil writes every table to its partition under CuratedDir.
	Output func(table string) (string, error)
	// Blocked are tables not to compute, with why (something they read
	// failed in this run); the tables reading them are not computed either.
	Blocked map[string]string
	// Compression is the Parquet codec of the curated files: zstd (""),
	// snappy, gzip or none (config output.compression).
	Compression string
	// SnapshotDate is the raw snapshot to read; zero means AsOf's date.
	SnapshotDate time.Time
	// AsOf is the run date inactivity is measured at; zero means today (UTC).
	// The SQL never reads the clock: the same snapshot, config and AsOf give
	// the same output.
	AsOf time.Time
	// Config supplies rules, exclusions, consolidation rules and prices. Nil
	// means an empty configuration (positions and findings only).
	Config *config.Config
	// DuckDB tunes the engine.
	DuckDB Settings
	// StaleReportDays: a usage report refreshed more than this many days
	// before AsOf is "unknown"; 0 means DefaultStaleReportDays.
	StaleReportDays int
	// SQLStages run after the built-in tables, in order, over the curated
	// tables (and earlier stages) still in memory.
	SQLStages []SQLStage
	// Logger receives progress; nil discards.
	Logger hclog.Logger
}

// Table statuses: pipeline/report's words, which its summary carries to
// the views.
const (
	StatusWritten = report.TableWritten
	// StatusMissing: an input was missing; Reason names it.
	StatusMissing = report.TableMissing
	// StatusFailed: the SQL or the write failed; Reason has the error.
	StatusFailed = report.TableFailed
	// StatusNotRun: Request.Blocked named it, or a table it reads was not
	// run; Reason says which.
	StatusNotRun = report.TableNotRun
	// StatusComputed: computed for the tables that read it but not written
	// (Request.Output gave no path).
	StatusComputed = report.TableComputed
)

// TableStatus is the outcome for one curated table.
type TableStatus struct {
	Name   string
	Status string
	Reason string
	Rows   int64
	// Path is the written Parquet file ("" unless written).
	Path     string
	Duration time.Duration
}

// Result is what a run produced. Tables is in dependency order.
type Result struct {
	SnapshotDate time.Time
	AsOf         time.Time
	Tables       []TableStatus
	// RawMissing maps each raw table absent from the snapshot to why.
	RawMissing map[string]string
	// Summary is nil when the tables it reads were not written.
	Summary *Summary
}

// Table returns the status of the named table.
func (r *Result) Table(name string) (TableStatus, bool) {
	for _, t := range r.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return TableStatus{}, false
}

// ErrPartial is wrapped by Run's error when some tables were not written
// although the run itself worked (missing raw inputs).
var ErrPartial = errors.New("some curated tables were not written")

func (req *Request) normalize() error {
	if req.RawDir == "" || req.CuratedDir == "" {
		return errors.New("transform: RawDir and CuratedDir are required")
	}
	if req.AsOf.IsZero() {
		req.AsOf = time.Now().UTC()
	}
	req.AsOf = dayOf(req.AsOf)
	if req.SnapshotDate.IsZero() {
		req.SnapshotDate = req.AsOf
	}
	req.SnapshotDate = dayOf(req.SnapshotDate)
	if req.StaleReportDays <= 0 {
		req.StaleReportDays = DefaultStaleReportDays
	}
	if req.Config == nil {
		req.Config = &config.Config{}
	}
	if req.Logger == nil {
		req.Logger = hclog.NewNullLogger()
	}
	return nil
}

func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Run computes every curated table from the raw snapshot. A missing raw
// table marks the tables that need it as missing and the rest still run;
// then the error wraps ErrPartial. Any other error (bad config expression,
// SQL failure, I/O) is returned with the Result so far.
func Run(ctx context.Context, req Request) (*Result, error) {
	if err := req.normalize(); err != nil {
		return nil, err
	}
	log := req.Logger.Named("transform")
	res := &Result{SnapshotDate: req.SnapshotDate, AsOf: req.AsOf}

	settings := req.DuckDB
	cleanupTmp := false
	if settings.TempDirectory == "" {
		settings.TempDirectory = filepath.Join(req.CuratedDir, ".duckdb_tmp")
		cleanupTmp = true
	}
	e, err := openEngine(ctx, settings)
	if err != nil {
		return nil, err
	}
	defer e.close()
	if e.codec, err = duckDBCodec(req.Compression); err != nil {
		return nil, err
	}
	if cleanupTmp {
		defer os.RemoveAll(settings.TempDirectory)
	}

	raw, err := openRaw(ctx, e, req.RawDir, req.SnapshotDate)
	if err != nil {
		return nil, err
	}
	// From here on the configuration's SQL runs (exclusion when, sql
	// stages): DuckDB keeps to the curated snapshot it writes.
	if err := e.sandbox(ctx, snapshotDirs(req.CuratedDir, req.SnapshotDate, settings.TempDirectory,
		config.CuratedTableNames(), stageNames(req.SQLStages))); err != nil {
		return nil, err
	}
	res.RawMissing = map[string]string{}
	for name, reason := range raw {
		if reason != "" {
			res.RawMissing[name] = reason
			log.Warn("raw table not in snapshot", "table", name, "reason", reason)
		}
	}
	if err := loadParams(ctx, e, &req, raw); err != nil {
		return res, err
	}
	if err := runPrelude(ctx, e); err != nil {
		return res, err
	}

	queries, err := curatedQueries()
	if err != nil {
		return res, err
	}
	done := map[string]string{} // curated table → "" when in the engine, else why not
	notRun := map[string]bool{}
	// notRunWhy says why a table is not run: blocked by the caller, or it
	// reads a table that was not run (or, for a user stage, any table not
	// computed: it must not report ok over a previous snapshot).
	notRunWhy := func(table string, reads []string, anyMissing bool) string {
		if why, ok := req.Blocked[table]; ok {
			return why
		}
		for _, r := range reads {
			if why, ok := done[r]; ok && (notRun[r] || anyMissing && why != "") {
				return fmt.Sprintf("needs %s, which failed", r)
			}
		}
		return ""
	}
	var firstErr error
	partial := false
	for _, q := range queries {
		st := TableStatus{Name: q.table}
		start := time.Now()
		if why := notRunWhy(q.table, q.requires, false); why != "" {
			st.Status, st.Reason = StatusNotRun, why
		} else if why := q.blocked(raw, done); why != "" {
			st.Status, st.Reason = StatusMissing, why
			partial = true
		} else if err := runQuery(ctx, e, q, req, &st); err != nil {
			st.Status, st.Reason = StatusFailed, err.Error()
			if firstErr == nil {
				firstErr = err
			}
		}
		st.Duration = time.Since(start)
		done[q.table] = st.Reason
		if st.Status != StatusWritten && st.Status != StatusComputed && st.Reason == "" {
			done[q.table] = st.Status
		}
		notRun[q.table] = st.Status == StatusNotRun
		log.Info("curated table", "table", st.Name, "status", st.Status, "rows", st.Rows, "reason", st.Reason, "took", st.Duration.Round(time.Millisecond))
		res.Tables = append(res.Tables, st)
	}
	if firstErr != nil {
		return res, firstErr
	}
	// A failing user stage fails alone (and whatever reads it); the
	// built-in tables, the summary and the report are still produced.
	var stageErrs []error
	var curated []string
	for _, q := range queries {
		curated = append(curated, q.table)
	}
	for _, s := range req.SQLStages {
		if !s.appliesTo(req.Profile) {
			// Not this profile's table: the pipeline graph skips it.
			continue
		}
		st := TableStatus{Name: s.Name}
		start := time.Now()
		if why := notRunWhy(s.Name, sqlStageNeeds(s.Query, curated), true); why != "" {
			st.Status, st.Reason = StatusNotRun, why
		} else if err := runStage(ctx, e, s, req.output, &st); err != nil {
			st.Status, st.Reason = StatusFailed, err.Error()
			stageErrs = append(stageErrs, err)
		}
		st.Duration = time.Since(start)
		done[s.Name] = st.Reason
		if st.Status != StatusWritten && st.Status != StatusComputed && st.Reason == "" {
			done[s.Name] = st.Status
		}
		notRun[s.Name] = st.Status == StatusNotRun
		curated = append(curated, s.Name)
		log.Info("sql stage", "table", st.Name, "status", st.Status, "rows", st.Rows, "took", st.Duration.Round(time.Millisecond))
		res.Tables = append(res.Tables, st)
	}

	if sum, err := summarize(ctx, e, req, res); err != nil {
		return res, fmt.Errorf("summary: %w", err)
	} else {
		res.Summary = sum
	}
	if len(stageErrs) > 0 {
		return res, errors.Join(stageErrs...)
	}
	if partial {
		return res, fmt.Errorf("transform %s: %w", req.Profile, ErrPartial)
	}
	return res, nil
}

// runQuery creates one curated table, checks it against its Go schema and
// writes it.
func runQuery(ctx context.Context, e *engine, q query, req Request, st *TableStatus) error {
	const prefix = "CREATE OR REPLACE TABLE main.%s AS\n"
	if err := e.exec(ctx, fmt.Sprintf(prefix, quoteIdent(q.table))+q.text); err != nil {
		return sqlError(q.file, 1, 1, err)
	}
	got, err := e.describe(ctx, "main."+quoteIdent(q.table))
	if err != nil {
		return fmt.Errorf("%s: %w", q.file, err)
	}
	if diff := sameColumns(got, q.columns); diff != "" {
		return fmt.Errorf("%s: output does not match schemas.%T: %s", q.file, q.row, diff)
	}
	n, err := e.count(ctx, "main."+quoteIdent(q.table))
	if err != nil {
		return fmt.Errorf("%s: %w", q.file, err)
	}
	st.Rows = n
	return copyTable(ctx, e, q.table, req.output, st)
}

// output is where table is written ("" for not at all).
func (req *Request) output(table string) (string, error) {
	if req.Output != nil {
		return req.Output(table)
	}
	return store.PartitionPath(req.CuratedDir, table, req.SnapshotDate), nil
}

// copyTable copies a table of the engine to the file output names, and
// sets st's status and path.
func copyTable(ctx context.Context, e *engine, table string, output func(string) (string, error), st *TableStatus) error {
	path, err := output(table)
	if err != nil {
		return fmt.Errorf("writing %s: %w", table, err)
	}
	if path == "" {
		st.Status = StatusComputed
		return nil
	}
	if err := e.copyOut(ctx, "main."+quoteIdent(table), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	st.Status, st.Path = StatusWritten, path
	return nil
}

func stageNames(stages []SQLStage) []string {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = s.Name
	}
	return names
}

// curatedSchema returns the Go definition of a curated table.
func curatedSchema(name string) (schemas.CuratedTable, bool) {
	for _, t := range schemas.CuratedTables {
		if t.Name == name {
			return t, true
		}
	}
	return schemas.CuratedTable{}, false
}
