package store

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Manifest records one run of one profile. The runner writes it to
// runs/<run-id>/manifest.json even when stages fail; plan reads it to name
// the run a recommendations snapshot came from.
type Manifest struct {
	RunID        string        `json:"run_id"`
	Profile      string        `json:"profile"`
	ToolVersion  string        `json:"tool_version"`
	SnapshotDate string        `json:"snapshot_date"`
	Started      time.Time     `json:"started"`
	Finished     time.Time     `json:"finished"`
	Status       string        `json:"status"` // StatusOK, StatusFailed, StatusInterrupted
	Stages       []StageRecord `json:"stages"`
	Skipped      []Skip        `json:"skipped,omitempty"`
}

// A manifest's Status, and a stage record's.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
	// StatusInterrupted is a manifest's status when the run was stopped
	// (SIGINT, SIGTERM) before its stages finished.
	StatusInterrupted = "interrupted"
	// StatusNotRun is a stage's when what it needs failed, or the run was
	// stopped before it started.
	StatusNotRun = "not_run"
)

// Skip is a table the stage graph left out of a run, and why.
type Skip struct {
	Table  string `json:"table"`
	Reason string `json:"reason"`
}

// StageRecord is one table's line in the manifest: a stage producing
// several tables has one record per table.
type StageRecord struct {
	Table string `json:"table"`
	// Stage names the stage when it is not the table's own name (a stage
	// producing several tables). Its HTTP counts (pages, requests, retries,
	// throttled waits) are on the record of its first table only, so that
	// summing the records counts each request once.
	Stage    string `json:"stage,omitempty"`
	Kind     string `json:"kind"`
	Endpoint string `json:"endpoint,omitempty"`
	Status   string `json:"status"` // StatusOK, StatusFailed, StatusNotRun
	Error    string `json:"error,omitempty"`
	// Cause is set when the stage failed for a reason it shares with every
	// other stage of the profile (a token refusal, an outage): the run names
	// it once instead of once per stage.
	Cause             string   `json:"cause,omitempty"`
	Rows              int64    `json:"rows"`
	Pages             int64    `json:"pages"`
	Requests          int64    `json:"requests"`
	Retries           int64    `json:"retries"`
	ThrottledWaits    int64    `json:"throttled_waits"`
	WaitedSeconds     float64  `json:"waited_seconds"`
	Quarantined       int64    `json:"quarantined_rows"`
	ReportRefreshDate string   `json:"report_refresh_date,omitempty"`
	DurationSeconds   float64  `json:"duration_seconds"`
	File              string   `json:"file,omitempty"` // relative to the profile directory
	Bytes             int64    `json:"bytes,omitempty"`
	SHA256            string   `json:"sha256,omitempty"`
	Warnings          []string `json:"warnings,omitempty"`
}

// WriteManifest commits m as the manifest of its run.
func (s *Store) WriteManifest(p Profile, m *Manifest) error {
	return s.WriteJSON(p.ManifestPath(m.RunID), KindManifest, 0o600, m)
}

// ReadManifest reads a manifest file. Fields an older version did not write
// are left zero.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return &m, nil
}
