package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/reclaimhq/reclaim/pipeline/sqlcheck"
	"github.com/reclaimhq/reclaim/schemas"
)

var transformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "threads"},
		{Name: "memory_limit"},
		{Name: "temp_directory"},
		{Name: "stale_report_days"},
	},
}

// DefaultStaleReportDays is how many days old a usage report may be before
// the signals it carries count as unknown. It matches the transform's own
// default (a test in cmd/reclaim checks the two agree).
const DefaultStaleReportDays = 10

// memoryLimitRE accepts the sizes DuckDB's memory_limit accepts: a number
// and a unit in powers of 1000 (KB…TB) or 1024 (KiB…TiB). DuckDB has no
// percentage form.
var memoryLimitRE = regexp.MustCompile(`^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$`)

func defaultTransform() *Transform {
	return &Transform{StaleReportDays: DefaultStaleReportDays}
}

func decodeTransformBlock(block *hcl.Block, ctx *hcl.EvalContext) (*Transform, hcl.Diagnostics) {
	t := defaultTransform()
	t.DeclRange = block.DefRange
	content, diags := block.Body.Content(transformSchema)
	attrs := content.Attributes
	var d hcl.Diagnostics

	t.Threads, d = decodeInt(attrs["threads"], ctx, 0)
	diags = append(diags, d...)
	if attr := attrs["threads"]; attr != nil && !d.HasErrors() && t.Threads < 1 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid threads",
			Detail:   fmt.Sprintf("threads must be at least 1; got %d. Remove it to let DuckDB use every core.", t.Threads),
			Subject:  attr.Expr.Range().Ptr(),
		})
		t.Threads = 0
	}

	t.MemoryLimit, d = decodeString(attrs["memory_limit"], ctx, "")
	diags = append(diags, d...)
	if attr := attrs["memory_limit"]; attr != nil && !d.HasErrors() && !memoryLimitRE.MatchString(t.MemoryLimit) {
		hint := ""
		if strings.HasSuffix(strings.TrimSpace(t.MemoryLimit), "%") {
			hint = " DuckDB takes no percentage; without memory_limit it uses 80% of RAM."
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid memory_limit",
			Detail: fmt.Sprintf("memory_limit is a number and a unit (KB, MB, GB, TB, or KiB, MiB, GiB, TiB), such as \"512MB\" or \"4GB\"; %q is not.%s",
				t.MemoryLimit, hint),
			Subject: attr.Expr.Range().Ptr(),
		})
		t.MemoryLimit = ""
	}

	t.TempDirectory, d = decodeString(attrs["temp_directory"], ctx, "")
	diags = append(diags, d...)
	if attr := attrs["temp_directory"]; attr != nil && !d.HasErrors() && strings.TrimSpace(t.TempDirectory) == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty temp_directory",
			Detail:   "temp_directory must name a directory; remove it to spill into a scratch directory inside the output.",
			Subject:  attr.Expr.Range().Ptr(),
		})
	}

	t.StaleReportDays, d = decodeInt(attrs["stale_report_days"], ctx, DefaultStaleReportDays)
	diags = append(diags, d...)
	if attr := attrs["stale_report_days"]; attr != nil && !d.HasErrors() && t.StaleReportDays < 1 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid stale_report_days",
			Detail: fmt.Sprintf("stale_report_days must be at least 1 (a usage report refreshed longer ago than that makes its signals unknown); got %d.",
				t.StaleReportDays),
			Subject: attr.Expr.Range().Ptr(),
		})
		t.StaleReportDays = DefaultStaleReportDays
	}
	return t, diags
}

var sqlStageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "profiles"},
		{Name: "query", Required: true},
	},
}

// sqlStageNameRE: the name is a DuckDB table name and a directory name, so
// it stays lowercase and unquoted.
var sqlStageNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func decodeSQLStageBlock(block *hcl.Block, ctx *hcl.EvalContext, baseDir string) (*SQLStage, hcl.Diagnostics) {
	s := &SQLStage{Name: block.Labels[0], DeclRange: block.DefRange}
	var diags hcl.Diagnostics
	nameRange := block.LabelRanges[0]
	switch {
	case !sqlStageNameRE.MatchString(s.Name):
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid sql_stage name",
			Detail: fmt.Sprintf("A sql_stage name is the table's name and directory: a lowercase letter, then lowercase letters, digits and underscores; %q is not.",
				s.Name),
			Subject: nameRange.Ptr(),
		})
	case isCuratedTable(s.Name):
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("sql_stage %q is a built-in table", s.Name),
			Detail: fmt.Sprintf("%q is a built-in curated table, which the stage would overwrite. Choose another name; the built-in tables are %s.",
				s.Name, quotedList(CuratedTableNames())),
			Subject: nameRange.Ptr(),
		})
	case isRawTable(s.Name):
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("sql_stage %q is a raw table", s.Name),
			Detail:   fmt.Sprintf("%q is the name of a raw table; a stage with that name would be confused with it. Choose another name.", s.Name),
			Subject:  nameRange.Ptr(),
		})
	}
	content, ds := block.Body.Content(sqlStageSchema)
	diags = append(diags, ds...)
	profiles, ds := decodeStringList(content.Attributes["profiles"], ctx)
	diags = append(diags, ds...)
	s.Profiles, s.profileRanges = itemValues(profiles), itemRanges(profiles)
	attr := content.Attributes["query"]
	if attr == nil {
		return s, diags
	}
	var d hcl.Diagnostics
	s.Query, d = decodeString(attr, ctx, "")
	diags = append(diags, d...)
	s.QueryRange = queryTextRange(attr.Expr, baseDir)
	if !d.HasErrors() && strings.TrimSpace(s.Query) == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty query",
			Detail:   "A sql_stage needs a DuckDB SELECT over the curated tables, for example query = <<-SQL ... SQL.",
			Subject:  attr.Expr.Range().Ptr(),
		})
	} else if !d.HasErrors() {
		diags = append(diags, checkSQLStageQuery(s.Query, attr)...)
	}
	return s, diags
}

// checkSQLStageQuery asks DuckDB's parser (pipeline/sqlcheck) whether the
// query is one SELECT over tables by name, with no table function that
// reads files and no second statement; the transform asks again before it
// runs the query.
func checkSQLStageQuery(query string, attr *hcl.Attribute) hcl.Diagnostics {
	err := sqlcheck.Select(strings.TrimRight(query, "; \t\r\n"))
	if err == nil {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid sql_stage query",
		Detail: sqlcheck.Describe("the query", err) +
			" A sql_stage is one DuckDB SELECT over the curated tables (and raw.<table>) by name; it cannot read or write files.",
		Subject: attr.Expr.Range().Ptr(),
	}}
}

// queryTextRange is where the text of a query starts: inside the quotes of
// a string, on the line after <<-MARKER for a heredoc, line 1 of the file
// for query = file("PATH") with a literal path. For any other expression (a
// variable, trimspace(file(...))) it is the expression itself, the nearest
// place in the configuration to blame.
func queryTextRange(expr hcl.Expression, baseDir string) hcl.Range {
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		if len(e.Parts) > 0 {
			return e.Parts[0].Range()
		}
	case *hclsyntax.FunctionCallExpr:
		if e.Name != "file" || len(e.Args) != 1 {
			break
		}
		v, diags := e.Args[0].Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			break
		}
		pos := hcl.Pos{Line: 1, Column: 1}
		return hcl.Range{Filename: resolvePath(baseDir, v.AsString()), Start: pos, End: pos}
	}
	return expr.Range()
}

func isCuratedTable(name string) bool {
	for _, t := range schemas.CuratedTables {
		if t.Name == name {
			return true
		}
	}
	return false
}

func isRawTable(name string) bool {
	_, ok := schemas.RawTable(name)
	return ok
}

// CuratedTableNames are the names of schemas.CuratedTables, in their order.
func CuratedTableNames() []string {
	out := make([]string, len(schemas.CuratedTables))
	for i, t := range schemas.CuratedTables {
		out[i] = t.Name
	}
	return out
}

// AppliesTo reports whether the SQL stage runs for the named profile (an
// empty profiles list covers all).
func (s *SQLStage) AppliesTo(profile string) bool { return CoversProfile(s.Profiles, profile) }

// SQLStage returns the SQL stage with the given name, or nil.
func (c *Config) SQLStage(name string) *SQLStage {
	for _, s := range c.SQLStages {
		if s.Name == name {
			return s
		}
	}
	return nil
}
