// Package store owns the output directory (OUT): where every file of a
// profile lives, how each is written durably, the run manifest, the
// per-stage state, and the one per-profile lock that run, apply and undo
// share. Every other package asks it for paths and writes through it, so the
// layout is written down once; a remote store (output.url: remote.go, with
// the drivers in pipeline/store/lake) publishes each committed file after
// its local commit, reads a profile back on a fresh host and extends the
// lock across hosts.
//
// Layout under OUT:
//
//	<profile>/raw/<table>/snapshot_date=YYYY-MM-DD/part-0.parquet
//	<profile>/curated/<table>/snapshot_date=YYYY-MM-DD/part-0.parquet
//	<profile>/runs/<run-id>/{manifest.json,report.md,report.html}
//	<profile>/journal/plan-<plan-id>.jsonl      (+ .undo.jsonl, .parquet exports)
//	<profile>/state.json
//	<profile>/.lock
//
// A file is committed by writing a temporary file in its own directory,
// fsyncing it, renaming it over the final name and fsyncing the directory, so
// a reader sees the old file or the new one, never a mix, and a committed file
// survives a power cut. A re-run on the same day replaces that day's
// part-0.parquet with one rename.
//
// store imports nothing of reclaim: it is a leaf every layer may use.
package store

import (
	"path/filepath"
	"strings"
)

// Kind says what a committed file is, for the Hook.
type Kind string

// The kinds of file the store commits.
const (
	KindSnapshot Kind = "snapshot" // a raw or curated Parquet partition
	KindManifest Kind = "manifest" // runs/<run-id>/manifest.json
	KindReport   Kind = "report"   // runs/<run-id>/report.{md,html}
	KindState    Kind = "state"    // state.json
	KindJournal  Kind = "journal"  // a journal's Parquet export
	KindPlan     Kind = "plan"     // a plan file
	KindOther    Kind = ""         // a file outside the output layout (the simulated tenant's)
)

// Commit names one file the store has made durable.
type Commit struct {
	// Path is relative to Store.Dir with forward slashes
	// ("p/runs/<id>/manifest.json"), or the path as given when the file is
	// outside Dir (a plan saved elsewhere) or the Store has no Dir.
	Path string
	Kind Kind
}

// Hook is called once after each file is committed, and never for a write
// that failed. It is where publishing to object storage plugs in; it runs on
// the writer's goroutine, so it must be safe for concurrent use and should
// record its own failures rather than block the write.
type Hook func(Commit)

// Store is an output directory. A nil *Store, or one with no Hook and no
// Remote, writes files with no hook; its Dir is only used to name commits.
type Store struct {
	// Dir is OUT, the root of every profile.
	Dir string
	// Hook, if set, is told about every committed file.
	Hook Hook
	// Remote, if set, is the object store every committed file is
	// published to after the Hook (see remote.go); nil: local only.
	Remote *Remote
}

// Profile is the directory of one profile of the store.
func (s *Store) Profile(name string) Profile {
	return ProfileAt(s.dir(), name)
}

func (s *Store) dir() string {
	if s == nil {
		return ""
	}
	return s.Dir
}

// committed tells the hook about path.
func (s *Store) committed(path string, kind Kind) {
	if s == nil {
		return
	}
	rel := s.rel(path)
	if s.Hook != nil {
		s.Hook(Commit{Path: rel, Kind: kind})
	}
	if s.Remote != nil {
		s.publish(rel, kind)
	}
}

func (s *Store) rel(path string) string {
	if s.Dir == "" {
		return filepath.ToSlash(path)
	}
	base, err1 := filepath.Abs(s.Dir)
	abs, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(path)
	}
	r, err := filepath.Rel(base, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}
