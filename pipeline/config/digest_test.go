package config

import (
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// pinnedConfig is a configuration whose decision digest is pinned below.
func pinnedConfig() *Config {
	return &Config{
		Profiles: map[string]*Profile{"b": {Name: "b"}, "a": {Name: "a", Tasks: Tasks{ReclaimSubscriptions: true}}},
		ReclaimRules: []*ReclaimRule{{Name: "r", Profiles: []string{"a"}, SKUs: []string{"E3"}, Signals: []Signal{"sign_in", "email"},
			InactiveDays: 90, GraceDays: 30, DisabledAccounts: "include", IncludeGuests: true, Action: ActionRemoveLicense, MaxActions: 5,
			AllowGroupRemoval: true, AllowOneWay: true, DeclRange: hcl.Range{Filename: "rules.hcl"}}, {Name: "s"}},
		Exclusions: []*Exclusion{{Name: "x", Users: []string{"u@x"}, Groups: []string{"g"}, SKUs: []string{"E5"}, When: "department = 'IT'"}, {Name: "y"}},
	}
}

// TestDecisionDigestPinned pins the digest of a fixed configuration to the
// value the hand-listed act.ConfigDigest gave before it moved here, so saved
// plans stay valid. A field added to ReclaimRule or Exclusion changes every
// digest (the plans saved before the upgrade become stale): that is intended;
// update the pin then and say so in the release notes (ServicePlans, issue
// 13, moved it).
func TestDecisionDigestPinned(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  *Config
		want string
	}{
		{"rules and exclusions", pinnedConfig(), "sha256:9225b21e8e9a4ae4255dab5748d47f4e8cdf297e4c26722ea2b86218cbfd373c"},
		{"empty", &Config{}, "sha256:0c2026ba05a0913495c2ef9e5df78041a517dc7b75206e5eb7d61dd59eb4fd74"},
	} {
		if got := tc.cfg.DecisionDigest(); got != tc.want {
			t.Errorf("%s: DecisionDigest = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestDecisionDigestCoversEveryField walks ReclaimRule and Exclusion: every
// field must change the digest when set, or be a source range tagged
// `digest:"-"`. A new field that reflection cannot see (unexported) or that
// this test cannot set fails here until it is decided on.
func TestDecisionDigestCoversEveryField(t *testing.T) {
	rangeType := reflect.TypeOf(hcl.Range{})
	// Unexported fields are for diagnostics only; each is listed by name.
	// appNames are resolved into Apps (with the apps' ids), which the
	// digest covers.
	diagnosticOnly := map[string]bool{"profileRanges": true, "appNames": true, "appsRange": true, "skuRanges": true}
	check := func(t *testing.T, elem func(c *Config) reflect.Value) {
		base := pinnedConfig()
		before := base.DecisionDigest()
		typ := elem(base).Type()
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch {
			case f.Tag.Get("digest") == "-":
				if f.Type != rangeType {
					t.Errorf("%s.%s is tagged digest:\"-\" but is a %s: only source ranges may be left out of the decision digest", typ.Name(), f.Name, f.Type)
				}
				continue
			case !f.IsExported():
				if !diagnosticOnly[f.Name] {
					t.Errorf("%s.%s is unexported, so the decision digest cannot see it: export it, or list it in diagnosticOnly if no decision depends on it", typ.Name(), f.Name)
				}
				continue
			}
			cfg := pinnedConfig()
			if !setDifferent(elem(cfg).Field(i)) {
				t.Errorf("%s.%s: this test cannot change a %s; teach setDifferent", typ.Name(), f.Name, f.Type)
				continue
			}
			if cfg.DecisionDigest() == before {
				t.Errorf("changing %s.%s leaves the decision digest unchanged: a plan would not go stale", typ.Name(), f.Name)
			}
		}
		// A source range moves when a comment is added: never a reason.
		cfg := pinnedConfig()
		elem(cfg).FieldByName("DeclRange").Set(reflect.ValueOf(hcl.Range{Filename: "moved.hcl", Start: hcl.Pos{Line: 9}}))
		if cfg.DecisionDigest() != before {
			t.Errorf("moving %s's DeclRange changed the decision digest", typ.Name())
		}
	}
	t.Run("ReclaimRule", func(t *testing.T) {
		check(t, func(c *Config) reflect.Value { return reflect.ValueOf(c.ReclaimRules[0]).Elem() })
	})
	t.Run("Exclusion", func(t *testing.T) {
		check(t, func(c *Config) reflect.Value { return reflect.ValueOf(c.Exclusions[0]).Elem() })
	})
	t.Run("reclaim switch", func(t *testing.T) {
		cfg := pinnedConfig()
		cfg.Profiles["b"].Tasks.ReclaimSubscriptions = true
		if cfg.DecisionDigest() == pinnedConfig().DecisionDigest() {
			t.Error("switching reclaim_subscriptions on leaves the decision digest unchanged")
		}
	})
}

// setDifferent sets v to a value other than its current one.
func setDifferent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "-changed")
	case reflect.Int:
		v.SetInt(v.Int() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		e := reflect.New(v.Type().Elem()).Elem()
		switch e.Kind() {
		case reflect.String:
			e.SetString("changed")
		case reflect.Struct: // an App: its zero value is an element all the same
		default:
			return false
		}
		v.Set(reflect.Append(v, e))
	default:
		return false
	}
	return true
}
