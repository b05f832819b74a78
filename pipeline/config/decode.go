package config

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/reclaimhq/reclaim/pipeline/lang"
)

// The helpers below evaluate one attribute each. They strip cty marks as the
// value leaves the expression world: only decodeSecret keeps a sensitive
// value secret after decoding (as a Secret); elsewhere a value read from
// env() or file() is ordinary configuration, and a sensitive variable's value
// is refused. Checks quote the offending value to help the reader ("not-a-
// guid" is not a GUID); if that value was sensitive, the loader's Redactor
// replaces it with (sensitive) before any diagnostic leaves the package.

// evalAttr evaluates attr as type ty. It returns a null value (and no
// diagnostics) when attr is absent or set to null, so callers keep defaults.
// A value of a variable declared sensitive is refused: attributes read this
// way are printed in summaries and plans (decodeSecret reads the others).
func evalAttr(attr *hcl.Attribute, ctx *hcl.EvalContext, ty cty.Type) (cty.Value, bool, hcl.Diagnostics) {
	v, sensitive, diags := evalAttrMaybeSecret(attr, ctx, ty)
	if !v.IsNull() && sensitive && lang.IsSecret(v) {
		return cty.NullVal(ty), sensitive, append(diags, secretMisuseDiag(attr.Name, attr.Expr.Range()))
	}
	v, _ = v.UnmarkDeep()
	return v, sensitive, diags
}

func secretMisuseDiag(name string, rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Secret in a non-secret argument",
		Detail: fmt.Sprintf("%q gets its value from a variable declared sensitive = true, but %q is printed in summaries, logs and plans. "+
			"Use sensitive variables only in client_secret, certificate_password and output shared_key, or declare the variable without sensitive.", name, name),
		Subject: rng.Ptr(),
	}
}

// evalAttrMaybeSecret is evalAttr without the secret check; the returned
// value keeps its marks.
func evalAttrMaybeSecret(attr *hcl.Attribute, ctx *hcl.EvalContext, ty cty.Type) (cty.Value, bool, hcl.Diagnostics) {
	if attr == nil {
		return cty.NullVal(ty), false, nil
	}
	v, diags := attr.Expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NullVal(ty), false, diags
	}
	marked := v
	v, sensitive := lang.Unmark(v)
	if !v.IsWhollyKnown() {
		// Every value is known at load time, except where an error has
		// already been reported (a variable with no value).
		return cty.NullVal(ty), sensitive, append(diags, consequentialDiag(attr.Expr.Range()))
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NullVal(ty), sensitive, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s.", attr.Name, err),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	if lang.IsSecret(marked) {
		cv = lang.MarkSecret(cv)
	}
	return cv, sensitive, diags
}

// consequential tags an error that only repeats one already reported
// elsewhere (an attribute whose value is unknown because a variable has no
// value). It stops the checks that would fire on the missing value, and the
// loader drops it before returning.
type consequential struct{}

func consequentialDiag(rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value not known", Subject: rng.Ptr(), Extra: consequential{}}
}

// dropConsequential removes consequential diagnostics.
func dropConsequential(diags hcl.Diagnostics) hcl.Diagnostics {
	out := diags[:0]
	for _, d := range diags {
		if _, ok := d.Extra.(consequential); !ok {
			out = append(out, d)
		}
	}
	return out
}

// decodeString returns the attribute's string value, or def when unset.
func decodeString(attr *hcl.Attribute, ctx *hcl.EvalContext, def string) (string, hcl.Diagnostics) {
	v, _, diags := evalAttr(attr, ctx, cty.String)
	if v.IsNull() {
		return def, diags
	}
	return v.AsString(), diags
}

// decodeBool returns the attribute's bool value, or def when unset.
func decodeBool(attr *hcl.Attribute, ctx *hcl.EvalContext, def bool) (bool, hcl.Diagnostics) {
	v, _, diags := evalAttr(attr, ctx, cty.Bool)
	if v.IsNull() {
		return def, diags
	}
	return v.True(), diags
}

// decodeInt returns the attribute's whole-number value, or def when unset.
func decodeInt(attr *hcl.Attribute, ctx *hcl.EvalContext, def int) (int, hcl.Diagnostics) {
	v, _, diags := evalAttr(attr, ctx, cty.Number)
	if v.IsNull() {
		return def, diags
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if acc != big.Exact || i > 1<<31 || i < -(1<<31) {
		return def, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid number",
			Detail:   fmt.Sprintf("%q must be a whole number.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return int(i), diags
}

// decodeFloat returns the attribute's number value, or def when unset.
func decodeFloat(attr *hcl.Attribute, ctx *hcl.EvalContext, def float64) (float64, hcl.Diagnostics) {
	v, _, diags := evalAttr(attr, ctx, cty.Number)
	if v.IsNull() {
		return def, diags
	}
	f, _ := v.AsBigFloat().Float64()
	return f, diags
}

// stringItem is one element of a list attribute with the range to blame
// when the element is wrong.
type stringItem struct {
	Value string
	Range hcl.Range
}

// decodeStringList evaluates a list of strings. When the list is written as
// a literal [ ... ] each element keeps its own range, so a diagnostic can
// point at the one bad element; otherwise (a variable, concat(...)) every
// element gets the whole expression's range.
func decodeStringList(attr *hcl.Attribute, ctx *hcl.EvalContext) ([]stringItem, hcl.Diagnostics) {
	if attr == nil {
		return nil, nil
	}
	if _, isTuple := attr.Expr.(*hclsyntax.TupleConsExpr); isTuple {
		exprs, diags := hcl.ExprList(attr.Expr)
		if !diags.HasErrors() {
			var items []stringItem
			for _, e := range exprs {
				v, ds := e.Value(ctx)
				diags = append(diags, ds...)
				if ds.HasErrors() {
					continue
				}
				if lang.IsSecret(v) {
					diags = append(diags, secretMisuseDiag(attr.Name, e.Range()))
					continue
				}
				if !v.IsWhollyKnown() {
					diags = append(diags, consequentialDiag(e.Range()))
					continue
				}
				v, _ = lang.Unmark(v)
				cv, err := convert.Convert(v, cty.String)
				if err != nil || cv.IsNull() || !cv.IsKnown() {
					msg := "a string is required"
					if err != nil {
						msg = err.Error()
					}
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Incorrect list element type",
						Detail:   fmt.Sprintf("Each element of %q must be a string: %s.", attr.Name, msg),
						Subject:  e.Range().Ptr(),
					})
					continue
				}
				items = append(items, stringItem{Value: cv.AsString(), Range: e.Range()})
			}
			return items, diags
		}
	}
	v, _, diags := evalAttr(attr, ctx, cty.List(cty.String))
	if v.IsNull() {
		return nil, diags
	}
	var items []stringItem
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Null list element",
				Detail:   fmt.Sprintf("Elements of %q must not be null.", attr.Name),
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}
		items = append(items, stringItem{Value: ev.AsString(), Range: attr.Expr.Range()})
	}
	return items, diags
}

func itemRanges(items []stringItem) []hcl.Range {
	if len(items) == 0 {
		return nil
	}
	out := make([]hcl.Range, len(items))
	for i, it := range items {
		out[i] = it.Range
	}
	return out
}

func itemValues(items []stringItem) []string {
	if len(items) == 0 {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Value
	}
	return out
}

// decodeSecret reads a credential. The value becomes a Secret immediately.
// A secret that did not come from a sensitive source (env(), file() or a
// variable declared sensitive) is written in the config file or a plain
// variable: that works, but earns a warning because such a value ends up in
// git and in terminal scrollback.
//
// allowEmpty is for certificate_password: a certificate file exported with
// an empty password is common, so "" means "no password" there, which lets
// certificate_password = env("NAME", "") validate where NAME is unset. An
// empty client_secret is always a mistake.
func decodeSecret(attr *hcl.Attribute, ctx *hcl.EvalContext, allowEmpty bool) (Secret, hcl.Diagnostics) {
	v, sensitive, diags := evalAttrMaybeSecret(attr, ctx, cty.String)
	if v.IsNull() {
		return Secret{}, diags
	}
	v, _ = v.UnmarkDeep()
	if v.AsString() == "" && allowEmpty {
		return Secret{}, diags
	}
	if v.AsString() == "" {
		return Secret{}, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty secret",
			Detail:   fmt.Sprintf("%q is set but empty. Check the environment variable, file or variable it comes from.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	if !sensitive {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Secret not from a sensitive source",
			Detail: fmt.Sprintf("%q is written in the configuration or comes from a variable not marked sensitive. "+
				"Use env(\"NAME\"), file(\"PATH\") or a variable with sensitive = true so the secret stays out of git and output.", attr.Name),
			Subject: attr.Expr.Range().Ptr(),
		})
	}
	return NewSecret(v.AsString()), diags
}

var (
	guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// guidishRE matches what someone meant as a GUID: only hex digits and
	// hyphens, with the hyphens present. "SPE_E3" never matches; a GUID with
	// a digit missing does.
	guidishRE  = regexp.MustCompile(`^[0-9a-fA-F]+(-[0-9a-fA-F]*)+$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// IsGUID reports whether s is a GUID in the 8-4-4-4-12 form Microsoft uses
// for tenant, application, object and SKU ids.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// looksLikeGUID reports whether s was probably meant as a GUID.
func looksLikeGUID(s string) bool { return guidishRE.MatchString(s) && len(s) >= 20 }

// checkGUID reports a malformed GUID in the attribute attr.
func checkGUID(what, value string, rng hcl.Range) hcl.Diagnostics {
	if IsGUID(value) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Malformed " + what,
		Detail:   fmt.Sprintf("%s must be a GUID like 00000000-0000-0000-0000-000000000000 (8-4-4-4-12 hex digits); %q is not.", capitalize(what), value),
		Subject:  rng.Ptr(),
	}}
}

// checkSKURef checks a SKU reference: a part number such as SPE_E3, or a
// skuId GUID. Something that looks like a GUID must be a well-formed one.
func checkSKURef(it stringItem) hcl.Diagnostics {
	switch {
	case strings.TrimSpace(it.Value) == "" || strings.ContainsAny(it.Value, " \t\r\n"):
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid SKU",
			Detail:   fmt.Sprintf("A SKU is a part number such as \"SPE_E3\" or a skuId GUID, without spaces; %q is not.", it.Value),
			Subject:  it.Range.Ptr(),
		}}
	case looksLikeGUID(it.Value) && !IsGUID(it.Value):
		return checkGUID("SKU id", it.Value, it.Range)
	}
	return nil
}

// article is "An" before a vowel, else "A".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "An"
	}
	return "A"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkName reports a block label that is not an identifier. Names appear in
// plans, logs and file names, so they are kept simple.
func checkName(kind, name string, rng hcl.Range) hcl.Diagnostics {
	if hclsyntax.ValidIdentifier(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail: fmt.Sprintf("A %s name must start with a letter or underscore and contain only letters, digits, underscores and hyphens; %q does not.",
			kind, name),
		Subject: rng.Ptr(),
	}}
}

// oneOf checks value against the allowed values of attribute attr.
func oneOf(attr *hcl.Attribute, value string, allowed []string) hcl.Diagnostics {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s", attr.Name),
		Detail:   fmt.Sprintf("%s%q is not a valid %s: use %s.", didYouMean(value, allowed), value, attr.Name, quotedList(allowed)),
		Subject:  attr.Expr.Range().Ptr(),
	}}
}

// duplicateDiag reports a second declaration of a name, pointing at the
// second and naming where the first is.
func duplicateDiag(kind, name string, first, second hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s %q", kind, name),
		Detail:   fmt.Sprintf("%s %s named %q was already declared at %s. Names must be unique across all files of a configuration.", article(kind), kind, name, first),
		Subject:  second.Ptr(),
	}
}
