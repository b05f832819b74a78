package simtenant

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// jsonObj writes one JSON object with keys in the order they are added, which
// keeps responses byte-identical across runs without reflection.
type jsonObj struct {
	b     []byte
	first bool
}

func newObj(b []byte) *jsonObj { o := new(jsonObj); o.open(b); return o }

// open starts an object at the end of b, reusing o: a listing writes each
// row through one jsonObj, so rows written through property tables (whose
// writers o escapes into) cost no allocation each.
func (o *jsonObj) open(b []byte) { o.b, o.first = append(b, '{'), true }

func (o *jsonObj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObj) str(k, v string) { o.key(k); o.b = appendJSONString(o.b, v) }

// strOrNull writes null for the empty string, as Graph does for unset strings.
func (o *jsonObj) strOrNull(k, v string) {
	o.key(k)
	if v == "" {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = appendJSONString(o.b, v)
}
func (o *jsonObj) boolean(k string, v bool)  { o.key(k); o.b = strconv.AppendBool(o.b, v) }
func (o *jsonObj) integer(k string, v int64) { o.key(k); o.b = strconv.AppendInt(o.b, v, 10) }
func (o *jsonObj) null(k string)             { o.key(k); o.b = append(o.b, "null"...) }
func (o *jsonObj) raw(k string, v []byte)    { o.key(k); o.b = append(o.b, v...) }
func (o *jsonObj) strs(k string, v []string) {
	o.key(k)
	o.b = append(o.b, '[')
	for i, s := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, s)
	}
	o.b = append(o.b, ']')
}
func (o *jsonObj) close() []byte { return append(o.b, '}') }

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// graphTime formats a DateTimeOffset the way Graph does (UTC, Z, no fraction).
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// ---- $filter: a small OData expression parser ----

// filterExpr is a parsed $filter. Evaluation asks a record for property values
// through a getter; unknown properties were rejected at parse time.
type filterExpr interface{ eval(rec filterRecord) bool }

// filterRecord answers property lookups for one row. any() lambdas ask for a
// collection by path and get back one record per element.
type filterRecord interface {
	get(path string) (any, bool)
	each(path string) []filterRecord
}

type filterAnd struct{ l, r filterExpr }
type filterOr struct{ l, r filterExpr }
type filterNot struct{ e filterExpr }
type filterCmp struct {
	path string
	op   string
	val  any // string, bool, int64, time.Time, nil
}
type filterFunc struct {
	fn   string // startswith, endswith
	path string
	arg  string
}
type filterAny struct {
	path string
	v    string
	body filterExpr
}

func (f filterAnd) eval(r filterRecord) bool { return f.l.eval(r) && f.r.eval(r) }
func (f filterOr) eval(r filterRecord) bool  { return f.l.eval(r) || f.r.eval(r) }
func (f filterNot) eval(r filterRecord) bool { return !f.e.eval(r) }
func (f filterFunc) eval(r filterRecord) bool {
	v, _ := r.get(f.path)
	s, _ := v.(string)
	switch f.fn {
	case "startswith":
		return strings.HasPrefix(strings.ToLower(s), strings.ToLower(f.arg))
	case "endswith":
		return strings.HasSuffix(strings.ToLower(s), strings.ToLower(f.arg))
	}
	return false
}
func (f filterAny) eval(r filterRecord) bool {
	for _, e := range r.each(f.path) {
		if f.body.eval(lambdaRecord{v: f.v, rec: e}) {
			return true
		}
	}
	return false
}

// lambdaRecord strips the lambda variable prefix ("u/skuId" → "skuId").
type lambdaRecord struct {
	v   string
	rec filterRecord
}

func (l lambdaRecord) get(p string) (any, bool) {
	return l.rec.get(strings.TrimPrefix(p, l.v+"/"))
}
func (l lambdaRecord) each(p string) []filterRecord {
	return l.rec.each(strings.TrimPrefix(p, l.v+"/"))
}

func (f filterCmp) eval(r filterRecord) bool {
	v, ok := r.get(f.path)
	if !ok {
		v = nil
	}
	c, comparable := compareValues(v, f.val)
	switch f.op {
	case "eq":
		return comparable && c == 0
	case "ne":
		return !comparable || c != 0
	case "gt":
		return comparable && c > 0
	case "ge":
		return comparable && c >= 0
	case "lt":
		return comparable && c < 0
	case "le":
		return comparable && c <= 0
	}
	return false
}

func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case nil:
		if b == nil {
			return 0, true
		}
		return 0, false
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(strings.ToLower(x), strings.ToLower(y)), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if x == y {
			return 0, true
		}
		if !x {
			return -1, true
		}
		return 1, true
	case int64:
		y, ok := b.(int64)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case time.Time:
		y, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	}
	return 0, false
}

// filterSchema says which properties a $filter may name and how their
// literals are typed: 's' string/guid, 'b' bool, 'i' int, 't' DateTimeOffset,
// 'c' a collection usable with any().
type filterSchema map[string]byte

type filterParser struct {
	toks   []string
	pos    int
	schema filterSchema
	lambda map[string]filterSchema // collection path → element schema
	vars   map[string]filterSchema
}

// parseFilter parses an OData $filter. The error text is what the server
// returns in a 400.
func parseFilter(s string, schema filterSchema, lambda map[string]filterSchema) (filterExpr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, schema: schema, lambda: lambda, vars: map[string]filterSchema{}}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("Syntax error at position %d in '%s'.", p.pos, s)
	}
	return e, nil
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',' || c == ':':
			toks = append(toks, string(c))
			i++
		case c == '\'':
			j := i + 1
			var sb strings.Builder
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("Unterminated string literal at position %d in '%s'.", i, s)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						sb.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(s[j])
				j++
			}
			toks = append(toks, "'"+sb.String())
			i = j + 1
		default:
			j := i
			stop := " \t(),:'"
			if c >= '0' && c <= '9' {
				stop = " \t(),'" // DateTimeOffset literals contain ':'
			}
			for j < len(s) && !strings.ContainsRune(stop, rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

func (p *filterParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}
func (p *filterParser) next() string { t := p.peek(); p.pos++; return t }
func (p *filterParser) expect(t string) error {
	if got := p.next(); got != t {
		return fmt.Errorf("Syntax error: expected '%s' but found '%s'.", t, got)
	}
	return nil
}

func (p *filterParser) or() (filterExpr, error) {
	return p.chain("or", p.and, func(l, r filterExpr) filterExpr { return filterOr{l, r} })
}

func (p *filterParser) and() (filterExpr, error) {
	return p.chain("and", p.unary, func(l, r filterExpr) filterExpr { return filterAnd{l, r} })
}

// chain parses operands joined by the (left-associative) keyword word.
func (p *filterParser) chain(word string, operand func() (filterExpr, error), join func(l, r filterExpr) filterExpr) (filterExpr, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), word) {
		p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = join(l, r)
	}
	return l, nil
}

func (p *filterParser) unary() (filterExpr, error) {
	if strings.EqualFold(p.peek(), "not") {
		p.next()
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return filterNot{e}, nil
	}
	if p.peek() == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	tok := p.next()
	if tok == "" {
		return nil, fmt.Errorf("Syntax error: unexpected end of filter expression.")
	}
	low := strings.ToLower(tok)
	if (low == "startswith" || low == "endswith") && p.peek() == "(" {
		p.next()
		path := p.next()
		typ, err := p.propType(path)
		if err != nil {
			return nil, err
		}
		if typ != 's' {
			return nil, fmt.Errorf("Unsupported or invalid query filter clause specified for property '%s' of resource 'User'.", path)
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		lit := p.next()
		if !strings.HasPrefix(lit, "'") {
			return nil, fmt.Errorf("Syntax error: expected a string literal in %s().", low)
		}
		return filterFunc{fn: low, path: path, arg: lit[1:]}, p.expect(")")
	}
	// path/any(v:body)
	if j := strings.Index(tok, "/"); j >= 0 && (strings.HasSuffix(strings.ToLower(tok), "/any") || strings.HasSuffix(strings.ToLower(tok), "/all")) {
		coll := tok[:strings.LastIndex(tok, "/")]
		elem, ok := p.lambda[coll]
		if !ok || strings.HasSuffix(strings.ToLower(tok), "/all") {
			return nil, fmt.Errorf("Unsupported query: lambda operator on '%s' is not supported.", coll)
		}
		if err := p.expect("("); err != nil {
			return nil, err
		}
		v := p.next()
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		p.vars[v] = elem
		body, err := p.or()
		delete(p.vars, v)
		if err != nil {
			return nil, err
		}
		return filterAny{path: coll, v: v, body: body}, p.expect(")")
	}
	typ, err := p.propType(tok)
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(p.next())
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le":
	default:
		return nil, fmt.Errorf("Syntax error: unsupported operator '%s' after '%s'.", op, tok)
	}
	lit := p.next()
	val, err := literal(lit, typ)
	if err != nil {
		return nil, err
	}
	return filterCmp{path: tok, op: op, val: val}, nil
}

func (p *filterParser) propType(path string) (byte, error) {
	if j := strings.Index(path, "/"); j >= 0 {
		if s, ok := p.vars[path[:j]]; ok {
			if t, ok := s[path[j+1:]]; ok {
				return t, nil
			}
		}
	}
	if t, ok := p.schema[path]; ok {
		return t, nil
	}
	for k, t := range p.schema { // OData property names are case-insensitive here
		if strings.EqualFold(k, path) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("Unsupported or invalid query filter clause specified for property '%s'.", path)
}

func literal(lit string, typ byte) (any, error) {
	if lit == "null" {
		return nil, nil
	}
	switch typ {
	case 's':
		if strings.HasPrefix(lit, "'") {
			return lit[1:], nil
		}
		if len(lit) == 36 && strings.Count(lit, "-") == 4 { // unquoted GUID literal
			return lit, nil
		}
	case 'b':
		switch lit {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	case 'i':
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return n, nil
		}
	case 't':
		s := strings.TrimPrefix(lit, "'")
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
	}
	return nil, fmt.Errorf("Invalid filter clause: literal '%s' does not match the property type.", strings.TrimPrefix(lit, "'"))
}
