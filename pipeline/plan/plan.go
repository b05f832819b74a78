// Package plan is the plan as plain data: the Operation enum, the Action and
// Review rows a plan holds, the versioned plan file and the checks that make
// apply refuse a plan whose inputs have changed since it was made.
//
// A plan records the digests of everything it was planned from (the
// configuration and, per profile, the snapshot's run manifest and
// recommendations file), so apply can prove it is carrying out exactly what
// was reviewed. It never holds a credential: every field is either an
// identifier, a digest, a date or a number.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// FormatVersion is the version of the plan file layout. Read refuses any other
// version: a plan is short-lived, so re-planning is always the fix.
const FormatVersion = 1

// Operation is what one Action changes in the tenant.
type Operation string

const (
	// OpRemoveLicense removes a directly assigned licence with assignLicense.
	OpRemoveLicense Operation = "remove_license"
	// OpRemoveFromGroup removes the user from the group a licence is
	// inherited from; only planned where the rule sets allow_group_removal.
	OpRemoveFromGroup Operation = "remove_from_group"

	// The undo journal's operations, each putting back one of the above;
	// never an Action's.
	OpAddLicense Operation = "add_license"  // undoes remove_license
	OpAddToGroup Operation = "add_to_group" // undoes remove_from_group
)

// Valid reports whether o is an operation a plan Action may have.
func (o Operation) Valid() bool { return o == OpRemoveLicense || o == OpRemoveFromGroup }

// Plan is the whole reviewable plan. The zero value is an empty plan with no
// recorded inputs; Build in stages/act fills it.
type Plan struct {
	FormatVersion int       `json:"format_version"`
	ToolVersion   string    `json:"tool_version"`
	CreatedAt     time.Time `json:"created_at"`
	// ID identifies this plan (a digest of its inputs and actions); the
	// journal of its apply is named after it.
	ID string `json:"id"`
	// ConfigDigest is "sha256:<hex>" of the configuration planned from.
	ConfigDigest string `json:"config_digest"`
	// ConfigPath is the configuration (directory or file) planned from,
	// absolute; apply and undo load it unless told otherwise.
	ConfigPath string `json:"config_path"`
	// OutputDir is the absolute output directory the plan's snapshots are
	// under; apply and undo use it, so a plan applied from another working
	// directory or without -var still finds its snapshot. Empty in plans
	// made before it was recorded.
	OutputDir string `json:"output_dir,omitempty"`
	// Variables are the values of the non-sensitive input variables set by
	// -var or RECLAIM_VAR_NAME when the plan was made; apply and undo use
	// them unless -var says otherwise. Sensitive values are never stored:
	// SensitiveVariables names those apply needs again.
	Variables          map[string]string `json:"variables,omitempty"`
	SensitiveVariables []string          `json:"sensitive_variables,omitempty"`
	// Sources lists, per profile whose reclaim task is on, the snapshot the
	// plan was built from. Sorted by profile.
	Sources []Source `json:"sources"`
	// Actions are the changes apply will make, sorted by profile, UPN, SKU.
	Actions []Action `json:"actions"`
	// Reviews are rows a person should see but apply never acts on:
	// report-only rules, review recommendations and blocked changes.
	Reviews []Review `json:"reviews"`
	// ActionsDigest is "sha256:<hex>" over the canonical encoding of
	// Actions (see ActionsDigest): what a reviewer approves and
	// apply --expect-digest checks. Read recomputes it and refuses a file
	// whose recorded digest does not match its actions.
	ActionsDigest string `json:"actions_digest,omitempty"`
	// Totals are derived from Actions and Reviews; Read recomputes them, so
	// a hand-edited file cannot show totals other than its rows'.
	Totals Totals `json:"totals"`
	// Warnings are what a reviewer must see before applying: problems apply
	// will refuse on (e.g. more actions than a rule's max_actions), shown at
	// plan time so they can be fixed early, and a latest run that did not
	// end ok.
	Warnings []string `json:"warnings"`
}

// Source is the snapshot one profile's actions were planned from.
type Source struct {
	Profile string `json:"profile"`
	// SnapshotID is the run id that produced the snapshot.
	SnapshotID   string `json:"snapshot_id"`
	SnapshotDate string `json:"snapshot_date"` // YYYY-MM-DD
	// ManifestPath is relative to the output directory.
	ManifestPath   string `json:"manifest_path"`
	ManifestDigest string `json:"manifest_digest"`
	// RecommendationsPath is relative to the output directory.
	RecommendationsPath   string `json:"recommendations_path"`
	RecommendationsDigest string `json:"recommendations_digest"`
}

// Action is one change. Everything apply needs to carry it out, check it
// live and undo it is in the action itself.
type Action struct {
	ID                string `json:"id"`
	Profile           string `json:"profile"`
	UserID            string `json:"user_id"`
	UserPrincipalName string `json:"user_principal_name"`
	SkuID             string `json:"sku_id"`
	SkuPartNumber     string `json:"sku_part_number"`
	// SkuName is the product's friendly name ("Microsoft 365 E3") from the
	// SKU catalogue at plan time, for people; empty when the catalogue does
	// not know the part number. Apply neither reads nor verifies it.
	SkuName   string    `json:"sku_name,omitempty" verify:"-"`
	Operation Operation `json:"operation"`
	// GroupID is the licensing group's object id for OpRemoveFromGroup.
	GroupID  string   `json:"group_id,omitempty"`
	Rule     string   `json:"rule"`
	Reason   string   `json:"reason"`
	Evidence Evidence `json:"evidence"`
	// DisabledPlans are the service plans switched off on the licence, so
	// undo can put it back exactly as it was.
	DisabledPlans []string `json:"disabled_plans"`
	MonthlySaving float64  `json:"monthly_saving"`
	Currency      string   `json:"currency,omitempty"`
	// DataAtRisk: the licence carries Exchange Online or OneDrive and the
	// user's mailbox or OneDrive holds data. Apply refuses such an action
	// unless its rule sets allow_data_at_risk.
	DataAtRisk bool `json:"data_at_risk"`
	// OneWayReasons say why undo could not put the licence back as things
	// stand (the user has no usageLocation; the subscription is not
	// Enabled, has seats in warning, or has no seat to re-add), from the
	// snapshot. Apply refuses such an action unless its rule sets
	// allow_one_way or apply is given --allow-one-way, and re-checks the
	// user's usageLocation live. Empty: undo can reverse it.
	OneWayReasons []string `json:"one_way_reasons,omitempty"`
}

// Evidence is why the user counts as inactive, as seen in the snapshot.
type Evidence struct {
	// LastActivity is the newest activity over the signals the rule counts;
	// nil means none was ever seen.
	LastActivity       *time.Time `json:"last_activity"`
	LastActivitySource string     `json:"last_activity_source,omitempty"`
	// DaysInactive is measured against each source's refresh date; nil
	// when no activity was ever seen.
	DaysInactive *int64 `json:"days_inactive"`
	// Threshold is the rule's inactive_days.
	Threshold int64 `json:"threshold_days"`
	// LastSignIn is the newest sign-in of any kind in the snapshot; apply
	// skips the action when the live user shows a newer one.
	LastSignIn *time.Time       `json:"last_sign_in"`
	Signals    []SignalEvidence `json:"signals"`
	// SnapshotDate and AsOf are the snapshot's date and the date inactivity
	// was measured at.
	AsOf string `json:"as_of,omitempty"`
}

// SignalEvidence is the last activity seen in one signal and how fresh that
// source was.
type SignalEvidence struct {
	Signal       string     `json:"signal"`
	LastActivity *time.Time `json:"last_activity"`
	// RefreshDate is the report's refresh date (usage reports lag 2–3 days).
	RefreshDate *time.Time `json:"refresh_date,omitempty"`
	// Unknown: the signal could not be trusted in this snapshot.
	Unknown bool `json:"unknown,omitempty"`
}

// ReviewKind says why a Review row is not an action.
type ReviewKind string

const (
	ReviewReportOnly ReviewKind = "report"   // the rule's action is "report"
	ReviewReview     ReviewKind = "review"   // the recommendation asks a person to look
	ReviewBlocked    ReviewKind = "blocked"  // a change the rule does not allow (group, data at risk)
	ReviewExcluded   ReviewKind = "excluded" // an exclusion matched at plan time
)

// Review is a recommendation listed in the plan that apply never acts on.
type Review struct {
	Profile           string     `json:"profile"`
	UserID            string     `json:"user_id"`
	UserPrincipalName string     `json:"user_principal_name"`
	SkuID             string     `json:"sku_id"`
	SkuPartNumber     string     `json:"sku_part_number"`
	SkuName           string     `json:"sku_name,omitempty" verify:"-"` // as Action.SkuName
	Kind              ReviewKind `json:"kind"`
	GroupID           string     `json:"group_id,omitempty"`
	Rule              string     `json:"rule"`
	Reason            string     `json:"reason"`
	MonthlySaving     float64    `json:"monthly_saving"`
	Currency          string     `json:"currency,omitempty"`
	DataAtRisk        bool       `json:"data_at_risk"`
}

// Totals summarise a plan. Savings are per currency because prices may be
// written in several.
type Totals struct {
	Actions         int                `json:"actions"`
	RemoveLicense   int                `json:"remove_license"`
	RemoveFromGroup int                `json:"remove_from_group"`
	DataAtRisk      int                `json:"data_at_risk"`
	OneWay          int                `json:"one_way"`
	Reviews         int                `json:"reviews"`
	MonthlySaving   map[string]float64 `json:"monthly_saving"`
	ByProfile       map[string]int     `json:"by_profile"`
}

// ActionID is the stable id of a change: the same profile, user, SKU,
// operation and snapshot always give the same id, so a re-plan of an
// unchanged snapshot lists the same ids and a journal can be matched to it.
func ActionID(profile, userID, skuID string, op Operation, snapshotID string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{profile, userID, strings.ToLower(skuID), string(op), snapshotID}, "\x00")))
	return hex.EncodeToString(h[:8])
}

// Finish sorts the rows, fills Totals and computes the plan ID. Call it after
// the last row is added.
func (p *Plan) Finish() {
	sort.Slice(p.Sources, func(i, j int) bool { return p.Sources[i].Profile < p.Sources[j].Profile })
	sort.SliceStable(p.Actions, func(i, j int) bool {
		a, b := p.Actions[i], p.Actions[j]
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.UserPrincipalName != b.UserPrincipalName {
			return a.UserPrincipalName < b.UserPrincipalName
		}
		if a.SkuPartNumber != b.SkuPartNumber {
			return a.SkuPartNumber < b.SkuPartNumber
		}
		return a.ID < b.ID
	})
	sort.SliceStable(p.Reviews, func(i, j int) bool {
		a, b := p.Reviews[i], p.Reviews[j]
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.UserPrincipalName != b.UserPrincipalName {
			return a.UserPrincipalName < b.UserPrincipalName
		}
		return a.SkuPartNumber < b.SkuPartNumber
	})
	if p.Actions == nil {
		p.Actions = []Action{}
	}
	if p.Reviews == nil {
		p.Reviews = []Review{}
	}
	if p.Warnings == nil {
		p.Warnings = []string{}
	}
	p.Totals = p.ComputeTotals()
	p.ActionsDigest = ActionsDigest(p.Actions)
	p.ID = p.computeID()
}

// ComputeTotals derives the totals from the plan's rows.
func (p *Plan) ComputeTotals() Totals {
	t := Totals{MonthlySaving: map[string]float64{}, ByProfile: map[string]int{}}
	for _, a := range p.Actions {
		t.Actions++
		switch a.Operation {
		case OpRemoveLicense:
			t.RemoveLicense++
		case OpRemoveFromGroup:
			t.RemoveFromGroup++
		}
		if a.DataAtRisk {
			t.DataAtRisk++
		}
		if len(a.OneWayReasons) > 0 {
			t.OneWay++
		}
		if a.MonthlySaving != 0 {
			t.MonthlySaving[currencyOr(a.Currency)] += a.MonthlySaving
		}
		t.ByProfile[a.Profile]++
	}
	t.Reviews = len(p.Reviews)
	return t
}

// computeID is the plan id: a digest of its inputs and action ids.
func (p *Plan) computeID() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00", p.FormatVersion, p.CreatedAt.UTC().Format(time.RFC3339Nano), p.ConfigDigest)
	for _, s := range p.Sources {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", s.Profile, s.SnapshotID, s.ManifestDigest, s.RecommendationsDigest)
	}
	for _, a := range p.Actions {
		fmt.Fprintf(h, "%s\x00", a.ID)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ActionsDigest is "sha256:<hex>" over the actions as the plan file encodes
// them (JSON, in plan order): every field of every action counts, so a
// reviewer who approves the digest approves exactly those changes.
func ActionsDigest(actions []Action) string {
	if actions == nil {
		actions = []Action{}
	}
	b, err := json.Marshal(actions)
	if err != nil {
		// Actions are plain data; Marshal fails only on a programming error.
		panic(fmt.Sprintf("encoding plan actions: %v", err))
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Action returns the action with the given id, or nil.
func (p *Plan) Action(id string) *Action {
	for i := range p.Actions {
		if p.Actions[i].ID == id {
			return &p.Actions[i]
		}
	}
	return nil
}

// Source returns the source of a profile, or nil.
func (p *Plan) Source(profile string) *Source {
	for i := range p.Sources {
		if p.Sources[i].Profile == profile {
			return &p.Sources[i]
		}
	}
	return nil
}

// HasChanges reports whether apply would change anything.
func (p *Plan) HasChanges() bool { return len(p.Actions) > 0 }

func currencyOr(c string) string {
	if c == "" {
		return "USD"
	}
	return c
}
