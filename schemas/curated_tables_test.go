package schemas

import (
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestCuratedSchemasBuild makes sure every curated struct is a valid Parquet
// schema and that table names are unique.
func TestCuratedSchemasBuild(t *testing.T) {
	seen := map[string]bool{}
	for _, tab := range CuratedTables {
		if seen[tab.Name] {
			t.Errorf("curated table %q listed twice", tab.Name)
		}
		seen[tab.Name] = true
		s := parquet.SchemaOf(tab.Row)
		if len(s.Fields()) < 3 {
			t.Errorf("%s: schema has %d fields", tab.Name, len(s.Fields()))
		}
		if s.Fields()[0].Name() != "snapshot_date" {
			t.Errorf("%s: first column is %q, want snapshot_date", tab.Name, s.Fields()[0].Name())
		}
	}
}
