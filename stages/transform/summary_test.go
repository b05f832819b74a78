package transform

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/ui"
)

// TestGoldenReports drives the summary a real run returns through the
// renderers of pipeline/ui and pins what people read.
func TestGoldenReports(t *testing.T) {
	res, _ := runFixture(t, baseFixture(), baseConfig(), nil)
	if res.Summary == nil {
		t.Fatal("no summary")
	}
	var text, md, html bytes.Buffer
	if err := ui.WriteRunSummary(&text, res.Summary); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", text.String())
	if err := ui.WriteReportMarkdown(&md, res.Summary); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", md.String())
	if err := ui.WriteReportHTML(&html, res.Summary); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.html", html.String())
	for _, want := range []string{"<svg", "SPE_E3", "Monthly waste per SKU"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Self-contained: nothing fetched, nothing run.
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(html.String(), bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
}
