package ui

import (
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/report"
)

// bar is one bar of an inline SVG chart, already laid out.
type bar struct {
	Label, Value string
	Y, Width     int
}

type chart struct {
	Title          string
	Bars           []bar
	Height, LabelW int
}

const (
	chartWidth  = 420 // px for the longest bar
	chartLabelW = 120 // px at least for the labels
	labelCharW  = 7.5 // px per character of a 12px label, generously
	barHeight   = 22
)

func layout(title string, labels []string, values []float64, format func(float64) string) chart {
	// SKU part numbers run to 40 characters: size the label column to the
	// longest so none is clipped at the left edge.
	labelW := chartLabelW
	for _, l := range labels {
		labelW = max(labelW, int(float64(len(l))*labelCharW)+16)
	}
	c := chart{Title: title, LabelW: labelW, Height: len(values)*barHeight + 8}
	maxV := 0.0
	for _, v := range values {
		maxV = max(maxV, v)
	}
	for i, v := range values {
		w := 0
		if maxV > 0 {
			w = int(v / maxV * chartWidth)
		}
		c.Bars = append(c.Bars, bar{Label: labels[i], Value: format(v), Y: i*barHeight + 4, Width: w})
	}
	return c
}

// WriteReportHTML writes report.html: one self-contained page (inline CSS
// and SVG, no scripts, nothing fetched) that can be mailed or archived.
func WriteReportHTML(w io.Writer, r *report.Summary) error {
	var labels []string
	var waste []float64
	for _, p := range r.Positions {
		if p.MonthlyWaste != nil && *p.MonthlyWaste > 0 {
			labels = append(labels, p.SKU)
			waste = append(waste, *p.MonthlyWaste)
		}
	}
	var bl []string
	var bv []float64
	for _, k := range r.Inactivity {
		bl = append(bl, k.Label)
		bv = append(bv, float64(k.Users))
	}
	data := struct {
		*report.Summary
		Waste, Inactivity          chart
		Cost, WasteTotal, Saving   string
		YearSaving, Snapshot, AsOf string
	}{
		Summary:    r,
		Waste:      layout("Monthly waste per SKU", labels, waste, func(v float64) string { return reportMoney(r, v) }),
		Inactivity: layout("Licensed users by days since last activity", bl, bv, func(v float64) string { return fmt.Sprintf("%.0f", v) }),
		Cost:       reportMoney(r, r.MonthlyCost), WasteTotal: reportMoney(r, r.MonthlyWaste), Saving: reportMoney(r, r.MonthlySaving),
		YearSaving: reportMoney(r, r.MonthlySaving*12),
		Snapshot:   r.SnapshotDate.Format(time.DateOnly), AsOf: r.AsOf.Format(time.DateOnly),
	}
	return reportTmpl.Execute(w, data)
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"money":  reportMoneyPtr,
	"money0": reportMoney,
	// vis shows control and bidi characters as visible escapes (see
	// Terminal) before html/template escapes the markup: a right-to-left
	// override in a name must not reorder the page around it.
	"vis": Terminal,
	// html/template escapes what these return.
	"unsubscribed":        func(l report.SKURefLine) string { return Terminal(l.Sentence()) },
	"unsubscribedHeading": func() string { return unsubscribedHeading },
	"days":                days,
	"date":                dateOrDash,
	"lag": func(d *int64) string {
		if d == nil {
			return "-"
		}
		return fmt.Sprint(*d)
	},
	"add": func(a, b int) int { return a + b },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Licence report: {{vis .Profile}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:13px;display:block;overflow-x:auto;max-width:100%}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.warn{border-left:4px solid #c60;padding:0 .8em;margin:1em 0}
.kpi{display:inline-block;margin-right:2.5em}.kpi b{display:block;font-size:1.5em}
.no{color:#b00;font-weight:bold}svg text{font:12px system-ui,sans-serif}
</style></head><body>
<h1>Licence report: {{vis .Profile}}</h1>
<p>Snapshot {{.Snapshot}}, inactivity measured as of {{.AsOf}}.</p>
<p><span class="kpi">Monthly cost<b>{{.Cost}}</b></span><span class="kpi">Monthly waste<b>{{.WasteTotal}}</b></span><span class="kpi">Actionable saving / month<b>{{.Saving}}</b></span><span class="kpi">per year<b>{{.YearSaving}}</b></span></p>
{{define "chart"}}<h2>{{vis .Title}}</h2>{{if .Bars}}
<svg xmlns="http://www.w3.org/2000/svg" width="{{add .LabelW 560}}" height="{{.Height}}" role="img" aria-label="{{vis .Title}}">
{{range .Bars}}<text x="{{add $.LabelW -8}}" y="{{add .Y 15}}" text-anchor="end">{{vis .Label}}</text>
<rect x="{{$.LabelW}}" y="{{.Y}}" width="{{.Width}}" height="18" fill="#4a78c2"><title>{{vis .Label}}: {{vis .Value}}</title></rect>
<text x="{{add (add $.LabelW .Width) 6}}" y="{{add .Y 15}}">{{vis .Value}}</text>
{{end}}</svg>{{else}}<p>Nothing to show.</p>{{end}}{{end}}
{{template "chart" .Waste}}
{{template "chart" .Inactivity}}
<h2>Licence position</h2>
<table><tr><th>SKU</th><th class="n">Purchased</th><th class="n">Assigned</th><th class="n">Active</th><th class="n">Inactive</th><th class="n">Unknown</th><th class="n">Unassigned</th><th class="n">Price/month</th><th class="n">Cost/month</th><th class="n">Waste/month</th></tr>
{{range .Positions}}<tr><td>{{vis .SKU}}{{if .SKUName}} ({{vis .SKUName}}){{end}}</td><td class="n">{{.Purchased}}</td><td class="n">{{.Assigned}}</td><td class="n">{{.Active}}</td><td class="n">{{.Inactive}}</td><td class="n">{{.Unknown}}</td><td class="n">{{.Unassigned}}</td><td class="n">{{money $.Summary .PriceMonthly}}</td><td class="n">{{money $.Summary .MonthlyCost}}</td><td class="n">{{money $.Summary .MonthlyWaste}}</td></tr>
{{end}}</table>
{{if .Unsubscribed}}<blockquote class="warn"><p>{{unsubscribedHeading}}:</p><ul>
{{range .Unsubscribed}}<li>{{unsubscribed .}}</li>
{{end}}</ul></blockquote>{{end}}
<h2>Recommendations per rule</h2>
{{if .Rules}}<table><tr><th>Rule</th><th>Action</th><th class="n">Users</th><th class="n">Suppressed</th><th class="n">Saving/month</th></tr>
{{range .Rules}}<tr><td>{{vis .Rule}}</td><td>{{vis .Action}}</td><td class="n">{{.Count}}</td><td class="n">{{.Suppressed}}</td><td class="n">{{money0 $.Summary .MonthlySaving}}</td></tr>
{{end}}</table>{{else}}<p>No rule matched anyone.</p>{{end}}
<h2>Top savings</h2>
{{if .TopSavings}}<table><tr><th>User</th><th>SKU</th><th>Rule</th><th>Action</th><th class="n">Days inactive</th><th class="n">Saving/month</th></tr>
{{range .TopSavings}}<tr><td>{{vis .UserPrincipalName}}</td><td>{{vis .SKU}}{{if .SKUName}} ({{vis .SKUName}}){{end}}</td><td>{{vis .Rule}}</td><td>{{vis .Action}}</td><td class="n">{{days .DaysInactive}}</td><td class="n">{{money0 $.Summary .MonthlySaving}}</td></tr>
{{end}}</table>{{else}}<p>No actionable recommendation.</p>{{end}}
<h2>Other findings</h2>
<table><tr><th>Finding</th><th class="n">Count</th><th class="n">Saving/month</th></tr>
{{range .Findings}}<tr><td>{{vis .Name}}</td><td class="n">{{.Count}}</td><td class="n">{{money $.Summary .MonthlySaving}}</td></tr>
{{end}}</table>
<h2>Signals</h2>
<table><tr><th>Signal</th><th>Counted by a rule</th><th>Source</th><th>Usable</th><th>Refresh date</th><th class="n">Lag (days)</th><th>Why not</th></tr>
{{range .Signals}}<tr><td>{{vis .Signal}}</td><td>{{if .Counted}}yes{{else}}no{{end}}</td><td>{{vis .Source}}</td><td>{{if .Available}}yes{{else}}<span class="no">no</span>{{end}}</td><td>{{date .RefreshDate}}</td><td class="n">{{lag .LagDays}}</td><td>{{vis .Reason}}</td></tr>
{{end}}</table>
<h2>Curated tables</h2>
<table><tr><th>Table</th><th>Status</th><th class="n">Rows</th><th>Note</th></tr>
{{range .Tables}}<tr><td>{{vis .Name}}</td><td>{{vis .Status}}</td><td class="n">{{.Rows}}</td><td>{{vis .Reason}}</td></tr>
{{end}}</table>
</body></html>
`))
