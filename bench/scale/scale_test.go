package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/simtenant"
)

func TestMinExtractRequests(t *testing.T) {
	tests := []struct {
		name   string
		stages []store.StageRecord
		want   int64
	}{
		{"pages of the largest size, at least one per table", []store.StageRecord{
			{Table: "users", Status: "ok", Rows: 100_000},                  // 200
			{Table: "user_license_assignments", Status: "ok", Rows: 1},     // the same walk as users: 0
			{Table: "sign_ins", Status: "ok", Rows: 1001},                  // 2
			{Table: "dataverse_audits", Status: "ok", Rows: 0},             // 1
			{Table: "report_m365_app_user_detail", Status: "ok", Rows: 10}, // request + download
			{Table: "report_settings", Status: "ok", Rows: 1},              // 1
			{Table: "subscribed_skus", Status: "ok", Rows: 19},             // 1
		}, 200 + 0 + 2 + 1 + 2 + 1 + 1},
		{"failed stages are not counted", []store.StageRecord{
			{Table: "users", Status: "ok", Rows: 500}, {Table: "sign_ins", Status: "failed", Rows: 5000},
		}, 1},
		{"licence states without users are unknown", []store.StageRecord{
			{Table: "user_license_assignments", Status: "ok", Rows: 10},
		}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := minExtractRequests(tt.stages); got != tt.want {
				t.Errorf("minExtractRequests = %d, want %d", got, tt.want)
			}
		})
	}
}

func stats(class string, counts map[int]int64) simtenant.Stats {
	return simtenant.Stats{Requests: map[string]map[int]int64{class: counts}}
}

func TestThrottleMinimum(t *testing.T) {
	tests := []struct {
		name  string
		s     simtenant.Stats
		scale float64
		want  time.Duration
	}{
		{"sign-in log: 5 free, then 2 s each", stats("signIns", map[int]int64{200: 86}), 1, 162 * time.Second},
		{"429s are not charged", stats("signIns", map[int]int64{200: 86, 429: 3}), 1, 162 * time.Second},
		{"time scale shortens the window", stats("signIns", map[int]int64{200: 86}), 10, 16200 * time.Millisecond},
		{"directory within its capacity", stats("users", map[int]int64{200: 3002}), 1, 0},
		{"directory beyond it", stats("users", map[int]int64{200: 8800}), 1, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := throttleMinimum(tt.s, 100_000, tt.scale)
			if d := got - tt.want; d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("throttleMinimum = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWriteReportKeepsHandWrittenText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	before := "# Benchmarks\n\nhand-written intro\n\n" + beginMarker + "\nold figures\n" + endMarker + "\n\nhand-written outro\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &report{Started: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC), Finished: time.Date(2026, 11, 25, 15, 10, 0, 0, time.UTC),
		TimeScale: 1, Scales: []scaleResult{{Users: 10_000, Steps: []stepResult{
			{Step: "extract", Command: "reclaim run --stage extract", Wall: 166 * time.Second, MinWall: 162 * time.Second,
				DataReqs: 134, MinReqs: 133, Rows: 156_123, MaxRSS: 181e6},
			{Step: "transform", Skipped: "not built"},
		}}}}
	for round := 0; round < 2; round++ { // a second write must replace, not append
		if err := writeReport(path, r); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	doc := string(got)
	for _, want := range []string{"hand-written intro", "hand-written outro", "met (1.02×", "**missed** (134 made, minimum 133)",
		"| extract | 166.0 s | 162.0 s | 1.02× | 134 (133) |", "not measured: not built"} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "old figures") || strings.Count(doc, beginMarker) != 1 {
		t.Errorf("generated section not replaced exactly once:\n%s", doc)
	}
}

func TestParseScales(t *testing.T) {
	got, err := parseScales("10000, 100_000 1000000")
	if err != nil || len(got) != 3 || got[1] != 100000 {
		t.Fatalf("parseScales = %v, %v", got, err)
	}
	if _, err := parseScales("10k"); err == nil {
		t.Error("parseScales(10k) succeeded")
	}
}
