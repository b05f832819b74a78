package store_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// TestLockProfileNamesHolderAndWaits: a second taker is refused at once with
// the holder's command, pid, host and start time; with a timeout it waits
// and gets the lock when the holder releases it; a released lock file names
// nobody.
func TestLockProfileNamesHolderAndWaits(t *testing.T) {
	t.Parallel()
	prof := store.Profile{Root: t.TempDir()}
	ctx := context.Background()
	first, err := prof.Lock(ctx, store.LockOptions{Command: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = prof.Lock(ctx, store.LockOptions{Command: "undo"})
	var locked *store.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("second lock: want *LockedError, got %v", err)
	}
	host, _ := os.Hostname()
	h := locked.Holder
	if h.Command != "apply" || h.PID != os.Getpid() || h.Host != host || time.Since(h.Since) > time.Minute {
		t.Fatalf("holder = %+v", h)
	}
	for _, want := range []string{"reclaim apply", "pid " + strconv.Itoa(os.Getpid()), "host " + host, "since ", prof.LockPath(), "--lock-timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}

	// Waiting: released after 150 ms, a 5 s timeout gets it.
	go func() {
		time.Sleep(150 * time.Millisecond)
		first.Unlock()
	}()
	start := time.Now()
	second, err := prof.Lock(ctx, store.LockOptions{Command: "undo", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("waiting lock: %v", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 3*time.Second {
		t.Errorf("waited %s", d)
	}
	// A short timeout gives up, saying how long it waited.
	_, err = prof.Lock(ctx, store.LockOptions{Command: "run", Timeout: 120 * time.Millisecond})
	if !errors.As(err, &locked) || locked.Holder.Command != "undo" || !strings.Contains(err.Error(), "after waiting 120ms") {
		t.Fatalf("timed-out lock: %v", err)
	}
	second.Unlock()
	second.Unlock() // twice is harmless
	if b, _ := os.ReadFile(prof.LockPath()); len(b) != 0 {
		t.Errorf("a released lock file still names a holder: %s", b)
	}
	third, err := prof.Lock(ctx, store.LockOptions{Command: "run"})
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	third.Unlock()
}
