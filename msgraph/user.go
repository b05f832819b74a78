package msgraph

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/schemas"
)

// UserSelect is the $select of a Graph user that fills every column of the
// raw users table (schemas.User) except the sign-in ones; add
// signInActivity for those. The extract stage reads the tenant's users with
// it, and apply reads one user live with it when an exclusion's `when`
// must be re-checked against the user as Microsoft shows them now.
const UserSelect = "id,userPrincipalName,displayName,mail,userType,accountEnabled,department,jobTitle,country,usageLocation,createdDateTime,onPremisesSyncEnabled"

// User is a Graph user object as UserSelect (and signInActivity) return it.
// Row is the one mapping from it to a raw users row.
type User struct {
	ID                    string          `json:"id"`
	UserPrincipalName     *string         `json:"userPrincipalName"`
	DisplayName           *string         `json:"displayName"`
	Mail                  *string         `json:"mail"`
	UserType              *string         `json:"userType"`
	AccountEnabled        *bool           `json:"accountEnabled"`
	Department            *string         `json:"department"`
	JobTitle              *string         `json:"jobTitle"`
	Country               *string         `json:"country"`
	UsageLocation         *string         `json:"usageLocation"`
	CreatedDateTime       *Time           `json:"createdDateTime"`
	OnPremisesSyncEnabled *bool           `json:"onPremisesSyncEnabled"`
	SignInActivity        *SignInActivity `json:"signInActivity"`
}

// SignInActivity is a user's signInActivity (Entra ID P1/P2). Which of its
// timestamps are activity is LastActivity's rule.
type SignInActivity struct {
	// LastSignInDateTime is the newest interactive sign-in attempt, failed
	// ones included: never activity by itself.
	LastSignInDateTime *Time `json:"lastSignInDateTime"`
	// LastNonInteractiveSignInDateTime is the newest non-interactive
	// sign-in.
	LastNonInteractiveSignInDateTime *Time `json:"lastNonInteractiveSignInDateTime"`
	// LastSuccessfulSignInDateTime is the newest successful sign-in of
	// either kind (recorded since December 2023, not backfilled).
	LastSuccessfulSignInDateTime *Time `json:"lastSuccessfulSignInDateTime"`
}

// UnmarshalJSON names the field of a timestamp that does not parse
// ("signInActivity.lastSuccessfulSignInDateTime: not a date-time: …"):
// encoding/json would return Time's error without it.
func (s *SignInActivity) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("signInActivity: %w", err)
	}
	*s = SignInActivity{}
	for _, f := range []struct {
		name string
		dst  **Time
	}{
		{"lastSignInDateTime", &s.LastSignInDateTime},
		{"lastNonInteractiveSignInDateTime", &s.LastNonInteractiveSignInDateTime},
		{"lastSuccessfulSignInDateTime", &s.LastSuccessfulSignInDateTime},
	} {
		name, dst := f.name, f.dst
		v, ok := raw[name]
		if !ok {
			continue
		}
		t := new(Time)
		if err := t.UnmarshalJSON(v); err != nil {
			return fmt.Errorf("signInActivity.%s: %w", name, err)
		}
		*dst = t
	}
	return nil
}

// LastActivity is the newest sign-in that counts as activity, nil when none
// is known: lastSuccessfulSignInDateTime and lastNonInteractiveSignInDateTime.
// lastSignInDateTime is not: it counts failed attempts, and every successful
// sign-in since December 2023 shows in lastSuccessfulSignInDateTime too. This
// is the rule of the live re-check before a removal; the transform applies
// the same one to the users snapshot (stages/transform/sql/signals/sign_in.sql),
// with one fallback only a whole tenant can show: a tenant that never
// populates lastSuccessfulSignInDateTime falls back to lastSignInDateTime.
func (s *SignInActivity) LastActivity() *time.Time {
	if s == nil {
		return nil
	}
	var last *time.Time
	for _, t := range []*Time{s.LastSuccessfulSignInDateTime, s.LastNonInteractiveSignInDateTime} {
		if p := PtrOf(t); p != nil && (last == nil || p.After(*last)) {
			last = p
		}
	}
	return last
}

// Row is the user as a raw users row: the id lower-cased (Graph GUIDs are
// compared lower-case everywhere), null strings as "", no-value dates nil.
// signInAvailable says whether signInActivity could be read at all.
func (u *User) Row(signInAvailable bool) schemas.User {
	r := schemas.User{
		ID: GUID(u.ID), UserPrincipalName: deref(u.UserPrincipalName), DisplayName: deref(u.DisplayName), Mail: deref(u.Mail),
		UserType: deref(u.UserType), AccountEnabled: u.AccountEnabled != nil && *u.AccountEnabled,
		Department: deref(u.Department), JobTitle: deref(u.JobTitle), Country: deref(u.Country),
		UsageLocation: deref(u.UsageLocation), CreatedDateTime: PtrOf(u.CreatedDateTime),
		OnPremisesSyncEnabled:   u.OnPremisesSyncEnabled != nil && *u.OnPremisesSyncEnabled,
		SignInActivityAvailable: signInAvailable,
	}
	if s := u.SignInActivity; s != nil {
		r.LastSignInDateTime = PtrOf(s.LastSignInDateTime)
		r.LastNonInteractiveSignInDateTime = PtrOf(s.LastNonInteractiveSignInDateTime)
		r.LastSuccessfulSignInDateTime = PtrOf(s.LastSuccessfulSignInDateTime)
	}
	return r
}

// GUID is a Microsoft GUID in one spelling: lower case, no surrounding space.
// Graph and Dataverse compare GUIDs case-insensitively and do not always send
// them in lower case (the assignLicense reference example answers skuId
// "0118A350-71FC-…"); every id column of the raw tables goes through GUID so
// SQL and Go can compare ids with =.
func GUID(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
