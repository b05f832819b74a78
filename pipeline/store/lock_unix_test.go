//go:build unix

package store_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// TestLockRefusalWaitsForTheHolderToNameItself: a holder takes the flock and
// only then writes its name, so a process refused in between reads an empty
// file. The refusal must still name the holder (issue 12's CI saw "another
// reclaim process" in TestCLITwoConcurrentAppliesOneRefused).
func TestLockRefusalWaitsForTheHolderToNameItself(t *testing.T) {
	t.Parallel()
	prof := store.Profile{Root: t.TempDir()}
	f, err := os.OpenFile(prof.LockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		f.WriteAt([]byte(`{"command":"run","pid":4242,"host":"h1","since":"2026-12-02T10:00:00Z"}`+"\n"), 0)
	}()
	_, err = prof.Lock(context.Background(), store.LockOptions{Command: "apply"})
	var locked *store.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("want *LockedError, got %v", err)
	}
	if locked.Holder.PID != 4242 || locked.Holder.Command != "run" {
		t.Fatalf("the refusal should name the holder that wrote itself 50 ms later: %v", err)
	}
}
