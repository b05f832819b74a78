package main

import (
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/simtenant"
)

// TestApplyAndUndoHeartbeat: a long apply or undo prints, between its
// outcome lines, how many of its actions are finished, the rate and the time
// left (every heartbeatEvery; 0 here, so after every outcome but the last).
// Not parallel: it sets heartbeatEvery.
func TestApplyAndUndoHeartbeat(t *testing.T) {
	old := heartbeatEvery
	heartbeatEvery = 0
	t.Cleanup(func() { heartbeatEvery = old })
	f := newApplyFixture(t, simtenant.Options{}, 3)
	r := runCLI(append([]string{"apply", f.plan, "--auto-approve"}, f.vars...)...)
	if r.code != 0 {
		t.Fatalf("apply: %s", r)
	}
	for _, want := range []string{"… 1 of 3 action(s) finished (33%) in ", "… 2 of 3 action(s) finished (67%) in ", " per second, about "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("apply output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "3 of 3 action(s) finished") {
		t.Errorf("a heartbeat after the last outcome repeats the summary:\n%s", r.stdout)
	}
	r = runCLI(append([]string{"undo", f.journal, "--auto-approve"}, f.vars...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "… 2 of 3 action(s) finished") {
		t.Fatalf("undo: %s", r)
	}
}
