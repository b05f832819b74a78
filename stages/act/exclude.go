package act

import (
	"slices"
	"strings"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// Excluded re-evaluates the configuration's exclusions against a live user
// for one licence, and returns the name of the first exclusion that matches
// (empty: none). Within one exclusion, users and groups name people (either
// matching is enough) and skus narrow it to licences; a list left empty does
// not narrow.
//
// An exclusion with a `when` predicate is evaluated only at plan time (it is
// DuckDB SQL over the snapshot's users table) and is skipped here: the plan
// was made under the same configuration digest, so its verdict stands.
func Excluded(excls []*config.Exclusion, profile string, u *LiveUser, skuID, skuPart string) string {
	for _, x := range excls {
		if x.When != "" {
			continue
		}
		if len(x.Profiles) > 0 && !containsFold(x.Profiles, profile) {
			continue
		}
		if len(x.SKUs) > 0 && !containsFold(x.SKUs, skuID) && !containsFold(x.SKUs, skuPart) {
			continue
		}
		people := len(x.Users) > 0 || len(x.Groups) > 0
		if people {
			byUser := containsFold(x.Users, u.ID) || (u.UserPrincipalName != "" && containsFold(x.Users, u.UserPrincipalName))
			byGroup := slices.ContainsFunc(x.Groups, func(g string) bool {
				return containsFold(u.TransitiveMemberOf, g) || containsFold(u.MemberOf, g)
			})
			if !byUser && !byGroup {
				continue
			}
		}
		if !people && len(x.SKUs) == 0 {
			continue // an empty exclusion matches nothing
		}
		return x.Name
	}
	return ""
}

// exclusionGroups lists the groups the live exclusion check needs for a
// profile.
func exclusionGroups(excls []*config.Exclusion, profile string) []string {
	var gs []string
	for _, x := range excls {
		if x.When == "" && (len(x.Profiles) == 0 || containsFold(x.Profiles, profile)) {
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
