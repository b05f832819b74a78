package act

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/version"
	"github.com/reclaimhq/reclaim/schemas"
)

// ErrCrashed is returned once an injected crash point is reached (tests
// only): from then on the journal accepts no writes, as after kill -9.
var ErrCrashed = errors.New("injected crash")

// Journal is an append-only JSON Lines file of schemas.JournalEntry, opened
// O_APPEND and written one whole line per entry with an fsync before Append
// returns, so after a crash the file holds every intent whose change may have
// been sent. Only one process writes a profile's journals at a time: apply
// and undo hold the profile lock (store.Profile.Lock) around them.
//
// Reopening tolerates damage instead of refusing: a torn last line (a crash
// in the middle of a write) is set aside in <journal>.torn-<time> and cut
// off; a garbled complete line (e.g. one written by an older, unlocked
// version) is skipped and the other entries are used. Both are reported by
// Warnings.
//
// A Journal is safe for concurrent use. The zero value is not usable; open
// one with OpenJournal.
type Journal struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	seq      int64
	entries  []schemas.JournalEntry
	warnings []string
	// crashAfter > 0 makes every write after the crashAfter-th fail with
	// ErrCrashed (crash injection for tests).
	crashAfter int
	writes     int
	now        func() time.Time
}

// OpenJournal opens (creating if needed) the journal at path for appending
// and reads what it already holds.
func OpenJournal(path string) (*Journal, error) {
	f, err := store.OpenAppend(path, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening journal: %w", err)
	}
	r, err := readJournal(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(r.torn) > 0 {
		// Keep the torn bytes for a person to look at (committed before
		// the cut, so a crash between the two loses nothing), then cut
		// them so the next entry starts on a line of its own.
		aside := fmt.Sprintf("%s.torn-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
		if err := store.WriteFile(aside, r.torn, 0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("setting aside the torn last line of journal %s: %w", path, err)
		}
		if err := f.Truncate(r.good); err != nil {
			f.Close()
			return nil, fmt.Errorf("repairing journal %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("repairing journal %s: %w", path, err)
		}
		r.warnings = append(r.warnings, fmt.Sprintf("journal %s:%d: the last line was torn (%d bytes, a crash in the middle of a write); set aside in %s and cut off", path, r.lines+1, len(r.torn), aside))
	}
	j := &Journal{path: path, f: f, entries: r.entries, warnings: r.warnings, now: time.Now}
	for _, e := range r.entries {
		j.seq = max(j.seq, e.Seq)
	}
	return j, nil
}

// ReadJournal reads every complete entry of a journal file, skipping damaged
// lines; ReadJournalWithWarnings also says which lines it skipped.
func ReadJournal(path string) ([]schemas.JournalEntry, error) {
	entries, _, err := ReadJournalWithWarnings(path)
	return entries, err
}

// ReadJournalWithWarnings reads every complete entry of a journal file
// without changing it. Each warning names a skipped line by number: a
// garbled line, or a torn last line (which OpenJournal would set aside).
func ReadJournalWithWarnings(path string) ([]schemas.JournalEntry, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading journal: %w", err)
	}
	defer f.Close()
	r, err := readJournal(f, path)
	if err != nil {
		return nil, nil, err
	}
	if len(r.torn) > 0 {
		r.warnings = append(r.warnings, fmt.Sprintf("journal %s:%d: the last line is torn (%d bytes, a crash in the middle of a write); skipped", path, r.lines+1, len(r.torn)))
	}
	return r.entries, r.warnings, nil
}

// journalRead is what readJournal found.
type journalRead struct {
	entries  []schemas.JournalEntry
	warnings []string // garbled complete lines
	good     int64    // offset just after the last complete line
	lines    int      // complete lines
	torn     []byte   // a last line without its newline
}

// readJournal reads complete lines; a garbled one is skipped with a warning
// naming its number, so the other entries stay usable for resume and undo.
func readJournal(r io.Reader, path string) (journalRead, error) {
	var out journalRead
	br := bufio.NewReader(r)
	for {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(bytes.TrimSpace(b)) > 0 {
				out.torn = b
			}
			return out, nil
		}
		if err != nil {
			return journalRead{}, fmt.Errorf("reading journal %s: %w", path, err)
		}
		out.lines++
		out.good += int64(len(b))
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var e schemas.JournalEntry
		if err := json.Unmarshal(b, &e); err != nil {
			out.warnings = append(out.warnings, fmt.Sprintf("journal %s:%d: skipped a garbled line (%v); the other entries are used", path, out.lines, err))
			continue
		}
		out.entries = append(out.entries, e)
	}
}

// Warnings says what OpenJournal found damaged and set aside or skipped.
func (j *Journal) Warnings() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.warnings...)
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

// ExportParquet commits the entries as the Parquet table "journal" at path
// (store.JournalParquetPath of the journal) through s, for analysts to query
// beside the snapshots.
func ExportParquet(s *store.Store, entries []schemas.JournalEntry, path string) error {
	return s.WriteFile(path, store.KindJournal, 0o644, func(out io.Writer) error {
		w := parquet.NewGenericWriter[schemas.JournalEntry](out, parquet.Compression(&parquet.Zstd))
		if _, err := w.Write(entries); err != nil {
			return fmt.Errorf("journal parquet: %w", err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("journal parquet: %w", err)
		}
		return nil
	})
}
