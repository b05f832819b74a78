package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/schemas/skucatalog"
)

// TestEmbeddedCopyIsReproducible rebuilds skus.csv and skus.source from the
// committed inputs in ../source: the embedded copy is the generator's output,
// never a hand edit.
func TestEmbeddedCopyIsReproducible(t *testing.T) {
	taken := skucatalog.EmbeddedHeader().Taken.Format(time.DateOnly)
	data, header, err := build(
		[]string{"../source/reference-2024-rows.csv"},
		[]string{"../source/licensing-service-plan-reference.excerpt.md"}, "", taken)
	if err != nil {
		t.Fatal(err)
	}
	for file, got := range map[string]string{"../skus.csv": string(data), "../skus.source": header} {
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs from what gen writes; run go run ./schemas/skucatalog/gen (README.md). Got:\n%s", file, got)
		}
	}
}

// TestParsePage reads rows verbatim from Microsoft's page
// (MicrosoftDocs/entra-docs docs/identity/users/licensing-service-plan-reference.md,
// commit 067a0c7b): tab-separated cells, friendly names in another order
// than the plans, names with parentheses of their own, a plan id with a space
// for a dash, and a friendly name without an id.
func TestParsePage(t *testing.T) {
	md := "---\nms.date: 10/29/2025\n---\n\n| Product name | String ID | GUID | Service plans included | Service plans included (friendly names) |\n| --- | --- | --- |--- | --- |\n" +
		"| Azure Information Protection Plan 1\t| RIGHTSMANAGEMENT\t| c52ea49f-fe5d-4e95-93ba-1de91d380f89\t| RMS_S_ENTERPRISE (bea4c11e-220a-4e6d-8eb8-8ea15d019f90)<br/>RMS_S_PREMIUM (6c57d4b6-3b23-47a5-9bc9-69f17b4947b3) | AZURE INFORMATION PROTECTION PREMIUM P1 (6c57d4b6-3b23-47a5-9bc9-69f17b4947b3)<br/>Microsoft Entra RIGHTS (bea4c11e-220a-4e6d-8eb8-8ea15d019f90) |\n" +
		"| Exchange Online (PLAN 2)\t| EXCHANGEENTERPRISE\t| 19ec0d23-8335-4cbd-94ac-6050e30712fa\t| EXCHANGE_S_ENTERPRISE (efb87545-963c-4e0d-99df-69c6916d9eb0) | EXCHANGE ONLINE (PLAN 2) (efb87545-963c-4e0d-99df-69c6916d9eb0) |\n" +
		"| Power BI Premium EM1| PBI_PREMIUM_EM1_ADDON | bc757c42-5622-4583-a483-a9e537fcb71c | EXCHANGE_S_FOUNDATION (113feb6c-3fe4-4440-bddc-54d774bf0318)<br/>PBI_PREMIUM_EM1_ADDON (a64b30ba-f310-4065-b444-2670ef146db0) | Exchange Foundation (113feb6c-3fe4-4440-bddc-54d774bf0318)<br/>Power BI Premium EM1 |\n" +
		"| Power BI Premium EM2 | PBI_PREMIUM_EM2_ADDON | 8ecbd3c1-b108-437c-a859-e3c125e3f83f | EXCHANGE_S_FOUNDATION (113feb6c-3fe4-4440-bddc 54d774bf0318)<br/>PBI_PREMIUM_EM2_ADDON (4e29abd1-ba96-44c0-8a72-e24e4fe9956e) | Exchange Foundation (113feb6c-3fe4-4440-bddc-54d774bf0318)<br/>Power BI Premium EM2 (4e29abd1-ba96-44c0-8a72-e24e4fe9956e) |\n"
	p, err := parsePage([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if p.date != "2025-10-29" || p.products != 4 {
		t.Fatalf("date %q products %d", p.date, p.products)
	}
	var got []string
	for _, r := range p.rows {
		got = append(got, strings.Join(r, ","))
	}
	want := []string{
		"Azure Information Protection Plan 1,RIGHTSMANAGEMENT,c52ea49f-fe5d-4e95-93ba-1de91d380f89,RMS_S_ENTERPRISE,bea4c11e-220a-4e6d-8eb8-8ea15d019f90,Microsoft Entra RIGHTS",
		"Azure Information Protection Plan 1,RIGHTSMANAGEMENT,c52ea49f-fe5d-4e95-93ba-1de91d380f89,RMS_S_PREMIUM,6c57d4b6-3b23-47a5-9bc9-69f17b4947b3,AZURE INFORMATION PROTECTION PREMIUM P1",
		"Exchange Online (PLAN 2),EXCHANGEENTERPRISE,19ec0d23-8335-4cbd-94ac-6050e30712fa,EXCHANGE_S_ENTERPRISE,efb87545-963c-4e0d-99df-69c6916d9eb0,EXCHANGE ONLINE (PLAN 2)",
		"Power BI Premium EM1,PBI_PREMIUM_EM1_ADDON,bc757c42-5622-4583-a483-a9e537fcb71c,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc-54d774bf0318,Exchange Foundation",
		"Power BI Premium EM1,PBI_PREMIUM_EM1_ADDON,bc757c42-5622-4583-a483-a9e537fcb71c,PBI_PREMIUM_EM1_ADDON,a64b30ba-f310-4065-b444-2670ef146db0,",
		"Power BI Premium EM2,PBI_PREMIUM_EM2_ADDON,8ecbd3c1-b108-437c-a859-e3c125e3f83f,PBI_PREMIUM_EM2_ADDON,4e29abd1-ba96-44c0-8a72-e24e4fe9956e,Power BI Premium EM2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.problems) != 1 || !strings.Contains(p.problems[0], `"113feb6c-3fe4-4440-bddc 54d774bf0318", not a GUID`) {
		t.Fatalf("problems: %q", p.problems)
	}
}

// TestRunFromDownloadedCSV is the refresh path: Microsoft's CSV with a BOM and
// CRLF in, skus.csv and skus.source out.
func TestRunFromDownloadedCSV(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "Product names and service plan identifiers for licensing.csv")
	csv := "\uFEFFProduct_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n" +
		"Microsoft 365 E3,SPE_E3,05e9a617-0261-4cee-bb44-138d3ef5d965,RMS_S_ENTERPRISE,bea4c11e-220a-4e6d-8eb8-8ea15d019f90,Azure Rights Management\r\n"
	if err := os.WriteFile(in, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run([]string{in}, nil, "2026-11-20", "2026-12-01", dir, &out); err != nil {
		t.Fatal(err)
	}
	c, err := skucatalog.Load(filepath.Join(dir, "skus.csv"))
	if err != nil || c.Name("SPE_E3") != "Microsoft 365 E3" {
		t.Fatalf("%v %v", c, err)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "skus.source"))
	h, err := skucatalog.ParseHeader(string(src))
	if err != nil || h.Published.Format(time.DateOnly) != "2026-11-20" || h.Taken.Format(time.DateOnly) != "2026-12-01" {
		t.Fatalf("header %+v %v", h, err)
	}
	if err := run([]string{in}, nil, "", "2026-12-01", dir, &out); err == nil {
		t.Fatal("a CSV without -published was accepted")
	}
}
