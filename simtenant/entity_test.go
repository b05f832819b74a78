package simtenant

import (
	"strings"
	"testing"
)

// TestUserPropertyTable checks what the user table derives: $select is
// case-insensitive and lists a property once, a path only $filter names
// (signInActivity/…) cannot be selected, and every filterable property and
// path answers $filter on a real user.
func TestUserPropertyTable(t *testing.T) {
	sel, err := userEntity.parseSelect("ID, userprincipalname,id,SignInActivity")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sel.names(), ","); got != "id,userPrincipalName,signInActivity" {
		t.Errorf("selection = %s", got)
	}
	_, err = userEntity.parseSelect("id,signInActivity/lastSignInDateTime")
	if err == nil || err.Error() != "Could not find a property named 'signInActivity/lastSignInDateTime' on type 'microsoft.graph.user'." {
		t.Errorf("selecting a filter-only path: %v", err)
	}
	srv, _ := startSim(t, Options{Users: 10, Seed: 2})
	rec := userEntity.record(userView{srv, srv.current(0)})
	for name, kind := range userEntity.schema {
		v, ok := rec.get(strings.ToUpper(name))
		if !ok {
			t.Errorf("$filter property %s has no value", name)
			continue
		}
		lit := map[byte]string{'s': "'x'", 'b': "true", 't': "2026-01-01T00:00:00Z"}[kind]
		if _, err := userEntity.parseFilter(name + " eq " + lit); err != nil {
			t.Errorf("%s (%c, value %v): %v", name, kind, v, err)
		}
	}
}
