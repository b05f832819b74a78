package simtenant

import (
	"fmt"
	"strings"
	"time"
)

// property is one property of a Graph entity as the simulator serves it: the
// name $select and $filter use, how it is written in JSON and, when Graph can
// filter on it, the value $filter compares. X is what one row is made from (a
// user, a SKU, a group). Each entity's properties are one table (users.go,
// licenses.go, groups.go), so a new property is one row there.
type property[X any] struct {
	name string
	// def puts it in Graph's default property set (no $select).
	def bool
	// kind is the $filter literal type of value ('s' string or GUID, 'b'
	// bool, 't' DateTimeOffset) and filter whether Graph accepts it in a
	// $filter; a custom property has neither.
	kind   byte
	filter bool
	// value is the property as $filter sees it: nil for null.
	value func(X) any
	// write adds the property to a JSON object under the key k; nil for a
	// path only $filter names (signInActivity/lastSignInDateTime), whose
	// JSON is part of its parent's.
	write func(o *jsonObj, k string, x X)
	// elems makes the property a collection any() lambdas walk, each element
	// answering the paths of elemSchema.
	elems      func(X) []filterRecord
	elemSchema filterSchema
}

// byDefault marks the property as one Graph returns without $select.
func (p property[X]) byDefault() property[X] { p.def = true; return p }

// filterable lets $filter compare the property (with every operator its
// literal type has, as the simulator's parser offers them).
func (p property[X]) filterable() property[X] { p.filter = true; return p }

// walkable makes the property a collection $filter's any() walks.
func (p property[X]) walkable(elems func(X) []filterRecord, schema filterSchema) property[X] {
	p.elems, p.elemSchema = elems, schema
	return p
}

// text is a string property Graph always sends, even when empty.
func text[X any](name string, get func(X) string) property[X] {
	return property[X]{name: name, kind: 's',
		value: func(x X) any { return get(x) },
		write: func(o *jsonObj, k string, x X) { o.str(k, get(x)) }}
}

// optText is a string property Graph sends as null when unset ("").
func optText[X any](name string, get func(X) string) property[X] {
	return property[X]{name: name, kind: 's',
		value: func(x X) any {
			if v := get(x); v != "" {
				return v
			}
			return nil
		},
		write: func(o *jsonObj, k string, x X) { o.strOrNull(k, get(x)) }}
}

// boolean is a Boolean property.
func boolean[X any](name string, get func(X) bool) property[X] {
	return property[X]{name: name, kind: 'b',
		value: func(x X) any { return get(x) },
		write: func(o *jsonObj, k string, x X) { o.boolean(k, get(x)) }}
}

// trueOrNull is a Boolean property Graph sends as true or null, never false
// (onPremisesSyncEnabled of a cloud-only object).
func trueOrNull[X any](name string, get func(X) bool) property[X] {
	return property[X]{name: name, kind: 'b',
		value: func(x X) any {
			if get(x) {
				return true
			}
			return nil
		},
		write: func(o *jsonObj, k string, x X) {
			if get(x) {
				o.boolean(k, true)
			} else {
				o.null(k)
			}
		}}
}

// integer is an integer property.
func integer[X any](name string, get func(X) int64) property[X] {
	return property[X]{name: name, kind: 'i',
		value: func(x X) any { return get(x) },
		write: func(o *jsonObj, k string, x X) { o.integer(k, get(x)) }}
}

// dateTime is a DateTimeOffset property Graph always sends.
func dateTime[X any](name string, get func(X) time.Time) property[X] {
	return property[X]{name: name, kind: 't',
		value: func(x X) any { return get(x) },
		write: func(o *jsonObj, k string, x X) { o.str(k, graphTime(get(x))) }}
}

// custom is a property written by hand (collections, complex types,
// constants); $filter cannot name it unless elems makes it a collection.
func custom[X any](name string, write func(o *jsonObj, k string, x X)) property[X] {
	return property[X]{name: name, write: write}
}

// entity is one Graph entity type's property table with what is derived
// from it: the $select names (all and default, in table order), the $filter
// schema and the any() collections.
type entity[X any] struct {
	typeName string // microsoft.graph.<typeName>, as errors name it
	props    []property[X]
	byName   map[string]*property[X] // lower-case name: OData names are case-insensitive
	all, def selection[X]
	schema   filterSchema
	lambda   map[string]filterSchema
}

func newEntity[X any](typeName string, props ...property[X]) *entity[X] {
	e := &entity[X]{typeName: typeName, props: props, byName: map[string]*property[X]{},
		schema: filterSchema{}, lambda: map[string]filterSchema{}}
	for i := range e.props {
		p := &e.props[i]
		key := strings.ToLower(p.name)
		if e.byName[key] != nil {
			panic("simtenant: " + typeName + "." + p.name + " is in the property table twice")
		}
		e.byName[key] = p
		if p.write != nil {
			e.all = append(e.all, p)
			if p.def {
				e.def = append(e.def, p)
			}
		}
		if p.filter {
			e.schema[p.name] = p.kind
		}
		if p.elems != nil {
			e.lambda[p.name] = p.elemSchema
		}
	}
	return e
}

// selection is the properties a response writes, in order.
type selection[X any] []*property[X]

// parseSelect resolves $select (case-insensitively, duplicates once);
// empty means the default set. The error text is what Graph returns in a 400.
func (e *entity[X]) parseSelect(raw string) (selection[X], error) {
	if raw == "" {
		return e.def, nil
	}
	var out selection[X]
	for _, name := range strings.Split(raw, ",") {
		p := e.byName[strings.ToLower(strings.TrimSpace(name))]
		if p == nil || p.write == nil {
			return nil, fmt.Errorf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", strings.TrimSpace(name), e.typeName)
		}
		if !out.has(p.name) {
			out = append(out, p)
		}
	}
	return out, nil
}

// selectNames resolves names the simulator itself chooses; a name not in
// the table is a bug in the simulator.
func (e *entity[X]) selectNames(names ...string) selection[X] {
	sel, err := e.parseSelect(strings.Join(names, ","))
	if err != nil {
		panic("simtenant: " + err.Error())
	}
	return sel
}

// parseFilter parses $filter against the entity's filterable properties.
func (e *entity[X]) parseFilter(raw string) (filterExpr, error) {
	return parseFilter(raw, e.schema, e.lambda)
}

// record is x as $filter evaluates it.
func (e *entity[X]) record(x X) filterRecord { return entityRecord[X]{e, x} }

type entityRecord[X any] struct {
	e *entity[X]
	x X
}

func (r entityRecord[X]) get(path string) (any, bool) {
	p := r.e.byName[strings.ToLower(path)]
	if p == nil || p.value == nil {
		return nil, false
	}
	return p.value(r.x), true
}

func (r entityRecord[X]) each(path string) []filterRecord {
	if p := r.e.byName[strings.ToLower(path)]; p != nil && p.elems != nil {
		return p.elems(r.x)
	}
	return nil
}

func (s selection[X]) has(name string) bool {
	for _, p := range s {
		if p.name == name {
			return true
		}
	}
	return false
}

func (s selection[X]) names() []string {
	out := make([]string, len(s))
	for i, p := range s {
		out[i] = p.name
	}
	return out
}

// write adds the selected properties of x to o, in selection order.
func (s selection[X]) write(o *jsonObj, x X) {
	for _, p := range s {
		p.write(o, p.name, x)
	}
}
