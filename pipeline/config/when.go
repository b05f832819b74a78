package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"

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

// whenForbidden are SQL words that would make a when expression more than
// an expression (a sub-query, a second statement, file access). The
// transform refuses the same words before DuckDB sees the expression.
var whenForbidden = map[string]bool{
	"SELECT": true, "FROM": true, "UNION": true, "INSERT": true, "UPDATE": true, "DELETE": true, "COPY": true,
	"ATTACH": true, "PRAGMA": true, "INSTALL": true, "LOAD": true, "CREATE": true, "DROP": true, "ALTER": true,
	"SET": true, "CALL": true, "EXPORT": true, "IMPORT": true,
}

// whenKeywords are words of boolean expressions that are not columns.
var whenKeywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "LIKE": true, "ILIKE": true, "GLOB": true, "SIMILAR": true,
	"TO": true, "IS": true, "NULL": true, "TRUE": true, "FALSE": true, "BETWEEN": true, "CASE": true, "WHEN": true,
	"THEN": true, "ELSE": true, "END": true, "CAST": true, "TRY_CAST": true, "AS": true, "INTERVAL": true,
	"DATE": true, "TIMESTAMP": true, "TIME": true, "VARCHAR": true, "TEXT": true, "INTEGER": true, "BIGINT": true,
	"BOOLEAN": true, "DOUBLE": true, "DAY": true, "DAYS": true, "MONTH": true, "MONTHS": true, "YEAR": true,
	"YEARS": true, "HOUR": true, "HOURS": true, "MINUTE": true, "MINUTES": true, "ESCAPE": true, "COLLATE": true,
	"CURRENT_DATE": true, "CURRENT_TIMESTAMP": true, "DISTINCT": true, "ANY": true, "ALL": true, "SOME": true,
	"EXISTS": true,
}

// checkWhen does the checks that need no database. The transform pastes
// the expression into a WHERE clause over the users table, where DuckDB
// checks the rest; catching the common mistakes here puts them on the
// config's line and column before anything runs. Errors: a statement
// separator or forbidden keyword, an unterminated literal, unbalanced
// parentheses. Warnings: a name that is neither a column, a keyword nor a
// function call (usually a misspelt column).
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
	var diags hcl.Diagnostics
	depth := 0
	rs := []rune(when)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\'' || r == '"':
			// A string literal ('...', '' escapes a quote) or a quoted
			// identifier ("..."): skip to its end.
			j := i + 1
			for ; j < len(rs); j++ {
				if rs[j] == r {
					if j+1 < len(rs) && rs[j+1] == r {
						j++
						continue
					}
					break
				}
			}
			if j >= len(rs) {
				what := "string literal"
				if r == '"' {
					what = "quoted identifier"
				}
				return errorf("when has an unterminated %s (a %c without its closing partner).", what, r)
			}
			if r == '"' {
				diags = append(diags, checkWhenName(string(rs[i+1:j]), rng)...)
			}
			i = j
		case r == '-' && i+1 < len(rs) && rs[i+1] == '-', r == '/' && i+1 < len(rs) && rs[i+1] == '*':
			return errorf("when may not contain SQL comments.")
		case r == ';':
			return errorf("when may not contain \";\".")
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return errorf("when has a \")\" without its \"(\".")
			}
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_') {
				j++
			}
			word := string(rs[i:j])
			upper := strings.ToUpper(word)
			k := j
			for k < len(rs) && unicode.IsSpace(rs[k]) {
				k++
			}
			isCall := k < len(rs) && rs[k] == '('
			isCastType := i >= 2 && rs[i-1] == ':' && rs[i-2] == ':'
			switch {
			case whenForbidden[upper]:
				return errorf("when may not use the keyword %s.", upper)
			case whenKeywords[upper] || isCall || isCastType:
			default:
				diags = append(diags, checkWhenName(word, rng)...)
			}
			i = j - 1
		case unicode.IsDigit(r):
			for i+1 < len(rs) && (unicode.IsDigit(rs[i+1]) || rs[i+1] == '.' || rs[i+1] == '_') {
				i++
			}
		}
	}
	if depth != 0 {
		return errorf("when has a \"(\" without its \")\".")
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
