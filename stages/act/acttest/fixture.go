// Package acttest writes curated snapshots the way the transform lays them
// out, for tests of plan and apply that run before (or without) a real
// extract and transform. Production code never imports it.
package acttest

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// fixtureType is t with every time.Time "date" field (at any depth: list
// elements too) turned into schemas.Date, which parquet-go writes as DuckDB
// does: parquet-go writes time.Time "date" fields wrongly, and fixtures must
// look like what the transform writes. Derived from the schemas struct, so
// it cannot fall out of step with it.
func fixtureType(t reflect.Type) reflect.Type {
	switch {
	case t.Kind() == reflect.Pointer:
		return reflect.PointerTo(fixtureType(t.Elem()))
	case t.Kind() == reflect.Slice:
		return reflect.SliceOf(fixtureType(t.Elem()))
	case t.Kind() != reflect.Struct || t == timeType:
		return t
	}
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		f := t.Field(i)
		if isDate(f) {
			if f.Type.Kind() == reflect.Pointer {
				f.Type = reflect.PointerTo(dateType)
			} else {
				f.Type = dateType
			}
		} else {
			f.Type = fixtureType(f.Type)
		}
		fields[i] = f
	}
	return reflect.StructOf(fields)
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(schemas.Date(0))
)

func isDate(f reflect.StructField) bool {
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == timeType && slices.Contains(strings.Split(f.Tag.Get("parquet"), ",")[1:], "date")
}

// toFixture copies src into dst, a value of fixtureType(src.Type()).
func toFixture(dst, src reflect.Value) {
	switch {
	case src.Kind() == reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
			toFixture(dst.Elem(), src.Elem())
		}
	case src.Kind() == reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(dst.Type(), src.Len(), src.Len()))
			for i := 0; i < src.Len(); i++ {
				toFixture(dst.Index(i), src.Index(i))
			}
		}
	case src.Type() == timeType && dst.Type() == dateType:
		dst.Set(reflect.ValueOf(schemas.DateOf(src.Interface().(time.Time))))
	case src.Kind() == reflect.Struct && src.Type() != timeType:
		for i := 0; i < src.NumField(); i++ {
			toFixture(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}

// WriteRecommendations commits recs as the curated recommendations
// partition of date (store.Profile.Partition) with DATE columns as DuckDB
// writes them, and a minimal run manifest of runID naming the date.
func WriteRecommendations(out, profile, date, runID string, recs []schemas.Recommendation) error {
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return fmt.Errorf("acttest: snapshot date: %w", err)
	}
	s, prof := &store.Store{Dir: out}, store.ProfileAt(out, profile)
	ft := fixtureType(reflect.TypeOf(schemas.Recommendation{}))
	if err := s.WriteFile(prof.Partition(store.Curated, "recommendations", day), store.KindSnapshot, 0o644, func(f io.Writer) error {
		w := parquet.NewWriter(f, parquet.SchemaOf(reflect.New(ft).Elem().Interface()))
		for _, r := range recs {
			row := reflect.New(ft).Elem()
			toFixture(row, reflect.ValueOf(r))
			if err := w.Write(row.Interface()); err != nil {
				return err
			}
		}
		return w.Close()
	}); err != nil {
		return err
	}
	return s.WriteFile(prof.ManifestPath(runID), store.KindManifest, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, `{"run_id":"`+runID+`","snapshot_date":"`+date+`"}`)
		return err
	})
}
