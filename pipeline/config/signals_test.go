package config

import (
	"slices"
	"testing"
)

// TestSignalConstantsInCatalogue checks every typed signal name is a
// catalogue entry: the constants are names for code, not a second list.
func TestSignalConstantsInCatalogue(t *testing.T) {
	for _, s := range []Signal{SignalSignIn, SignalOffice365, SignalEmail, SignalTeams,
		SignalOneDrive, SignalSharePoint, SignalM365Apps, SignalDynamics} {
		if !slices.Contains(AllSignals, s) {
			t.Errorf("config.Signal %q is not in schemas.Signals", s)
		}
	}
}
