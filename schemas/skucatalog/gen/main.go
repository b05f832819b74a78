// Command gen refreshes reclaim's embedded SKU catalogue
// (schemas/skucatalog/skus.csv and its header skus.source) from Microsoft's
// "Product names and service plan identifiers for licensing":
//
//	go run ./schemas/skucatalog/gen -csv "Product names and service plan identifiers for licensing.csv" -published 2026-01-15
//
// is the refresh path: the CSV downloaded from the link on Microsoft's page
// (BOM, CRLF and all). Where the CSV cannot be downloaded, -md reads the
// page's own table (licensing-service-plan-reference.md of the entra-docs
// repository, or an excerpt of it), which Microsoft generates from the same
// CSV; its ms.date is the published date. Several inputs merge; a part number
// given twice must keep its GUID. Rows the parser skips are counted and listed
// in skus.source. It downloads nothing.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/reclaimhq/reclaim/schemas/skucatalog"
)

type inputs []string

func (i *inputs) String() string     { return strings.Join(*i, ",") }
func (i *inputs) Set(s string) error { *i = append(*i, s); return nil }

func main() {
	var csvFiles, mdFiles inputs
	flag.Var(&csvFiles, "csv", "Microsoft's downloaded CSV (repeatable)")
	flag.Var(&mdFiles, "md", "the docs page's Markdown table, whole or an excerpt (repeatable)")
	published := flag.String("published", "", "YYYY-MM-DD Microsoft last updated the source (default: the page's ms.date)")
	taken := flag.String("taken", time.Now().UTC().Format(time.DateOnly), "YYYY-MM-DD this copy is made")
	out := flag.String("out", "schemas/skucatalog", "directory of skus.csv and skus.source")
	flag.Parse()
	if err := run(csvFiles, mdFiles, *published, *taken, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(csvFiles, mdFiles []string, published, taken, out string, stdout io.Writer) error {
	if len(csvFiles)+len(mdFiles) == 0 {
		return errors.New("name at least one -csv or -md input")
	}
	data, header, err := build(csvFiles, mdFiles, published, taken)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "skus.csv"), data, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "skus.source"), []byte(header), 0o644); err != nil {
		return err
	}
	fmt.Fprint(stdout, header)
	return nil
}

// build merges the inputs into one catalogue and returns its CSV and header.
func build(csvFiles, mdFiles []string, published, taken string) ([]byte, string, error) {
	var rows bytes.Buffer
	w := csv.NewWriter(&rows)
	_ = w.Write([]string{"Product_Display_Name", "String_Id", "GUID", "Service_Plan_Name", "Service_Plan_Id", "Service_Plans_Included_Friendly_Names"})
	var lines []string
	for _, f := range csvFiles {
		c, err := skucatalog.Load(f)
		if err != nil {
			return nil, "", err
		}
		lines = append(lines, fmt.Sprintf("input: %s (Microsoft's CSV, %d products, %d rows skipped)", filepath.Base(f), c.Len(), c.Skipped))
		lines = append(lines, problemLines(f, c)...)
		writeProducts(w, c.Products())
	}
	for _, f := range mdFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, "", err
		}
		page, err := parsePage(b)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", f, err)
		}
		if published == "" {
			published = page.date
		}
		lines = append(lines, fmt.Sprintf("input: %s (the docs page's table, ms.date %s, %d products)", filepath.Base(f), page.date, page.products))
		for _, p := range page.problems {
			lines = append(lines, fmt.Sprintf("skipped: %s: %s", filepath.Base(f), p))
		}
		for _, r := range page.rows {
			_ = w.Write(r)
		}
	}
	w.Flush()
	merged, err := skucatalog.Parse(&rows, "merged inputs")
	if err != nil {
		return nil, "", err
	}
	lines = append(lines, problemLines("merged inputs", merged)...)
	if _, err := time.Parse(time.DateOnly, published); err != nil {
		return nil, "", fmt.Errorf("-published %q: want YYYY-MM-DD", published)
	}
	if _, err := time.Parse(time.DateOnly, taken); err != nil {
		return nil, "", fmt.Errorf("-taken %q: want YYYY-MM-DD", taken)
	}
	var out bytes.Buffer
	if err := merged.WriteCSV(&out); err != nil {
		return nil, "", err
	}
	header := "# Written by go run ./schemas/skucatalog/gen; see README.md. Do not edit.\n" +
		"published: " + published + "\n" +
		"taken: " + taken + "\n" +
		fmt.Sprintf("products: %d\n", merged.Len()) +
		strings.Join(lines, "\n") + "\n"
	return out.Bytes(), header, nil
}

func problemLines(source string, c *skucatalog.Catalog) []string {
	out := make([]string, 0, len(c.Problems))
	for _, p := range c.Problems {
		out = append(out, fmt.Sprintf("skipped: %s: %s", filepath.Base(source), p))
	}
	if c.Skipped > len(c.Problems) {
		out = append(out, fmt.Sprintf("skipped: %s: %d more", filepath.Base(source), c.Skipped-len(c.Problems)))
	}
	return out
}

func writeProducts(w *csv.Writer, products []skucatalog.Product) {
	for _, p := range products {
		if len(p.Plans) == 0 {
			_ = w.Write([]string{p.Name, p.PartNumber, p.ID, "", "", ""})
		}
		for _, sp := range p.Plans {
			_ = w.Write([]string{p.Name, p.PartNumber, p.ID, sp.Name, sp.ID, sp.FriendlyName})
		}
	}
}

// page is the docs page's table turned into Microsoft's CSV rows.
type page struct {
	date     string // ms.date as YYYY-MM-DD
	products int
	rows     [][]string
	problems []string
}

var (
	msDate = regexp.MustCompile(`(?m)^ms\.date:\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$`)
	// A plan cell entry is "NAME (guid)"; names hold parentheses of their own
	// ("Exchange Online (Plan 2) (efb8…)"), so the id is the last group.
	planEntry = regexp.MustCompile(`^(.*?)\s*\(([^()]*)\)\s*$`)
)

// parsePage reads the table of licensing-service-plan-reference.md: rows
// "| name | String ID | GUID | plans | friendly plans |", plans separated by
// <br/>, friendly names matched to plans by their GUID (the two lists are not
// always in the same order).
func parsePage(b []byte) (page, error) {
	var p page
	m := msDate.FindSubmatch(b)
	if m == nil {
		return p, errors.New("no ms.date in the front matter")
	}
	p.date = fmt.Sprintf("%s-%02s-%02s", m[3], m[1], m[2])
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 1<<20), 1<<22)
	inTable, lineNo := false, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if !inTable {
			inTable = len(cells) >= 3 && strings.EqualFold(cells[1], "String ID")
			continue
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		if len(cells) < 3 {
			p.problems = append(p.problems, fmt.Sprintf("line %d: %d cells, want 5", lineNo, len(cells)))
			continue
		}
		for len(cells) < 5 {
			cells = append(cells, "")
		}
		p.products++
		name, part, id := cells[0], cells[1], cells[2]
		if !skucatalog.IsGUID(id) {
			p.problems = append(p.problems, fmt.Sprintf("line %d: %s: GUID %q is not a GUID", lineNo, part, id))
			continue
		}
		friendly := map[string]string{}
		for _, e := range splitEntries(cells[4]) {
			if mm := planEntry.FindStringSubmatch(e); mm != nil {
				friendly[strings.ToLower(strings.TrimSpace(mm[2]))] = mm[1]
			}
		}
		plans := splitEntries(cells[3])
		if len(plans) == 0 {
			p.rows = append(p.rows, []string{name, part, id, "", "", ""})
			continue
		}
		for _, e := range plans {
			mm := planEntry.FindStringSubmatch(e)
			if mm == nil {
				p.problems = append(p.problems, fmt.Sprintf("line %d: %s: service plan %q has no (id)", lineNo, part, e))
				continue
			}
			planID := strings.TrimSpace(mm[2])
			if !skucatalog.IsGUID(planID) {
				p.problems = append(p.problems, fmt.Sprintf("line %d: %s: service plan %s has id %q, not a GUID", lineNo, part, mm[1], planID))
				continue
			}
			p.rows = append(p.rows, []string{name, part, id, mm[1], planID, friendly[strings.ToLower(planID)]})
		}
	}
	return p, sc.Err()
}

func splitEntries(cell string) []string {
	var out []string
	for _, e := range strings.Split(cell, "<br/>") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
