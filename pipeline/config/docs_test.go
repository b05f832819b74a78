package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

const docPath = "../../docs/configuration.md"

var hclFenceRE = regexp.MustCompile("(?s)```hcl\n(.*?)```")

// TestDocExamples decodes every ```hcl block of docs/configuration.md as
// one file of a single configuration: the examples must be valid together,
// without a single warning, so the page cannot drift from the code.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := hclFenceRE.FindAllSubmatch(doc, -1)
	if len(blocks) < 10 {
		t.Fatalf("found %d hcl examples in %s; the page should have one per block", len(blocks), docPath)
	}
	files := map[string][]byte{}
	for i, b := range blocks {
		files[fmt.Sprintf("doc_%02d.hcl", i+1)] = b[1]
	}
	l := NewLoader()
	// Every environment variable the examples read is set, as on a
	// configured host; variables keep their defaults.
	l.LookupEnv = func(name string) (string, bool) {
		if strings.HasPrefix(name, VarEnvPrefix) {
			return "", false
		}
		return "doc-env-value", true
	}
	l.ReadFile = func(name string) ([]byte, error) {
		if strings.HasSuffix(name, ".csv") { // catalog.sku_file: Microsoft's columns
			return []byte("Product_Display_Name,String_Id,GUID\r\nMicrosoft 365 E3,SPE_E3,05e9a617-0261-4cee-bb44-138d3ef5d965\r\n"), nil
		}
		return []byte("doc-file-value\n"), nil
	}
	cfg, diags := l.LoadSources("docs", files, nil)
	for _, d := range diags {
		src := ""
		if d.Subject != nil {
			src = strings.TrimSpace(string(files[d.Subject.Filename]))
		}
		t.Errorf("%s: %s: %s\nin the example:\n%s", d.Subject, d.Summary, d.Detail, src)
	}
	if cfg != nil && len(cfg.Profiles) == 0 {
		t.Error("no profiles decoded from the examples")
	}
}

// TestDocCoversSchema: every block type and argument the decoder accepts is
// named in the documentation, in backticks.
func TestDocCoversSchema(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	schemas := map[string]*hcl.BodySchema{
		"top level": rootSchema, "variable": variableSchema, "profile": profileSchema, "tasks": tasksSchema,
		"dynamics": dynamicsSchema, "exclude": excludeSchema, "reclaim": reclaimSchema, "consolidate": consolidateSchema,
		"product": productSchema, "price": priceSchema, "output": outputSchema,
		"transform": transformSchema, "sql_stage": sqlStageSchema, "catalog": catalogSchema,
	}
	for where, s := range schemas {
		for _, a := range s.Attributes {
			if !strings.Contains(text, "`"+a.Name+"`") {
				t.Errorf("%s argument %q is not documented", where, a.Name)
			}
		}
		for _, b := range s.Blocks {
			if !strings.Contains(text, "## "+b.Type) && !strings.Contains(text, "`"+b.Type+"`") {
				t.Errorf("%s block %q is not documented", where, b.Type)
			}
		}
	}
	for _, sig := range AllSignals {
		if !strings.Contains(text, "`"+string(sig)+"`") {
			t.Errorf("signal %q is not documented", sig)
		}
	}
}
