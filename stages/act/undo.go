package act

import (
	"context"
	"fmt"
	"slices"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// UndoOptions are the inputs of UndoActions.
type UndoOptions struct {
	// Applied is the apply journal to undo.
	Applied []schemas.JournalEntry
	// ActionIDs limits undo to these actions; empty means every done one.
	ActionIDs   []string
	Directories func(profile string) (Directory, error)
	// Journal is the undo journal (UndoJournalPath of the apply journal).
	Journal *Journal
	RunOptions
}

// UndoActions puts back what an apply journal shows done (Undo is the whole
// command): each removed licence with
// the disabled plans it had just before removal, each removed group
// membership. It is journalled and resumable like apply; a licence or
// membership already back is skipped.
func UndoActions(ctx context.Context, o UndoOptions) (*Result, error) {
	last := LastByAction(o.Applied)
	var ids []string
	seen := map[string]bool{}
	for _, e := range o.Applied {
		if e.Kind == schemas.JournalApply && !seen[e.ActionID] {
			seen[e.ActionID] = true
			ids = append(ids, e.ActionID)
		}
	}
	for _, want := range o.ActionIDs {
		if _, ok := last[want]; !ok {
			return nil, fmt.Errorf("action %s is not in the journal", want)
		}
		if last[want].Phase != schemas.PhaseDone {
			return nil, fmt.Errorf("action %s was not done (journal says %s), there is nothing to undo", want, last[want].Phase)
		}
	}
	var steps []step
	for _, id := range ids {
		e := last[id]
		if e.Phase != schemas.PhaseDone || (len(o.ActionIDs) > 0 && !slices.Contains(o.ActionIDs, id)) {
			continue
		}
		steps = append(steps, undoStep(e))
	}
	return execute(ctx, steps, o.Directories, o.Journal, o.RunOptions)
}

func undoStep(done schemas.JournalEntry) step {
	e := done
	e.Kind, e.Seq, e.Detail, e.Attempts = schemas.JournalUndo, 0, "", 0
	e.DisabledPlans = append([]string{}, done.DisabledPlans...)
	s := step{id: done.ActionID, profile: done.Profile, userID: done.UserID}
	switch plan.Operation(done.Operation) {
	case plan.OpRemoveLicense:
		e.Operation = string(plan.OpAddLicense)
		s.inPlaceDetail = "the licence is assigned directly again"
		s.check = func(u *LiveUser) (bool, string) { return u.Direct(done.SkuID) != nil, "" }
		s.exec = func(ctx context.Context, d Directory) error {
			return d.ChangeLicenses(ctx, LicenseChange{UserID: done.UserID, Add: []AssignedLicense{{SkuID: done.SkuID, DisabledPlans: e.DisabledPlans}}})
		}
	case plan.OpRemoveFromGroup:
		e.Operation = string(plan.OpAddToGroup)
		s.memberOf = []string{done.GroupID}
		s.inPlaceDetail = "the user is a member of group " + done.GroupID + " again"
		s.check = func(u *LiveUser) (bool, string) { return u.IsMemberOf(done.GroupID), "" }
		s.exec = func(ctx context.Context, d Directory) error {
			return d.ChangeMembership(ctx, MembershipChange{GroupID: done.GroupID, UserID: done.UserID, Add: true})
		}
	default:
		s.check = func(*LiveUser) (bool, string) { return false, "cannot undo operation " + done.Operation }
	}
	s.entry = e
	return s
}
