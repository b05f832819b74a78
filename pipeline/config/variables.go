package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/reclaimhq/reclaim/pipeline/lang"
)

// VarEnvPrefix is the prefix of environment variables that set input
// variables: RECLAIM_VAR_client_secret sets var.client_secret.
const VarEnvPrefix = "RECLAIM_VAR_"

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
}

// variableDecl is a decoded variable block before its value is chosen.
type variableDecl struct {
	*Variable
	defaultVal cty.Value // cty.NilVal when there is no default
}

func decodeVariableBlock(block *hcl.Block, ctx *hcl.EvalContext) (*variableDecl, hcl.Diagnostics) {
	name := block.Labels[0]
	diags := checkName("variable", name, block.LabelRanges[0])
	content, ds := block.Body.Content(variableSchema)
	diags = append(diags, ds...)
	v := &variableDecl{Variable: &Variable{Name: name, DeclRange: block.DefRange}, defaultVal: cty.NilVal}
	var d hcl.Diagnostics
	v.Description, d = decodeString(content.Attributes["description"], ctx, "")
	diags = append(diags, d...)
	v.Sensitive, d = decodeBool(content.Attributes["sensitive"], ctx, false)
	diags = append(diags, d...)
	if attr := content.Attributes["default"]; attr != nil {
		// Defaults may call functions (env("X", "fallback")) but may not
		// refer to other variables: ctx has no "var".
		val, ds := attr.Expr.Value(ctx)
		diags = append(diags, ds...)
		if !ds.HasErrors() && !val.IsNull() {
			v.defaultVal = val
		}
	}
	return v, diags
}

// resolveVariables chooses each variable's value: -var wins over
// RECLAIM_VAR_NAME, which wins over the default. Values from the command
// line and environment are strings; HCL converts them where a number or
// bool is expected. Sensitive variables are marked so their values never
// reach a diagnostic.
func resolveVariables(decls map[string]*variableDecl, cli map[string]string, lookupEnv func(string) (string, bool)) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	names := make([]string, 0, len(decls))
	for n := range decls {
		names = append(names, n)
	}
	sort.Strings(names)

	cliNames := make([]string, 0, len(cli))
	for n := range cli {
		cliNames = append(cliNames, n)
	}
	sort.Strings(cliNames)
	for _, n := range cliNames {
		if _, ok := decls[n]; !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Undeclared variable %q", n),
				Detail: fmt.Sprintf("-var %s=... sets a variable the configuration does not declare. %sDeclared variables: %s.",
					n, didYouMean(n, names), quotedList(names)),
			})
		}
	}

	values := map[string]cty.Value{}
	for _, n := range names {
		d := decls[n]
		var val cty.Value
		if s, ok := cli[n]; ok {
			val, d.Source = cty.StringVal(s), "-var"
		} else if s, ok := lookupEnv(VarEnvPrefix + n); ok {
			val, d.Source = cty.StringVal(s), "env "+VarEnvPrefix+n
		} else if d.defaultVal != cty.NilVal {
			val, d.Source = d.defaultVal, "default"
		} else {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("No value for variable %q", n),
				Detail: fmt.Sprintf("Variable %q has no default. Set it with -var %s=VALUE or the environment variable %s%s.",
					n, n, VarEnvPrefix, n),
				Subject: d.DeclRange.Ptr(),
			})
			val = cty.DynamicVal
		}
		// Declared sensitive: a secret, for secret attributes only. A default
		// computed by env() or file() stays sensitive (out of diagnostics)
		// without becoming a secret, and is not displayed either.
		if d.Sensitive {
			val = lang.MarkSecret(val)
		}
		d.Display = displayValue(val, d.Sensitive || lang.IsSensitive(val))
		values[n] = val
	}
	return values, diags
}

// checkVariableRefs reports each var.NAME in the files that no variable
// block declares, with a suggestion, and returns the undeclared names so the
// caller can give them an unknown value: HCL's own "Unsupported attribute"
// would otherwise report the same mistake again, less helpfully.
func checkVariableRefs(files []*hcl.File, decls map[string]*variableDecl) (map[string]bool, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	declared := make([]string, 0, len(decls))
	for n := range decls {
		declared = append(declared, n)
	}
	sort.Strings(declared)
	undeclared := map[string]bool{}
	for _, f := range files {
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			expr, ok := n.(*hclsyntax.ScopeTraversalExpr)
			if !ok || len(expr.Traversal) < 2 || expr.Traversal.RootName() != "var" {
				return nil
			}
			step, ok := expr.Traversal[1].(hcl.TraverseAttr)
			if !ok {
				return nil
			}
			if _, ok := decls[step.Name]; ok {
				return nil
			}
			undeclared[step.Name] = true
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Reference to undeclared variable %q", step.Name),
				Detail: fmt.Sprintf("%sNo variable block declares %q; declare it with variable %q { default = ... }. Declared variables: %s.",
					didYouMean(step.Name, declared), step.Name, step.Name, quotedList(declared)),
				Subject: expr.SrcRange.Ptr(),
			})
			return nil
		})
	}
	return undeclared, diags
}

// displayValue renders a variable's value for people; sensitive values never
// appear.
func displayValue(v cty.Value, sensitive bool) string {
	if sensitive {
		return "(sensitive)"
	}
	if !v.IsWhollyKnown() {
		return "(unset)"
	}
	v, _ = v.UnmarkDeep()
	if v.IsNull() {
		return "null"
	}
	if v.Type() == cty.String {
		return fmt.Sprintf("%q", v.AsString())
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.Type().FriendlyName()
	}
	return strings.TrimSpace(string(b))
}
