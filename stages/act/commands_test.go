package act

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// noWhens is the live evaluator of a configuration with no `when`.
type noWhens struct{ closed *bool }

func (noWhens) Match(context.Context, schemas.User) ([]string, error) { return nil, nil }
func (w noWhens) Close()                                              { *w.closed = true }

// lockLog records the Locker's calls: what was locked, whether it was let go.
type lockLog struct {
	locked   [][]string
	unlocked int
}

func (l *lockLog) lock(_ context.Context, profiles []string) (func(), error) {
	l.locked = append(l.locked, slices.Clone(profiles))
	return func() { l.unlocked++ }, nil
}

// TestPlanApplyUndoRequests runs the three commands end to end against the
// simulated tenant over loopback, with the real store and journals: Apply
// refuses a plan whose digest is not the approved one and a "no" at the
// prompt before anything is journalled, then carries the plan out with the
// view told each step; Undo puts every licence back.
func TestPlanApplyUndoRequests(t *testing.T) {
	env := startSim(t, 120)
	out := t.TempDir()
	nDirect, nGroup := env.recommend(t, out, 4)
	cfg := simConfig()
	cfg.Output = &config.Output{Dir: out}
	p, err := Plan(context.Background(), PlanRequest{Config: cfg, ConfigPath: "cfg.hcl", Variables: map[string]string{"env": "prod"}, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if p.ConfigDigest != cfg.DecisionDigest() || !strings.HasSuffix(p.ConfigPath, "cfg.hcl") || p.OutputDir != out || p.Variables["env"] != "prod" {
		t.Fatalf("plan records config %s at %s, output %s, variables %v", p.ConfigDigest, p.ConfigPath, p.OutputDir, p.Variables)
	}
	want := nDirect + nGroup
	if len(p.Actions) != want {
		t.Fatalf("plan has %d actions, want %d", len(p.Actions), want)
	}
	before := env.licences()
	journal := store.ProfileAt(out, "sim").JournalPath(p.ID)
	locks := &lockLog{}
	closed := false
	request := func(confirm func(*plan.Plan) error, view ApplyView) ApplyRequest {
		return ApplyRequest{Plan: p, Config: cfg, OutDir: out, Store: &store.Store{Dir: out}, Lock: locks.lock,
			Directory:          func(string) (Directory, error) { return env.dir, nil },
			OpenLiveExclusions: func(context.Context, *config.Config) (LiveExclusions, error) { return noWhens{&closed}, nil },
			Confirm:            confirm, View: view, RunOptions: RunOptions{WritesPerSecond: 200}}
	}
	asked := 0
	yes := func(*plan.Plan) error { asked++; return nil }

	r := request(yes, ApplyView{})
	r.ExpectDigest = "sha256:reviewed-another"
	if _, err := Apply(context.Background(), r); err == nil || !strings.Contains(err.Error(), "not the approved sha256:reviewed-another") {
		t.Fatalf("another digest: %v", err)
	}
	no := errors.New("cancelled")
	if _, err := Apply(context.Background(), request(func(*plan.Plan) error { return no }, ApplyView{})); !errors.Is(err, no) {
		t.Fatalf("a no at the prompt: %v", err)
	}
	if _, err := os.Stat(journal); !os.IsNotExist(err) || asked != 0 {
		t.Fatalf("refused applies left a journal (%v) or asked %d times", err, asked)
	}

	var begun []ApplyBegin
	var ended []ApplyEnd
	progress := 0
	res, err := Apply(context.Background(), request(yes, ApplyView{
		Begin:    func(b ApplyBegin) { begun = append(begun, b) },
		Progress: func(Outcome) { progress++ },
		End:      func(e ApplyEnd) error { ended = append(ended, e); return nil },
	}))
	if err != nil || res.Done != want || asked != 1 {
		t.Fatalf("apply: %+v %v (asked %d)", res, err, asked)
	}
	if len(begun) != 1 || begun[0].Profile != "sim" || begun[0].Approved != want || begun[0].NotApproved != 0 || begun[0].Journal != journal {
		t.Errorf("begin: %+v", begun)
	}
	if len(ended) != 1 || ended[0].Result.Done != want || ended[0].ExportErr != nil || progress != want {
		t.Errorf("end: %+v, %d progress calls", ended, progress)
	}
	if copied, err := plan.Read(store.PlanCopyPath(journal)); err != nil || copied.ID != p.ID {
		t.Errorf("plan copy beside the journal: %v", err)
	}
	if _, err := os.Stat(store.JournalParquetPath(journal)); err != nil {
		t.Errorf("journal Parquet export: %v", err)
	}
	if !closed {
		t.Error("the live evaluator was not closed")
	}
	// The digest is checked before the lock; the "no" and the apply each held it.
	if len(locks.locked) != 2 || !slices.Equal(locks.locked[1], []string{"sim"}) || locks.unlocked != 2 {
		t.Errorf("locks taken %v, released %d times", locks.locked, locks.unlocked)
	}

	src, err := ReadUndoSource(journal)
	if err != nil || src.Profile != "sim" || src.PlanCopy.ID != p.ID {
		t.Fatalf("undo source: %+v %v", src, err)
	}
	var listed []string
	confirmed := 0
	ures, err := Undo(context.Background(), UndoRequest{Journal: journal, Profile: src.Profile, Config: cfg, Store: &store.Store{Dir: out}, Lock: locks.lock,
		Directory: func(string) (Directory, error) { return env.dir, nil },
		Confirm:   func(n int, profile string) error { confirmed = n; return nil },
		View:      UndoView{Listed: func(e schemas.JournalEntry) { listed = append(listed, e.ActionID) }},
	})
	if err != nil || ures.Done != want || confirmed != want || len(listed) != want {
		t.Fatalf("undo: %+v %v (confirmed %d, listed %d)", ures, err, confirmed, len(listed))
	}
	after := env.licences()
	for id, lic := range before {
		if !sameLicences(lic, after[id]) {
			t.Errorf("user %s not restored", id)
		}
	}
	if locks.unlocked != len(locks.locked) {
		t.Errorf("undo kept a lock: %d taken, %d released", len(locks.locked), locks.unlocked)
	}
}
