package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reclaimhq/reclaim/pipeline/report"
)

// TestReportEscapes: names from the tenant cannot inject markup.
func TestReportEscapes(t *testing.T) {
	r := &report.Summary{Profile: `<script>alert(1)</script>`, Positions: []report.PositionLine{{SKU: `A|B<img src=x>`}}}
	var h, m bytes.Buffer
	if err := WriteReportHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<script>alert") || strings.Contains(h.String(), "<img") {
		t.Errorf("HTML not escaped:\n%s", h.String())
	}
	if err := WriteReportMarkdown(&m, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.String(), `A\|B`) {
		t.Errorf("Markdown cell not escaped:\n%s", m.String())
	}
}
