// Package act turns curated recommendations into a plan and carries a plan
// out against the tenant: live re-checks before each change, bounded
// concurrency within Graph's write budget, an fsync'd journal that makes a
// crashed apply resumable, and undo from that journal. Plan, Apply and Undo
// (commands.go) own each command from request to result; cmd/reclaim only
// parses flags and wires the lock, the live directory, the prompt and the view.
//
// It talks to the tenant only through Directory, so the engine is the same
// over Graph, the simulated tenant or a test fake.
package act

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/schemas"
)

// Directory is what apply and undo need from the tenant. Implementations must
// be safe for concurrent use. GetUser is called before every change and to
// resolve an intent left by a crash; ChangeLicenses and ChangeMembership each
// make exactly one change attempt and report ambiguous failures (timeouts,
// 5xx) as errors for which IsAmbiguous is true, so the engine can re-read the
// user before deciding whether a retry is safe.
type Directory interface {
	// GetUser reads one user live. It returns an error wrapping ErrNotFound
	// when the user does not exist.
	GetUser(ctx context.Context, req UserRequest) (*LiveUser, error)
	// ChangeLicenses is assignLicense: add and remove licences of one user.
	ChangeLicenses(ctx context.Context, ch LicenseChange) error
	// ChangeMembership adds the user to or removes the user from a group.
	ChangeMembership(ctx context.Context, ch MembershipChange) error
}

// UserRequest names the user to read and the group memberships to check.
type UserRequest struct {
	UserID string
	// MemberOf lists groups whose direct membership to check (the
	// licensing group of a group removal).
	MemberOf []string
	// TransitiveMemberOf lists groups whose direct-or-nested membership to
	// check (exclusions naming groups).
	TransitiveMemberOf []string
	// Attributes asks for every raw users column too (LiveUser.Row): an
	// exclusion's `when` is re-checked against them.
	Attributes bool
}

// LiveUser is a user as the tenant shows it now.
type LiveUser struct {
	ID                string
	UserPrincipalName string
	AccountEnabled    bool
	// UsageLocation is the two-letter country code; "" when unset, and then
	// no licence can be assigned to the user (undo of a removal fails).
	UsageLocation string
	// Licenses holds one entry per assignment path (licenseAssignmentStates):
	// the same SKU appears once directly and once per licensing group.
	Licenses []LiveLicense
	// LastSignIn is the newest successful sign-in in signInActivity
	// (lastSuccessfulSignInDateTime, lastNonInteractiveSignInDateTime); nil
	// when none is known.
	LastSignIn *time.Time
	// MemberOf and TransitiveMemberOf are the groups of the request's lists
	// that the user is a member of (directly, or directly or through nesting).
	MemberOf           []string
	TransitiveMemberOf []string
	// Row is the user as a raw users row (the columns a `when` reads),
	// read live; nil unless the request asked for Attributes.
	Row *schemas.User
	// WhenMatched names the exclusions whose `when` is true for Row; apply
	// fills it (ApplyOptions.LiveExclusions) before its checks.
	WhenMatched []string
}

// LiveLicense is one assignment path of a licence.
type LiveLicense struct {
	SkuID string
	// AssignedByGroup is empty for a direct assignment.
	AssignedByGroup string
	DisabledPlans   []string
	State           string
}

// Direct returns the direct assignment of sku, or nil.
func (u *LiveUser) Direct(sku string) *LiveLicense {
	for i, l := range u.Licenses {
		if strings.EqualFold(l.SkuID, sku) && l.AssignedByGroup == "" {
			return &u.Licenses[i]
		}
	}
	return nil
}

// InheritedFrom returns the groups sku is inherited from.
func (u *LiveUser) InheritedFrom(sku string) []string {
	var gs []string
	for _, l := range u.Licenses {
		if strings.EqualFold(l.SkuID, sku) && l.AssignedByGroup != "" {
			gs = append(gs, l.AssignedByGroup)
		}
	}
	return gs
}

// IsMemberOf reports whether the user is a direct member of group.
func (u *LiveUser) IsMemberOf(group string) bool {
	for _, g := range u.MemberOf {
		if strings.EqualFold(g, group) {
			return true
		}
	}
	return false
}

// LicenseChange is one assignLicense call.
type LicenseChange struct {
	UserID string
	Add    []AssignedLicense
	Remove []string // SKU ids
}

// AssignedLicense is a licence to add, with the service plans to switch off.
type AssignedLicense struct {
	SkuID         string
	DisabledPlans []string
}

// MembershipChange adds (Add) or removes a direct group membership.
type MembershipChange struct {
	GroupID string
	UserID  string
	Add     bool
}

// ErrNotFound is wrapped by errors for a user or group that does not exist.
var ErrNotFound = errors.New("not found")

// An error answer from the directory is a *msgraph.Error (status, Graph's
// code and message); the engine decides on it through IsAmbiguous,
// IsGroupInherited, FixFor and ErrNotFound.

// notFound is a 404 from Graph: errors.Is(err, ErrNotFound) holds and the
// text stays the client's.
type notFound struct{ error }

func (e notFound) Is(target error) bool { return target == ErrNotFound }
func (e notFound) Unwrap() error        { return e.error }

// IsAmbiguous reports whether a failed change may nevertheless have been
// made: server errors, timeouts and broken connections. A 4xx answer means
// the change was not made. Throttling (429) is retried inside the Directory
// and, if it persists, is not ambiguous either.
func IsAmbiguous(err error) bool {
	if err == nil {
		return false
	}
	var ge *msgraph.Error
	if errors.As(err, &ge) {
		return ge.Status >= 500
	}
	return !errors.Is(err, context.Canceled)
}

// IsGroupInherited reports whether err is Graph's refusal to remove a
// group-inherited licence directly. Microsoft's guidance is to branch on the
// code, but this case shares Request_BadRequest with many others, so the
// message has to be matched.
func IsGroupInherited(err error) bool {
	var ge *msgraph.Error
	return errors.As(err, &ge) && ge.Status == 400 && strings.Contains(strings.ToLower(ge.Message), "inherited from a group")
}

// FixFor names what a person must change in the tenant before a refused
// change can succeed, or "" when retrying may be enough. These refusals are
// 400s that no retry changes: Graph's licence errors for a user without
// usageLocation (ProhibitedInUsageLocationViolation) and for a SKU with no
// seat left (CountViolation). Microsoft documents the states, not the exact
// wording (graph-api-detail.md §6.1), so both the codes and the messages
// seen in practice are matched.
func FixFor(err error, sku string) string {
	var ge *msgraph.Error
	if !errors.As(err, &ge) || ge.Status != 400 {
		return ""
	}
	text := strings.ToLower(ge.Code + " " + ge.Message)
	switch {
	case strings.Contains(text, "usage location") || strings.Contains(text, "usagelocation"):
		return "the user has no usageLocation, so no licence can be assigned to them: set it (Entra admin center, or PATCH /users/{id} with usageLocation), then run the same command again"
	case strings.Contains(text, "countviolation") || strings.Contains(text, "does not have any available licenses") || strings.Contains(text, "no available licenses"):
		return "no seat available in SKU " + sku + ": buy a seat or free one, then run the same command again"
	}
	return ""
}
