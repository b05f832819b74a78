package act

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// Excluded re-evaluates the configuration's exclusions against a live user
// for one licence, and returns the first exclusion that matches (nil: none).
// Within one exclusion, users, groups and when name people (any matching is
// enough) and skus narrow it to licences; a selector left empty does not
// narrow. A `when` is DuckDB SQL over the users columns: it counts as
// matching when its name is in u.WhenMatched, which apply fills from the live
// user (ApplyOptions.LiveExclusions).
func Excluded(excls []*config.Exclusion, profile string, u *LiveUser, skuID, skuPart string) *config.Exclusion {
	for _, x := range excls {
		if !x.AppliesTo(profile) {
			continue
		}
		if len(x.SKUs) > 0 && !containsFold(x.SKUs, skuID) && !containsFold(x.SKUs, skuPart) {
			continue
		}
		people := len(x.Users) > 0 || len(x.Groups) > 0 || hasWhen(x)
		if people {
			byUser := containsFold(x.Users, u.ID) || (u.UserPrincipalName != "" && containsFold(x.Users, u.UserPrincipalName))
			byGroup := slices.ContainsFunc(x.Groups, func(g string) bool {
				return containsFold(u.TransitiveMemberOf, g) || containsFold(u.MemberOf, g)
			})
			byWhen := hasWhen(x) && slices.Contains(u.WhenMatched, x.Name)
			if !byUser && !byGroup && !byWhen {
				continue
			}
		}
		if !people && len(x.SKUs) == 0 {
			continue // an empty exclusion matches nothing
		}
		return x
	}
	return nil
}

// excludedReason says which exclusion now matches and, for one that matched
// by its `when`, the expression.
func excludedReason(x *config.Exclusion, u *LiveUser) string {
	s := fmt.Sprintf("the user is now excluded by exclusion %q", x.Name)
	if hasWhen(x) && slices.Contains(u.WhenMatched, x.Name) {
		s += fmt.Sprintf(" (when %s, live)", strings.Join(strings.Fields(x.When), " "))
	}
	return s
}

func hasWhen(x *config.Exclusion) bool { return strings.TrimSpace(x.When) != "" }

// whenExclusions reports whether any exclusion of the profile has a `when`.
func whenExclusions(excls []*config.Exclusion, profile string) bool {
	return slices.ContainsFunc(excls, func(x *config.Exclusion) bool {
		return hasWhen(x) && x.AppliesTo(profile)
	})
}

// exclusionGroups lists the groups the live exclusion check needs for a
// profile.
func exclusionGroups(excls []*config.Exclusion, profile string) []string {
	var gs []string
	for _, x := range excls {
		if x.AppliesTo(profile) {
			for _, g := range x.Groups {
				if !containsFold(gs, g) {
					gs = append(gs, g)
				}
			}
		}
	}
	return gs
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}
