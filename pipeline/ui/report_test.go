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

// TestRunSummaryNamesTablesNotWritten: the terminal summary names each
// curated table whose outcome is not report.TableWritten, with its reason,
// and is silent about the written ones.
func TestRunSummaryNamesTablesNotWritten(t *testing.T) {
	r := &report.Summary{Profile: "p", Tables: []report.TableLine{
		{Name: "user_activity", Status: report.TableWritten, Rows: 3},
		{Name: "recommendations", Status: report.TableFailed, Reason: "boom"},
		{Name: "consolidation", Status: report.TableNotRun, Reason: "recommendations failed"},
	}}
	var b bytes.Buffer
	if err := WriteRunSummary(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Table recommendations failed: boom", "Table consolidation not_run: recommendations failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Table user_activity") {
		t.Errorf("summary names a written table:\n%s", out)
	}
}
