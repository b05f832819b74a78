package ui

// SKULabel is a part number with its product's friendly name beside it,
// "SPE_E3 (Microsoft 365 E3)", or the part number alone when the SKU
// catalogue had no name for it. Both pass through escape: part numbers come
// from the tenant and names from a catalogue file, neither is trusted.
func SKULabel(part, name string, escape func(string) string) string {
	if name == "" || name == part {
		return escape(part)
	}
	return escape(part) + " (" + escape(name) + ")"
}

// unsubscribedHeading introduces the list in every view of a run.
const unsubscribedHeading = "SKUs the configuration names that this tenant has no subscription for (they match no licence; a typo?)"
