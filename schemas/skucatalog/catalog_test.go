package skucatalog

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEmbeddedCopyIsFresh fails once the embedded copy is older than MaxAge:
// that is its purpose. Refresh with the program in ./gen (README.md).
func TestEmbeddedCopyIsFresh(t *testing.T) {
	h := EmbeddedHeader()
	if age := time.Since(h.Taken); age > MaxAge {
		t.Fatalf("the embedded SKU catalogue was taken on %s, %d days ago (more than %d): refresh it from Microsoft's CSV with go run ./schemas/skucatalog/gen -csv FILE (see schemas/skucatalog/README.md)",
			h.Taken.Format(time.DateOnly), int(age.Hours()/24), int(MaxAge.Hours()/24))
	}
	if h.Published.After(h.Taken) {
		t.Fatalf("published %s is after taken %s", h.Published, h.Taken)
	}
}

func TestEmbeddedCatalogue(t *testing.T) {
	c := Embedded()
	if c.Skipped != 0 {
		t.Fatalf("the embedded copy has skipped rows: %v", c.Problems)
	}
	var products string
	for _, l := range EmbeddedHeader().Lines {
		if v, ok := strings.CutPrefix(l, "products: "); ok {
			products = v
		}
	}
	if got := c.Len(); products == "" || strings.TrimSpace(products) != strconv.Itoa(got) {
		t.Fatalf("skus.source says products: %q, the CSV has %d", products, got)
	}
	for ref, want := range map[string]string{
		"SPE_E3":                               "Microsoft 365 E3",
		"spe_e3":                               "Microsoft 365 E3",
		"05E9A617-0261-4CEE-BB44-138D3EF5D965": "Microsoft 365 E3",
		"POWER_BI_PRO":                         "Power BI Pro",
		"AAD_PREMIUM":                          "Microsoft Entra ID P1",
		"SPE_E33":                              "",
	} {
		if got := c.Name(ref); got != want {
			t.Errorf("Name(%q) = %q, want %q", ref, got, want)
		}
	}
	cop, ok := c.Lookup("Microsoft_365_Copilot")
	if !ok || cop.ID != "639dec6b-bb19-468b-871c-c5c441c4b0cb" {
		t.Fatalf("Copilot: %+v %v", cop, ok)
	}
	var plans []string
	for _, p := range cop.Plans {
		plans = append(plans, p.Name)
	}
	if !strings.Contains(strings.Join(plans, ","), "M365_COPILOT_APPS") || cop.Plans[0].FriendlyName != "Copilot Studio in Copilot for M365" {
		t.Fatalf("Copilot plans: %+v", cop.Plans)
	}
}

// TestParseMicrosoftQuirks reads the shapes Microsoft's published files take.
// Rows are verbatim from the 2024 CSV copy quoted in
// shared/reference/graph-api-detail.md §10 and from the entra-docs page
// docs/identity/users/licensing-service-plan-reference.md (commit 067a0c7b):
// a BOM, CRLF line ends, the 2022 header's "String_ Id", a stray
// Windows-1252 byte, the page's "113feb6c-3fe4-4440-bddc 54d774bf0318" typo,
// a row without a GUID and a part number given a second GUID.
func TestParseMicrosoftQuirks(t *testing.T) {
	in := "\uFEFFProduct_Display_Name,String_ Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n" +
		"Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\r\n" +
		"Power BI Pro,POWER_BI_PRO,F8A1DB68-BE16-40ED-86D5-CB42CE701560,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc-54d774bf0318,Exchange Foundation\r\n" +
		"Power BI Premium EM2,PBI_PREMIUM_EM2_ADDON,8ecbd3c1-b108-437c-a859-e3c125e3f83f,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc 54d774bf0318,Exchange Foundation\r\n" +
		"\"Dynamics 365 Sales Enterprise Attach to Qualifying Dynamics 365 Base Offer\",D365_SALES_ENT_ATTACH,5b22585d-1b71-4c6b-b6ec-160b1a9c2323,D365_SALES_ENT_ATTACH,3ae52229-572e-414f-937c-ff35a87d4f29,Dynamics 365 for Sales Enterprise Attach \x96 2024\r\n" +
		"No GUID,NO_GUID,,,,\r\n" +
		"Power BI Pro again,POWER_BI_PRO,00000000-0000-0000-0000-000000000001,,,\r\n"
	c, err := Parse(strings.NewReader(in), "test.csv")
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 {
		t.Fatalf("products = %v", c.PartNumbers())
	}
	pbi, _ := c.Lookup("POWER_BI_PRO")
	if pbi.Name != "Power BI Pro" || len(pbi.Plans) != 2 || pbi.Plans[1].ID != "113feb6c-3fe4-4440-bddc-54d774bf0318" {
		t.Fatalf("POWER_BI_PRO = %+v", pbi)
	}
	if em2, _ := c.Lookup("PBI_PREMIUM_EM2_ADDON"); len(em2.Plans) != 0 {
		t.Fatalf("the typo'd plan id was kept: %+v", em2)
	}
	att, _ := c.Lookup("D365_SALES_ENT_ATTACH")
	if !strings.Contains(att.Plans[0].FriendlyName, "\uFFFD") {
		t.Fatalf("the Windows-1252 byte was not replaced: %q", att.Plans[0].FriendlyName)
	}
	want := []string{
		"invalid UTF-8 bytes replaced with U+FFFD",
		`line 4: service plan "EXCHANGE_S_FOUNDATION" of PBI_PREMIUM_EM2_ADDON has id "113feb6c-3fe4-4440-bddc 54d774bf0318", not a GUID`,
		`line 6: GUID "" of NO_GUID is not a GUID`,
		"line 7: POWER_BI_PRO has GUID 00000000-0000-0000-0000-000000000001 here but f8a1db68-be16-40ed-86d5-cb42ce701560 earlier",
	}
	if c.Skipped != len(want) || strings.Join(c.Problems, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems (%d):\n%s\nwant:\n%s", c.Skipped, strings.Join(c.Problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseRefusesWhatIsNotTheTable(t *testing.T) {
	for name, in := range map[string]string{
		"no GUID column": "Product_Display_Name,String_Id\r\nMicrosoft 365 E3,SPE_E3\r\n",
		"no rows":        "Product_Display_Name,String_Id,GUID\r\n",
		"empty":          "",
	} {
		if _, err := Parse(strings.NewReader(in), "x.csv"); err == nil || !strings.Contains(err.Error(), "x.csv") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func BenchmarkParseEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(strings.NewReader(string(embeddedCSV)), "embedded"); err != nil {
			b.Fatal(err)
		}
	}
}
