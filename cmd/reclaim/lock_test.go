package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRunRefusesConcurrentRunOfSameProfile: while another process holds a
// profile's lock (here: this test, with the same flock a run takes), a second
// "reclaim run" of that profile exits 1 with a message naming the lock and
// the holder, and writes no snapshot.
func TestRunRefusesConcurrentRunOfSameProfile(t *testing.T) {
	out := t.TempDir()
	profileDir := filepath.Join(out, "sim")
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		t.Fatal(err)
	}
	lockPath := filepath.Join(profileDir, ".lock")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("4242"); err != nil {
		t.Fatal(err)
	}

	r := runCLI("run", "../../examples/demo", "-var", "output_dir="+out, "--progress", "log")
	if r.code != exitError {
		t.Fatalf("second run: want exit %d, got %s", exitError, r)
	}
	for _, want := range []string{"another reclaim process (pid 4242) holds the profile lock", lockPath, "--lock-timeout"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("message should mention %q:\n%s", want, r)
		}
	}
	if _, err := os.Stat(filepath.Join(profileDir, "raw")); !os.IsNotExist(err) {
		t.Errorf("a refused run must not write snapshots (raw/ exists: %v)", err)
	}

}
