package act

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/plan"
	"github.com/reclaimhq/reclaim/schemas"
)

// RefusedError says why apply would not start and what to do instead.
type RefusedError struct {
	Reasons []string
	Fix     string
}

func (e *RefusedError) Error() string {
	s := "apply refused:\n  - " + strings.Join(e.Reasons, "\n  - ")
	if e.Fix != "" {
		s += "\n" + e.Fix
	}
	return s
}

// Preflight checks a plan against the configuration's safety limits before
// anything is read or changed: every action's rule still exists, no rule has
// more actions than its max_actions, data-at-risk, group and one-way removals
// only where the rule allows them (or, for one-way, allowOneWay: apply
// --allow-one-way), and the profile's reclaim task is on.
func Preflight(p *plan.Plan, cfg *config.Config, approval Approval, allowOneWay bool) error {
	rules := rulesByName(cfg)
	var reasons []string
	perRule := map[string]int{}
	for _, a := range p.Actions {
		// max_actions bounds what a rule planned, approved or not: a rule
		// that makes too many actions is misconfigured, and approving it
		// in slices must not get around the bound.
		perRule[a.Rule]++
		// Every other check is about carrying the action out, so only
		// approved actions count: leaving a one-way or data-at-risk action
		// out of the approval lets the rest of the plan go.
		if !approval.Approves(a) {
			continue
		}
		r := rules[a.Rule]
		prof := cfg.Profiles[a.Profile]
		switch {
		case prof == nil:
			reasons = append(reasons, fmt.Sprintf("action %s: profile %q is not in the configuration", a.ID, a.Profile))
		case !prof.Tasks.ReclaimSubscriptions:
			reasons = append(reasons, fmt.Sprintf("action %s: profile %q has reclaim_subscriptions off", a.ID, a.Profile))
		}
		switch {
		case r == nil:
			reasons = append(reasons, fmt.Sprintf("action %s: rule %q is not in the configuration", a.ID, a.Rule))
			continue
		case r.Action != config.ActionRemoveLicense:
			reasons = append(reasons, fmt.Sprintf("action %s: rule %q is report-only", a.ID, a.Rule))
		}
		if a.DataAtRisk && !r.AllowDataAtRisk {
			reasons = append(reasons, fmt.Sprintf("%s from %s: the mailbox or OneDrive holds data and rule %q does not set allow_data_at_risk", a.SkuPartNumber, a.UserPrincipalName, r.Name))
		}
		if len(a.OneWayReasons) > 0 && !oneWayAccepted(r, allowOneWay) {
			reasons = append(reasons, fmt.Sprintf("%s from %s is one-way (%s): rule %q does not set allow_one_way and --allow-one-way was not given", a.SkuPartNumber, a.UserPrincipalName, strings.Join(a.OneWayReasons, "; "), r.Name))
		}
		if a.Operation == plan.OpRemoveFromGroup && !r.AllowGroupRemoval {
			reasons = append(reasons, fmt.Sprintf("%s from %s: removal from group %s needs allow_group_removal on rule %q", a.SkuPartNumber, a.UserPrincipalName, a.GroupID, r.Name))
		}
	}
	names := make([]string, 0, len(perRule))
	for n := range perRule {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if r := rules[n]; r != nil && r.MaxActions > 0 && perRule[n] > r.MaxActions {
			reasons = append(reasons, fmt.Sprintf("rule %q has %d actions, more than its max_actions = %d", n, perRule[n], r.MaxActions))
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return &RefusedError{Reasons: reasons, Fix: "Nothing was changed. Adjust the rule (max_actions, allow_data_at_risk, allow_group_removal, allow_one_way) or its scope, then run \"reclaim plan\" again; for one-way removals, fix what makes them one-way (set the usageLocation, renew the subscription) or accept them with apply --allow-one-way."}
}

// ApplyOptions are the inputs of ApplyActions.
type ApplyOptions struct {
	Plan   *plan.Plan
	Config *config.Config
	// Directories returns the live directory of a profile.
	Directories func(profile string) (Directory, error)
	// Profile, when set, limits the run to that profile's actions (each
	// profile has its own journal under OUT/<profile>/journal/).
	Profile string
	// Approval is the part of the plan to carry out; the zero value is all
	// of it. Actions left out are journalled as schemas.PhaseNotApproved.
	Approval Approval
	Journal  *Journal
	// AllowOneWay accepts one-way removals whatever their rule says
	// (apply --allow-one-way).
	AllowOneWay bool
	// LiveExclusions returns the names of the exclusions whose `when` is
	// true for a user as just re-read live (cmd/reclaim wires the
	// transform's WhenEvaluator). It is called before every change of a
	// profile that has `when` exclusions; an error fails that action,
	// unchanged; it is called from several workers at once, so it must be
	// safe for concurrent use. Nil: Apply refuses a plan whose profile has any.
	LiveExclusions func(ctx context.Context, u schemas.User) ([]string, error)
	RunOptions
}

// ApplyActions carries out the actions of a plan that passed CheckFresh and
// Preflight, for one profile and its journal (Apply is the whole command). Before each
// change it re-reads the user and skips, recording why, when the licence is
// gone, is now group-inherited, the user shows a sign-in newer than the
// plan's evidence, or an exclusion now matches. Actions the journal already
// shows done or skipped are not repeated.
func ApplyActions(ctx context.Context, o ApplyOptions) (*Result, error) {
	if err := Preflight(o.Plan, o.Config, o.Approval, o.AllowOneWay); err != nil {
		return nil, err
	}
	if err := o.Approval.Check(o.Plan); err != nil {
		return nil, err
	}
	rules := rulesByName(o.Config)
	steps := make([]step, 0, len(o.Plan.Actions))
	var mine []plan.Action
	for _, a := range o.Plan.Actions {
		if o.Profile != "" && a.Profile != o.Profile {
			continue
		}
		mine = append(mine, a)
		if o.Approval.Approves(a) {
			s := applyStep(o.Plan.ID, a, o.Config, oneWayAccepted(rules[a.Rule], o.AllowOneWay))
			if whenExclusions(o.Config.Exclusions, a.Profile) {
				if o.LiveExclusions == nil {
					return nil, fmt.Errorf("apply: profile %q has exclusions with a when and no live evaluator for them", a.Profile)
				}
				s.prepare = liveWhen(o.LiveExclusions)
			}
			steps = append(steps, s)
		}
	}
	left, err := journalNotApproved(o.Journal, o.Plan.ID, mine, o.Approval)
	if err != nil {
		return nil, err
	}
	res, err := execute(ctx, steps, o.Directories, o.Journal, o.RunOptions)
	if res != nil {
		res.NotApproved = left
	}
	return res, err
}

func entryFor(kind, planID string, a plan.Action) schemas.JournalEntry {
	return schemas.JournalEntry{
		Kind: kind, PlanID: planID, ActionID: a.ID, Operation: string(a.Operation), Profile: a.Profile,
		UserID: a.UserID, UserPrincipalName: a.UserPrincipalName, SkuID: a.SkuID, SkuPartNumber: a.SkuPartNumber,
		GroupID: a.GroupID, DisabledPlans: a.DisabledPlans, Rule: a.Rule, MonthlySaving: a.MonthlySaving, Currency: a.Currency,
	}
}

// oneWayOK: a removal that turns out one-way live is still made
// (oneWayAccepted for the action's rule).
func applyStep(planID string, a plan.Action, cfg *config.Config, oneWayOK bool) step {
	s := step{
		id: a.ID, profile: a.Profile, userID: a.UserID, entry: entryFor(schemas.JournalApply, planID, a),
		transitiveMemberOf: exclusionGroups(cfg.Exclusions, a.Profile),
	}
	if a.Operation == plan.OpRemoveFromGroup {
		s.memberOf = []string{a.GroupID}
	}
	// Common preconditions: exclusions and activity newer than the evidence.
	common := func(u *LiveUser) string {
		if x := Excluded(cfg.Exclusions, a.Profile, u, a.SkuID, a.SkuPartNumber); x != nil {
			return excludedReason(x, u)
		}
		if u.LastSignIn != nil {
			since := a.Evidence.LastSignIn
			if since == nil {
				since = a.Evidence.LastActivity
			}
			// A minute of slack absorbs timestamp precision lost in the
			// snapshot (milli/microseconds); a real new sign-in is later.
			if since == nil || u.LastSignIn.After(since.Add(time.Minute)) {
				was := "none"
				if since != nil {
					was = since.UTC().Format(time.DateOnly)
				}
				return fmt.Sprintf("the user signed in on %s, after the plan's evidence (last activity %s)", u.LastSignIn.UTC().Format(time.DateOnly), was)
			}
		}
		return ""
	}
	switch a.Operation {
	case plan.OpRemoveLicense:
		s.inPlaceDetail = "the licence is no longer assigned directly"
		s.check = func(u *LiveUser) (bool, string) {
			groups := u.InheritedFrom(a.SkuID)
			if u.Direct(a.SkuID) == nil {
				if len(groups) > 0 {
					return false, "the licence is now inherited from group " + strings.Join(groups, ", ") + ", not assigned directly"
				}
				return true, ""
			}
			if len(groups) > 0 {
				return false, "the licence is now also inherited from group " + strings.Join(groups, ", ") + "; removing the direct assignment would free no seat"
			}
			// The snapshot may predate a usageLocation being cleared: the
			// live user decides whether undo could assign the licence again.
			if why := common(u); why != "" {
				return false, why
			}
			if u.UsageLocation == "" && !oneWayOK {
				return false, "the removal is now one-way: the user has no usageLocation, so undo could not assign the licence again; set it, or accept with allow_one_way / --allow-one-way"
			}
			return false, ""
		}
		s.record = func(u *LiveUser, e *schemas.JournalEntry) {
			if l := u.Direct(a.SkuID); l != nil {
				// Undo restores what was live just before the change.
				e.DisabledPlans = append([]string{}, l.DisabledPlans...)
			}
		}
		s.exec = func(ctx context.Context, d Directory) error {
			return d.ChangeLicenses(ctx, LicenseChange{UserID: a.UserID, Remove: []string{a.SkuID}})
		}
	case plan.OpRemoveFromGroup:
		s.inPlaceDetail = "the user is no longer a member of group " + a.GroupID
		s.check = func(u *LiveUser) (bool, string) {
			if !u.IsMemberOf(a.GroupID) {
				return true, ""
			}
			if !containsFold(u.InheritedFrom(a.SkuID), a.GroupID) {
				return false, "the licence is no longer inherited from group " + a.GroupID
			}
			if u.Direct(a.SkuID) != nil {
				return false, "the licence is now also assigned directly; leaving the group would free no seat"
			}
			return false, common(u)
		}
		s.exec = func(ctx context.Context, d Directory) error {
			return d.ChangeMembership(ctx, MembershipChange{GroupID: a.GroupID, UserID: a.UserID})
		}
	}
	return s
}

// liveWhen fills the live user's WhenMatched from its raw users row.
func liveWhen(eval func(context.Context, schemas.User) ([]string, error)) func(context.Context, *LiveUser) error {
	return func(ctx context.Context, u *LiveUser) error {
		if u.Row == nil {
			return fmt.Errorf("the live read of %s returned none of the users columns a when reads", u.ID)
		}
		names, err := eval(ctx, *u.Row)
		if err != nil {
			return err
		}
		u.WhenMatched = names
		return nil
	}
}

// oneWayAccepted reports whether a one-way removal of rule r may be made:
// the rule sets allow_one_way, or apply was given --allow-one-way.
func oneWayAccepted(r *config.ReclaimRule, allowOneWay bool) bool {
	return allowOneWay || (r != nil && r.AllowOneWay)
}

// rulesByName indexes the configuration's reclaim rules by name.
func rulesByName(cfg *config.Config) map[string]*config.ReclaimRule {
	rules := make(map[string]*config.ReclaimRule, len(cfg.ReclaimRules))
	for _, r := range cfg.ReclaimRules {
		rules[r.Name] = r
	}
	return rules
}
