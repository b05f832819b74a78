package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/reclaimhq/reclaim/pipeline/lang"
)

// A profile block with for_each is a profile set: one profile per element,
// as Terraform's resource for_each (terraform internal/configs/resource.go
// and internal/lang's each.key/each.value), so a managed-service provider
// declares one multi-tenant app once and a list of customer tenants.
//
// An instance is named SET.KEY — "customers.contoso" — not Terraform's
// SET["KEY"]: the name is a directory under output.dir, an object-store
// prefix, a --profile argument, a Kubernetes index target and a plan section,
// and a dot needs no quoting in any of them. A set's label is an identifier
// (no dot), so the first dot always splits SET from KEY.

// profileSetSchema picks for_each out of a profile block before the
// profile's own schema decodes the rest.
var profileSetSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "for_each"}}}

// ProfileSet is a profile block with for_each: which instances it made.
type ProfileSet struct {
	Name string
	// Keys are the instance keys, sorted; the instances are Profiles
	// named InstanceName(Name, key).
	Keys      []string
	DeclRange hcl.Range
}

// InstanceName is the profile name of the instance key of set.
func InstanceName(set, key string) string { return set + "." + key }

// ProfileSetOf returns the set a profile name belongs to ("customers" for
// "customers.contoso"), or "" for a profile declared on its own.
func ProfileSetOf(profile string) string {
	set, _, ok := strings.Cut(profile, ".")
	if !ok {
		return ""
	}
	return set
}

// instanceKeyRE is what a for_each key may be: it becomes one path segment
// (a directory, a blob prefix) on every system reclaim writes to, so only
// ASCII letters, digits, '_', '-' and '.', starting with a letter, digit or
// '_' (never "." or ".."), not ending with '.' (Windows drops it), and at
// most 63 characters (a DNS label, a Kubernetes name).
var instanceKeyRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$`)

func checkInstanceKey(key string) string {
	switch {
	case !instanceKeyRE.MatchString(key):
		return "a key must be 1 to 63 ASCII letters, digits, '_', '-' or '.', starting with a letter, digit or '_'"
	case strings.HasSuffix(key, "."):
		return "a key must not end with '.'"
	}
	return ""
}

// instance is one element of for_each.
type instance struct {
	key   string
	value cty.Value
}

// decodeProfileBlocks decodes a profile block: one profile, or, with
// for_each, one per element (and the set). Diagnostics of an instance's
// attributes name the instance, since every instance points at one block.
func decodeProfileBlocks(block *hcl.Block, ctx *hcl.EvalContext, baseDir string) ([]*Profile, *ProfileSet, hcl.Diagnostics) {
	content, _, _ := block.Body.PartialContent(profileSetSchema)
	forEach := content.Attributes["for_each"]
	if forEach == nil {
		p, diags := decodeProfileBlock(block, ctx, baseDir)
		return []*Profile{p}, nil, diags
	}
	set := &ProfileSet{Name: block.Labels[0], DeclRange: block.DefRange}
	insts, diags := forEachInstances(forEach, ctx)
	if diags.HasErrors() {
		// Decode once without instances, so the block's other mistakes
		// are reported too; each.* is then unknown, not an error.
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{"each": cty.DynamicVal}
		_, ds := decodeProfileBlock(block, child, baseDir)
		return nil, set, append(diags, ds...)
	}
	if len(insts) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Empty for_each",
			Detail:   fmt.Sprintf("Profile set %q has no elements in for_each, so it makes no profile.", set.Name),
			Subject:  forEach.Expr.Range().Ptr(),
		})
	}
	var out []*Profile
	seen := map[string]bool{}
	for _, in := range insts {
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{
			"key": cty.StringVal(in.key), "value": in.value,
		})}
		p, ds := decodeProfileBlock(block, child, baseDir)
		p.Name, p.Set, p.Key = InstanceName(set.Name, in.key), set.Name, in.key
		for _, d := range ds {
			// A mistake that does not depend on each.* is the same in
			// every instance: report it once, for the first.
			id := fmt.Sprintf("%s\x00%v\x00%s", d.Summary, d.Subject, d.Detail)
			if seen[id] {
				continue
			}
			seen[id] = true
			d.Detail = strings.TrimSpace(d.Detail + fmt.Sprintf(" (In profile %q.)", p.Name))
			diags = append(diags, d)
		}
		set.Keys = append(set.Keys, in.key)
		out = append(out, p)
	}
	return out, set, diags
}

// forEachInstances evaluates for_each: a map or object (keys are the
// instance keys), a set or list of strings (each string is key and value),
// or a list of objects with a "key" attribute (csvdecode of a file with a
// key column). Keys are checked as path segments and must differ even
// ignoring case (they become directory names on case-insensitive disks).
func forEachInstances(attr *hcl.Attribute, ctx *hcl.EvalContext) ([]instance, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	rng := attr.Expr.Range()
	errDiag := func(summary, detail string) hcl.Diagnostics {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()})
	}
	// Keys and the shape are names, not secrets: a list of tenants read
	// with file() is marked sensitive like every file, but its keys are
	// printed as profile names anyway. Values keep their marks.
	plain, sensitive := lang.Unmark(v)
	remark := func(val cty.Value) cty.Value {
		switch {
		case lang.IsSecret(v):
			return lang.MarkSecret(val)
		case sensitive:
			return lang.Mark(val)
		}
		return val
	}
	if !plain.IsWhollyKnown() {
		return nil, append(diags, consequentialDiag(rng))
	}
	if plain.IsNull() {
		return nil, errDiag("Invalid for_each", "for_each is null; give a map, a set of strings, or a list of objects with a \"key\" attribute.")
	}
	ty := plain.Type()
	var insts []instance
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := plain.ElementIterator(); it.Next(); {
			k, val := it.Element()
			insts = append(insts, instance{key: k.AsString(), value: remark(val)})
		}
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		i := 0
		for it := plain.ElementIterator(); it.Next(); i++ {
			_, pv := it.Element()
			val := remark(pv)
			et := pv.Type()
			switch {
			case et == cty.String:
				insts = append(insts, instance{key: pv.AsString(), value: val})
			case (et.IsObjectType() && et.HasAttribute("key")) || (et.IsMapType() && pv.HasIndex(cty.StringVal("key")).True()):
				var k cty.Value
				if et.IsObjectType() {
					k = pv.GetAttr("key")
				} else {
					k = pv.Index(cty.StringVal("key"))
				}
				ks, err := convertString(k)
				if err != "" {
					return nil, errDiag("Invalid for_each", fmt.Sprintf("Element %d's key %s.", i, err))
				}
				insts = append(insts, instance{key: ks, value: val})
			default:
				return nil, errDiag("Invalid for_each", fmt.Sprintf(
					"Element %d of for_each is %s; a list's elements must be strings or objects with a \"key\" attribute (a CSV read with csvdecode needs a key column), or write a map: { for t in LIST : t.name => t }.",
					i, et.FriendlyName()))
			}
		}
	default:
		return nil, errDiag("Invalid for_each", fmt.Sprintf("for_each is %s; give a map, a set of strings, or a list of objects with a \"key\" attribute.", ty.FriendlyName()))
	}
	sort.Slice(insts, func(i, j int) bool { return insts[i].key < insts[j].key })
	seen := map[string]string{}
	for _, in := range insts {
		if why := checkInstanceKey(in.key); why != "" {
			diags = errDiag("Invalid for_each key", fmt.Sprintf("The key %q cannot name a profile: it is a directory under output.dir and a prefix in object storage, so %s.", in.key, why))
			continue
		}
		if first, dup := seen[strings.ToLower(in.key)]; dup {
			diags = errDiag("Duplicate for_each key", fmt.Sprintf("The keys %q and %q differ only in case (or are equal); they would share one directory on a case-insensitive disk. Keys must differ ignoring case.", first, in.key))
			continue
		}
		seen[strings.ToLower(in.key)] = in.key
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return insts, diags
}

// convertString reads a key attribute as a string, or says why it is not one.
func convertString(v cty.Value) (string, string) {
	switch {
	case v.IsNull():
		return "", "is null"
	case v.Type() == cty.String:
		return v.AsString(), ""
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('f', -1), ""
	}
	return "", "is " + v.Type().FriendlyName() + ", not a string"
}
