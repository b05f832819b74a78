package transform

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/report"
	"github.com/reclaimhq/reclaim/pipeline/ui"
)

// TestGoldenReports drives the summary and both report files through a real
// run and pins what people read.
func TestGoldenReports(t *testing.T) {
	res, out := runFixture(t, baseFixture(), baseConfig(), func(r *Request) { r.RunDir = filepath.Join(r.CuratedDir, "..", "runs", "r1") })
	if res.Summary == nil {
		t.Fatal("no summary")
	}
	var text bytes.Buffer
	if err := ui.WriteRunSummary(&text, res.Summary); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", text.String())
	if len(res.ReportFiles) != 2 {
		t.Fatalf("report files %v", res.ReportFiles)
	}
	for _, f := range res.ReportFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Base(f), string(b))
	}
	html, _ := os.ReadFile(filepath.Join(out, "p", "runs", "r1", "report.html"))
	for _, want := range []string{"<svg", "SPE_E3", "Monthly waste per SKU"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Self-contained: nothing fetched, nothing run.
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(string(html), bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
}

// TestReportEscapes: names from the tenant cannot inject markup.
func TestReportEscapes(t *testing.T) {
	r := &report.Summary{Profile: `<script>alert(1)</script>`, Positions: []report.PositionLine{{SKU: `A|B<img src=x>`}}}
	var h, m bytes.Buffer
	if err := ui.WriteReportHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<script>alert") || strings.Contains(h.String(), "<img") {
		t.Errorf("HTML not escaped:\n%s", h.String())
	}
	if err := ui.WriteReportMarkdown(&m, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.String(), `A\|B`) {
		t.Errorf("Markdown cell not escaped:\n%s", m.String())
	}
}
