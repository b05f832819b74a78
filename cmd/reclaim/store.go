package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/pipeline/store/lake"
)

// outputStore is the store of an output directory as every command writes
// to it: the one place the after-commit publishing to object storage
// (output.url) is set. A command builds one and uses it for everything it
// writes and locks, so PublishErr sees every failure. cfg may be nil (a
// store with no remote).
func outputStore(cfg *config.Config, dir string) *store.Store {
	s := &store.Store{Dir: dir}
	if cfg == nil || cfg.Output == nil || cfg.Output.Remote == nil {
		return s
	}
	r := cfg.Output.Remote
	kill := testKillAfterPublishes()
	s.Remote = &store.Remote{URL: r.URL, Open: func(profile string) (store.Objects, store.Leases, error) {
		objs, leases, err := lake.Open(r, lake.Credential{Token: storeCredential(cfg.Profiles[profile])})
		if kill != nil && err == nil {
			objs = killingObjects{objs, kill}
		}
		return objs, leases, err
	}}
	return s
}

// testKillAfterPublishes reads RECLAIM_TEST_KILL_AFTER_PUBLISHES=N, a hook
// for the crash tests only: the process kills itself with SIGKILL when its
// N-th upload to the object store is about to start, as a pod evicted
// mid-publish would be. Unset, it is nil.
func testKillAfterPublishes() func() {
	n, err := strconv.Atoi(os.Getenv("RECLAIM_TEST_KILL_AFTER_PUBLISHES"))
	if err != nil || n <= 0 {
		return nil
	}
	var puts atomic.Int64
	return func() {
		if puts.Add(1) < int64(n) {
			return
		}
		p, _ := os.FindProcess(os.Getpid())
		p.Kill() // SIGKILL on unix: no deferred function runs
		select {}
	}
}

// killingObjects calls kill before each upload.
type killingObjects struct {
	store.Objects
	kill func()
}

func (k killingObjects) Put(ctx context.Context, key, local, sum string) error {
	k.kill()
	return k.Objects.Put(ctx, key, local, sum)
}

// storeCredential is the profile's own credential (profileCredential, the
// identity its Graph client signs in as, whatever its auth kind) for the
// object store: no second identity to configure. nil profile: none.
func storeCredential(p *config.Profile) func() (azcore.TokenCredential, error) {
	return func() (azcore.TokenCredential, error) {
		if p == nil {
			return nil, fmt.Errorf("no profile to sign in to the object store as")
		}
		return profileCredential(p)
	}
}

// publishError is the command's error when publishing failed: the local
// files are complete, the remote copy is behind.
func publishError(s *store.Store) error {
	if err := s.PublishErr(); err != nil {
		return withExitCode(exitError, err)
	}
	return nil
}
