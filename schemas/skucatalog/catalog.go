// Package skucatalog is Microsoft's "Product names and service plan
// identifiers for licensing" table: which friendly product name ("Microsoft
// 365 E3"), skuId GUID and service plans belong to a SKU part number
// ("SPE_E3"). Tenants' subscribedSkus carry part numbers and GUIDs but no
// friendly names, so plans, reports and validate name products from here.
//
// A dated copy is embedded (Embedded); a newer copy of Microsoft's CSV can be
// loaded from a file (Load). Nothing here downloads anything: the copy is
// refreshed by a person with the program in ./gen (see README.md).
package skucatalog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Product is one SKU of the catalogue.
type Product struct {
	// PartNumber is Microsoft's String_Id, the skuPartNumber of subscribedSkus.
	PartNumber string
	// Name is Product_Display_Name, the name the admin centres show.
	Name string
	// ID is the GUID (skuId), lower-case.
	ID string
	// Plans are the service plans the product includes, in file order; empty
	// when the copy lists none for it.
	Plans []ServicePlan
}

// ServicePlan is one service plan of a product.
type ServicePlan struct {
	Name         string // Service_Plan_Name, as servicePlans[].servicePlanName
	ID           string // Service_Plan_Id, lower-case GUID
	FriendlyName string // Service_Plans_Included_Friendly_Names
}

// Catalog is a parsed copy of the table. The zero value is an empty
// catalogue in which every lookup fails.
type Catalog struct {
	// Source says where the copy came from: "embedded" or a file path.
	Source string
	// Problems lists the rows and cells that were skipped or repaired while
	// parsing, one line each (with the file line number); Skipped counts them.
	Problems []string
	Skipped  int

	products []Product
	byPart   map[string]int // exact part number
	byFold   map[string]int // upper-cased part number
	byID     map[string]int // lower-case GUID
}

// Column names of Microsoft's CSV, in its order. The 2022 copy spelled the
// second "String_ Id"; headers are compared with spaces removed.
var columns = []string{"Product_Display_Name", "String_Id", "GUID", "Service_Plan_Name", "Service_Plan_Id", "Service_Plans_Included_Friendly_Names"}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID reports whether s has the 8-4-4-4-12 hex form of a skuId.
func IsGUID(s string) bool { return guidPattern.MatchString(s) }

// maxProblems bounds Problems; Skipped keeps counting past it.
const maxProblems = 20

// Parse reads Microsoft's CSV (one row per product and service plan; BOM,
// CRLF and stray non-UTF-8 bytes tolerated). Rows with an empty String_Id or a
// malformed GUID, service plans with a malformed id, and a part number seen
// with two GUIDs are skipped and counted in Problems, never dropped silently.
// It fails when the header lacks a required column or no product is left.
func Parse(r io.Reader, source string) (*Catalog, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the SKU catalogue %s: %w", source, err)
	}
	c := &Catalog{Source: source, byPart: map[string]int{}, byFold: map[string]int{}, byID: map[string]int{}}
	raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
	if !utf8.Valid(raw) {
		// Some published copies hold a few Windows-1252 bytes; keep the row.
		c.problem(0, "invalid UTF-8 bytes replaced with U+FFFD")
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the SKU catalogue %s: header: %w", source, err)
	}
	col, err := columnIndex(header)
	if err != nil {
		return nil, fmt.Errorf("the SKU catalogue %s: %w", source, err)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the SKU catalogue %s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		c.addRecord(line, func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}, col)
	}
	if len(c.products) == 0 {
		return nil, fmt.Errorf("the SKU catalogue %s has no product rows", source)
	}
	return c, nil
}

// columnIndex finds each of Microsoft's columns in header (-1 when absent).
func columnIndex(header []string) ([]int, error) {
	idx := make([]int, len(columns))
	for i, want := range columns {
		idx[i] = slices.IndexFunc(header, func(h string) bool {
			return strings.EqualFold(strings.ReplaceAll(strings.TrimPrefix(h, "\uFEFF"), " ", ""), want)
		})
	}
	var missing []string
	for i := range 3 {
		if idx[i] < 0 {
			missing = append(missing, columns[i])
		}
	}
	if missing != nil {
		return nil, fmt.Errorf("its header %q lacks the column(s) %s (Microsoft's columns are %s)", strings.Join(header, ","), strings.Join(missing, ", "), strings.Join(columns, ","))
	}
	return idx, nil
}

func (c *Catalog) addRecord(line int, field func(int) string, col []int) {
	name, part, id := field(col[0]), field(col[1]), field(col[2])
	switch {
	case part == "":
		c.problem(line, fmt.Sprintf("String_Id is empty (product %q)", name))
		return
	case !IsGUID(id):
		c.problem(line, fmt.Sprintf("GUID %q of %s is not a GUID", id, part))
		return
	}
	id = strings.ToLower(id)
	i, ok := c.byPart[part]
	switch {
	case !ok:
		if j, dup := c.byID[id]; dup {
			c.problem(line, fmt.Sprintf("GUID %s of %s already belongs to %s", id, part, c.products[j].PartNumber))
			return
		}
		i = len(c.products)
		c.products = append(c.products, Product{PartNumber: part, Name: name, ID: id})
		c.byPart[part], c.byID[id] = i, i
		if _, seen := c.byFold[strings.ToUpper(part)]; !seen {
			c.byFold[strings.ToUpper(part)] = i
		}
	case c.products[i].ID != id:
		c.problem(line, fmt.Sprintf("%s has GUID %s here but %s earlier", part, id, c.products[i].ID))
		return
	}
	planName, planID := field(col[3]), field(col[4])
	if planName == "" && planID == "" {
		return
	}
	if !IsGUID(planID) {
		c.problem(line, fmt.Sprintf("service plan %q of %s has id %q, not a GUID", planName, part, planID))
		return
	}
	p := &c.products[i]
	planID = strings.ToLower(planID)
	if slices.ContainsFunc(p.Plans, func(sp ServicePlan) bool { return sp.ID == planID }) {
		return // the docs' table lists a few plans twice in one product
	}
	p.Plans = append(p.Plans, ServicePlan{Name: planName, ID: planID, FriendlyName: field(col[5])})
}

func (c *Catalog) problem(line int, what string) {
	c.Skipped++
	if len(c.Problems) < maxProblems {
		if line > 0 {
			what = fmt.Sprintf("line %d: %s", line, what)
		}
		c.Problems = append(c.Problems, what)
	}
}

// Lookup finds a product by part number (exact, else ignoring case) or by
// skuId GUID (any case).
func (c *Catalog) Lookup(ref string) (Product, bool) {
	if c == nil {
		return Product{}, false
	}
	if i, ok := c.byPart[ref]; ok {
		return c.products[i], true
	}
	if i, ok := c.byFold[strings.ToUpper(ref)]; ok {
		return c.products[i], true
	}
	if i, ok := c.byID[strings.ToLower(ref)]; ok {
		return c.products[i], true
	}
	return Product{}, false
}

// Name is the friendly name of ref, or "" when the catalogue does not know it.
func (c *Catalog) Name(ref string) string {
	p, _ := c.Lookup(ref)
	return p.Name
}

// Len is the number of products.
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.products)
}

// PartNumbers lists every part number, in file order, for suggestions.
func (c *Catalog) PartNumbers() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.products))
	for i, p := range c.products {
		out[i] = p.PartNumber
	}
	return out
}

// Products returns a copy of every product, in file order.
func (c *Catalog) Products() []Product {
	if c == nil {
		return nil
	}
	return slices.Clone(c.products)
}

// WriteCSV writes the catalogue in Microsoft's columns (no BOM, LF line ends),
// one row per product and service plan, or one row with empty plan cells for a
// product without plans.
func (c *Catalog) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	for _, p := range c.products {
		if len(p.Plans) == 0 {
			if err := cw.Write([]string{p.Name, p.PartNumber, p.ID, "", "", ""}); err != nil {
				return err
			}
		}
		for _, sp := range p.Plans {
			if err := cw.Write([]string{p.Name, p.PartNumber, p.ID, sp.Name, sp.ID, sp.FriendlyName}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
