package act

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// TestApplyStopFinishesTheWriteInFlight: a stop (the CLI cancels the context
// on SIGINT/SIGTERM) that arrives while a change is being sent lets that
// change finish and journals its outcome; no further change starts; the run
// returns context.Canceled; a second apply makes the rest, each once.
func TestApplyStopFinishesTheWriteInFlight(t *testing.T) {
	ft := newFakeTenant(t)
	var acts []plan.Action
	for i := range 4 {
		id := fmt.Sprintf("u%d", i)
		ft.addUser(id, map[string][]string{skuE3: {planA}}, &oldSignIn)
		acts = append(acts, remove(id, skuE3))
	}
	p := planFor(acts...)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ft.beforeWrite = func(*fakeTenant) { cancel() } // the signal lands mid-request
	j, err := OpenJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	dir := ft.directory()
	res, err := ApplyActions(ctx, ApplyOptions{Plan: p, Config: testConfig(), Journal: j,
		RunOptions:  RunOptions{Concurrency: 1, WritesPerSecond: 1000},
		Directories: func(string) (Directory, error) { return dir, nil }})
	j.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped apply: err %v", err)
	}
	if res.Done != 1 || res.Failed != 0 || ft.count("POST users/assignLicense") != 1 {
		t.Fatalf("stopped apply: %+v, %d writes", res, ft.count("POST users/assignLicense"))
	}
	entries, _ := ReadJournal(journal)
	last := LastByAction(entries)
	if len(last) != 1 || len(entries) != 2 {
		t.Fatalf("journal after a stop: %+v", entries)
	}
	for _, e := range last {
		if e.Phase != schemas.PhaseDone {
			t.Fatalf("the change in flight was left as %s", e.Phase)
		}
	}

	ft.beforeWrite = nil
	r := runApply(t, ft, p, testConfig(), journal, RunOptions{})
	if r.err != nil || r.res.Done != 3 || r.res.Earlier != 1 {
		t.Fatalf("resume: %+v %v", r.res, r.err)
	}
	if n := ft.count("POST users/assignLicense"); n != 4 {
		t.Errorf("assignLicense calls = %d, want exactly 4", n)
	}
}
