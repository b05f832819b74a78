// Package sqlcheck decides whether SQL written in the configuration is what
// it is allowed to be, by asking DuckDB's own parser rather than scanning
// for words: an exclusion's `when` is one boolean expression over the users
// columns, and a sql_stage query is one SELECT over tables by name. Neither
// may call a function that reaches files, the network, the environment or
// the session's settings.
//
// Quoting rules (dollar quotes, E” strings, comments) are DuckDB's to
// know, so the text goes to DuckDB's json_serialize_sql, which returns the
// parse tree of SELECT statements and refuses every other statement; the
// tree is then checked node by node. Nothing is executed and no file is
// opened: the parser runs in an in-memory database whose own file access
// is switched off.
//
// `reclaim validate` uses it to put the problem on the config's line; the
// transform calls it again before DuckDB runs the text, where a sandbox
// (stages/transform) is the second line of defence.
package sqlcheck

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	// The DuckDB driver registers itself as "duckdb" with database/sql.
	_ "github.com/duckdb/duckdb-go/v2"
)

// Problem says why configured SQL is refused. Offset is the byte offset in
// the checked text the problem starts at, or -1 when DuckDB gave none; Line
// and Column (from 1) are the same place, 0 when Offset is -1.
type Problem struct {
	Msg          string
	Offset       int
	Line, Column int
}

// locate fills Line and Column from Offset.
func (p *Problem) locate(text string) *Problem {
	if p.Offset < 0 || p.Offset > len(text) {
		p.Offset = -1
		return p
	}
	before := text[:p.Offset]
	p.Line = strings.Count(before, "\n") + 1
	p.Column = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return p
}

func (p *Problem) Error() string { return p.Msg }

// forbiddenFunctions are scalar functions that read the session rather than
// the data: its settings (paths, the temp directory), the environment, the
// text of the running query. Table functions are refused unless listed in
// allowedTableFunctions, so the file readers (read_text, read_csv,
// read_parquet, glob, query, …) need no list of their own.
var forbiddenFunctions = map[string]bool{
	"getenv": true, "current_setting": true, "current_query": true, "current_query_id": true,
	"in_search_path": true, "json_execute_serialized_sql": true,
}

// ForbiddenFunctions lists the scalar functions a `when` or a sql_stage may
// never call (sorted), for tests elsewhere that prove every path refuses each
// of them; the list itself is kept only here.
func ForbiddenFunctions() []string { return slices.Sorted(maps.Keys(forbiddenFunctions)) }

// allowedTableFunctions are the table functions a sql_stage may call: they
// generate rows and touch nothing outside the query.
var allowedTableFunctions = map[string]bool{"range": true, "generate_series": true, "unnest": true}

// expressionClasses are the expression kinds a `when` may contain: columns,
// constants, operators, function calls and casts. Everything else (a
// sub-query, a star, a window, a lambda, a parameter) is refused.
var expressionClasses = map[string]bool{
	"COLUMN_REF": true, "CONSTANT": true, "COMPARISON": true, "CONJUNCTION": true, "OPERATOR": true,
	"FUNCTION": true, "CAST": true, "CASE": true, "BETWEEN": true, "COLLATE": true,
}

// tableNameRE is a table a sql_stage may read: a plain name (a curated
// table, an earlier stage, a CTE, or raw.<table> in the main transform). A quoted name with a dot or a slash is
// a file to DuckDB's replacement scans ("FROM '/etc/passwd'").
var tableNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// whenPrefix wraps a `when` for parsing; the newlines keep a "--" in the
// expression from commenting out the closing parenthesis.
const (
	whenPrefix = "SELECT * FROM t WHERE (\n"
	whenSuffix = "\n)"
)

var parser struct {
	once sync.Once
	db   *sql.DB
	err  error
	// whenShape is the parse tree of whenPrefix+"true"+whenSuffix without
	// its WHERE: every accepted `when` must parse to this and a WHERE.
	whenShape map[string]any
	// zeroArgFunctions are names DuckDB binds as a function call when
	// written bare, such as current_date: not column names.
	zeroArgFunctions map[string]bool
}

func open() error {
	parser.once.Do(func() {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			parser.err = fmt.Errorf("opening DuckDB to check SQL: %w", err)
			return
		}
		// The parser needs no files; the database it runs in gets none.
		for _, q := range []string{
			"SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
			"SET enable_external_access = false", "SET lock_configuration = true",
		} {
			if _, err := db.Exec(q); err != nil {
				db.Close()
				parser.err = fmt.Errorf("configuring DuckDB to check SQL (%s): %w", q, err)
				return
			}
		}
		parser.db = db
		tree, p := parse(whenPrefix + "true" + whenSuffix)
		if p != nil {
			parser.err = fmt.Errorf("parsing the when template: %s", p.Msg)
			return
		}
		parser.whenShape = tree[0]
		delete(parser.whenShape, "where_clause")
		rows, err := db.Query(`SELECT DISTINCT lower(function_name) FROM duckdb_functions()
			WHERE function_type = 'scalar' AND len(parameters) = 0`)
		if err != nil {
			parser.err = fmt.Errorf("listing DuckDB functions: %w", err)
			return
		}
		defer rows.Close()
		parser.zeroArgFunctions = map[string]bool{}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				parser.err = err
				return
			}
			parser.zeroArgFunctions[name] = true
		}
		parser.err = rows.Err()
	})
	return parser.err
}

// parse returns the query node of each statement in text, or DuckDB's
// reason for refusing it.
func parse(text string) ([]map[string]any, *Problem) {
	var out string
	if err := parser.db.QueryRow("SELECT json_serialize_sql(?::VARCHAR, skip_empty := true, skip_null := true)::VARCHAR", text).Scan(&out); err != nil {
		return nil, &Problem{Msg: "DuckDB could not parse it: " + err.Error(), Offset: -1}
	}
	var res struct {
		Error      bool   `json:"error"`
		Type       string `json:"error_type"`
		Message    string `json:"error_message"`
		Position   string `json:"position"`
		Statements []struct {
			Node map[string]any `json:"node"`
		} `json:"statements"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		// encoding/json refuses trees nested deeper than 10,000 levels.
		return nil, &Problem{Msg: "it is nested too deeply to check", Offset: -1}
	}
	if res.Error {
		if res.Type == "not implemented" {
			return nil, &Problem{Msg: "it holds a statement other than SELECT", Offset: -1}
		}
		off, err := strconv.Atoi(res.Position)
		if err != nil {
			off = -1
		}
		return nil, &Problem{Msg: "DuckDB cannot parse it: " + res.Message, Offset: off}
	}
	nodes := make([]map[string]any, len(res.Statements))
	for i, s := range res.Statements {
		nodes[i] = s.Node
	}
	return nodes, nil
}

// Expression checks that when is one boolean expression a WHERE clause
// over the users table can hold, and returns the column names it uses
// (lowercase, as written; names DuckDB treats as functions, such as
// current_date, left out) so the caller can check them against the table.
func Expression(when string) ([]string, error) {
	if err := open(); err != nil {
		return nil, err
	}
	at := span{len(whenPrefix), len(when)}
	nodes, p := parse(whenPrefix + when + whenSuffix)
	if p != nil {
		switch {
		case p.Offset < 0 && strings.Contains(p.Msg, "other than SELECT"):
			// "true); COPY … TO …; SELECT (1": a second statement.
			p.Msg = "it holds a second statement"
		case p.Offset >= at.base+at.n:
			// DuckDB stumbled on the closing parenthesis it never saw.
			p.Msg, p.Offset = "DuckDB cannot parse it: it ends before the expression is complete", len(when)
			return nil, p.locate(when)
		}
		p.Offset = at.shift(p.Offset)
		return nil, p.locate(when)
	}
	if len(nodes) != 1 {
		return nil, &Problem{Msg: "it holds more than one statement", Offset: -1}
	}
	where := nodes[0]["where_clause"]
	shape := make(map[string]any, len(nodes[0]))
	for k, v := range nodes[0] {
		if k != "where_clause" {
			shape[k] = v
		}
	}
	if where == nil || !reflect.DeepEqual(shape, parser.whenShape) {
		// "x) UNION SELECT …", "true) ORDER BY (1": the text closed the
		// WHERE and went on.
		return nil, &Problem{Msg: "it is more than one expression: it closes its parenthesis and goes on", Offset: -1}
	}
	var cols []string
	err := walk(where, func(m map[string]any) *Problem {
		class, _ := m["class"].(string)
		if class == "" {
			return nil // a part of an expression: a type, a case branch
		}
		if !expressionClasses[class] {
			return at.problemAt(m, "it may not contain a %s", describeClass(class))
		}
		switch class {
		case "FUNCTION":
			return at.checkFunction(m)
		case "COLUMN_REF":
			names, _ := m["column_names"].([]any)
			if len(names) > 0 {
				if name, ok := names[len(names)-1].(string); ok && !parser.zeroArgFunctions[strings.ToLower(name)] {
					cols = append(cols, name)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err.(*Problem).locate(when)
	}
	return cols, nil
}

// Select checks that query is one SELECT statement reading tables by name,
// with no table function but those that generate rows.
func Select(query string) error {
	if err := open(); err != nil {
		return err
	}
	at := span{0, len(query)}
	nodes, p := parse(query)
	if p != nil {
		p.Offset = at.shift(p.Offset)
		return p.locate(query)
	}
	switch len(nodes) {
	case 0:
		return &Problem{Msg: "it holds no statement", Offset: -1}
	case 1:
	default:
		return &Problem{Msg: fmt.Sprintf("it holds %d statements; a sql_stage is one SELECT", len(nodes)), Offset: -1}
	}
	err := walk(nodes[0], func(m map[string]any) *Problem {
		if class, _ := m["class"].(string); class == "FUNCTION" {
			return at.checkFunction(m)
		}
		switch typ, _ := m["type"].(string); typ {
		case "BASE_TABLE":
			return at.checkTable(m)
		case "TABLE_FUNCTION":
			fn, _ := m["function"].(map[string]any)
			name, _ := fn["function_name"].(string)
			if !allowedTableFunctions[strings.ToLower(name)] || qualified(fn) {
				return at.problemAt(m, "it may not call the table function %s: a sql_stage reads tables by name, and only %s generate rows",
					name, strings.Join(slices.Sorted(maps.Keys(allowedTableFunctions)), ", "))
			}
		case "SHOW_REF":
			return at.problemAt(m, "it may not use DESCRIBE, SHOW or SUMMARIZE")
		}
		return nil
	})
	if err != nil {
		return err.(*Problem).locate(query)
	}
	return nil
}

func (s span) checkFunction(m map[string]any) *Problem {
	name, _ := m["function_name"].(string)
	if qualified(m) {
		return s.problemAt(m, "it may not call %s with a schema or catalog", name)
	}
	if forbiddenFunctions[strings.ToLower(name)] {
		return s.problemAt(m, "it may not call %s: it reads the session, not the data", name)
	}
	return nil
}

func (s span) checkTable(m map[string]any) *Problem {
	name, _ := m["table_name"].(string)
	catalog, _ := m["catalog_name"].(string)
	schema, _ := m["schema_name"].(string)
	if !tableNameRE.MatchString(name) {
		return s.problemAt(m, "it may not read %q: a sql_stage reads tables by name, not files", name)
	}
	if catalog != "" || (schema != "" && !strings.EqualFold(schema, "main") && !strings.EqualFold(schema, "raw")) {
		return s.problemAt(m, "it may not read %s: a sql_stage reads curated tables and raw.<table>, by name",
			strings.Trim(catalog+"."+schema+"."+name, "."))
	}
	return nil
}

func qualified(m map[string]any) bool {
	catalog, _ := m["catalog"].(string)
	schema, _ := m["schema"].(string)
	return catalog != "" || schema != ""
}

// walk calls check on every object of the parse tree, depth first, and
// stops at the first problem.
func walk(v any, check func(map[string]any) *Problem) error {
	var p *Problem
	var visit func(any) bool
	visit = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			if p = check(v); p != nil {
				return false
			}
			for _, k := range slices.Sorted(maps.Keys(v)) {
				if !visit(v[k]) {
					return false
				}
			}
		case []any:
			for _, e := range v {
				if !visit(e) {
					return false
				}
			}
		}
		return true
	}
	visit(v)
	if p != nil {
		return p
	}
	return nil
}

// span is where a checked text sits in what DuckDB parsed: from byte base,
// n bytes long. It turns DuckDB's query_location into an offset in the text.
type span struct{ base, n int }

// problemAt builds a Problem at the node's place in the text.
func (s span) problemAt(m map[string]any, format string, args ...any) *Problem {
	off := -1
	if loc, ok := m["query_location"].(float64); ok {
		if o := int(loc) - s.base; o >= 0 && o <= s.n {
			off = o
		}
	}
	return &Problem{Msg: fmt.Sprintf(format, args...), Offset: off}
}

// shift turns an offset in what DuckDB parsed into one in the text.
func (s span) shift(off int) int {
	if off -= s.base; off < 0 || off > s.n {
		return -1
	}
	return off
}

func describeClass(class string) string {
	switch class {
	case "SUBQUERY":
		return "sub-query"
	case "STAR", "COLUMNS":
		return "* or COLUMNS(…)"
	case "WINDOW":
		return "window function"
	case "PARAMETER":
		return "parameter"
	case "LAMBDA":
		return "lambda"
	}
	return strings.ToLower(class) + " expression"
}

// Describe is err as one sentence about what, for a person: "when may not
// contain a sub-query (line 1, column 14 of when)." or the failure to check
// at all.
func Describe(what string, err error) string {
	var p *Problem
	if !errors.As(err, &p) {
		return fmt.Sprintf("%s could not be checked: %v.", what, err)
	}
	msg := strings.TrimSuffix(p.Msg, ".")
	if rest, ok := strings.CutPrefix(msg, "it "); ok {
		msg = what + " " + rest
	} else {
		msg = what + ": " + msg
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s (line %d, column %d of %s).", msg, p.Line, p.Column, what)
	}
	return msg + "."
}

// IsProblem reports whether err is a refusal of the SQL (as opposed to a
// failure to run the check at all).
func IsProblem(err error) bool {
	var p *Problem
	return errors.As(err, &p)
}
