package config

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/schemas/skucatalog"
)

// Catalog is the catalog block: a newer copy of Microsoft's "Product names
// and service plan identifiers for licensing" CSV than the one embedded.
type Catalog struct {
	// SKUFile is the CSV's path, relative paths resolved against the config
	// directory; read when the config is loaded, never downloaded.
	SKUFile      string
	SKUFileRange hcl.Range
	DeclRange    hcl.Range
}

var catalogSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "sku_file", Required: true}},
}

func decodeCatalogBlock(block *hcl.Block, ctx *hcl.EvalContext, baseDir string) (*Catalog, hcl.Diagnostics) {
	c := &Catalog{DeclRange: block.DefRange}
	content, diags := block.Body.Content(catalogSchema)
	attr := content.Attributes["sku_file"]
	if attr == nil {
		return c, diags
	}
	v, d := decodeString(attr, ctx, "")
	diags = append(diags, d...)
	c.SKUFileRange = attr.Expr.Range()
	if !d.HasErrors() && strings.TrimSpace(v) == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty sku_file",
			Detail:   "sku_file names a copy of Microsoft's \"Product names and service plan identifiers for licensing\" CSV; remove the catalog block to use the embedded copy.",
			Subject:  c.SKUFileRange.Ptr(),
		})
	}
	c.SKUFile = resolvePath(baseDir, v)
	return c, diags
}

// loadSKUCatalog reads catalog.sku_file, when set: an unreadable or
// malformed file is an error at the attribute, skipped rows a warning.
func (c *Config) loadSKUCatalog(readFile func(string) ([]byte, error)) hcl.Diagnostics {
	if c.Catalog == nil || c.Catalog.SKUFile == "" {
		return nil
	}
	b, err := readFile(c.Catalog.SKUFile)
	if err == nil {
		c.skus, err = skucatalog.Parse(bytes.NewReader(b), c.Catalog.SKUFile)
	}
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unreadable SKU catalogue",
			Detail:   fmt.Sprintf("%v. sku_file must be a copy of Microsoft's \"Product names and service plan identifiers for licensing\" CSV.", err),
			Subject:  c.Catalog.SKUFileRange.Ptr(),
		}}
	}
	if c.skus.Skipped == 0 {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "SKU catalogue rows skipped",
		Detail:   fmt.Sprintf("%d row(s) of %s were skipped: %s.", c.skus.Skipped, c.Catalog.SKUFile, strings.Join(c.skus.Problems, "; ")),
		Subject:  c.Catalog.SKUFileRange.Ptr(),
	}}
}

// SKUCatalog is the catalogue of SKU names: catalog.sku_file's when set,
// else the one embedded in reclaim. Never nil.
func (c *Config) SKUCatalog() *skucatalog.Catalog {
	if c != nil && c.skus != nil {
		return c.skus
	}
	return skucatalog.Embedded()
}

// SKURef is one place the config names a SKU.
type SKURef struct {
	// Where says which block names it: `reclaim "stale-e3"`, `price "SPE_E5"`.
	Where string
	SKU   string
	Range hcl.Range
}

// SKURefs lists every SKU the config names that applies to profile ("" for
// every profile): in reclaim rules, exclusions, prices and consolidation
// products, in that order.
func (c *Config) SKURefs(profile string) []SKURef {
	var out []SKURef
	add := func(where, sku string, r hcl.Range) {
		if sku != "" {
			out = append(out, SKURef{Where: where, SKU: sku, Range: r})
		}
	}
	covers := func(profiles []string) bool { return profile == "" || CoversProfile(profiles, profile) }
	for _, r := range c.ReclaimRules {
		if covers(r.Profiles) {
			for i, s := range r.SKUs {
				add(fmt.Sprintf("reclaim %q", r.Name), s, rangeAt(r.skuRanges, i, r.DeclRange))
			}
		}
	}
	for _, e := range c.Exclusions {
		if covers(e.Profiles) {
			for i, s := range e.SKUs {
				add(fmt.Sprintf("exclude %q", e.Name), s, rangeAt(e.skuRanges, i, e.DeclRange))
			}
		}
	}
	for _, p := range sortedPrices(c.Prices) {
		add(fmt.Sprintf("price %q", p.SKU), p.SKU, p.skuRange)
	}
	for _, cr := range c.ConsolidationRules {
		if covers(cr.Profiles) {
			for _, p := range cr.Products {
				add(fmt.Sprintf("consolidate %q", cr.Name), p.Base, p.baseRange)
				add(fmt.Sprintf("consolidate %q", cr.Name), p.Attach, p.attachRange)
			}
		}
	}
	return out
}

// UnsubscribedSKUs lists the SKURefs of profile that name none of held (the
// tenant's subscribedSkus part numbers and skuIds; compared ignoring case).
func (c *Config) UnsubscribedSKUs(profile string, held []string) []SKURef {
	have := make(map[string]bool, len(held))
	for _, h := range held {
		have[strings.ToUpper(h)] = true
	}
	var out []SKURef
	for _, ref := range c.SKURefs(profile) {
		if !have[strings.ToUpper(ref.SKU)] {
			out = append(out, ref)
		}
	}
	return out
}

// At is where the SKU is written, as FILE:LINE,COLUMN; "" for a config
// built in code.
func (r SKURef) At() string {
	if r.Range.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d,%d", r.Range.Filename, r.Range.Start.Line, r.Range.Start.Column)
}

func rangeAt(rs []hcl.Range, i int, fallback hcl.Range) hcl.Range {
	if i < len(rs) {
		return rs[i]
	}
	return fallback
}

// CheckSKUNames warns about every SKU the config names that the SKU
// catalogue does not know, suggesting the closest part number: a rule or
// price for "SPE_E33" never matches a licence. validate reports them; run
// and plan check against the tenant's subscribedSkus instead.
func (c *Config) CheckSKUNames() hcl.Diagnostics {
	cat := c.SKUCatalog()
	var diags hcl.Diagnostics
	var parts []string
	for _, ref := range c.SKURefs("") {
		if _, ok := cat.Lookup(ref.SKU); ok {
			continue
		}
		if parts == nil {
			parts = cat.PartNumbers()
		}
		hint := ""
		if !IsGUID(ref.SKU) {
			hint = didYouMean(ref.SKU, parts)
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Unknown SKU",
			Detail: fmt.Sprintf("%s names %q, which is not a product in %s. %sA rule, exclusion or price naming a SKU no tenant holds matches no licence; if the product is newer than the catalogue, point catalog.sku_file at Microsoft's current CSV.",
				ref.Where, ref.SKU, CatalogDescription(c), hint),
			Subject: ref.Range.Ptr(),
		})
	}
	return diags
}

// CatalogDescription names the SKU catalogue in use for people: its file,
// or the embedded copy's date, and its size.
func CatalogDescription(c *Config) string {
	cat := c.SKUCatalog()
	if c != nil && c.skus != nil {
		return fmt.Sprintf("the SKU catalogue %s (%d products)", cat.Source, cat.Len())
	}
	h := skucatalog.EmbeddedHeader()
	return fmt.Sprintf("reclaim's SKU catalogue (Microsoft's list of %s, %d products)", h.Published.Format("2006-01-02"), cat.Len())
}

// sortedPrices lists the prices in SKU order, for a stable report.
func sortedPrices(m map[string]*Price) []*Price {
	out := make([]*Price, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Price) int { return strings.Compare(a.SKU, b.SKU) })
	return out
}
