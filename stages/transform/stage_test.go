package transform

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/stages"
)

// TestStageSet drives the stages the runner sees: every curated table and
// user SQL stage is its own stage, computed once, served to the runner's
// writer; a failing user stage fails alone.
func TestStageSet(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	baseFixture().write(t, filepath.Join(root, "raw"))
	set := NewSet()
	set.DuckDB = Settings{Threads: 1}
	set.SQLStages = []SQLStage{
		{Name: "per_rule", Query: "SELECT rule, count(*) AS n FROM recommendations GROUP BY rule ORDER BY rule"},
		{Name: "broken", Query: "SELECT rule\nFROM recommendations\nWHERE", QueryRange: hcl.Range{Filename: "stages.hcl", Start: hcl.Pos{Line: 7}}},
	}
	ss := set.Stages()
	if len(ss) != 12 {
		t.Fatalf("%d stages", len(ss))
	}
	runDir := filepath.Join(root, "runs", "r1")
	cfg := baseConfig()
	for _, s := range ss {
		info := s.Info()
		if info.Kind != stages.KindTransform || info.Tables[0].Layer != stages.LayerCurated {
			t.Errorf("%s: %+v", info.Name, info)
		}
		var out bytes.Buffer
		rows := &stages.Counter{}
		res, err := s.Run(context.Background(), &stages.Request{Config: cfg, Profile: &config.Profile{Name: "p"}, AsOf: asOf,
			Out: &out, Root: root, RunDir: runDir, Rows: rows})
		switch info.Name {
		case "broken":
			if err == nil || !strings.Contains(err.Error(), "stages.hcl:9: refused: the query: DuckDB cannot parse it") {
				t.Errorf("broken stage: %v", err)
			}
			continue
		case "per_rule":
			if strings.Join(info.After, ",") != "signal_status,user_licenses,user_activity,recommendations,licence_position,consolidation,overlapping_suites,disabled_licensed_accounts,licence_assignment_errors,unassigned_licences" {
				t.Errorf("per_rule after %v", info.After)
			}
			if strings.Join(info.Needs, ",") != "recommendations" {
				t.Errorf("per_rule needs %v, want the one table its query reads", info.Needs)
			}
		case "recommendations":
			if strings.Join(info.Needs, ",") != "users,user_licenses,user_activity,signal_status" {
				t.Errorf("recommendations needs %v", info.Needs)
			}
		}
		if err != nil {
			t.Errorf("%s: %v", info.Name, err)
			continue
		}
		if !bytes.HasPrefix(out.Bytes(), []byte("PAR1")) || res.Rows != rows.Load() {
			t.Errorf("%s: %d bytes, rows %d/%d", info.Name, out.Len(), res.Rows, rows.Load())
		}
	}
	for _, f := range []string{"report.md", "report.html"} {
		if _, err := os.Stat(filepath.Join(runDir, f)); err != nil {
			t.Error(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(root, "curated", ".transform-*")); len(left) != 0 {
		t.Errorf("scratch directories left: %v", left)
	}
	if set.Summary("p") == nil {
		t.Error("no summary for profile p")
	}
}
