package ui

import (
	"fmt"
	"io"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// ApplyLine is one outcome of apply or undo as a person reads it.
type ApplyLine struct {
	Phase     string // schemas.PhaseDone, PhaseSkipped or PhaseFailed
	Earlier   bool   // finished by an earlier run of the same journal
	Operation string // a plan.Operation
	User      string
	SKU       string
	GroupID   string
	Detail    string
}

// WriteApplyLine prints one outcome as it happens.
func WriteApplyLine(w io.Writer, l ApplyLine) error {
	sku, user, group := Terminal(l.SKU), Terminal(l.User), Terminal(l.GroupID)
	what := sku + " from " + user
	switch l.Operation {
	case string(plan.OpRemoveFromGroup):
		what = fmt.Sprintf("%s from %s (left group %s)", sku, user, group)
	case string(plan.OpAddLicense):
		what = sku + " back to " + user
	case string(plan.OpAddToGroup):
		what = fmt.Sprintf("%s back to %s (rejoined group %s)", sku, user, group)
	}
	mark := map[string]string{schemas.PhaseDone: "✓", schemas.PhaseSkipped: "·", schemas.PhaseFailed: "✗"}[l.Phase]
	line := fmt.Sprintf("%s %-7s %s", mark, l.Phase, what)
	if l.Earlier {
		line += " (in the journal from an earlier run)"
	} else if l.Detail != "" {
		line += ": " + Terminal(oneLine(l.Detail))
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// WriteApplySummary prints the closing totals of apply or undo. needsFix of
// the failed changes cannot succeed until the tenant is changed (each line
// named the fix); only the others are worth a plain retry.
func WriteApplySummary(w io.Writer, verb string, done, skipped, failed, needsFix, earlier int, journal string) error {
	ew := &errWriter{w: w}
	ew.printf("\n%s complete: %d done, %d skipped, %d failed", verb, done, skipped, failed)
	if earlier > 0 {
		ew.printf(", %d already finished earlier", earlier)
	}
	ew.printf(".\nJournal: %s\n", Terminal(journal))
	if needsFix > 0 {
		ew.printf("%d failed change(s) cannot succeed as things stand: fix what each line names first, then run the same command again.\n", needsFix)
	}
	if failed > needsFix {
		ew.printf("Some changes failed; see the journal. Running the same command again retries them (done ones are not repeated).\n")
	}
	return ew.err
}

// WriteApplyNotes prints the freshness check's notes (a newer snapshot
// exists: apply works against the plan's own).
func WriteApplyNotes(w io.Writer, notes []string) error {
	ew := &errWriter{w: w}
	for _, n := range notes {
		ew.printf("Note: %s.\n", TerminalText(n))
	}
	return ew.err
}

// WriteNoChanges says a plan has no actions.
func WriteNoChanges(w io.Writer) error {
	_, err := fmt.Fprintln(w, "No changes: the plan has no actions.")
	return err
}

// WriteApplyBegin heads one profile's apply: how many actions, the journal,
// and how many a partial approval (described by approval) leaves out.
func WriteApplyBegin(w io.Writer, profile string, approved, notApproved int, journal, approval string) error {
	ew := &errWriter{w: w}
	ew.printf("\nApplying %d action(s) to profile %q (journal %s)\n", approved, profile, journal)
	if notApproved > 0 {
		ew.printf("Partial approval (%s): %d action(s) of the plan are not approved and are journalled as such.\n", approval, notApproved)
	}
	return ew.err
}

// WriteNotApproved closes a partially approved profile's apply.
func WriteNotApproved(w io.Writer, notApproved int, approval string) error {
	if notApproved == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "%d action(s) not approved (%s): run apply on the same plan with another approval to carry them out.\n", notApproved, approval)
	return err
}

// WriteUndoListed lists one change undo is about to put back: the licence
// (and the group rejoined, for a group removal) back to the user.
func WriteUndoListed(w io.Writer, sku, user, groupID, actionID string) error {
	what := sku
	if groupID != "" {
		what += " (rejoin group " + groupID + ")"
	}
	_, err := fmt.Fprintf(w, "  + %s back to %s (action %s)\n", Terminal(what), Terminal(user), Terminal(actionID))
	return err
}

// WriteNothingToUndo says the journal shows no change done.
func WriteNothingToUndo(w io.Writer) error {
	_, err := fmt.Fprintln(w, "Nothing to undo: the journal shows no change done.")
	return err
}

// WriteExportWarning says a journal's Parquet export failed (the JSONL
// journal is the record).
func WriteExportWarning(w io.Writer, err error) error {
	_, werr := fmt.Fprintf(w, "Warning: journal Parquet export failed: %s\n", TerminalText(err.Error()))
	return werr
}

// ApplyProgress is the heartbeat of a long apply or undo: how many of its
// actions have an outcome and how fast they come.
type ApplyProgress struct {
	Finished, Total int
	Elapsed         time.Duration
}

// WriteApplyProgress prints one heartbeat line: finished of total, the rate
// so far and the time left at that rate.
func WriteApplyProgress(w io.Writer, p ApplyProgress) error {
	line := fmt.Sprintf("… %s of %s action(s) finished", Thousands(p.Finished), Thousands(p.Total))
	if p.Total > 0 {
		line += fmt.Sprintf(" (%.0f%%)", 100*float64(p.Finished)/float64(p.Total))
	}
	line += " in " + p.Elapsed.Round(time.Second).String()
	if secs := p.Elapsed.Seconds(); secs > 0 && p.Finished > 0 {
		perSec := float64(p.Finished) / secs
		line += fmt.Sprintf(", %.1f per second", perSec)
		if left := p.Total - p.Finished; left > 0 {
			line += ", about " + time.Duration(float64(left)/perSec*float64(time.Second)).Round(time.Second).String() + " left"
		}
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
