package transform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
	"github.com/reclaimhq/reclaim/stages"
)

// partitionOutputs is what the runner's outputs do, for driving the stage
// alone: one temporary file per table in the table's partition directory
// (where the sandbox lets DuckDB write). Created lists them. The stage asks
// once per table, from one goroutine.
type partitionOutputs struct {
	dir     string // OUT/<profile>/curated
	Created map[string]*os.File
}

func (o *partitionOutputs) Create(table string) (*os.File, error) {
	if _, twice := o.Created[table]; twice {
		return nil, fmt.Errorf("%s asked for twice", table)
	}
	dir := store.PartitionDir(o.dir, table, asOf)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return nil, err
	}
	o.Created[table] = f
	return f, nil
}

// runStageOver runs the transform stage over the base fixture with the
// given user stages, writing the tables listed (all when nil) and with
// blocked tables.
func runStageOver(t *testing.T, sqlStages []SQLStage, tables []string, blocked map[string]string) (*stages.Result, *partitionOutputs, string) {
	t.Helper()
	root := t.TempDir()
	baseFixture().write(t, filepath.Join(root, "raw"))
	st := &Stage{DuckDB: Settings{Threads: 1}, SQLStages: sqlStages}
	if tables == nil {
		for _, tab := range st.Info().Tables {
			tables = append(tables, tab.Name)
		}
	}
	outs := &partitionOutputs{dir: filepath.Join(root, "curated"), Created: map[string]*os.File{}}
	res, err := st.Run(context.Background(), &stages.Request{Config: baseConfig(), Profile: &config.Profile{Name: "p"}, AsOf: asOf,
		Outputs: outs, Tables: tables, Blocked: blocked, Root: root, RunDir: filepath.Join(root, "runs", "r1"), Rows: &stages.Counter{}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res, outs, root
}

// TestStageInfo: the transform is one stage producing every curated table
// and then each user stage's table; a table's Needs are the raw tables it
// requires (curated inputs are the stage's own business), and the stage
// waits for every raw extract.
func TestStageInfo(t *testing.T) {
	t.Parallel()
	st := &Stage{SQLStages: []SQLStage{{Name: "per_rule", Query: "SELECT rule, count(*) AS n FROM recommendations, raw.users GROUP BY rule"}}}
	info := st.Info()
	if info.Name != StageName || info.Kind != stages.KindTransform || len(info.Needs) != 0 {
		t.Errorf("info %+v", info)
	}
	var names []string
	for _, tab := range info.Tables {
		names = append(names, tab.Name)
		if tab.Layer != stages.LayerCurated {
			t.Errorf("%s: layer %s", tab.Name, tab.Layer)
		}
	}
	if got := strings.Join(names, ","); got != "signal_status,user_licenses,user_activity,recommendations,licence_position,consolidation,overlapping_suites,disabled_licensed_accounts,licence_assignment_errors,unassigned_licences,per_rule" {
		t.Errorf("tables %s", got)
	}
	if rec, _ := info.Table("recommendations"); strings.Join(rec.Needs, ",") != "users" {
		t.Errorf("recommendations needs %v, want its raw input users", rec.Needs)
	}
	if pr, _ := info.Table("per_rule"); strings.Join(pr.Needs, ",") != "users" {
		t.Errorf("per_rule needs %v, want the raw table its query reads", pr.Needs)
	}
	for _, r := range schemas.RawTables {
		if !slices.Contains(info.After, r.Name) {
			t.Errorf("the stage does not wait for %s", r.Name)
		}
	}
}

// TestStageWritesEachTableOnce drives the one stage: every table is
// computed once and written once, to the file the runner handed out; a
// failing user stage fails alone; the summary comes back in the result and
// no report file is written as a side effect.
func TestStageWritesEachTableOnce(t *testing.T) {
	t.Parallel()
	res, outs, root := runStageOver(t, []SQLStage{
		{Name: "per_rule", Query: "SELECT rule, count(*) AS n FROM recommendations GROUP BY rule ORDER BY rule"},
		{Name: "broken", Query: "SELECT rule\nFROM recommendations\nWHERE", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 7}}},
	}, nil, nil)
	if len(res.Tables) != 12 {
		t.Errorf("%d table results, want 12", len(res.Tables))
	}
	for name, tr := range res.Tables {
		if name == "broken" {
			if tr.Err == nil || !strings.Contains(tr.Err.Error(), "stages.hcl:9: refused: the query: DuckDB cannot parse it") {
				t.Errorf("broken: %v", tr.Err)
			}
			continue
		}
		if tr.Err != nil {
			t.Errorf("%s: %v", name, tr.Err)
			continue
		}
		f := outs.Created[name]
		b, err := os.ReadFile(f.Name())
		if err != nil || !bytes.HasPrefix(b, []byte("PAR1")) {
			t.Errorf("%s: %v, %d bytes", name, err, len(b))
			continue
		}
		pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil || pf.NumRows() != tr.Rows {
			t.Errorf("%s: %v; %d rows in the file, %d reported", name, err, pf.NumRows(), tr.Rows)
		}
	}
	if res.Report == nil || len(res.Report.Positions) == 0 {
		t.Errorf("no summary in the result: %+v", res.Report)
	}
	if files, _ := filepath.Glob(filepath.Join(root, "runs", "*", "*")); len(files) != 0 {
		t.Errorf("the stage wrote %v; reports are the caller's", files)
	}
	// Nothing written beside the handed-out files: no scratch copy, no
	// part-0.parquet of its own.
	filepath.WalkDir(filepath.Join(root, "curated"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("stray file %s", p)
		}
		return nil
	})
}

// TestStageBlockedAndSelected: a table the runner blocks is not computed,
// nor are the tables reading it (not_run, naming what failed); a user stage
// reading one is not run either, while one reading neither runs. Tables the
// run does not select are computed for their readers but not written.
func TestStageBlockedAndSelected(t *testing.T) {
	t.Parallel()
	res, outs, _ := runStageOver(t, []SQLStage{
		{Name: "rec_count", Query: "SELECT count(*) AS n FROM recommendations"},
		{Name: "constant", Query: "SELECT 1 AS n"},
	}, nil, map[string]string{"user_licenses": "needs users, which failed"})
	for name, want := range map[string]string{
		"user_licenses":   "needs users, which failed",
		"recommendations": "needs user_licenses, which failed",
		"rec_count":       "needs recommendations, which failed",
	} {
		tr := res.Tables[name]
		if !errors.Is(tr.Err, stages.ErrNotRun) || tr.Err.Error() != want {
			t.Errorf("%s: %v, want not run: %s", name, tr.Err, want)
		}
		if _, made := outs.Created[name]; made {
			t.Errorf("%s: an output was created", name)
		}
	}
	if tr := res.Tables["constant"]; tr.Err != nil || tr.Rows != 1 {
		t.Errorf("constant: %+v", tr)
	}
	if tr := res.Tables["signal_status"]; tr.Err != nil {
		t.Errorf("signal_status reads no blocked table: %v", tr.Err)
	}

	res, outs, _ = runStageOver(t, nil, []string{"licence_position"}, nil)
	if len(res.Tables) != 1 || res.Tables["licence_position"].Err != nil || len(outs.Created) != 1 {
		t.Errorf("--only licence_position: results %+v, outputs %v", res.Tables, outs.Created)
	}
}

// TestStageHonoursCompression: output { compression = ... } is the codec of
// every column chunk DuckDB writes (read back from the Parquet footer with
// parquet-go); the default is zstd.
func TestStageHonoursCompression(t *testing.T) {
	t.Parallel()
	for compression, want := range map[string]format.CompressionCodec{"": format.Zstd, "snappy": format.Snappy, "gzip": format.Gzip, "none": format.Uncompressed} {
		root := t.TempDir()
		baseFixture().write(t, filepath.Join(root, "raw"))
		cfg := baseConfig()
		if compression != "" {
			cfg.Output = &config.Output{Compression: compression}
		}
		outs := &partitionOutputs{dir: filepath.Join(root, "curated"), Created: map[string]*os.File{}}
		res, err := (&Stage{DuckDB: Settings{Threads: 1}}).Run(context.Background(), &stages.Request{Config: cfg, Profile: &config.Profile{Name: "p"},
			AsOf: asOf, Outputs: outs, Tables: []string{"recommendations", "licence_position"}, Root: root})
		if err != nil {
			t.Fatal(err)
		}
		for table := range res.Tables {
			b, err := os.ReadFile(outs.Created[table].Name())
			if err != nil {
				t.Fatal(err)
			}
			f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			for _, rg := range f.Metadata().RowGroups {
				for _, c := range rg.Columns {
					if c.MetaData.Codec != want {
						t.Errorf("compression %q: %s column %v is %s, want %s", compression, table, c.MetaData.PathInSchema, c.MetaData.Codec, want)
					}
				}
			}
		}
	}
}
