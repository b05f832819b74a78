package act

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// Approval is the part of a plan a reviewer approved. The zero value
// approves every action. Actions, Users and Rules each narrow the
// selection when set (an action must match every list given); ExcludeActions
// then removes actions from it. Users match a user id or UPN, ignoring case.
type Approval struct {
	Actions, ExcludeActions, Users, Rules []string
}

// IsZero reports whether the approval is the whole plan.
func (ap Approval) IsZero() bool {
	return len(ap.Actions)+len(ap.ExcludeActions)+len(ap.Users)+len(ap.Rules) == 0
}

// String is the approval as the flags that gave it, for the journal and the
// summary.
func (ap Approval) String() string {
	var parts []string
	add := func(flag string, vals []string) {
		for _, v := range vals {
			parts = append(parts, flag+" "+v)
		}
	}
	add("--action", ap.Actions)
	add("--exclude-action", ap.ExcludeActions)
	add("--user", ap.Users)
	add("--rule", ap.Rules)
	return strings.Join(parts, " ")
}

// Check refuses an approval naming an action, user or rule the plan does not
// have (a typo would otherwise approve nothing, or everything but nothing),
// and one that leaves no action approved.
func (ap Approval) Check(p *plan.Plan) error {
	var reasons []string
	for _, id := range append(append([]string{}, ap.Actions...), ap.ExcludeActions...) {
		if p.Action(id) == nil {
			reasons = append(reasons, fmt.Sprintf("action %q is not in plan %s", id, p.ID))
		}
	}
	for _, u := range ap.Users {
		if !slices.ContainsFunc(p.Actions, func(a plan.Action) bool { return matchesUser(a, u) }) {
			reasons = append(reasons, fmt.Sprintf("user %q has no action in plan %s", u, p.ID))
		}
	}
	for _, r := range ap.Rules {
		if !slices.ContainsFunc(p.Actions, func(a plan.Action) bool { return a.Rule == r }) {
			reasons = append(reasons, fmt.Sprintf("rule %q has no action in plan %s", r, p.ID))
		}
	}
	if len(reasons) == 0 && !ap.IsZero() && !slices.ContainsFunc(p.Actions, func(a plan.Action) bool { return ap.Approves(a) }) {
		reasons = append(reasons, "the approval ("+ap.String()+") leaves no action of the plan approved")
	}
	if len(reasons) == 0 {
		return nil
	}
	return &RefusedError{Reasons: reasons, Fix: "Nothing was changed. Use the action ids, users and rules \"reclaim show PLAN\" lists."}
}

// Approves reports whether the approval covers an action.
func (ap Approval) Approves(a plan.Action) bool {
	switch {
	case len(ap.Actions) > 0 && !slices.Contains(ap.Actions, a.ID):
		return false
	case len(ap.Users) > 0 && !slices.ContainsFunc(ap.Users, func(u string) bool { return matchesUser(a, u) }):
		return false
	case len(ap.Rules) > 0 && !slices.Contains(ap.Rules, a.Rule):
		return false
	}
	return !slices.Contains(ap.ExcludeActions, a.ID)
}

func matchesUser(a plan.Action, u string) bool {
	return strings.EqualFold(a.UserID, u) || strings.EqualFold(a.UserPrincipalName, u)
}

// journalNotApproved records each action the approval leaves out that the
// journal has no other entry for: an entry already there (done, skipped,
// failed, or an intent a later apply must resolve) is never hidden behind a
// not-approved line. It returns how many actions were left out.
func journalNotApproved(j *Journal, planID string, actions []plan.Action, ap Approval) (int, error) {
	if ap.IsZero() {
		return 0, nil
	}
	last := LastByAction(j.Entries())
	n := 0
	for _, a := range actions {
		if ap.Approves(a) {
			continue
		}
		n++
		detail := "not approved in this apply (" + ap.String() + ")"
		if e, ok := last[a.ID]; ok && (e.Phase != schemas.PhaseNotApproved || e.Detail == detail) {
			continue
		}
		e := entryFor(schemas.JournalApply, planID, a)
		e.Phase, e.Detail = schemas.PhaseNotApproved, detail
		if err := j.Append(e); err != nil {
			return n, err
		}
	}
	return n, nil
}
