package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/schemas"
)

// checkReferences runs the checks that need the whole merged configuration:
// names that refer to other blocks, and combinations that cannot work.
func (c *Config) checkReferences() hcl.Diagnostics {
	var diags hcl.Diagnostics
	if len(c.Profiles) == 0 && len(c.ProfileSets) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No profile",
			Detail:   fmt.Sprintf("The configuration in %s declares no profile block, so there is no tenant to read. Add profile \"NAME\" { tenant_id = ..., client_id = ..., client_secret = env(\"...\") }.", c.Dir),
		})
	}
	names := c.ProfileNames()
	for s := range c.ProfileSets {
		names = append(names, s)
	}
	sort.Strings(names)
	checkProfiles := func(kind, name string, profiles []string, ranges []hcl.Range, declRange hcl.Range) {
		for i, p := range profiles {
			if _, ok := c.Profiles[p]; ok {
				continue
			}
			if _, ok := c.ProfileSets[p]; ok {
				continue
			}
			rng := declRange
			if i < len(ranges) {
				rng = ranges[i]
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unknown profile %q", p),
				Detail:   fmt.Sprintf("%s %q names profile %q, which is not declared. %sDeclared profiles: %s.", kind, name, p, didYouMean(p, names), quotedList(names)),
				Subject:  rng.Ptr(),
			})
		}
	}
	for _, e := range c.Exclusions {
		checkProfiles("Exclusion", e.Name, e.Profiles, e.profileRanges, e.DeclRange)
	}
	for _, r := range c.ConsolidationRules {
		checkProfiles("Consolidation rule", r.Name, r.Profiles, r.profileRanges, r.DeclRange)
		if len(r.Products) == 1 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Consolidation with one product",
				Detail:   fmt.Sprintf("Consolidation rule %q lists one product; a user needs two qualifying base licences before one can become an attach licence.", r.Name),
				Subject:  r.DeclRange.Ptr(),
			})
		}
	}
	for _, s := range c.SQLStages {
		checkProfiles("SQL stage", s.Name, s.Profiles, s.profileRanges, s.DeclRange)
	}
	for _, r := range c.ReclaimRules {
		checkProfiles("Reclaim rule", r.Name, r.Profiles, r.profileRanges, r.DeclRange)
		diags = append(diags, c.resolveApps(r)...)
		for _, p := range c.profilesOf(r.Profiles) {
			if r.usesSignal(SignalDynamics) && len(p.Dynamics) == 0 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "dynamics signal without a dynamics environment",
					Detail: fmt.Sprintf("Reclaim rule %q counts the dynamics signal, but profile %q has no dynamics block, so no Dynamics activity will be read for it.",
						r.Name, p.Name),
					Subject: r.DeclRange.Ptr(),
				})
			}
			if !p.Tasks.DownloadActivity && r.usesActivitySignal() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Activity not downloaded",
					Detail: fmt.Sprintf("Reclaim rule %q judges activity, but profile %q sets tasks { download_activity = false }, so every user would look inactive. Switch download_activity on or drop the profile from the rule.",
						r.Name, p.Name),
					Subject: r.DeclRange.Ptr(),
				})
			}
		}
	}
	return diags
}

// resolveApps turns a rule's apps = [...] into the apps with their ids:
// built-in first, then app blocks. app_sign_in needs apps, and apps need
// app_sign_in: either alone would count nothing.
func (c *Config) resolveApps(r *ReclaimRule) hcl.Diagnostics {
	var diags hcl.Diagnostics
	counts := r.usesSignal(SignalAppSignIn)
	if counts && len(r.appNames) == 0 {
		rng := r.DeclRange
		if r.appsRange.Filename != "" {
			rng = r.appsRange
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "app_sign_in without apps",
			Detail: fmt.Sprintf("Reclaim rule %q counts app_sign_in, which is a sign-in to one of the rule's apps: say which with apps = [...] (%s, or an app block's name).",
				r.Name, quotedList(c.AppNames())),
			Subject: rng.Ptr(),
		})
		return diags
	}
	if !counts && len(r.appNames) > 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "apps without app_sign_in",
			Detail:   fmt.Sprintf("Reclaim rule %q names apps but does not count the app_sign_in signal, so they would change nothing. Add \"app_sign_in\" to signals or remove apps.", r.Name),
			Subject:  r.appsRange.Ptr(),
		})
		return diags
	}
	seen := map[string]bool{}
	for _, n := range r.appNames {
		a, ok := c.App(n.Value)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unknown app %q", n.Value),
				Detail: fmt.Sprintf("%sKnown apps: %s. Declare another with app %q { app_ids = [...] resource_ids = [...] }.",
					didYouMean(n.Value, c.AppNames()), quotedList(c.AppNames()), n.Value),
				Subject: n.Range.Ptr(),
			})
			continue
		}
		if seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		r.Apps = append(r.Apps, a)
	}
	return diags
}

// App returns the app called name: built in (schemas.Apps) or declared.
func (c *Config) App(name string) (App, bool) {
	if a, ok := schemas.AppNamed(name); ok {
		return App{Name: a.Name, AppIDs: a.AppIDs, ResourceIDs: a.ResourceIDs}, true
	}
	if a := c.Apps[name]; a != nil {
		return *a, true
	}
	return App{}, false
}

// AppNames lists the apps rules may name: the built-in ones in catalogue
// order, then the declared ones sorted.
func (c *Config) AppNames() []string {
	out := builtinAppNames()
	var declared []string
	for n := range c.Apps {
		if _, builtin := schemas.AppNamed(n); !builtin { // an error already
			declared = append(declared, n)
		}
	}
	sort.Strings(declared)
	return append(out, declared...)
}

// profilesOf returns the declared profiles among names; all of them when
// names is empty.
func (c *Config) profilesOf(names []string) []*Profile {
	var out []*Profile
	if len(names) == 0 {
		for _, n := range c.ProfileNames() {
			out = append(out, c.Profiles[n])
		}
		return out
	}
	for _, n := range names {
		if p := c.Profiles[n]; p != nil {
			out = append(out, p)
		}
	}
	return out
}

func (r *ReclaimRule) usesSignal(s Signal) bool {
	for _, v := range r.Signals {
		if v == s {
			return true
		}
	}
	return false
}

// usesActivitySignal reports whether the rule counts a signal that comes
// from the activity downloads (everything but dynamics, which is read from
// Dataverse whenever a dynamics block exists).
func (r *ReclaimRule) usesActivitySignal() bool {
	for _, v := range r.Signals {
		if v != SignalDynamics {
			return true
		}
	}
	return false
}

// profileDecl is where a profile or profile set named name is declared,
// or nil.
func (c *Config) profileDecl(name string) *hcl.Range {
	if p := c.Profiles[name]; p != nil {
		return &p.DeclRange
	}
	if s := c.ProfileSets[name]; s != nil {
		return &s.DeclRange
	}
	return nil
}

// Profile returns the profile with the given name, or nil.
func (c *Config) Profile(name string) *Profile { return c.Profiles[name] }

// ProfileNames returns the profile names, sorted.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReclaimRule returns the reclaim rule with the given name, or nil.
func (c *Config) ReclaimRule(name string) *ReclaimRule {
	for _, r := range c.ReclaimRules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// PriceFor returns the price of a SKU, looked up by its skuId GUID first and
// then by its part number (both case-insensitively, as Microsoft treats
// them), or nil when the configuration prices neither.
func (c *Config) PriceFor(skuID, partNumber string) *Price {
	if p := c.priceByRef(skuID); p != nil && skuID != "" {
		return p
	}
	if partNumber == "" {
		return nil
	}
	return c.priceByRef(partNumber)
}

func (c *Config) priceByRef(ref string) *Price {
	if p, ok := c.Prices[ref]; ok {
		return p
	}
	for k, p := range c.Prices {
		if strings.EqualFold(k, ref) {
			return p
		}
	}
	return nil
}

// MatchSKU reports whether a SKU reference from the configuration (part
// number or skuId GUID, as written in skus = [...]) names the SKU with the
// given id and part number.
func MatchSKU(ref, skuID, partNumber string) bool {
	return (skuID != "" && strings.EqualFold(ref, skuID)) || (partNumber != "" && strings.EqualFold(ref, partNumber))
}

// AppliesTo reports whether the rule covers the named profile (CoversProfile).
func (r *ReclaimRule) AppliesTo(profile string) bool { return CoversProfile(r.Profiles, profile) }

// AppliesTo reports whether the exclusion covers the named profile (CoversProfile).
func (e *Exclusion) AppliesTo(profile string) bool { return CoversProfile(e.Profiles, profile) }

// AppliesTo reports whether the consolidation rule covers the named profile
// (CoversProfile).
func (r *ConsolidationRule) AppliesTo(profile string) bool { return CoversProfile(r.Profiles, profile) }

// CoversProfile is what a block's `profiles = [...]` means: an empty list
// covers every profile, otherwise the list covers exactly the profiles it
// names, where naming a profile set ("customers") names each of its
// instances ("customers.contoso", see InstanceName). The match is exact and case-sensitive, like the checks that
// validated the list (checkReferences accepts only a name that is a declared
// profile's label, and labels are case-sensitive map keys): "Prod" and "prod"
// are two profiles, and every stage — extract, transform, plan and the live
// re-check before a change — agrees on which one a block covers.
func CoversProfile(profiles []string, profile string) bool {
	if len(profiles) == 0 || slices.Contains(profiles, profile) {
		return true
	}
	set := ProfileSetOf(profile)
	return set != "" && slices.Contains(profiles, set)
}
