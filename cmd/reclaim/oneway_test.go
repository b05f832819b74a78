package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/simtenant"
)

// TestCLIOneWayRefusedWithoutFlag drives issue 10's one-way case through the
// command line against the simulated tenant with the demo configuration:
// the plan marks the removal of a guest's Power BI licence (the guest has no
// usageLocation, so undo could never assign it again) in text and Markdown;
// apply refuses the plan without --allow-one-way, naming the user and the
// reason, before a single write; approving the rest of the plan without it
// goes through; applying it with the flag works, and undo then says what to
// fix instead of "run again".
func TestCLIOneWayRefusedWithoutFlag(t *testing.T) {
	t.Parallel()
	// Seed 1 at 400 users plans exactly one one-way removal (see TestDemo).
	srv, err := simtenant.Start(simtenant.Options{Users: 400, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := t.TempDir()
	vars := append(demoVars(srv, out), "-var", "client_secret="+srv.ClientSecret())
	planFile := filepath.Join(out, "plan.json")
	if r := runCLI(append([]string{"run", "../../examples/demo", "--progress", "log"}, vars...)...); r.code != exitOK {
		t.Fatalf("run: %s", r)
	}
	if r := runCLI(append([]string{"plan", "../../examples/demo", "-out", planFile}, vars...)...); r.code != exitOK {
		t.Fatalf("plan: %s", r)
	}
	p, err := plan.Read(planFile)
	if err != nil {
		t.Fatal(err)
	}
	var oneWay *plan.Action
	for i := range p.Actions {
		if len(p.Actions[i].OneWayReasons) > 0 {
			if oneWay != nil {
				t.Fatalf("more than one one-way action: %s and %s", oneWay.ID, p.Actions[i].ID)
			}
			oneWay = &p.Actions[i]
		}
	}
	if oneWay == nil {
		t.Fatal("the plan marks no action one-way; the simulated guest without usageLocation should make one")
	}
	if !strings.Contains(strings.Join(oneWay.OneWayReasons, " "), "usageLocation") || oneWay.SkuPartNumber != "POWER_BI_PRO" {
		t.Fatalf("one-way action %+v, want POWER_BI_PRO of a user without usageLocation", oneWay)
	}
	if p.Totals.OneWay != 1 {
		t.Errorf("totals.one_way = %d, want 1", p.Totals.OneWay)
	}
	for _, view := range [][]string{{"show", planFile}, {"show", planFile, "-markdown"}} {
		r := runCLI(view...)
		if r.code != exitOK || !strings.Contains(r.stdout, "one-way") || !strings.Contains(r.stdout, "usageLocation") {
			t.Errorf("%v does not mark the one-way removal: %s", view, r)
		}
	}

	srv.ResetStats()
	r := runCLI(append([]string{"apply", planFile, "--auto-approve"}, vars...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "is one-way") || !strings.Contains(r.stderr, "--allow-one-way") {
		t.Fatalf("apply without --allow-one-way: want a refusal naming the one-way removal\n%s", r)
	}
	if n := srv.Stats().Requests["assignLicense"]; len(n) != 0 {
		t.Fatalf("a refused apply sent assignLicense requests: %v", n)
	}
	// Refused before the plan is offered for approval: no journal is opened.
	if _, err := os.Stat(filepath.Join(out, "sim", "journal", "plan-"+p.ID+".jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a refused apply left a journal behind (%v)", err)
	}

	// The reviewer approves everything else; the one-way removal stays.
	r = runCLI(append([]string{"apply", planFile, "--auto-approve", "--writes-per-second", "500", "--exclude-action", oneWay.ID}, vars...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 action(s) not approved") {
		t.Fatalf("apply of the rest: %s", r)
	}
	// Then accepts it explicitly.
	r = runCLI(append([]string{"apply", planFile, "--auto-approve", "--action", oneWay.ID, "--allow-one-way"}, vars...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 done") {
		t.Fatalf("apply --allow-one-way: %s", r)
	}
	// Undo of that removal cannot succeed, and says what to fix.
	journal := filepath.Join(out, "sim", "journal", "plan-"+p.ID+".jsonl")
	r = runCLI(append([]string{"undo", journal, "--auto-approve", "--action", oneWay.ID}, vars...)...)
	if r.code == exitOK || !strings.Contains(r.stdout+r.stderr, "usageLocation") {
		t.Fatalf("undo of the one-way removal: want a failure naming usageLocation\n%s", r)
	}
	if strings.Contains(r.stdout+r.stderr, "Running the same command again retries them") {
		t.Errorf("undo advises a plain retry for a failure no retry changes:\n%s", r)
	}
}
