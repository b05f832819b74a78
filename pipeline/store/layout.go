package store

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Layer is a level of the snapshot: raw (as extracted) or curated (as the
// transform computed it).
type Layer string

// The layers of a snapshot.
const (
	Raw     Layer = "raw"
	Curated Layer = "curated"
)

const (
	partitionPrefix = "snapshot_date="
	// PartFile is the one file of a partition.
	PartFile = "part-0.parquet"
	// ManifestFile, ReportMarkdownFile and ReportHTMLFile are the files of a
	// run directory.
	ManifestFile       = "manifest.json"
	ReportMarkdownFile = "report.md"
	ReportHTMLFile     = "report.html"
)

// Profile is OUT/<profile>. The zero value is the current directory.
type Profile struct {
	Root string
}

// ProfileAt is the profile directory name of the output directory out.
func ProfileAt(out, name string) Profile { return Profile{Root: filepath.Join(out, name)} }

// Layer is the directory of a layer, OUT/<profile>/<layer>.
func (p Profile) Layer(l Layer) string { return filepath.Join(p.Root, string(l)) }

// Partition is where table's snapshot of day lives.
func (p Profile) Partition(l Layer, table string, day time.Time) string {
	return PartitionPath(p.Layer(l), table, day)
}

// Partitions lists the partitions of table that hold a file, oldest first.
func (p Profile) Partitions(l Layer, table string) []Partition {
	dir := filepath.Join(p.Layer(l), table)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Partition
	for _, e := range entries {
		n := e.Name()
		date, ok := strings.CutPrefix(n, partitionPrefix)
		if !e.IsDir() || !ok {
			continue
		}
		path := filepath.Join(dir, n, PartFile)
		if _, err := os.Stat(path); err == nil {
			out = append(out, Partition{Date: date, Path: path})
		}
	}
	// Names sort by date: snapshot_date=YYYY-MM-DD.
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// LatestPartition is the newest partition file of table dated on or before
// day, or "" when there is none.
func (p Profile) LatestPartition(l Layer, table string, day time.Time) string {
	limit := day.Format(time.DateOnly)
	best := ""
	for _, part := range p.Partitions(l, table) {
		if part.Date <= limit {
			best = part.Path
		}
	}
	return best
}

// Partition is one dated file of a table.
type Partition struct {
	Date string // YYYY-MM-DD
	Path string
}

// PartitionPath is where table's snapshot of day lives under a layer
// directory (OUT/<profile>/<layer>); Profile.Partition is the same from a
// profile.
func PartitionPath(layerDir, table string, day time.Time) string {
	return filepath.Join(PartitionDir(layerDir, table, day), PartFile)
}

// PartitionDir is the directory of table's partition of day under a layer
// directory.
func PartitionDir(layerDir, table string, day time.Time) string {
	return filepath.Join(layerDir, table, PartitionName(day))
}

// PartitionName is the Hive-style directory name of day's partition.
func PartitionName(day time.Time) string { return partitionPrefix + day.Format(time.DateOnly) }

// RunDir is the directory of one run: its manifest and reports.
func (p Profile) RunDir(runID string) string { return filepath.Join(p.Root, "runs", runID) }

// RunFile is the file name (ManifestFile, ReportHTMLFile…) of one run.
func (p Profile) RunFile(runID, name string) string { return filepath.Join(p.RunDir(runID), name) }

// ManifestPath is the manifest of one run.
func (p Profile) ManifestPath(runID string) string { return p.RunFile(runID, ManifestFile) }

// Display is path, made by this layout under the output directory out, as
// the person wrote out: filepath.Join cleans a leading "./" away, and the
// CLI prints paths the way the configuration names the directory
// (./reclaim-data/p/runs/…, not reclaim-data/p/runs/…).
func Display(out, path string) string {
	dot := "." + string(filepath.Separator)
	written := out == "." || strings.HasPrefix(out, "./") || strings.HasPrefix(out, dot)
	if written && !filepath.IsAbs(path) && !strings.HasPrefix(path, dot) && !strings.HasPrefix(path, "..") {
		return dot + path
	}
	return path
}

// ManifestPaths lists the profile's run manifests, oldest first (run ids
// sort by time).
func (p Profile) ManifestPaths() []string { return p.RunFiles(ManifestFile) }

// RunFiles lists the file name (ManifestFile, ReportHTMLFile…) of every run
// that has one, oldest run first.
func (p Profile) RunFiles(name string) []string {
	paths, _ := filepath.Glob(filepath.Join(p.Root, "runs", "*", name))
	sort.Strings(paths)
	return paths
}

// RunIDOf is the run id of a manifest path.
func RunIDOf(manifestPath string) string { return filepath.Base(filepath.Dir(manifestPath)) }

// StatePath is the profile's state.json.
func (p Profile) StatePath() string { return filepath.Join(p.Root, "state.json") }

// LockPath is the profile's lock file.
func (p Profile) LockPath() string { return filepath.Join(p.Root, ".lock") }

// JournalDir holds the profile's apply and undo journals.
func (p Profile) JournalDir() string { return filepath.Join(p.Root, "journal") }

// JournalPath is the apply journal of a plan: beside the profile's
// snapshots, named after the plan, so running apply on the same plan again
// finds it and resumes.
func (p Profile) JournalPath(planID string) string {
	return filepath.Join(p.JournalDir(), "plan-"+planID+".jsonl")
}

// JournalPaths lists the profile's JSON Lines journals (apply and undo).
func (p Profile) JournalPaths() []string {
	paths, _ := filepath.Glob(filepath.Join(p.JournalDir(), "*.jsonl"))
	sort.Strings(paths)
	return paths
}

// UndoJournalPath is where the undo of an apply journal is journalled.
func UndoJournalPath(applyJournal string) string {
	return applyJournal[:len(applyJournal)-len(filepath.Ext(applyJournal))] + ".undo.jsonl"
}

// PlanCopyPath is the exact plan apply keeps beside its journal: the audit
// trail, and what undo reads to find the configuration.
func PlanCopyPath(journal string) string {
	return journal[:len(journal)-len(filepath.Ext(journal))] + ".plan.json"
}

// JournalParquetPath is the Parquet export beside a JSON Lines journal.
func JournalParquetPath(journal string) string {
	ext := filepath.Ext(journal)
	return journal[:len(journal)-len(ext)] + ".parquet"
}
