package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/reclaimhq/reclaim/pipeline/lang"
)

// FileExt is the extension of configuration files in a config directory.
const FileExt = ".hcl"

// Loader reads configurations and remembers the files it parsed, so a caller
// can render diagnostics with the offending source lines (Files). Use one
// Loader per load; the zero value is not ready, use NewLoader.
type Loader struct {
	parser *hclparse.Parser
	// LookupEnv reads RECLAIM_VAR_* and env(); nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// ReadFile reads configuration files and file() arguments; nil means
	// lang.ReadFile (regular files of at most lang.MaxFileBytes).
	ReadFile func(string) ([]byte, error)
}

// NewLoader returns a Loader that reads the real file system and environment.
func NewLoader() *Loader {
	return &Loader{parser: hclparse.NewParser()}
}

// Load reads the configuration at path (a directory of *.hcl files, or one
// file) with the given -var values, using the process environment. It is
// NewLoader().Load; use a Loader when diagnostics must show source lines.
func Load(path string, vars map[string]string) (*Config, hcl.Diagnostics) {
	return NewLoader().Load(path, vars)
}

// Files returns every file parsed so far by name, for
// ui.WriteDiagnostics (and hcl.NewDiagnosticTextWriter).
func (l *Loader) Files() map[string]*hcl.File { return l.parser.Files() }

func (l *Loader) lookupEnv(name string) (string, bool) {
	if l.LookupEnv != nil {
		return l.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

func (l *Loader) readFile(name string) ([]byte, error) {
	if l.ReadFile != nil {
		return l.ReadFile(name)
	}
	return lang.ReadFile(name)
}

// Load reads the configuration at path: a directory (every *.hcl file in it,
// not recursively, in name order) or a single file. vars are -var values;
// RECLAIM_VAR_NAME environment variables fill the rest, then defaults.
//
// The Config is returned even when diagnostics have errors, as far as it
// could be decoded, so a caller may inspect it; it must not act on it.
func (l *Loader) Load(path string, vars map[string]string) (*Config, hcl.Diagnostics) {
	names, baseDir, diags := l.configFiles(path)
	if diags.HasErrors() {
		return nil, diags
	}
	srcs := make([]source, 0, len(names))
	for _, n := range names {
		b, err := l.readFile(n)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read configuration file",
				Detail:   fmt.Sprintf("Reading %s: %v.", n, err),
			})
			continue
		}
		srcs = append(srcs, source{name: n, bytes: b})
	}
	if diags.HasErrors() {
		return nil, diags
	}
	cfg, ds := l.loadSources(path, baseDir, srcs, vars)
	return cfg, append(diags, ds...)
}

// sortDiagnostics orders diagnostics as a person reads the files: those
// without a place first, then by file and position. The sort is stable, so
// diagnostics at one place keep the order they were found in.
func sortDiagnostics(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}

// LoadSources decodes in-memory files as if they were the configuration
// directory dir: names are file names (used in diagnostics), contents their
// bytes. Tests use it; so could a caller that embeds a configuration.
func (l *Loader) LoadSources(dir string, files map[string][]byte, vars map[string]string) (*Config, hcl.Diagnostics) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	srcs := make([]source, len(names))
	for i, n := range names {
		srcs[i] = source{name: n, bytes: files[n]}
	}
	return l.loadSources(dir, dir, srcs, vars)
}

type source struct {
	name  string
	bytes []byte
}

// configFiles lists the files of the configuration at path and the
// directory file() paths are relative to.
func (l *Loader) configFiles(path string) ([]string, string, hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		detail := fmt.Sprintf("Reading %s: %v.", path, err)
		if os.IsNotExist(err) {
			detail = fmt.Sprintf("There is no file or directory %s. Pass a directory of *.hcl files or one .hcl file.", path)
		}
		return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Configuration not found", Detail: detail}}
	}
	if !info.IsDir() {
		return []string{path}, filepath.Dir(path), nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration directory",
			Detail: fmt.Sprintf("Reading %s: %v.", path, err)}}
	}
	var names []string
	for _, e := range entries {
		// Editors leave hidden and backup files; only visible *.hcl files count.
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || filepath.Ext(e.Name()) != FileExt {
			continue
		}
		names = append(names, filepath.Join(path, e.Name()))
	}
	if len(names) == 0 {
		return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No configuration files",
			Detail: fmt.Sprintf("The directory %s has no *%s files.", path, FileExt)}}
	}
	sort.Strings(names)
	return names, path, nil
}

// rootSchema is the top level of every file.
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "profile", LabelNames: []string{"name"}},
		{Type: "exclude", LabelNames: []string{"name"}},
		{Type: "reclaim", LabelNames: []string{"name"}},
		{Type: "consolidate", LabelNames: []string{"name"}},
		{Type: "price", LabelNames: []string{"sku"}},
		{Type: "app", LabelNames: []string{"name"}},
		{Type: "output"},
		{Type: "transform"},
		{Type: "sql_stage", LabelNames: []string{"name"}},
		{Type: "catalog"},
	},
}

// fileConfig is one file decoded as written, before the merge.
type fileConfig struct {
	profiles       []*Profile
	profileSets    []*ProfileSet
	exclusions     []*Exclusion
	reclaimRules   []*ReclaimRule
	consolidations []*ConsolidationRule
	prices         []*Price
	apps           []*App
	outputs        []*Output
	transforms     []*Transform
	sqlStages      []*SQLStage
	catalogs       []*Catalog
}

func (l *Loader) loadSources(dir, baseDir string, srcs []source, vars map[string]string) (*Config, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	cfg := &Config{
		Dir:         dir,
		Variables:   map[string]*Variable{},
		Profiles:    map[string]*Profile{},
		ProfileSets: map[string]*ProfileSet{},
		Prices:      map[string]*Price{},
		Apps:        map[string]*App{},
		Output:      defaultOutput(),
		Transform:   defaultTransform(),
	}
	h := sha256.New()
	syntaxErrors := false
	var parsed []*hcl.File
	contents := make([]*hcl.BodyContent, 0, len(srcs))
	for _, s := range srcs {
		cfg.Files = append(cfg.Files, s.name)
		// The digest covers names (relative to the config) and contents, with
		// lengths so no two different file sets hash alike.
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(s.name), len(s.bytes))
		h.Write(s.bytes)
		if d := checkNesting(s.bytes, s.name); d != nil {
			// HCL's parser recurses once per level: 100,000 brackets
			// overflow the stack and kill the process.
			diags = append(diags, d)
			syntaxErrors = true
			continue
		}
		f, ds := l.parser.ParseHCL(s.bytes, s.name)
		diags = append(diags, ds...)
		syntaxErrors = syntaxErrors || ds.HasErrors()
		if f == nil || f.Body == nil {
			continue
		}
		// Content even after syntax errors: the parser recovers, and a
		// person fixing a file wants every problem at once.
		content, ds := f.Body.Content(rootSchema)
		diags = append(diags, ds...)
		contents = append(contents, content)
		parsed = append(parsed, f)
	}
	cfg.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	if syntaxErrors {
		// After a syntax error the parser's recovery leaves holes that
		// would be reported again as missing or invalid arguments; the
		// syntax errors and unknown blocks are what to fix first.
		sortDiagnostics(diags)
		return cfg, diags
	}

	// Phase 1: variables from every file, so any file may use any variable.
	redactor := &lang.Redactor{}
	scope := &lang.Scope{BaseDir: baseDir, LookupEnv: l.lookupEnv, ReadFile: l.readFile, Redactor: redactor}
	noVarCtx := scope.EvalContext()
	noVarCtx.Variables = nil
	decls := map[string]*variableDecl{}
	for _, content := range contents {
		for _, b := range content.Blocks.OfType("variable") {
			v, ds := decodeVariableBlock(b, noVarCtx)
			diags = append(diags, ds...)
			if first, dup := decls[v.Name]; dup {
				diags = append(diags, duplicateDiag("variable", v.Name, first.DeclRange, v.DeclRange))
				continue
			}
			decls[v.Name] = v
			cfg.Variables[v.Name] = v.Variable
		}
	}
	values, ds := resolveVariables(decls, vars, l.lookupEnv)
	diags = append(diags, ds...)
	undeclared, ds := checkVariableRefs(parsed, decls)
	diags = append(diags, ds...)
	for n := range undeclared {
		values[n] = cty.DynamicVal
	}
	for _, v := range values {
		if lang.IsSensitive(v) {
			redactor.Add(v)
		}
	}
	scope.Variables = values
	ctx := scope.EvalContext()

	// Phase 2: decode each file as written, then merge.
	for _, content := range contents {
		fc, ds := decodeFile(content, ctx, baseDir)
		diags = append(diags, ds...)
		diags = append(diags, cfg.merge(fc)...)
	}
	diags = append(diags, cfg.checkReferences()...)
	diags = append(diags, cfg.loadSKUCatalog(l.readFile)...)
	diags = dropConsequential(diags)
	sortDiagnostics(diags)
	redactor.RedactDiagnostics(diags)
	return cfg, diags
}

func decodeFile(content *hcl.BodyContent, ctx *hcl.EvalContext, baseDir string) (*fileConfig, hcl.Diagnostics) {
	fc := &fileConfig{}
	var diags hcl.Diagnostics
	for _, b := range content.Blocks {
		var ds hcl.Diagnostics
		switch b.Type {
		case "profile":
			var ps []*Profile
			var set *ProfileSet
			ps, set, ds = decodeProfileBlocks(b, ctx, baseDir)
			fc.profiles = append(fc.profiles, ps...)
			if set != nil {
				fc.profileSets = append(fc.profileSets, set)
			}
		case "exclude":
			var e *Exclusion
			e, ds = decodeExcludeBlock(b, ctx)
			fc.exclusions = append(fc.exclusions, e)
		case "reclaim":
			var r *ReclaimRule
			r, ds = decodeReclaimBlock(b, ctx)
			fc.reclaimRules = append(fc.reclaimRules, r)
		case "consolidate":
			var c *ConsolidationRule
			c, ds = decodeConsolidateBlock(b, ctx)
			fc.consolidations = append(fc.consolidations, c)
		case "price":
			var p *Price
			p, ds = decodePriceBlock(b, ctx)
			fc.prices = append(fc.prices, p)
		case "app":
			var a *App
			a, ds = decodeAppBlock(b, ctx)
			fc.apps = append(fc.apps, a)
		case "output":
			var o *Output
			o, ds = decodeOutputBlock(b, ctx)
			fc.outputs = append(fc.outputs, o)
		case "transform":
			var t *Transform
			t, ds = decodeTransformBlock(b, ctx)
			fc.transforms = append(fc.transforms, t)
		case "sql_stage":
			var s *SQLStage
			s, ds = decodeSQLStageBlock(b, ctx, baseDir)
			fc.sqlStages = append(fc.sqlStages, s)
		case "catalog":
			var c *Catalog
			c, ds = decodeCatalogBlock(b, ctx, baseDir)
			fc.catalogs = append(fc.catalogs, c)
		}
		diags = append(diags, ds...)
	}
	return fc, diags
}

// merge adds one file's blocks to the config, reporting names declared
// twice with the place of the first declaration.
func (c *Config) merge(fc *fileConfig) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, s := range fc.profileSets {
		if first := c.profileDecl(s.Name); first != nil {
			diags = append(diags, duplicateDiag("profile", s.Name, *first, s.DeclRange))
			continue
		}
		c.ProfileSets[s.Name] = s
	}
	for _, p := range fc.profiles {
		if p.Set == "" {
			if first := c.profileDecl(p.Name); first != nil {
				diags = append(diags, duplicateDiag("profile", p.Name, *first, p.DeclRange))
				continue
			}
		} else if c.ProfileSets[p.Set] == nil || c.ProfileSets[p.Set].DeclRange != p.DeclRange {
			continue // the set itself was a duplicate, reported above
		}
		c.Profiles[p.Name] = p
	}
	for _, e := range fc.exclusions {
		if first := findExclusion(c.Exclusions, e.Name); first != nil {
			diags = append(diags, duplicateDiag("exclusion", e.Name, first.DeclRange, e.DeclRange))
			continue
		}
		c.Exclusions = append(c.Exclusions, e)
	}
	for _, r := range fc.reclaimRules {
		if first := c.ReclaimRule(r.Name); first != nil {
			diags = append(diags, duplicateDiag("reclaim rule", r.Name, first.DeclRange, r.DeclRange))
			continue
		}
		c.ReclaimRules = append(c.ReclaimRules, r)
	}
	for _, r := range fc.consolidations {
		if first := findConsolidation(c.ConsolidationRules, r.Name); first != nil {
			diags = append(diags, duplicateDiag("consolidation rule", r.Name, first.DeclRange, r.DeclRange))
			continue
		}
		c.ConsolidationRules = append(c.ConsolidationRules, r)
	}
	for _, p := range fc.prices {
		if first := c.priceByRef(p.SKU); first != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate price for SKU %q", p.SKU),
				Detail: fmt.Sprintf("SKU %q already has a price at %s (SKU names are compared ignoring case). Keep one price per SKU.",
					p.SKU, first.DeclRange),
				Subject: p.DeclRange.Ptr(),
			})
			continue
		}
		c.Prices[p.SKU] = p
	}
	for _, a := range fc.apps {
		if first, dup := c.Apps[a.Name]; dup {
			diags = append(diags, duplicateDiag("app", a.Name, first.DeclRange, a.DeclRange))
			continue
		}
		c.Apps[a.Name] = a
	}
	for _, cat := range fc.catalogs {
		if c.Catalog != nil {
			diags = append(diags, singletonDiag("catalog", c.Catalog.DeclRange, cat.DeclRange))
			continue
		}
		c.Catalog = cat
	}
	for _, o := range fc.outputs {
		if c.Output.DeclRange.Filename != "" {
			diags = append(diags, singletonDiag("output", c.Output.DeclRange, o.DeclRange))
			continue
		}
		c.Output = o
	}
	for _, t := range fc.transforms {
		if c.Transform.DeclRange.Filename != "" {
			diags = append(diags, singletonDiag("transform", c.Transform.DeclRange, t.DeclRange))
			continue
		}
		c.Transform = t
	}
	for _, s := range fc.sqlStages {
		if first := c.SQLStage(s.Name); first != nil {
			diags = append(diags, duplicateDiag("sql_stage", s.Name, first.DeclRange, s.DeclRange))
			continue
		}
		c.SQLStages = append(c.SQLStages, s)
	}
	return diags
}

// singletonDiag reports a second block of a kind a configuration has at most
// one of, naming where the first is.
func singletonDiag(kind string, first, again hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s block", kind),
		Detail:   fmt.Sprintf("A configuration has at most one %s block; the first is at %s.", kind, first),
		Subject:  again.Ptr(),
	}
}

func findExclusion(list []*Exclusion, name string) *Exclusion {
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	return nil
}

func findConsolidation(list []*ConsolidationRule, name string) *ConsolidationRule {
	for _, c := range list {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Digest is a stable SHA-256 of the configuration files' names and
// contents, as "sha256:HEX". Plans record it so apply can refuse a plan made
// from a configuration that has since changed. Variable values are not part
// of it. Empty for a Config that was not loaded from files.
func (c *Config) Digest() string { return c.digest }
