package act

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/version"
	"github.com/reclaimhq/reclaim/schemas"
)

// Journal phases.
const (
	PhaseIntent  = "intent"  // written before the change is sent
	PhaseDone    = "done"    // the change is in the tenant
	PhaseFailed  = "failed"  // the change was refused or could not be confirmed
	PhaseSkipped = "skipped" // a live precondition said not to make it
)

// ErrCrashed is returned once an injected crash point is reached (tests
// only): from then on the journal accepts no writes, as after kill -9.
var ErrCrashed = errors.New("injected crash")

// Journal is an append-only JSON Lines file of schemas.JournalEntry. Every
// entry is fsync'd before Append returns, so after a crash the file holds
// every intent whose change may have been sent. A torn last line (a crash in
// the middle of a write) is cut off when the journal is reopened.
//
// A Journal is safe for concurrent use. The zero value is not usable; open
// one with OpenJournal.
type Journal struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	seq     int64
	entries []schemas.JournalEntry
	// crashAfter > 0 makes every write after the crashAfter-th fail with
	// ErrCrashed (crash injection for tests).
	crashAfter int
	writes     int
	now        func() time.Time
}

// OpenJournal opens (creating if needed) the journal at path and reads what
// it already holds.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening journal: %w", err)
	}
	// Make the file's directory entry durable too, so a journal created
	// just before a crash is found again.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	entries, good, err := readJournal(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	// Cut a torn last line so the next entry starts on a line of its own.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("repairing journal %s: %w", path, err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("opening journal: %w", err)
	}
	j := &Journal{path: path, f: f, entries: entries, now: time.Now}
	for _, e := range entries {
		j.seq = max(j.seq, e.Seq)
	}
	return j, nil
}

// ReadJournal reads every complete entry of a journal file.
func ReadJournal(path string) ([]schemas.JournalEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading journal: %w", err)
	}
	defer f.Close()
	entries, _, err := readJournal(f, path)
	return entries, err
}

// readJournal returns the entries and the offset just after the last
// complete line.
func readJournal(r io.Reader, path string) ([]schemas.JournalEntry, int64, error) {
	var entries []schemas.JournalEntry
	br := bufio.NewReader(r)
	var off int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return entries, off, nil // b, if any, is a torn line
		}
		if err != nil {
			return nil, 0, fmt.Errorf("reading journal %s: %w", path, err)
		}
		off += int64(len(b))
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var e schemas.JournalEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, 0, fmt.Errorf("journal %s:%d: %w", path, line, err)
		}
		entries = append(entries, e)
	}
}

// Path is where the journal lives.
func (j *Journal) Path() string { return j.path }

// Append stamps e with the next sequence number, the time and the tool
// version, writes it as one line and fsyncs the file.
func (j *Journal) Append(e schemas.JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("journal is closed")
	}
	if j.crashAfter > 0 && j.writes >= j.crashAfter {
		return ErrCrashed
	}
	j.seq++
	e.Seq = j.seq
	e.Time = j.now().UTC()
	e.ToolVersion = version.Version
	if e.DisabledPlans == nil {
		e.DisabledPlans = []string{}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal entry: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("writing journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("syncing journal %s: %w", j.path, err)
	}
	j.writes++
	j.entries = append(j.entries, e)
	return nil
}

// Entries returns a copy of every entry, old and new.
func (j *Journal) Entries() []schemas.JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]schemas.JournalEntry(nil), j.entries...)
}

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// LastByAction returns the last entry of each action id.
func LastByAction(entries []schemas.JournalEntry) map[string]schemas.JournalEntry {
	last := map[string]schemas.JournalEntry{}
	for _, e := range entries {
		last[e.ActionID] = e
	}
	return last
}

// ExportParquet writes the entries as the Parquet table "journal" to path
// (temp file and rename), for analysts to query beside the snapshots.
func ExportParquet(entries []schemas.JournalEntry, path string) error {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[schemas.JournalEntry](&buf, parquet.Compression(&parquet.Zstd))
	if _, err := w.Write(entries); err != nil {
		return fmt.Errorf("journal parquet: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("journal parquet: %w", err)
	}
	return plan.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// ParquetPath is the Parquet export beside a JSON Lines journal.
func ParquetPath(journalPath string) string {
	ext := filepath.Ext(journalPath)
	return journalPath[:len(journalPath)-len(ext)] + ".parquet"
}
