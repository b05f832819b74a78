package lang

import (
	"errors"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// guardSensitive wraps a function so that a failure on a sensitive
// argument never repeats the argument: go-cty functions quote what they
// were given (regex quotes its pattern, for one). The argument's position
// is kept so HCL still points at it. Results of calls with sensitive
// arguments stay marked.
func guardSensitive(fn function.Function) function.Function {
	open := func(p function.Parameter) function.Parameter {
		p.AllowMarked, p.AllowNull, p.AllowUnknown, p.AllowDynamicType = true, true, true, true
		return p
	}
	params := fn.Params()
	spec := &function.Spec{Description: fn.Description(), Params: make([]function.Parameter, len(params))}
	for i, p := range params {
		spec.Params[i] = open(p)
	}
	if vp := fn.VarParam(); vp != nil {
		p := open(*vp)
		spec.VarParam = &p
	}
	spec.Type = func(args []cty.Value) (cty.Type, error) {
		plain, sensitive, _ := unmarkArgs(args)
		ty, err := fn.ReturnTypeForValues(plain)
		return ty, withheld(err, sensitive)
	}
	spec.Impl = func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		plain, sensitive, secret := unmarkArgs(args)
		v, err := fn.Call(plain)
		if err != nil {
			return cty.NilVal, withheld(err, sensitive)
		}
		switch {
		case secret:
			v = MarkSecret(v)
		case sensitive:
			v = Mark(v)
		}
		return v, nil
	}
	return function.New(spec)
}

func unmarkArgs(args []cty.Value) (plain []cty.Value, sensitive, secret bool) {
	plain = make([]cty.Value, len(args))
	for i, a := range args {
		var s bool
		secret = secret || IsSecret(a)
		plain[i], s = Unmark(a)
		sensitive = sensitive || s
	}
	return plain, sensitive, secret
}

// errWithheld replaces a message that could quote a sensitive value.
var errWithheld = errors.New("the function failed on a sensitive value; the details are withheld so the value is not printed")

func withheld(err error, sensitive bool) error {
	if err == nil || !sensitive {
		return err
	}
	var argErr function.ArgError
	if errors.As(err, &argErr) {
		return function.NewArgError(argErr.Index, errWithheld)
	}
	return errWithheld
}

// minRedactLen is the shortest sensitive string Redactor removes from text:
// shorter values ("eu", "1") occur in ordinary words and are no secret.
const minRedactLen = 6

// Redactor remembers the sensitive strings a load has seen (env() and
// file() results, sensitive variables) and removes them from diagnostics:
// a second line of defence behind the marks, for messages that quote a
// value the marks did not cover. The zero value is ready to use.
type Redactor struct {
	values map[string]struct{}
}

// Add records every string inside v.
func (r *Redactor) Add(v cty.Value) {
	v, _ = v.UnmarkDeep()
	if r.values == nil {
		r.values = map[string]struct{}{}
	}
	_ = cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			s := v.AsString()
			if len(s) >= minRedactLen {
				r.values[s] = struct{}{}
			}
			// A value from file() is often quoted trimmed.
			if t := strings.TrimSpace(s); len(t) >= minRedactLen {
				r.values[t] = struct{}{}
			}
		}
		return true, nil
	})
}

// Redact replaces each recorded value in s with "(sensitive)", longest
// first so a value containing another is replaced whole.
func (r *Redactor) Redact(s string) string {
	if len(r.values) == 0 {
		return s
	}
	vals := make([]string, 0, len(r.values))
	for v := range r.values {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		s = strings.ReplaceAll(s, v, "(sensitive)")
	}
	return s
}

// RedactDiagnostics redacts the summary and detail of every diagnostic.
func (r *Redactor) RedactDiagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		d.Summary = r.Redact(d.Summary)
		d.Detail = r.Redact(d.Detail)
	}
}
