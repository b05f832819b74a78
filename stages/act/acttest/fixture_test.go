package acttest

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/pipeline/store"
	"github.com/reclaimhq/reclaim/schemas"
)

// TestFixtureMatchesRecommendationSchema checks the derived fixture type has
// schemas.Recommendation's columns, in the same order, with the same
// optionality and nesting.
func TestFixtureMatchesRecommendationSchema(t *testing.T) {
	got := parquet.SchemaOf(reflect.New(fixtureType(reflect.TypeOf(schemas.Recommendation{}))).Elem().Interface())
	want := parquet.SchemaOf(schemas.Recommendation{})
	gp, wp := got.Columns(), want.Columns()
	if len(gp) != len(wp) {
		t.Fatalf("fixture has %d leaf columns, schemas.Recommendation %d", len(gp), len(wp))
	}
	for i := range wp {
		g, _ := got.Lookup(gp[i]...)
		w, _ := want.Lookup(wp[i]...)
		if filepath.Join(gp[i]...) != filepath.Join(wp[i]...) || g.MaxDefinitionLevel != w.MaxDefinitionLevel || g.MaxRepetitionLevel != w.MaxRepetitionLevel {
			t.Errorf("column %d: fixture %v, schema %v", i, gp[i], wp[i])
		}
	}
}

// TestWriteRecommendationsRoundTrip writes a recommendation with every kind
// of date (top-level, optional, inside the signals list) and reads it back
// with parquet-go as the act stage does.
func TestWriteRecommendationsRoundTrip(t *testing.T) {
	day := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	signIn := time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)
	out := t.TempDir()
	in := schemas.Recommendation{SnapshotDate: day, AsOf: day, UserID: "u", LastActivityDate: &day, LastSignInDateTime: &signIn,
		Signals: []schemas.SignalActivity{{Signal: "sign_in", LastActivity: &signIn}, {Signal: "email", LastActivity: &day, RefreshDate: &day, Unknown: true}}}
	if err := WriteRecommendations(out, "p", "2026-11-18", "r1", []schemas.Recommendation{in}); err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[schemas.Recommendation](store.ProfileAt(out, "p").Partition(store.Curated, "recommendations", day))
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	r := rows[0]
	if !r.SnapshotDate.Equal(day) || !r.LastActivityDate.Equal(day) || !r.LastSignInDateTime.Equal(signIn) || len(r.Signals) != 2 ||
		!r.Signals[0].LastActivity.Equal(signIn) || !r.Signals[1].RefreshDate.Equal(day) || !r.Signals[1].Unknown {
		t.Errorf("read back %+v", r)
	}
}
