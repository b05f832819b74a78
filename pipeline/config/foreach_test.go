package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestProfileForEachFromCSV declares one multi-tenant app once and its
// customer tenants in a CSV file (the MSP case): every row is a profile
// SET.KEY with each.value's columns, a rule names the set or one instance,
// and CoversProfile agrees.
func TestProfileForEachFromCSV(t *testing.T) {
	dir := t.TempDir()
	csv := "key,tenant_id,lookback\n" +
		"fabrikam,AAAAAAAA-1111-1111-1111-111111111111,30\n" +
		"contoso.eu,bbbbbbbb-2222-2222-2222-222222222222,60\n"
	files := map[string]string{
		"tenants.csv": csv,
		"main.hcl": `
profile "customers" {
  for_each      = csvdecode(file("tenants.csv"))
  tenant_id     = each.value.tenant_id
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  lookback_days = tonumber(each.value.lookback)
}
profile "own" {
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}
reclaim "all_customers" {
  profiles      = ["customers"]
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}
reclaim "one" {
  profiles      = ["customers.contoso.eu"]
  skus          = ["SPE_E3"]
  signals       = ["sign_in"]
  inactive_days = 90
}
`}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := testLoader(map[string]string{"SECRET": "s"}).Load(dir, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []string{"customers.contoso.eu", "customers.fabrikam", "own"}
	if got := cfg.ProfileNames(); !equalStrings(got, want) {
		t.Fatalf("profiles = %q, want %q", got, want)
	}
	f := cfg.Profile("customers.fabrikam")
	if f.TenantID != "AAAAAAAA-1111-1111-1111-111111111111" || f.LookbackDays != 30 || f.Set != "customers" || f.Key != "fabrikam" {
		t.Errorf("fabrikam = %q lookback %d set %q key %q", f.TenantID, f.LookbackDays, f.Set, f.Key)
	}
	if c := cfg.Profile("customers.contoso.eu"); c.LookbackDays != 60 || c.ClientSecret.Reveal() != "s" {
		t.Errorf("contoso.eu lookback %d", c.LookbackDays)
	}
	if s := cfg.ProfileSets["customers"]; s == nil || !equalStrings(s.Keys, []string{"contoso.eu", "fabrikam"}) {
		t.Errorf("set = %+v", s)
	}
	all, one := cfg.ReclaimRule("all_customers"), cfg.ReclaimRule("one")
	for _, c := range []struct {
		profile  string
		all, one bool
	}{
		{"customers.fabrikam", true, false},
		{"customers.contoso.eu", true, true},
		{"own", false, false},
	} {
		if all.AppliesTo(c.profile) != c.all || one.AppliesTo(c.profile) != c.one {
			t.Errorf("%s: all %v one %v, want %v %v", c.profile, all.AppliesTo(c.profile), one.AppliesTo(c.profile), c.all, c.one)
		}
	}
}

// TestProfileForEachShapes: a map (keys are the keys) and a set of strings
// (each string is key and value) both make instances.
func TestProfileForEachShapes(t *testing.T) {
	cfg := mustLoad(t, `
profile "m" {
  for_each      = { a = "11111111-1111-1111-1111-111111111111", b = "33333333-1111-1111-1111-111111111111" }
  tenant_id     = each.value
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
}
profile "s" {
  for_each      = toset(["x", "y_2"])
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("SECRET")
  graph_endpoint = "https://${each.key}.example.com"
}
`)
	if got, want := cfg.ProfileNames(), []string{"m.a", "m.b", "s.x", "s.y_2"}; !equalStrings(got, want) {
		t.Fatalf("profiles = %q, want %q", got, want)
	}
	if p := cfg.Profile("m.b"); p.TenantID != "33333333-1111-1111-1111-111111111111" {
		t.Errorf("m.b tenant = %q", p.TenantID)
	}
	if p := cfg.Profile("s.y_2"); p.GraphEndpoint != "https://y_2.example.com" {
		t.Errorf("s.y_2 endpoint = %q", p.GraphEndpoint)
	}
}

// TestProfileForEachMistakeReportedOnce: a mistake that does not depend on
// the instance (a missing client_id) is one diagnostic, not one per tenant.
func TestProfileForEachMistakeReportedOnce(t *testing.T) {
	_, diags := loadString(t, nil, nil, `
profile "m" {
  for_each      = toset(["a", "b", "c"])
  tenant_id     = "11111111-1111-1111-1111-111111111111"
  client_secret = env("SECRET")
}
`)
	if len(diags) != 1 || diags[0].Summary != "Missing client_id" {
		t.Fatalf("diagnostics = %v; want one missing client_id", diags)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
