package transform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// StageName is the name of the transform's pipeline stage.
const StageName = "transform"

// Stage is the transform as one pipeline stage: it computes every curated
// table, then the user SQL stages' tables, in one DuckDB session and writes
// each once, to the file the runner hands it (which the runner commits on
// its own). Its result carries the run's Summary.
//
// The zero value computes the built-in tables with DuckDB's defaults.
type Stage struct {
	// DuckDB tunes the engine (zero: DuckDB defaults).
	DuckDB Settings
	// StaleReportDays: see Request.StaleReportDays.
	StaleReportDays int
	// SQLStages are user tables computed after the built-in ones.
	SQLStages []SQLStage
}

// builtinQueries are the embedded curated queries, parsed once: Info is
// called often and must be cheap.
var builtinQueries = sync.OnceValues(curatedQueries)

// Info lists the curated tables, then the SQL stages' tables. A table's
// Needs are the raw tables it requires (and, for a SQL stage, those its
// query names): when one failed in this run the runner blocks that table
// alone. The stage waits for every raw extract of the run; a failed
// optional input only makes its signal unknown.
func (s *Stage) Info() stages.Info {
	qs, err := builtinQueries()
	if err != nil {
		// The SQL is embedded: this is a build defect, caught by the tests.
		panic(err)
	}
	info := stages.Info{Name: StageName, Kind: stages.KindTransform}
	var curated []string
	for _, q := range qs {
		t := stages.Table{Name: q.table, Layer: stages.LayerCurated}
		for _, r := range q.requires {
			if name, ok := strings.CutPrefix(r, "raw."); ok {
				t.Needs = append(t.Needs, name)
			}
		}
		info.Tables = append(info.Tables, t)
		curated = append(curated, q.table)
	}
	for _, u := range s.SQLStages {
		// Curated needs are this stage's own: Run does not compute a user
		// table when one it names was not computed.
		info.Tables = append(info.Tables, stages.Table{Name: u.Name, Layer: stages.LayerCurated,
			Needs: slices.DeleteFunc(sqlStageNeeds(u.Query, curated), func(n string) bool { return slices.Contains(curated, n) })})
		curated = append(curated, u.Name)
	}
	for _, t := range schemas.RawTables {
		info.After = append(info.After, t.Name)
	}
	return info
}

// Run computes the transform for the request's profile.
func (s *Stage) Run(ctx context.Context, req *stages.Request) (*stages.Result, error) {
	compression := ""
	if req.Config != nil && req.Config.Output != nil {
		compression = req.Config.Output.Compression
	}
	prof := store.Profile{Root: req.Root}
	res, err := Run(ctx, Request{
		Profile: req.Profile.Name, RawDir: prof.Layer(store.Raw), CuratedDir: prof.Layer(store.Curated),
		Output: func(table string) (string, error) {
			if !slices.Contains(req.Tables, table) {
				return "", nil // not selected: computed for its readers only
			}
			return req.OutputPath(table)
		},
		Blocked: req.Blocked, Compression: compression,
		AsOf: req.AsOf, SnapshotDate: req.AsOf, Config: req.Config,
		DuckDB: s.DuckDB, StaleReportDays: s.StaleReportDays, SQLStages: s.SQLStages, Logger: req.Logger,
	})
	if res == nil || len(res.Tables) == 0 {
		if err == nil {
			err = errors.New("the transform computed no table")
		}
		return nil, err
	}
	out := &stages.Result{Tables: map[string]stages.TableResult{}, Report: res.Summary}
	for _, ts := range res.Tables {
		tr := stages.TableResult{Rows: ts.Rows}
		switch ts.Status {
		case StatusWritten:
			if req.Rows != nil {
				req.Rows.Add(ts.Rows)
			}
		case StatusComputed:
			continue
		case StatusNotRun:
			tr.Err = stages.NotRun(ts.Reason)
		default:
			tr.Err = fmt.Errorf("%s %s: %s", ts.Name, ts.Status, ts.Reason)
		}
		out.Tables[ts.Name] = tr
	}
	if sig, ok := out.Tables["signal_status"]; ok && sig.Err == nil && res.Summary != nil {
		for _, l := range res.Summary.Signals {
			if !l.Available && l.Counted {
				sig.Warnings = append(sig.Warnings, fmt.Sprintf("signal %s unknown: %s", l.Signal, l.Reason))
			}
		}
		out.Tables["signal_status"] = sig
	}
	if err != nil && !errors.Is(err, ErrPartial) {
		// A built-in table's SQL failed (Run stops there) or a user stage
		// did: the tables written so far still commit; the rest fail with
		// this error.
		for _, t := range req.Tables {
			if _, ok := out.Tables[t]; !ok {
				out.Tables[t] = stages.TableResult{Err: err}
			}
		}
	}
	return out, nil
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
