package acttest

import (
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/reclaimhq/reclaim/schemas"
)

// TestFixtureMatchesRecommendationSchema keeps the hand-kept mirror in step
// with schemas.Recommendation: same columns, in the same order, with the
// same optionality.
func TestFixtureMatchesRecommendationSchema(t *testing.T) {
	got := parquet.SchemaOf(recFixture{}).Fields()
	want := parquet.SchemaOf(schemas.Recommendation{}).Fields()
	if len(got) != len(want) {
		t.Fatalf("recFixture has %d columns, schemas.Recommendation %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name() != want[i].Name() || got[i].Optional() != want[i].Optional() || got[i].Repeated() != want[i].Repeated() {
			t.Errorf("column %d: fixture %q (optional %t), schema %q (optional %t)",
				i, got[i].Name(), got[i].Optional(), want[i].Name(), want[i].Optional())
		}
	}
}
