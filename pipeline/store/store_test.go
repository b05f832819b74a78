package store_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// recorder is a Hook that keeps every commit it is told about.
type recorder struct {
	mu      sync.Mutex
	commits []store.Commit
}

func (r *recorder) hook(c store.Commit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commits = append(r.commits, c)
}

func newStore(t *testing.T) (*store.Store, *recorder) {
	t.Helper()
	r := &recorder{}
	return &store.Store{Dir: t.TempDir(), Hook: r.hook}, r
}

// TestLayout pins the paths analysts and older versions rely on.
func TestLayout(t *testing.T) {
	t.Parallel()
	p := store.ProfileAt("/out", "contoso")
	day := time.Date(2026, 3, 7, 15, 4, 0, 0, time.UTC)
	for got, want := range map[string]string{
		p.Partition(store.Raw, "users", day):                 "/out/contoso/raw/users/snapshot_date=2026-03-07/part-0.parquet",
		p.Partition(store.Curated, "recommendations", day):   "/out/contoso/curated/recommendations/snapshot_date=2026-03-07/part-0.parquet",
		store.PartitionDir(p.Layer(store.Curated), "x", day): "/out/contoso/curated/x/snapshot_date=2026-03-07",
		p.ManifestPath("20260307T150400Z-abcdef"):            "/out/contoso/runs/20260307T150400Z-abcdef/manifest.json",
		p.StatePath():       "/out/contoso/state.json",
		p.LockPath():        "/out/contoso/.lock",
		p.JournalPath("p1"): "/out/contoso/journal/plan-p1.jsonl",
		store.UndoJournalPath(p.JournalPath("p1")):            "/out/contoso/journal/plan-p1.undo.jsonl",
		store.JournalParquetPath(p.JournalPath("p1")):         "/out/contoso/journal/plan-p1.parquet",
		store.RunIDOf(p.ManifestPath("20260307T150400Z-abc")): "20260307T150400Z-abc",
	} {
		if got != filepath.FromSlash(want) {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// TestDisplay: a printed path keeps the "./" the output directory was
// written with, and only then.
func TestDisplay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ out, want string }{
		{"./reclaim-data", "./reclaim-data/p/runs/r1/report.html"},
		{".", "./p/runs/r1/report.html"},
		{"reclaim-data", "reclaim-data/p/runs/r1/report.html"},
		{"/srv/reclaim", "/srv/reclaim/p/runs/r1/report.html"},
		{"../data", "../data/p/runs/r1/report.html"},
	} {
		path := store.ProfileAt(c.out, "p").RunFile("r1", store.ReportHTMLFile)
		if got := store.Display(c.out, path); got != filepath.FromSlash(c.want) {
			t.Errorf("Display(%q, %q) = %q, want %q", c.out, path, got, c.want)
		}
	}
}

// TestPartitions: only dated directories holding the part file count, in
// date order; LatestPartition stops at its day.
func TestPartitions(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	p := s.Profile("p")
	days := []time.Time{
		time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
	}
	for _, d := range days {
		if err := s.WriteFile(p.Partition(store.Raw, "users", d), store.KindSnapshot, 0o644, func(w io.Writer) error {
			_, err := io.WriteString(w, "x")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// An empty partition (a failed stage's) and a stray file are not partitions.
	os.MkdirAll(store.PartitionDir(p.Layer(store.Raw), "users", time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)), 0o755)
	os.WriteFile(filepath.Join(p.Layer(store.Raw), "users", "snapshot_date=2026-01-05"), nil, 0o644)

	var dates []string
	for _, part := range p.Partitions(store.Raw, "users") {
		dates = append(dates, part.Date)
	}
	if want := []string{"2026-01-01", "2026-01-02", "2026-01-03"}; !slices.Equal(dates, want) {
		t.Fatalf("partitions %v, want %v", dates, want)
	}
	if got, want := p.LatestPartition(store.Raw, "users", days[2]), p.Partition(store.Raw, "users", days[2]); got != want {
		t.Errorf("latest on 2026-01-02: %s, want %s", got, want)
	}
	if got := p.LatestPartition(store.Raw, "users", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); got != "" {
		t.Errorf("latest before any: %q", got)
	}
	if got := p.LatestPartition(store.Raw, "nope", days[0]); got != "" {
		t.Errorf("latest of a missing table: %q", got)
	}
}

// TestWriteFileCommitsOnceAndHooks: a committed file has its content and
// mode, no temporary file is left, and the hook hears of it once with its
// path relative to OUT; a failed write leaves the old file, no temporary
// file, and no hook call.
func TestWriteFileCommitsOnceAndHooks(t *testing.T) {
	t.Parallel()
	s, rec := newStore(t)
	path := s.Profile("p").ManifestPath("r1")
	write := func(text string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, text); return err }
	}
	if err := s.WriteFile(path, store.KindManifest, 0o640, write("one")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(path, store.KindManifest, 0o640, write("two")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := s.WriteFile(path, store.KindManifest, 0o640, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("content %q, want the last committed", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v (%v), want 0640", fi.Mode(), err)
	}
	assertNoTemp(t, filepath.Dir(path))
	want := []store.Commit{{Path: "p/runs/r1/manifest.json", Kind: store.KindManifest}, {Path: "p/runs/r1/manifest.json", Kind: store.KindManifest}}
	if !slices.Equal(rec.commits, want) {
		t.Errorf("hook calls %v, want %v", rec.commits, want)
	}
}

// TestTempWrittenByAnotherProgram: a Temp closed and then written by name
// (as DuckDB's COPY does) commits that content; an aborted one leaves
// nothing and tells no hook.
func TestTempWrittenByAnotherProgram(t *testing.T) {
	t.Parallel()
	s, rec := newStore(t)
	final := s.Profile("p").Partition(store.Curated, "t", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tmp, err := s.Create(final, store.KindSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Abort()
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	// Another program replaces the file by name.
	os.Remove(tmp.Name())
	if err := os.WriteFile(tmp.Name(), []byte("PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(final); string(b) != "PAR1" {
		t.Errorf("content %q", b)
	}
	if err := tmp.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}

	aborted, err := s.Create(filepath.Join(filepath.Dir(final), "other.parquet"), store.KindSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	aborted.WriteString("x")
	aborted.Abort()
	assertNoTemp(t, filepath.Dir(final))
	if _, err := os.Stat(aborted.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("aborted file exists: %v", err)
	}
	want := []store.Commit{{Path: "p/curated/t/snapshot_date=2026-01-01/part-0.parquet", Kind: store.KindSnapshot}}
	if !slices.Equal(rec.commits, want) {
		t.Errorf("hook calls %v, want %v", rec.commits, want)
	}
}

// TestCommitOutsideDir: a file outside OUT (a plan saved elsewhere) is named
// by its path as given; the package WriteFile has no hook.
func TestCommitOutsideDir(t *testing.T) {
	t.Parallel()
	s, rec := newStore(t)
	outside := filepath.Join(t.TempDir(), "plan.json")
	if err := s.WriteJSON(outside, store.KindPlan, 0o600, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "{\n  \"a\": 1\n}\n" {
		t.Errorf("content %q", b)
	}
	if err := store.WriteFile(filepath.Join(s.Dir, "x"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []store.Commit{{Path: filepath.ToSlash(outside), Kind: store.KindPlan}}
	if !slices.Equal(rec.commits, want) {
		t.Errorf("hook calls %v, want %v", rec.commits, want)
	}
}

// TestStateAndManifestRoundTrip: state survives a reload, a copy handed out
// is not the stored map, and a manifest reads back as written.
func TestStateAndManifestRoundTrip(t *testing.T) {
	t.Parallel()
	s, rec := newStore(t)
	p := s.Profile("p")
	st, err := s.LoadState(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Get("sign_ins") != nil {
		t.Fatal("fresh state has an entry")
	}
	if err := st.Put("sign_ins", map[string]string{"watermark": "2026-01-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	st.Get("sign_ins")["watermark"] = "changed"
	again, err := s.LoadState(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Get("sign_ins")["watermark"]; got != "2026-01-01T00:00:00Z" {
		t.Errorf("reloaded watermark %q", got)
	}
	os.WriteFile(p.StatePath(), []byte("{"), 0o600)
	if _, err := s.LoadState(p); err == nil {
		t.Error("a damaged state.json loaded")
	}

	m := &store.Manifest{RunID: "r1", Profile: "p", Status: store.StatusInterrupted,
		Stages:  []store.StageRecord{{Table: "users", Status: store.StatusNotRun}},
		Skipped: []store.Skip{{Table: "sign_ins", Reason: "not needed"}}}
	if err := s.WriteManifest(p, m); err != nil {
		t.Fatal(err)
	}
	got, err := store.ReadManifest(p.ManifestPaths()[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.RunID != "r1" || got.Status != store.StatusInterrupted || got.Stages[0].Status != store.StatusNotRun || got.Skipped[0] != m.Skipped[0] {
		t.Errorf("manifest read back %+v", got)
	}
	kinds := []store.Kind{}
	for _, c := range rec.commits {
		kinds = append(kinds, c.Kind)
	}
	if want := []store.Kind{store.KindState, store.KindManifest}; !slices.Equal(kinds, want) {
		t.Errorf("hook kinds %v, want %v", kinds, want)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestOpenAppend: the journal's file is created with its directory and
// mode, appends go to the end, and no hook hears of them.
func TestOpenAppend(t *testing.T) {
	t.Parallel()
	s, rec := newStore(t)
	path := s.Profile("p").JournalPath("x")
	for _, line := range []string{"a\n", "b\n"} {
		f, err := store.OpenAppend(path, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(line); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if b, _ := os.ReadFile(path); string(b) != "a\nb\n" {
		t.Errorf("content %q", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v (%v)", fi.Mode(), err)
	}
	if len(rec.commits) != 0 {
		t.Errorf("hook heard appends: %v", rec.commits)
	}
}
