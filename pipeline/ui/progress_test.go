package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vbauerster/mpb/v8"

	"github.com/reclaimhq/reclaim/msgraph"
	piperun "github.com/reclaimhq/reclaim/pipeline/run"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/stages"
)

// TestBarsShowEachStage: a bar per running stage, named profile and stage,
// with its live counters; a stage that succeeded ends "done", log lines
// written to the bars are printed too.
func TestBarsShowEachStage(t *testing.T) {
	var out bytes.Buffer
	b := newBars(&out, mpb.WithAutoRefresh(), mpb.WithWidth(200)) // as wide as a terminal
	users, skus := stages.Info{Name: "users"}, stages.Info{Name: "subscribed_skus"}
	var rows stages.Counter
	rows.Store(1234)
	st := &msgraph.Stats{}
	st.Pages.Store(7)
	st.Retries.Store(2)
	b.Start("prod", users, &rows, st)
	b.Start("prod", skus, &stages.Counter{}, &msgraph.Stats{})
	if _, err := b.Write([]byte("a log line\n")); err != nil {
		t.Fatal(err)
	}
	b.Done("prod", users, []piperun.StageRecord{{Table: "users", Status: "ok"}})
	b.Done("prod", skus, []piperun.StageRecord{{Table: "subscribed_skus", Status: "failed"}})
	b.Done("prod", stages.Info{Name: "never_started"}, nil) // no bar: ignored
	b.Wait()
	text := out.String()
	for _, want := range []string{"prod users", "prod subscribed_skus", "1234 rows  7 pages  2 retries  0 throttled", "done", "a log line"} {
		if !strings.Contains(text, want) {
			t.Errorf("bars lack %q:\n%q", want, text)
		}
	}
}

// TestManifestSummaryPath: the manifest line names the run's manifest the
// way the output directory was written (its "./" kept), and only so.
func TestManifestSummaryPath(t *testing.T) {
	m := &piperun.Manifest{Profile: "prod", RunID: "20260307T150400Z-abcdef", SnapshotDate: "2026-03-07", Status: store.StatusOK}
	for out, want := range map[string]string{
		"./reclaim-data": "  manifest: ./reclaim-data/prod/runs/20260307T150400Z-abcdef/manifest.json\n",
		"/srv/reclaim":   "  manifest: /srv/reclaim/prod/runs/20260307T150400Z-abcdef/manifest.json\n",
	} {
		var b bytes.Buffer
		WriteManifestSummary(&b, out, m)
		if !strings.HasSuffix(b.String(), want) {
			t.Errorf("output dir %s:\n%s\nwant it to end %q", out, b.String(), want)
		}
	}
}
