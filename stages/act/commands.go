package act

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// This file holds the three commands of this package, each from its request
// to its result: Plan, Apply and Undo. The command line (cmd/reclaim) parses
// flags, loads the configuration, builds the live directory and prints; every
// decision — which checks refuse, in what order, what is journalled where —
// is made here.

// ErrInterrupted is wrapped by the error Apply and Undo return when their
// context was cancelled (SIGINT, SIGTERM) during the changes: the change in
// flight was finished and journalled and no new one was started, so running
// the same command again resumes.
var ErrInterrupted = errors.New("interrupted")

// Locker takes the per-profile locks a command holds from its first check to
// its last journal write (cmd/reclaim wires pipeline/store's lock); unlock
// releases them all.
type Locker func(ctx context.Context, profiles []string) (unlock func(), err error)

// PlanRequest is what Plan needs.
type PlanRequest struct {
	Config *config.Config
	// ConfigPath is where the configuration was loaded from; the plan
	// records it absolute, so apply finds it from any directory.
	ConfigPath string
	// Variables and SensitiveVariables are recorded for apply: the values
	// of the non-sensitive variables set now, and the names of the
	// sensitive ones (never their values).
	Variables          map[string]string
	SensitiveVariables []string
	Now                time.Time
}

// Plan makes the plan of the configuration's latest snapshots (Build) and
// records what apply needs to find the same data again: the absolute
// configuration path and output directory, the decision digest and the
// remembered variables.
func Plan(_ context.Context, r PlanRequest) (*plan.Plan, error) {
	cfgPath, err := filepath.Abs(r.ConfigPath)
	if err != nil {
		return nil, err
	}
	p, err := Build(BuildOptions{Config: r.Config, ConfigDigest: r.Config.DecisionDigest(), ConfigPath: cfgPath,
		OutDir: r.Config.Output.Dir, Now: r.Now})
	if err != nil {
		return nil, err
	}
	if p.OutputDir, err = filepath.Abs(r.Config.Output.Dir); err != nil {
		return nil, err
	}
	p.Variables, p.SensitiveVariables = r.Variables, r.SensitiveVariables
	return p, nil
}

// LiveExclusions evaluates the exclusions' `when` expressions against a user
// as re-read just before a change (stages/transform's WhenEvaluator). Match
// must be safe for concurrent use; a nil evaluator's Match matches nothing.
type LiveExclusions interface {
	Match(ctx context.Context, u schemas.User) ([]string, error)
	Close()
}

// ApplyRequest is what Apply needs: a saved plan and the configuration
// loaded for it, what the person approved, and the wiring the command line
// supplies (lock, live directory, prompt, view).
type ApplyRequest struct {
	Plan   *plan.Plan
	Config *config.Config
	// OutDir is the output directory the plan's snapshots are under, and
	// Store writes the journals' plan copies and Parquet exports there.
	OutDir string
	Store  *store.Store
	// ExpectDigest, when set, is the reviewed actions digest
	// (apply --expect-digest): any other plan is refused.
	ExpectDigest string
	// MaxAge refuses an older plan; 0 is plan.CheckFresh's default.
	MaxAge time.Duration
	// Approval is the part of the plan approved; the zero value is all.
	Approval Approval
	// AllowOneWay accepts one-way removals (apply --allow-one-way).
	AllowOneWay bool
	// Now is the clock of the freshness check; nil is time.Now.
	Now  func() time.Time
	Lock Locker
	// Directory returns the live tenant of a profile; it is called once
	// per profile with approved actions, after Confirm.
	Directory func(profile string) (Directory, error)
	// OpenLiveExclusions opens the live evaluator of cfg's `when`
	// exclusions, once, after Confirm (it starts a DuckDB).
	OpenLiveExclusions func(ctx context.Context, cfg *config.Config) (LiveExclusions, error)
	// Confirm is asked once every check has passed and before anything is
	// changed or journalled; an error is returned as it is.
	Confirm func(p *plan.Plan) error
	View    ApplyView
	// RunOptions are the engine's pace, logger and test hook; its
	// Progress is View.Progress.
	RunOptions
}

// ApplyView is what a person is told while Apply runs; a nil func says
// nothing.
type ApplyView struct {
	// Notes are the freshness check's notes (a newer snapshot exists).
	Notes func(notes []string)
	// NoChanges: the plan has no actions, nothing more happens.
	NoChanges func()
	// Warnings are a damaged journal's.
	Warnings func(warnings []string)
	// Begin is called before a profile's actions are carried out.
	Begin    func(ApplyBegin)
	Progress func(Outcome)
	// End is called after a profile's actions, unless they stopped on an
	// error; its error ends Apply.
	End func(ApplyEnd) error
}

// ApplyBegin says what is about to be applied to one profile.
type ApplyBegin struct {
	Profile string
	// Approved actions are carried out; NotApproved ones are journalled as
	// such (a partial approval).
	Approved, NotApproved int
	Journal               string
	Approval              Approval
}

// ApplyEnd is one profile's outcome.
type ApplyEnd struct {
	Profile  string
	Result   *Result
	Journal  string
	Approval Approval
	// ExportErr is a failed journal Parquet export: a warning, the JSONL
	// journal is the record.
	ExportErr error
}

// Apply carries out a saved plan: it refuses, changing nothing, a plan
// whose digest is not the approved one, that is stale (CheckFresh) or not
// what the configuration makes of its snapshot (Verify), or that breaks a
// safety limit (Preflight); then asks Confirm and applies each profile's
// approved actions with live re-checks, journalling each change. It holds
// every planned profile's lock from the freshness check to the last journal
// write. The Result adds up every profile's.
func Apply(ctx context.Context, r ApplyRequest) (*Result, error) {
	p, cfg := r.Plan, r.Config
	if r.ExpectDigest != "" && r.ExpectDigest != p.ActionsDigest {
		return nil, fmt.Errorf("apply refused: the plan's actions digest is %s, not the approved %s (--expect-digest); nothing was changed. Apply only the plan whose digest was reviewed", p.ActionsDigest, r.ExpectDigest)
	}
	var planned []string
	for _, s := range p.Sources {
		planned = append(planned, s.Profile)
	}
	unlock, err := r.Lock(ctx, planned)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	cur := plan.Current{ConfigDigest: cfg.DecisionDigest(), Planned: map[string]plan.Source{}, Latest: map[string]plan.Source{}, ReclaimOn: map[string]bool{}, Now: now(), MaxAge: r.MaxAge}
	for name, prof := range cfg.Profiles {
		cur.ReclaimOn[name] = prof.Tasks.ReclaimSubscriptions
	}
	for _, s := range p.Sources {
		cur.Planned[s.Profile] = PlannedSource(r.OutDir, s)
		if src, err := LatestSource(r.OutDir, s.Profile); err == nil {
			cur.Latest[s.Profile] = src
		}
	}
	if err := p.CheckFresh(cur); err != nil {
		return nil, err
	}
	// The file is a request: every action must be what the configuration
	// makes of the snapshot the plan records, field by field.
	if err := Verify(p, cfg, r.OutDir); err != nil {
		return nil, err
	}
	if notes := p.Newer(cur); len(notes) > 0 && r.View.Notes != nil {
		r.View.Notes(notes)
	}
	if !p.HasChanges() {
		if r.View.NoChanges != nil {
			r.View.NoChanges()
		}
		return &Result{}, nil
	}
	if err := r.Approval.Check(p); err != nil {
		return nil, err
	}
	// The safety limits before the plan is offered for "yes": a plan they
	// refuse is not asked about and leaves no journal behind.
	if err := Preflight(p, cfg, r.Approval, r.AllowOneWay); err != nil {
		return nil, err
	}
	approved := map[string]int{}
	for _, a := range p.Actions {
		if r.Approval.Approves(a) {
			approved[a.Profile]++
		}
	}
	if err := r.Confirm(p); err != nil {
		return nil, err
	}
	live, err := r.OpenLiveExclusions(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer live.Close()
	total := &Result{}
	for _, s := range p.Sources {
		if approved[s.Profile] == 0 {
			continue
		}
		res, err := r.applyProfile(ctx, s.Profile, approved[s.Profile], live)
		if res != nil {
			total.add(res)
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// applyProfile carries out one profile's approved actions, with its own
// journal and, beside it, the exact plan (the audit trail and what undo reads
// to find the configuration).
func (r ApplyRequest) applyProfile(ctx context.Context, profile string, approved int, live LiveExclusions) (*Result, error) {
	p := r.Plan
	dir, err := r.Directory(profile)
	if err != nil {
		return nil, err
	}
	jpath := store.ProfileAt(r.OutDir, profile).JournalPath(p.ID)
	j, err := OpenJournal(jpath)
	if err != nil {
		return nil, err
	}
	if w := j.Warnings(); len(w) > 0 && r.View.Warnings != nil {
		r.View.Warnings(w)
	}
	if err := plan.Write(r.Store, store.PlanCopyPath(jpath), p); err != nil {
		j.Close()
		return nil, err
	}
	if r.View.Begin != nil {
		r.View.Begin(ApplyBegin{Profile: profile, Approved: approved, NotApproved: p.Totals.ByProfile[profile] - approved, Journal: jpath, Approval: r.Approval})
	}
	opts := r.RunOptions
	opts.Progress = r.View.Progress
	res, err := ApplyActions(ctx, ApplyOptions{Plan: p, Config: r.Config, Profile: profile, Journal: j, Approval: r.Approval, AllowOneWay: r.AllowOneWay,
		Directories: func(string) (Directory, error) { return dir, nil }, LiveExclusions: live.Match, RunOptions: opts})
	exportErr := ExportParquet(r.Store, j.Entries(), store.JournalParquetPath(jpath))
	j.Close()
	if err != nil {
		var refused *RefusedError
		var authFailed *AuthFailedError
		switch {
		case errors.As(err, &refused) || errors.As(err, &authFailed):
			return res, err
		case ctx.Err() != nil:
			return res, fmt.Errorf("apply %w: %w", ErrInterrupted, err)
		}
		return res, fmt.Errorf("apply stopped: %w; run the same command again to resume", err)
	}
	if r.View.End != nil {
		if err := r.View.End(ApplyEnd{Profile: profile, Result: res, Journal: jpath, Approval: r.Approval, ExportErr: exportErr}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// UndoSource is what an apply journal says about itself before undo takes
// the lock: the profile it changed, and the plan copy beside it, which says
// where the configuration is (an empty plan when there is none or it cannot
// be read: then --config says).
type UndoSource struct {
	Profile  string
	PlanCopy *plan.Plan
}

// ReadUndoSource reads the apply journal at path for Undo's caller, which
// loads the configuration from what it returns.
func ReadUndoSource(path string) (UndoSource, error) {
	applied, err := ReadJournal(path)
	if err != nil {
		return UndoSource{}, err
	}
	if len(applied) == 0 {
		return UndoSource{}, fmt.Errorf("journal %s is empty", path)
	}
	src := UndoSource{Profile: applied[0].Profile, PlanCopy: &plan.Plan{}}
	if _, err := os.Stat(store.PlanCopyPath(path)); err == nil {
		if p, err := plan.Read(store.PlanCopyPath(path)); err == nil {
			src.PlanCopy = p
		}
	}
	return src, nil
}

// UndoRequest is what Undo needs.
type UndoRequest struct {
	// Journal is the apply journal to undo, and Profile the profile it
	// changed (ReadUndoSource).
	Journal string
	Profile string
	Config  *config.Config
	Store   *store.Store
	// ActionIDs limits undo to these actions; empty means every done one.
	ActionIDs []string
	Lock      Locker
	// Directory returns the live tenant of the profile, after Confirm.
	Directory func(profile string) (Directory, error)
	// Confirm is asked with the number of changes to undo, before anything
	// is changed or journalled.
	Confirm func(changes int, profile string) error
	View    UndoView
	// RunOptions are the engine's pace and logger; its Progress is
	// View.Progress.
	RunOptions
}

// UndoView is what a person is told while Undo runs; a nil func says
// nothing.
type UndoView struct {
	// Warnings are a damaged journal's.
	Warnings func(warnings []string)
	// Listed is each change about to be undone: the apply journal's last
	// (done) entry of the action, in journal order.
	Listed func(done schemas.JournalEntry)
	// NothingToUndo: the journal shows no change done.
	NothingToUndo func()
	Progress      func(Outcome)
	// End is called when the changes are undone; its error ends Undo.
	End func(UndoEnd) error
}

// UndoEnd is Undo's outcome.
type UndoEnd struct {
	Result    *Result
	Journal   string // the undo journal
	ExportErr error  // a failed journal Parquet export: a warning
}

// Undo puts back what an apply journal shows done (UndoActions), holding the
// profile's lock, with its own journal beside the apply journal.
func Undo(ctx context.Context, r UndoRequest) (*Result, error) {
	unlock, err := r.Lock(ctx, []string{r.Profile})
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Read again under the lock: an apply may have been writing it.
	applied, warnings, err := ReadJournalWithWarnings(r.Journal)
	if err != nil {
		return nil, err
	}
	if len(warnings) > 0 && r.View.Warnings != nil {
		r.View.Warnings(warnings)
	}
	last := LastByAction(applied)
	n := 0
	listed := map[string]bool{}
	for _, e := range applied { // journal order, each action once
		id := e.ActionID
		if l := last[id]; !listed[id] && l.Phase == schemas.PhaseDone && (len(r.ActionIDs) == 0 || slices.Contains(r.ActionIDs, id)) {
			listed[id] = true
			n++
			if r.View.Listed != nil {
				r.View.Listed(l)
			}
		}
	}
	if n == 0 && len(r.ActionIDs) == 0 {
		if r.View.NothingToUndo != nil {
			r.View.NothingToUndo()
		}
		return &Result{}, nil
	}
	if err := r.Confirm(n, r.Profile); err != nil {
		return nil, err
	}
	dir, err := r.Directory(r.Profile)
	if err != nil {
		return nil, err
	}
	upath := store.UndoJournalPath(r.Journal)
	uj, err := OpenJournal(upath)
	if err != nil {
		return nil, err
	}
	if w := uj.Warnings(); len(w) > 0 && r.View.Warnings != nil {
		r.View.Warnings(w)
	}
	opts := r.RunOptions
	opts.Progress = r.View.Progress
	res, err := UndoActions(ctx, UndoOptions{Applied: applied, ActionIDs: r.ActionIDs, Journal: uj,
		Directories: func(string) (Directory, error) { return dir, nil }, RunOptions: opts})
	exportErr := ExportParquet(r.Store, uj.Entries(), store.JournalParquetPath(upath))
	uj.Close()
	if err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("undo %w: %w", ErrInterrupted, err)
		}
		return res, fmt.Errorf("undo stopped: %w", err)
	}
	if r.View.End != nil {
		if err := r.View.End(UndoEnd{Result: res, Journal: upath, ExportErr: exportErr}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// add counts o's actions into r (every count; the outcomes stay o's).
func (r *Result) add(o *Result) {
	r.Done += o.Done
	r.Skipped += o.Skipped
	r.Failed += o.Failed
	r.Earlier += o.Earlier
	r.NeedsFix += o.NeedsFix
	r.NotApproved += o.NotApproved
}
