package transform

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Column is one column of a table as DuckDB sees it.
type Column struct {
	Name string
	// Type is DuckDB's type name as DESCRIBE prints it (VARCHAR, BIGINT,
	// DATE, TIMESTAMP, VARCHAR[] …).
	Type string
}

// ColumnsOf derives the DuckDB columns of a schemas row struct from its Go
// types and parquet tags. It is the one mapping between the Go definitions
// and the SQL: raw views are projected through it and curated outputs are
// checked against it.
func ColumnsOf(row any) ([]Column, error) {
	t := reflect.TypeOf(row)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("columns of %T: not a struct", row)
	}
	var cols []Column
	for _, f := range columnFields(t) {
		opts := strings.Split(f.Tag.Get("parquet"), ",")
		name := opts[0]
		if name == "" {
			name = f.Name
		}
		typ, err := duckType(f.Type, opts[1:])
		if err != nil {
			return nil, fmt.Errorf("columns of %s.%s: %w", t.Name(), f.Name, err)
		}
		cols = append(cols, Column{Name: name, Type: typ})
	}
	return cols, nil
}

// columnFields are the fields of struct type t that are columns, in column
// order: exported and with a parquet tag other than "-". ColumnsOf names
// and types them; the live when evaluator reads a row's values through them.
func columnFields(t reflect.Type) []reflect.StructField {
	var fields []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, ok := f.Tag.Lookup("parquet"); ok && tag != "-" && f.IsExported() {
			fields = append(fields, f)
		}
	}
	return fields
}

var timeType = reflect.TypeOf(time.Time{})

func duckType(t reflect.Type, opts []string) (string, error) {
	has := func(prefix string) bool {
		for _, o := range opts {
			if o == prefix || strings.HasPrefix(o, prefix+"(") {
				return true
			}
		}
		return false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case has("date"):
		return "DATE", nil
	case has("timestamp"):
		for _, o := range opts {
			if strings.HasPrefix(o, "timestamp(") && !strings.Contains(o, ":local") {
				return "TIMESTAMP WITH TIME ZONE", nil
			}
		}
		return "TIMESTAMP", nil
	case t == timeType:
		return "", fmt.Errorf("time.Time without a date or timestamp tag")
	}
	switch t.Kind() {
	case reflect.String:
		return "VARCHAR", nil
	case reflect.Bool:
		return "BOOLEAN", nil
	case reflect.Int64, reflect.Int:
		return "BIGINT", nil
	case reflect.Int32:
		return "INTEGER", nil
	case reflect.Float64:
		return "DOUBLE", nil
	case reflect.Float32:
		return "FLOAT", nil
	case reflect.Struct:
		// A nested struct (a list element such as
		// schemas.SignalActivity) is a DuckDB STRUCT of its columns.
		var fields []string
		for _, f := range columnFields(t) {
			opts := strings.Split(f.Tag.Get("parquet"), ",")
			ft, err := duckType(f.Type, opts[1:])
			if err != nil {
				return "", fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
			fields = append(fields, structFieldName(opts[0])+" "+ft)
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "BLOB", nil
		}
		el, err := duckType(t.Elem(), nil)
		if err != nil {
			return "", err
		}
		return el + "[]", nil
	}
	return "", fmt.Errorf("no DuckDB type for Go type %s", t)
}

// structFieldName spells a STRUCT field as DESCRIBE prints it: quoted when
// it is a DuckDB keyword. structKeywords holds the keywords our nested
// structs use; TestStructFieldNames checks it against duckdb_keywords().
func structFieldName(name string) string {
	if structKeywords[name] {
		return quoteIdent(name)
	}
	return name
}

var structKeywords = map[string]bool{"unknown": true}

// columnList renders "a, b, c" for a SELECT list.
func columnList(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
