package simtenant

import (
	"testing"

	"github.com/reclaimhq/reclaim/schemas/skucatalog"
)

// notInCatalogue are the simulator's SKUs missing from the embedded SKU
// catalogue, each with why.
var notInCatalogue = map[string]string{
	// The catalogue is an excerpt of Microsoft's list until the next
	// refresh (schemas/skucatalog/README.md); a real part number all the same.
	"POWER_BI_STANDARD": "Microsoft Fabric (Free); its row of Microsoft's page is not in the excerpt",
	// A stand-in for a Copilot-bundling suite (catalog.go): Microsoft's
	// reference of 2025-10-29 has no Microsoft 365 E7 row.
	"Microsoft_365_E7": "the simulator's stand-in, not a product of Microsoft's list",
}

// TestSKUsAreMicrosofts: every SKU the simulated tenant sells is a real
// product of Microsoft's catalogue, with Microsoft's skuId.
func TestSKUsAreMicrosofts(t *testing.T) {
	t.Parallel()
	cat := skucatalog.Embedded()
	for _, s := range SKUs() {
		p, ok := cat.Lookup(s.PartNumber)
		if !ok {
			if _, gap := notInCatalogue[s.PartNumber]; !gap {
				t.Errorf("simulator SKU %s is not in the SKU catalogue", s.PartNumber)
			}
			continue
		}
		if _, gap := notInCatalogue[s.PartNumber]; gap {
			t.Errorf("%s is in the SKU catalogue now: drop it from notInCatalogue", s.PartNumber)
		}
		if p.PartNumber != s.PartNumber || p.ID != s.ID {
			t.Errorf("simulator SKU %s %s; Microsoft's catalogue says %s %s", s.PartNumber, s.ID, p.PartNumber, p.ID)
		}
	}
}
