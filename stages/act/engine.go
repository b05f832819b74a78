package act

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reclaimhq/reclaim/schemas"
)

// step is one journalled change, shared by apply and undo.
type step struct {
	id      string
	profile string
	userID  string
	// entry is the template of every journal entry of this step.
	entry schemas.JournalEntry
	// groups asks the live read for group memberships.
	memberOf, transitiveMemberOf []string
	// prepare, when set, adds to the live user what needs more than the
	// read (the `when` exclusions it matches) before check; an error fails
	// the step with nothing changed. It works from the raw users columns
	// (LiveUser.Row), so a step with one asks the live read for them.
	prepare func(ctx context.Context, u *LiveUser) error
	// check decides, from the live user, whether the change is already in
	// place (inPlace) or must not be made (skip names why).
	check func(u *LiveUser) (inPlace bool, skip string)
	// record may copy live facts (e.g. disabled plans) into the entry.
	record func(u *LiveUser, e *schemas.JournalEntry)
	exec   func(ctx context.Context, d Directory) error
	// inPlaceDetail says what "already in place" means for this change.
	inPlaceDetail string
}

// Outcome is what happened to one action in this run.
type Outcome struct {
	ActionID string
	Entry    schemas.JournalEntry
	Phase    string // done, skipped, failed
	Detail   string
	// Earlier: the journal already held the outcome; nothing was done now.
	Earlier bool
}

// Result counts a run's outcomes.
type Result struct {
	Done, Skipped, Failed int
	// Earlier counts actions finished by an earlier run of the same journal.
	Earlier int
	// NeedsFix counts the failed actions that cannot succeed before the
	// tenant is changed (Outcome.NeedsFix); retrying alone will not help.
	NeedsFix int
	// NotApproved counts plan actions an Approval left out (apply only).
	NotApproved int
	Outcomes    []Outcome
}

// ExitCode is 0 when every action is done or skipped by a precondition and 2
// when some failed.
func (r *Result) ExitCode() int {
	if r.Failed > 0 {
		return 2
	}
	return 0
}

// RunOptions tune execution; the zero value is usable.
type RunOptions struct {
	// Concurrency is how many users are worked on at once (default
	// DefaultConcurrency).
	Concurrency int
	// WritesPerSecond paces changes (default DefaultWritesPerSecond, 95 % of
	// Graph's 3,000 writes per 150 s per app and tenant).
	WritesPerSecond float64
	// MaxAttempts bounds attempts of one change whose failure was ambiguous
	// and which a live re-read showed was not made (default 3).
	MaxAttempts int
	Logger      hclog.Logger
	// Progress is called once per outcome, never concurrently.
	Progress func(Outcome)
	// CrashAfterJournalWrites stops the run, as kill -9 would, once the
	// journal has taken this many writes in this run (tests only).
	CrashAfterJournalWrites int
	// StopGrace is how long a change already being sent may still take
	// once ctx is cancelled (SIGINT, SIGTERM): it is finished and its
	// outcome journalled rather than abandoned between intent and outcome
	// (default 30 s). No new change starts after the cancel.
	StopGrace time.Duration
	// AfterSend, when set, is called after a change request returns and
	// before its outcome is journalled (tests use it to kill the process
	// exactly there).
	AfterSend func(actionID string)
}

func (o *RunOptions) defaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.WritesPerSecond <= 0 {
		o.WritesPerSecond = DefaultWritesPerSecond
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
}

// execute runs steps against the directories, journalling each. Steps of the
// same user run one after another; different users run concurrently.
func execute(ctx context.Context, steps []step, dirs func(profile string) (Directory, error), j *Journal, opts RunOptions) (*Result, error) {
	opts.defaults()
	j.mu.Lock()
	j.writes = 0
	j.crashAfter = opts.CrashAfterJournalWrites
	j.mu.Unlock()

	last := LastByAction(j.Entries())
	res := &Result{}
	var resMu sync.Mutex
	report := func(o Outcome) {
		resMu.Lock()
		defer resMu.Unlock()
		switch {
		case o.Earlier:
			res.Earlier++
		case o.Phase == schemas.PhaseDone:
			res.Done++
		case o.Phase == schemas.PhaseSkipped:
			res.Skipped++
		default:
			res.Failed++
			if o.NeedsFix() {
				res.NeedsFix++
			}
		}
		res.Outcomes = append(res.Outcomes, o)
		if opts.Progress != nil {
			opts.Progress(o)
		}
	}

	// Group by user, keeping plan order within a user.
	var order []string
	byUser := map[string][]step{}
	for _, s := range steps {
		if e, ok := last[s.id]; ok && (e.Phase == schemas.PhaseDone || e.Phase == schemas.PhaseSkipped) {
			report(Outcome{ActionID: s.id, Entry: e, Phase: e.Phase, Detail: e.Detail, Earlier: true})
			continue
		}
		key := s.profile + "\x00" + s.userID
		if _, ok := byUser[key]; !ok {
			order = append(order, key)
		}
		byUser[key] = append(byUser[key], s)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lim := newPacer(opts.WritesPerSecond)
	work := make(chan []step)
	var wg sync.WaitGroup
	for range min(opts.Concurrency, max(len(order), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range work {
				for _, s := range batch {
					if ctx.Err() != nil {
						return
					}
					o, err := runStep(ctx, s, last[s.id], dirs, j, lim, opts)
					if err != nil {
						if o.ActionID != "" {
							report(o) // journalled before the stop (AuthFailedError)
						}
						cancel(err)
						return
					}
					report(o)
				}
			}
		}()
	}
feed:
	for _, k := range order {
		select {
		case work <- byUser[k]:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// runStep carries one step to an outcome. It returns an error only when the
// run must stop (journal failure, crash injection, cancellation).
func runStep(ctx context.Context, s step, prev schemas.JournalEntry, dirs func(string) (Directory, error), j *Journal, lim *pacer, opts RunOptions) (Outcome, error) {
	log := opts.Logger.With("action", s.id, "user", s.entry.UserPrincipalName, "sku", s.entry.SkuPartNumber)
	// An intent without outcome (or an outcome-unknown failure) may mean the
	// change was made just before a crash: if the live user shows it in
	// place, it is done, not skipped.
	resumed := prev.Phase == schemas.PhaseIntent || (prev.Phase == schemas.PhaseFailed && strings.HasPrefix(prev.Detail, outcomeUnknown))
	finish := func(phase, detail string, e schemas.JournalEntry) (Outcome, error) {
		e.Phase, e.Detail = phase, detail
		if err := j.Append(e); err != nil {
			return Outcome{}, err
		}
		log.Info("outcome", "phase", phase, "detail", detail)
		return Outcome{ActionID: s.id, Entry: e, Phase: phase, Detail: detail}, nil
	}
	e := s.entry
	d, err := dirs(s.profile)
	if err != nil {
		return finish(schemas.PhaseFailed, err.Error(), e)
	}
	u, err := d.GetUser(ctx, s.userRequest())
	switch {
	case ctx.Err() != nil:
		return Outcome{}, context.Cause(ctx)
	case errors.Is(err, ErrNotFound):
		return finish(schemas.PhaseSkipped, "the user no longer exists", e)
	case isAuthFailure(err):
		return stopOnAuth(finish(schemas.PhaseFailed, "live re-read failed, nothing changed: "+err.Error(), e))(err)
	case err != nil:
		return finish(schemas.PhaseFailed, "live re-read failed, nothing changed: "+err.Error(), e)
	}
	if s.prepare != nil {
		if err := s.prepare(ctx, u); err != nil {
			return finish(schemas.PhaseFailed, "live exclusion check failed, nothing changed: "+err.Error(), e)
		}
	}
	if s.record != nil {
		s.record(u, &e)
	}
	inPlace, skip := s.check(u)
	switch {
	case inPlace && resumed:
		return finish(schemas.PhaseDone, s.inPlaceDetail+" (confirmed by a live re-read after an interrupted run)", e)
	case inPlace:
		return finish(schemas.PhaseSkipped, s.inPlaceDetail, e)
	case skip != "":
		return finish(schemas.PhaseSkipped, skip, e)
	}

	e.Phase, e.Detail = schemas.PhaseIntent, ""
	if err := j.Append(e); err != nil {
		return Outcome{}, err
	}
	// From here a change may be in flight. A stop (ctx cancelled by a
	// signal) no longer cuts it off: sending, the re-read after a failure
	// and journalling the outcome run on wctx, which only StopGrace bounds.
	// Only waiting to send a new attempt still stops at once.
	wctx, wcancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer wcancel(nil)
	defer context.AfterFunc(ctx, func() {
		time.AfterFunc(opts.StopGrace, func() { wcancel(fmt.Errorf("the %s stop grace ran out", opts.StopGrace)) })
	})()
	for attempt := 1; ; attempt++ {
		e.Attempts = int32(attempt)
		if err := lim.wait(ctx); err != nil {
			// Nothing was sent in this attempt and, for a retry, the
			// re-read showed the earlier one was not made.
			return finish(schemas.PhaseFailed, "interrupted before the change was sent; run the same command again to make it", e)
		}
		err := s.exec(wctx, d)
		if opts.AfterSend != nil {
			opts.AfterSend(s.id)
		}
		if wctx.Err() != nil {
			// The grace ran out with the outcome unknown: leave the
			// intent, so a resume re-reads the user to resolve it.
			return Outcome{}, fmt.Errorf("stopped with a change to %s in flight: %w; run the same command again to resolve it", s.entry.UserPrincipalName, context.Cause(wctx))
		}
		if err == nil {
			return finish(schemas.PhaseDone, "", e)
		}
		// Whatever the error, the change may be in place: an ambiguous
		// failure may have been applied, and a refusal such as "user does
		// not have a corresponding license" may mean an earlier, interrupted
		// request landed after our live read. Re-read before deciding.
		if isAuthFailure(err) {
			// Refused before anything was done: not ambiguous.
			return stopOnAuth(finish(schemas.PhaseFailed, "not made: "+err.Error(), e))(err)
		}
		log.Warn("change failed, re-reading the user", "error", err)
		u, rerr := d.GetUser(wctx, s.userRequest())
		if rerr == nil {
			if inPlace, _ := s.check(u); inPlace {
				return finish(schemas.PhaseDone, fmt.Sprintf("confirmed by a live re-read after: %v", err), e)
			}
		}
		switch {
		case IsGroupInherited(err):
			return finish(schemas.PhaseSkipped, "the licence is inherited from a group and cannot be removed directly", e)
		case errors.Is(err, ErrNotFound):
			return finish(schemas.PhaseSkipped, "the user or group no longer exists", e)
		case !IsAmbiguous(err):
			if fix := FixFor(err, firstNonEmpty(e.SkuPartNumber, e.SkuID)); fix != "" {
				return finish(schemas.PhaseFailed, fmt.Sprintf("%v; %s%s", err, FixPrefix, fix), e)
			}
			return finish(schemas.PhaseFailed, err.Error(), e)
		case rerr != nil:
			return finish(schemas.PhaseFailed, fmt.Sprintf("%s: %v; the live re-read failed too (%v); run apply again to resolve", outcomeUnknown, err, rerr), e)
		}
		// Ambiguous and not in place: safe to send again.
		if attempt >= opts.MaxAttempts {
			return finish(schemas.PhaseFailed, fmt.Sprintf("not made after %d attempts: %v", attempt, err), e)
		}
	}
}

func (s step) userRequest() UserRequest {
	return UserRequest{UserID: s.userID, MemberOf: s.memberOf, TransitiveMemberOf: s.transitiveMemberOf, Attributes: s.prepare != nil}
}

const outcomeUnknown = "outcome unknown"

// FixPrefix starts the part of a failed outcome's detail that names what to
// change first (FixFor): such a failure does not go away by retrying.
const FixPrefix = "to fix: "

// NeedsFix reports whether a failed outcome names a fix (FixFor).
func (o Outcome) NeedsFix() bool {
	return o.Phase == schemas.PhaseFailed && strings.Contains(o.Detail, "; "+FixPrefix)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// pacer spaces changes evenly at a rate; a simple leaky bucket is enough
// because Graph's write budget is per 150 s and apply is the only writer.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newPacer(perSecond float64) *pacer {
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond)}
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
