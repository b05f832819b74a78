package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
	"github.com/reclaimhq/reclaim/schemas"
)

// UserColumns are the columns an exclusion's when expression can use: the
// columns of the raw users table the transform evaluates it against
// (schemas.User), sorted.
var UserColumns = parquetColumns(reflect.TypeOf(schemas.User{}))

func parquetColumns(t reflect.Type) []string {
	var cols []string
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("parquet")
		if name, _, _ := strings.Cut(tag, ","); name != "" && name != "-" {
			cols = append(cols, name)
		}
	}
	sort.Strings(cols)
	return cols
}

// checkWhen asks DuckDB's parser (pipeline/sqlcheck) whether when is one
// boolean expression over the users columns, with no sub-query and no
// function that reaches files or the session, and puts the answer on the
// expression's source range before anything runs. The transform asks
// again before it evaluates the expression. A name that is not a users
// column is a warning (usually a misspelt column; DuckDB refuses it when
// the pipeline runs).
func checkWhen(when string, attr *hcl.Attribute) hcl.Diagnostics {
	rng := attr.Expr.Range().Ptr()
	errorf := func(format string, args ...any) hcl.Diagnostics {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid when expression",
			Detail:   fmt.Sprintf(format, args...) + " when is one SQL boolean expression over the users columns, such as \"department = 'Legal'\".",
			Subject:  rng,
		}}
	}
	if strings.TrimSpace(when) == "" {
		return errorf("when is empty; remove it or write an expression.")
	}
	cols, err := sqlcheck.Expression(when)
	if err != nil {
		return errorf("%s", sqlcheck.Describe("when", err))
	}
	var diags hcl.Diagnostics
	for _, c := range cols {
		diags = append(diags, checkWhenName(c, rng)...)
	}
	return diags
}

// checkWhenName warns about a name that is not a users column.
func checkWhenName(name string, rng *hcl.Range) hcl.Diagnostics {
	for _, c := range UserColumns {
		if strings.EqualFold(c, name) {
			return nil
		}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  fmt.Sprintf("Unknown column %q in when", name),
		Detail: fmt.Sprintf("%sThe users table has the columns %s. (A keyword or function reclaim does not know is fine: DuckDB checks the expression when the pipeline runs.)",
			didYouMean(name, UserColumns), strings.Join(UserColumns, ", ")),
		Subject: rng,
	}}
}
