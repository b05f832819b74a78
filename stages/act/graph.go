package act

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
)

// GraphDirectory is Directory over Microsoft Graph v1.0, through the one
// Microsoft client (msgraph: its authentication, per-class concurrency and
// rate limits, Retry-After). Reads go in the directory class and are retried
// on any transient failure; changes go in the write class as non-idempotent
// calls, which that client retries only on 429 (Microsoft answers it before
// doing anything). A write that fails ambiguously is returned to the engine,
// which re-reads the user.
type GraphDirectory struct {
	api *msgraph.API
	// MembershipCacheTTL is how long a group's member list is reused
	// (default 5 minutes; negative: never reused).
	MembershipCacheTTL time.Duration

	mu    sync.Mutex
	cache map[string]memberCache
	gen   map[string]int
}

// NewGraphDirectory is the Directory of the tenant api (a Client's Graph())
// talks to: production apply and undo, and every test of the engine over
// HTTP.
func NewGraphDirectory(api *msgraph.API) *GraphDirectory { return &GraphDirectory{api: api} }

var _ Directory = (*GraphDirectory)(nil)

const userSelect = "id,userPrincipalName,accountEnabled,usageLocation,assignedLicenses,licenseAssignmentStates,signInActivity"

// attributesSelect is userSelect and every raw users column, signInActivity
// still last (the fallback without it strips it).
var attributesSelect = func() string {
	props := strings.Split(strings.TrimSuffix(userSelect, ",signInActivity"), ",")
	for _, p := range strings.Split(msgraph.UserSelect, ",") {
		if !slices.Contains(props, p) {
			props = append(props, p)
		}
	}
	return strings.Join(props, ",") + ",signInActivity"
}()

// graphUser is a user as userSelect returns it: msgraph.User (the decoding
// the extract uses, timestamps and the activity rule included) and the
// licences.
type graphUser struct {
	msgraph.User
	AssignedLicenses []struct {
		SkuID         string   `json:"skuId"`
		DisabledPlans []string `json:"disabledPlans"`
	} `json:"assignedLicenses"`
	LicenseAssignmentStates []struct {
		SkuID           string   `json:"skuId"`
		AssignedByGroup *string  `json:"assignedByGroup"`
		DisabledPlans   []string `json:"disabledPlans"`
		State           string   `json:"state"`
	} `json:"licenseAssignmentStates"`
}

// GetUser reads the user, falling back to a select without signInActivity
// when the tenant has no Entra ID P1 (then LastSignIn stays nil).
//
// With req.Attributes it also selects every raw users column
// (msgraph.UserSelect) and sets Row through msgraph.User, the mapping the
// extract stage uses, so a `when` reads the same values live as at plan time.
func (g *GraphDirectory) GetUser(ctx context.Context, req UserRequest) (*LiveUser, error) {
	sel := userSelect
	if req.Attributes {
		sel = attributesSelect
	}
	var gu graphUser
	err := g.read(ctx, "/users/"+url.PathEscape(req.UserID)+"?$select="+sel, &gu)
	var ge *msgraph.Error
	signIn := true
	if errors.As(err, &ge) && ge.Status == 403 && ge.Code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		signIn = false
		gu = graphUser{}
		err = g.read(ctx, "/users/"+url.PathEscape(req.UserID)+"?$select="+strings.TrimSuffix(sel, ",signInActivity"), &gu)
	}
	if err != nil {
		return nil, fmt.Errorf("reading user %s: %w", req.UserID, err)
	}
	u, err := gu.live()
	if err != nil {
		return nil, fmt.Errorf("reading user %s: %w", req.UserID, err)
	}
	if req.Attributes {
		row := gu.Row(signIn)
		u.Row = &row
	}
	for _, grp := range req.MemberOf {
		m, err := g.members(ctx, grp, false)
		if err != nil {
			return nil, fmt.Errorf("reading members of group %s: %w", grp, err)
		}
		if m[strings.ToLower(u.ID)] {
			u.MemberOf = append(u.MemberOf, grp)
		}
	}
	for _, grp := range req.TransitiveMemberOf {
		m, err := g.members(ctx, grp, true)
		if errors.Is(err, ErrNotFound) {
			continue // a deleted group has no members
		}
		if err != nil {
			return nil, fmt.Errorf("reading members of group %s: %w", grp, err)
		}
		if m[strings.ToLower(u.ID)] {
			u.TransitiveMemberOf = append(u.TransitiveMemberOf, grp)
		}
	}
	return u, nil
}

// live checks and converts a user as read. A 200 without a user in it (an
// empty body, {}, an object without id) is an error, never a user without
// licences: apply would take it for "the licence is already gone". (An
// empty or non-JSON body is already a malformed answer to the client.)
func (gu *graphUser) live() (*LiveUser, error) {
	if gu.ID == "" {
		return nil, errors.New("the answer holds no user (empty body or no id)")
	}
	u := &LiveUser{ID: gu.ID, UserPrincipalName: deref(gu.UserPrincipalName),
		AccountEnabled: gu.AccountEnabled != nil && *gu.AccountEnabled, UsageLocation: deref(gu.UsageLocation),
		// Only successful sign-ins are activity, by the rule the transform
		// applies to the snapshot (msgraph.SignInActivity.LastActivity).
		LastSignIn: gu.SignInActivity.LastActivity()}
	for _, s := range gu.LicenseAssignmentStates {
		l := LiveLicense{SkuID: s.SkuID, DisabledPlans: s.DisabledPlans, State: s.State}
		if s.AssignedByGroup != nil {
			l.AssignedByGroup = *s.AssignedByGroup
		}
		u.Licenses = append(u.Licenses, l)
	}
	if len(gu.LicenseAssignmentStates) == 0 {
		// Without assignment states every licence is taken as direct.
		for _, a := range gu.AssignedLicenses {
			u.Licenses = append(u.Licenses, LiveLicense{SkuID: a.SkuID, DisabledPlans: a.DisabledPlans})
		}
	}
	return u, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// members returns the ids (lower case) of a group's direct or transitive
// members. Group listings rather than /users/{id}/memberOf keep this to the
// endpoints the simulated tenant serves too; they are cached for
// MembershipCacheTTL, and our own membership changes drop the group's entry.
func (g *GraphDirectory) members(ctx context.Context, group string, transitive bool) (map[string]bool, error) {
	key := strings.ToLower(group)
	if transitive {
		key += "/transitive"
	}
	g.mu.Lock()
	if g.cache == nil {
		g.cache = map[string]memberCache{}
	}
	c, ok := g.cache[key]
	gen := g.gen[strings.ToLower(group)]
	g.mu.Unlock()
	ttl := g.MembershipCacheTTL
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	if ok && c.gen == gen && time.Since(c.at) < ttl {
		return c.ids, nil
	}
	seg := "members"
	if transitive {
		seg = "transitiveMembers"
	}
	ids := map[string]bool{}
	err := g.api.Pages(ctx, msgraph.ClassDirectory, "/groups/"+url.PathEscape(group)+"/"+seg+"?$select=id&$top=999", nil,
		func(items []json.RawMessage) error {
			for _, it := range items {
				var m struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(it, &m); err != nil {
					return fmt.Errorf("a member of group %s: %w", group, err)
				}
				ids[strings.ToLower(m.ID)] = true
			}
			return nil
		})
	if err != nil {
		return nil, directoryError(err)
	}
	g.mu.Lock()
	if g.gen[strings.ToLower(group)] == gen { // not changed by us meanwhile
		g.cache[key] = memberCache{ids: ids, at: time.Now(), gen: gen}
	}
	g.mu.Unlock()
	return ids, nil
}

type memberCache struct {
	ids map[string]bool
	at  time.Time
	gen int
}

func (g *GraphDirectory) invalidate(group string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen == nil {
		g.gen = map[string]int{}
	}
	g.gen[strings.ToLower(group)]++
}

// ChangeLicenses calls assignLicense, always sending both keys.
func (g *GraphDirectory) ChangeLicenses(ctx context.Context, ch LicenseChange) error {
	type add struct {
		DisabledPlans []string `json:"disabledPlans"`
		SkuID         string   `json:"skuId"`
	}
	body := struct {
		AddLicenses    []add    `json:"addLicenses"`
		RemoveLicenses []string `json:"removeLicenses"`
	}{AddLicenses: []add{}, RemoveLicenses: ch.Remove}
	if body.RemoveLicenses == nil {
		body.RemoveLicenses = []string{}
	}
	for _, a := range ch.Add {
		dp := a.DisabledPlans
		if dp == nil {
			dp = []string{}
		}
		body.AddLicenses = append(body.AddLicenses, add{DisabledPlans: dp, SkuID: a.SkuID})
	}
	if err := g.post(ctx, "/users/"+url.PathEscape(ch.UserID)+"/assignLicense", body); err != nil {
		return fmt.Errorf("assignLicense for %s: %w", ch.UserID, err)
	}
	return nil
}

// ChangeMembership adds or removes a direct member with the $ref endpoints.
func (g *GraphDirectory) ChangeMembership(ctx context.Context, ch MembershipChange) error {
	defer g.invalidate(ch.GroupID)
	var err error
	if ch.Add {
		ref := map[string]string{"@odata.id": g.api.Base() + "/directoryObjects/" + ch.UserID}
		err = g.post(ctx, "/groups/"+url.PathEscape(ch.GroupID)+"/members/$ref", ref)
	} else {
		err = directoryError(g.api.Delete(ctx, msgraph.ClassWrite, "/groups/"+url.PathEscape(ch.GroupID)+"/members/"+url.PathEscape(ch.UserID)+"/$ref"))
	}
	if err != nil {
		verb := "removing"
		if ch.Add {
			verb = "adding"
		}
		return fmt.Errorf("%s %s in group %s: %w", verb, ch.UserID, ch.GroupID, err)
	}
	return nil
}

// read GETs path (relative to v1.0) into out.
func (g *GraphDirectory) read(ctx context.Context, path string, out any) error {
	return directoryError(g.api.GetJSON(ctx, msgraph.ClassDirectory, path, nil, out))
}

// post sends one change, in as JSON, discarding the answer.
func (g *GraphDirectory) post(ctx context.Context, path string, in any) error {
	return directoryError(g.api.PostJSON(ctx, msgraph.ClassWrite, path, in, nil, false))
}

// directoryError marks a 404 as ErrNotFound; every other error (Graph's
// *msgraph.Error, a token refusal, an outage, a malformed answer,
// cancellation) passes as the client wrote it.
func directoryError(err error) error {
	if msgraph.IsStatus(err, 404) {
		return notFound{err}
	}
	return err
}

// AuthFailedError stops apply or undo at the first authentication failure
// (a token Microsoft refuses, or a 401 after a fresh token): every further
// action would fail the same way, so none is tried. The action that met it
// is journalled as failed and is retried by the next run.
type AuthFailedError struct{ Err error }

func (e *AuthFailedError) Error() string {
	return "stopped at the first authentication failure, no further action was tried: " + e.Err.Error() +
		"; fix the profile's credentials, then run the same command again (finished actions are not repeated)"
}

func (e *AuthFailedError) Unwrap() error { return e.Err }

// isAuthFailure: the credential, not the action, is at fault. The shared
// client has already refreshed the token once on a 401.
func isAuthFailure(err error) bool {
	var ae *msgraph.AuthError
	return errors.As(err, &ae) || msgraph.IsStatus(err, 401)
}

// stopOnAuth turns a journalled outcome into a stop of the run.
func stopOnAuth(o Outcome, jerr error) func(error) (Outcome, error) {
	return func(err error) (Outcome, error) {
		if jerr != nil {
			return o, jerr
		}
		return o, &AuthFailedError{Err: err}
	}
}
