package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

// stopContext is ctx (a command's context), cancelled by the first SIGINT
// or SIGTERM so run, apply, undo and demo stop cleanly: run writes its
// manifest with status "interrupted", apply and undo finish and journal the
// change in flight and start no new one, and the profile lock is released;
// the command then exits 1. Once the first signal is seen its handler is removed, so a
// second one ends the process at once (the journal still resolves that on
// the next apply).
func stopContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}

// lockTimeoutUsage is the help of --lock-timeout on run, apply and undo.
const lockTimeoutUsage = "wait this long for a profile lock another reclaim process holds (default: exit 1 at once)"

// profileLocks are the profile locks one command holds.
type profileLocks []*store.Lock

func (ls profileLocks) Unlock() {
	for _, l := range ls {
		l.Unlock()
	}
}

// lockProfiles takes the lock of each profile of st (in name order, so two
// commands waiting for each other's profiles cannot deadlock) for command,
// waiting up to timeout for each; with a remote, each is also the
// cross-host lease and reads the profile's files back.
func lockProfiles(ctx context.Context, st *store.Store, profiles []string, command string, timeout time.Duration) (profileLocks, error) {
	names := slices.Clone(profiles)
	slices.Sort(names)
	names = slices.Compact(names)
	var held profileLocks
	for _, n := range names {
		l, err := st.Lock(ctx, st.Profile(n), store.LockOptions{Command: command, Timeout: timeout})
		if err != nil {
			held.Unlock()
			return nil, err
		}
		held = append(held, l)
	}
	return held, nil
}

// interruptedError is what apply and undo end with after a signal.
func interruptedError(ctx context.Context, what string) error {
	return withExitCode(exitError, fmt.Errorf("%s interrupted (%v): the change in flight was finished and journalled, no new change was started; run the same command again to resume", what, context.Cause(ctx)))
}

// testKillAfterSends reads RECLAIM_TEST_KILL_AFTER_SENDS=N, a hook for the
// crash tests only: the process kills itself with SIGKILL right after its
// N-th change request returns, before the outcome is journalled, as a
// power cut there would. Unset, it is nil.
func testKillAfterSends() func(string) {
	n, err := strconv.Atoi(os.Getenv("RECLAIM_TEST_KILL_AFTER_SENDS"))
	if err != nil || n <= 0 {
		return nil
	}
	var sent atomic.Int64
	return func(string) {
		if sent.Add(1) < int64(n) {
			return
		}
		p, _ := os.FindProcess(os.Getpid())
		p.Kill() // SIGKILL on unix: no deferred function runs
		select {}
	}
}

// printWarnings prints warnings (a plan's, a damaged journal's) to w, one
// "Warning:" line each, escaped for the terminal.
func printWarnings(w io.Writer, warnings []string) {
	for _, warn := range warnings {
		fmt.Fprintln(w, "Warning:", ui.TerminalText(warn))
	}
}
