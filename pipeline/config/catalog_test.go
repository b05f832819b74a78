package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

const catalogProfile = `
profile "p" {
  tenant_id     = "33333333-3333-3333-3333-333333333333"
  client_id     = "22222222-2222-2222-2222-222222222222"
  client_secret = env("S")
}
`

func loadCatalogTest(t *testing.T, files map[string]string, csv map[string]string) (*Config, hcl.Diagnostics) {
	t.Helper()
	src := map[string][]byte{"p.hcl": []byte(catalogProfile)}
	for n, b := range files {
		src[n] = []byte(b)
	}
	l := NewLoader()
	l.LookupEnv = func(string) (string, bool) { return "secret", true }
	l.ReadFile = func(name string) ([]byte, error) {
		if b, ok := csv[name]; ok {
			return []byte(b), nil
		}
		return nil, errors.New("open " + name + ": no such file or directory")
	}
	return l.LoadSources("cfg", src, nil)
}

// TestCheckSKUNames: an unknown part number is a warning at the list item,
// with the closest part number suggested; known ones and GUIDs are quiet.
func TestCheckSKUNames(t *testing.T) {
	t.Parallel()
	cfg, diags := loadCatalogTest(t, map[string]string{"r.hcl": `
reclaim "e3" {
  skus          = ["SPE_E3", "SPE_E33", "05e9a617-0261-4cee-bb44-138d3ef5d965"]
  signals       = ["sign_in"]
  inactive_days = 30
}
exclude "x" { skus = ["ENTERPRISEPACKK"] }
price "SPE_E55" { amount = 57 }
`}, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := cfg.CheckSKUNames()
	want := []struct{ at, detail string }{
		{"r.hcl:3,30", `reclaim "e3" names "SPE_E33", which is not a product in reclaim's SKU catalogue (Microsoft's list of 2025-10-29, `},
		{"r.hcl:7,23", `Did you mean "ENTERPRISEPACK"?`},
		{"r.hcl:8,7", `Did you mean "SPE_E5"?`},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics: %v", len(got), got)
	}
	for i, w := range want {
		d := got[i]
		at := fmt.Sprintf("%s:%d,%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		if d.Severity != hcl.DiagWarning || d.Summary != "Unknown SKU" || at != w.at || !strings.Contains(d.Detail, w.detail) {
			t.Errorf("diagnostic %d: %v %s %q at %s; want %s containing %q", i, d.Severity, d.Summary, d.Detail, at, w.at, w.detail)
		}
	}
}

// TestCatalogBlock: sku_file replaces the embedded catalogue; an unreadable
// or foreign file is an error at the attribute; skipped rows are a warning;
// a second catalog block is an error naming the first.
func TestCatalogBlock(t *testing.T) {
	t.Parallel()
	good := "\uFEFFProduct_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n" +
		"Microsoft 365 E33,SPE_E33,00000000-0000-0000-0000-0000000000e3,,,\r\n" +
		"Broken,BROKEN,not-a-guid,,,\r\n"
	cfg, diags := loadCatalogTest(t, map[string]string{"c.hcl": `catalog { sku_file = "skus.csv" }`},
		map[string]string{"cfg/skus.csv": good})
	if diags.HasErrors() || len(diags) != 1 || diags[0].Summary != "SKU catalogue rows skipped" ||
		!strings.Contains(diags[0].Detail, `line 3: GUID "not-a-guid" of BROKEN is not a GUID`) || diags[0].Subject.Start.Line != 1 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if cfg.SKUCatalog().Name("SPE_E33") != "Microsoft 365 E33" || cfg.SKUCatalog().Name("SPE_E3") != "" {
		t.Fatalf("catalogue in use: %s", cfg.SKUCatalog().Source)
	}

	for name, c := range map[string]struct{ csv, want string }{
		"missing": {"", "no such file"},
		"foreign": {"a,b\r\n1,2\r\n", "lacks the column(s) Product_Display_Name, String_Id, GUID"},
	} {
		csv := map[string]string{}
		if c.csv != "" {
			csv["cfg/skus.csv"] = c.csv
		}
		_, diags := loadCatalogTest(t, map[string]string{"c.hcl": `catalog { sku_file = "skus.csv" }`}, csv)
		if !diags.HasErrors() || diags[0].Summary != "Unreadable SKU catalogue" || !strings.Contains(diags[0].Detail, c.want) ||
			diags[0].Subject.Filename != "c.hcl" || diags[0].Subject.Start.Column != 22 {
			t.Errorf("%s: %v", name, diags)
		}
	}

	_, diags = loadCatalogTest(t, map[string]string{"c.hcl": "catalog { sku_file = \"a.csv\" }\ncatalog { sku_file = \"a.csv\" }\n"},
		map[string]string{"cfg/a.csv": good})
	var dup *hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == "Duplicate catalog block" {
			dup = d
		}
	}
	if dup == nil || dup.Subject.Start.Line != 2 || !strings.Contains(dup.Detail, "c.hcl:1,1") {
		t.Fatalf("duplicate: %v", diags)
	}
}
