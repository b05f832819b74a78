package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Temp is a file being written that becomes path only when committed. It
// lives in path's directory, named ".<base>.tmp-*" so globs for *.parquet or
// *.json never see it, and on the same file system so the rename is atomic.
// Write to it (it is an *os.File), or Close it and let another program (DuckDB)
// write to Name(); then Commit it, or Abort it. Abort after Commit does
// nothing, so `defer t.Abort()` is the usual pattern.
type Temp struct {
	*os.File
	store *Store
	path  string
	kind  Kind
	done  bool
}

// Create starts writing path (creating its directory) as a file of kind.
// The file has mode 0600 until Chmod says otherwise.
func (s *Store) Create(path string, kind Kind) (*Temp, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return &Temp{File: f, store: s, path: path, kind: kind}, nil
}

// Path is the final name the file gets when committed.
func (t *Temp) Path() string { return t.path }

// Close closes the temporary file's handle (so another program can write
// Name()); it does not commit. Closing twice is harmless.
func (t *Temp) Close() error {
	err := t.File.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// Commit makes the temporary file durable under its final name: fsync the
// file, rename it over the final path, fsync the directory; then the hook is
// told. After an error the temporary file is removed and the final path is
// untouched.
func (t *Temp) Commit() error {
	if t.done {
		return fmt.Errorf("writing %s: already committed or aborted", t.path)
	}
	t.done = true
	if err := t.commit(); err != nil {
		t.File.Close()
		os.Remove(t.Name())
		return fmt.Errorf("writing %s: %w", t.path, err)
	}
	t.store.committed(t.path, t.kind)
	return nil
}

func (t *Temp) commit() error {
	// The handle may be closed (another program wrote the file): sync
	// through a fresh one, which flushes the same inode.
	f := t.File
	if _, err := f.Stat(); errors.Is(err, os.ErrClosed) {
		if f, err = os.Open(t.Name()); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(t.Name(), t.path); err != nil {
		return err
	}
	syncDir(filepath.Dir(t.path))
	return nil
}

// Abort discards the temporary file; after Commit it does nothing.
func (t *Temp) Abort() {
	if t.done {
		return
	}
	t.done = true
	t.File.Close()
	os.Remove(t.Name())
}

// WriteFile commits path with what write writes, in mode perm, as a file
// of kind: the one durable write of reclaim. When write fails nothing
// changes on disk.
func (s *Store) WriteFile(path string, kind Kind, perm fs.FileMode, write func(io.Writer) error) error {
	t, err := s.Create(path, kind)
	if err != nil {
		return err
	}
	defer t.Abort()
	if err := write(t); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := t.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return t.Commit()
}

// WriteJSON commits path with v as indented JSON and a final newline.
func (s *Store) WriteJSON(path string, kind Kind, perm fs.FileMode, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return s.WriteFile(path, kind, perm, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// WriteFile commits path with data outside any store (no hook): for files
// that are not part of the output layout, such as the simulated tenant's.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	var s *Store
	return s.WriteFile(path, KindOther, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// OpenAppend opens path for appending (a journal), creating it and its
// directory if needed with mode perm, and syncs the directory so a file
// created just before a crash is found again. Appends are the caller's to
// fsync; they are not commits and no hook hears of them.
func OpenAppend(path string, perm fs.FileMode) (*os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, perm)
	if err != nil {
		return nil, err
	}
	syncDir(dir)
	return f, nil
}

// syncDir makes a rename in dir durable. It is best effort: some file
// systems (network shares, Windows) cannot sync a directory, and the rename
// has already happened, so failing the write then would misreport it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
