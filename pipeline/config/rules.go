package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/schemas"
)

var excludeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "profiles"},
		{Name: "users"},
		{Name: "groups"},
		{Name: "skus"},
		{Name: "when"},
	},
}

func decodeExcludeBlock(block *hcl.Block, ctx *hcl.EvalContext) (*Exclusion, hcl.Diagnostics) {
	e := &Exclusion{Name: block.Labels[0], DeclRange: block.DefRange}
	diags := checkName("exclusion", e.Name, block.LabelRanges[0])
	content, ds := block.Body.Content(excludeSchema)
	diags = append(diags, ds...)
	attrs := content.Attributes

	profiles, d := decodeStringList(attrs["profiles"], ctx)
	diags = append(diags, d...)
	e.Profiles, e.profileRanges = itemValues(profiles), itemRanges(profiles)

	users, d := decodeStringList(attrs["users"], ctx)
	diags = append(diags, d...)
	for _, u := range users {
		if looksLikeGUID(u.Value) {
			diags = append(diags, checkGUID("user object id", u.Value, u.Range)...)
		} else if !strings.Contains(u.Value, "@") || strings.ContainsAny(u.Value, " \t") {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid user",
				Detail:   fmt.Sprintf("A user is a user principal name (name@example.com) or an object id GUID; %q is neither.", u.Value),
				Subject:  u.Range.Ptr(),
			})
		}
	}
	e.Users = itemValues(users)

	groups, d := decodeStringList(attrs["groups"], ctx)
	diags = append(diags, d...)
	for _, g := range groups {
		diags = append(diags, checkGUID("group object id", g.Value, g.Range)...)
	}
	e.Groups = itemValues(groups)

	skus, d := decodeStringList(attrs["skus"], ctx)
	diags = append(diags, d...)
	for _, s := range skus {
		diags = append(diags, checkSKURef(s)...)
	}
	e.SKUs, e.skuRanges = itemValues(skus), itemRanges(skus)

	if attr := attrs["when"]; attr != nil {
		e.When, d = decodeString(attr, ctx, "")
		diags = append(diags, d...)
		e.WhenRange = attr.Expr.Range()
		if !d.HasErrors() {
			diags = append(diags, checkWhen(e.When, attr)...)
		}
	}
	if len(e.Users) == 0 && len(e.Groups) == 0 && len(e.SKUs) == 0 && e.When == "" && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty exclusion",
			Detail:   "An exclusion must say what it excludes: set users, groups, skus or when.",
			Subject:  block.DefRange.Ptr(),
		})
	}
	return e, diags
}

// servicePlanPatternRE is a service plan name pattern: Microsoft's plan
// names are upper-case letters, digits and underscores.
var servicePlanPatternRE = regexp.MustCompile(`^[A-Z0-9_*]*[A-Z0-9_][A-Z0-9_*]*$`)

var reclaimSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "profiles"},
		{Name: "skus"},
		{Name: "service_plans"},
		{Name: "signals", Required: true},
		{Name: "apps"},
		{Name: "inactive_days", Required: true},
		{Name: "grace_days"},
		{Name: "disabled_accounts"},
		{Name: "include_guests"},
		{Name: "action"},
		{Name: "max_actions"},
		{Name: "allow_group_removal"},
		{Name: "allow_data_at_risk"},
		{Name: "allow_one_way"},
	},
}

// Defaults of a reclaim rule.
const (
	DefaultGraceDays        = 30
	DefaultDisabledAccounts = "include"
	DefaultAction           = ActionReport
)

// DisabledAccountsModes are the values of a rule's disabled_accounts.
var DisabledAccountsModes = []string{"include", "only", "exclude"}

// AllActions lists every valid rule action.
var AllActions = []Action{ActionRemoveLicense, ActionReport}

func decodeReclaimBlock(block *hcl.Block, ctx *hcl.EvalContext) (*ReclaimRule, hcl.Diagnostics) {
	r := &ReclaimRule{
		Name:             block.Labels[0],
		GraceDays:        DefaultGraceDays,
		DisabledAccounts: DefaultDisabledAccounts,
		IncludeGuests:    true,
		Action:           DefaultAction,
		DeclRange:        block.DefRange,
	}
	diags := checkName("reclaim rule", r.Name, block.LabelRanges[0])
	content, ds := block.Body.Content(reclaimSchema)
	diags = append(diags, ds...)
	attrs := content.Attributes
	var d hcl.Diagnostics

	profiles, d := decodeStringList(attrs["profiles"], ctx)
	diags = append(diags, d...)
	r.Profiles, r.profileRanges = itemValues(profiles), itemRanges(profiles)

	skus, d := decodeStringList(attrs["skus"], ctx)
	diags = append(diags, d...)
	for _, s := range skus {
		diags = append(diags, checkSKURef(s)...)
	}
	r.SKUs, r.skuRanges = itemValues(skus), itemRanges(skus)
	if attr := attrs["skus"]; attr != nil && !d.HasErrors() && len(skus) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No SKUs",
			Detail:   "A reclaim rule must name at least one SKU (part number such as \"SPE_E3\", or skuId GUID).",
			Subject:  attr.Expr.Range().Ptr(),
		})
	}

	plans, d := decodeStringList(attrs["service_plans"], ctx)
	diags = append(diags, d...)
	for _, p := range plans {
		if !servicePlanPatternRE.MatchString(p.Value) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid service plan pattern",
				Detail:   fmt.Sprintf("A service plan pattern is a service plan name in upper case, where * stands for any run of characters, such as \"M365_COPILOT_*\"; %q is not.", p.Value),
				Subject:  p.Range.Ptr(),
			})
		}
	}
	r.ServicePlans = itemValues(plans)
	if attrs["skus"] == nil && attrs["service_plans"] == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No SKUs",
			Detail:   "A reclaim rule must say which licences it judges: skus (part numbers such as \"SPE_E3\", or skuId GUIDs), service_plans (such as \"M365_COPILOT_*\"), or both.",
			Subject:  block.DefRange.Ptr(),
		})
	}

	signals, d := decodeStringList(attrs["signals"], ctx)
	diags = append(diags, d...)
	valid := make([]string, len(AllSignals))
	for i, s := range AllSignals {
		valid[i] = string(s)
	}
	for _, s := range signals {
		if !isSignal(s.Value) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unknown signal %q", s.Value),
				Detail:   fmt.Sprintf("%sValid signals: %s.", didYouMean(s.Value, valid), quotedList(valid)),
				Subject:  s.Range.Ptr(),
			})
			continue
		}
		r.Signals = append(r.Signals, Signal(s.Value))
	}
	if attr := attrs["signals"]; attr != nil && !d.HasErrors() && len(signals) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No signals",
			Detail:   fmt.Sprintf("A reclaim rule needs at least one activity signal to judge inactivity: %s.", quotedList(valid)),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}

	// apps are resolved against the built-in apps and every file's app
	// blocks once the files are merged (checkReferences).
	r.appNames, d = decodeStringList(attrs["apps"], ctx)
	diags = append(diags, d...)
	if attr := attrs["apps"]; attr != nil {
		r.appsRange = attr.Expr.Range()
	}

	r.InactiveDays, d = decodeInt(attrs["inactive_days"], ctx, 0)
	diags = append(diags, d...)
	if attr := attrs["inactive_days"]; attr != nil && !d.HasErrors() && r.InactiveDays <= 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid inactive_days",
			Detail:   fmt.Sprintf("inactive_days must be at least 1 (a user idle for that many days is inactive); got %d.", r.InactiveDays),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	r.GraceDays, d = decodeInt(attrs["grace_days"], ctx, DefaultGraceDays)
	diags = append(diags, d...)
	if attr := attrs["grace_days"]; attr != nil && !d.HasErrors() && r.GraceDays < 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid grace_days",
			Detail:   fmt.Sprintf("grace_days must be 0 or more; got %d.", r.GraceDays),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	r.DisabledAccounts, d = decodeString(attrs["disabled_accounts"], ctx, DefaultDisabledAccounts)
	diags = append(diags, d...)
	if attr := attrs["disabled_accounts"]; attr != nil && !d.HasErrors() {
		diags = append(diags, oneOf(attr, r.DisabledAccounts, DisabledAccountsModes)...)
	}
	r.IncludeGuests, d = decodeBool(attrs["include_guests"], ctx, true)
	diags = append(diags, d...)

	action, d := decodeString(attrs["action"], ctx, string(DefaultAction))
	diags = append(diags, d...)
	r.Action = Action(action)
	if attr := attrs["action"]; attr != nil && !d.HasErrors() {
		diags = append(diags, oneOf(attr, action, []string{string(ActionRemoveLicense), string(ActionReport)})...)
	}
	r.MaxActions, d = decodeInt(attrs["max_actions"], ctx, 0)
	diags = append(diags, d...)
	if attr := attrs["max_actions"]; attr != nil && !d.HasErrors() && r.MaxActions < 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid max_actions",
			Detail:   fmt.Sprintf("max_actions must be 0 (no limit) or more; got %d.", r.MaxActions),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	r.AllowGroupRemoval, d = decodeBool(attrs["allow_group_removal"], ctx, false)
	diags = append(diags, d...)
	r.AllowDataAtRisk, d = decodeBool(attrs["allow_data_at_risk"], ctx, false)
	diags = append(diags, d...)
	r.AllowOneWay, d = decodeBool(attrs["allow_one_way"], ctx, false)
	diags = append(diags, d...)
	return r, diags
}

var appSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "app_ids"},
		{Name: "resource_ids"},
	},
}

// decodeAppBlock reads app "NAME" { app_ids = [...] resource_ids = [...] }.
func decodeAppBlock(block *hcl.Block, ctx *hcl.EvalContext) (*App, hcl.Diagnostics) {
	a := &App{Name: block.Labels[0], DeclRange: block.DefRange}
	diags := checkName("app", a.Name, block.LabelRanges[0])
	if _, builtin := schemas.AppNamed(a.Name); builtin {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("App %q is built in", a.Name),
			Detail: fmt.Sprintf("%q is one of reclaim's built-in apps (%s) with the ids Microsoft documents; rules may name it as it is. Give this app block another name.",
				a.Name, quotedList(builtinAppNames())),
			Subject: block.LabelRanges[0].Ptr(),
		})
	}
	content, ds := block.Body.Content(appSchema)
	diags = append(diags, ds...)
	for _, f := range []struct {
		name, what string
		dst        *[]string
	}{{"app_ids", "application id", &a.AppIDs}, {"resource_ids", "resource id", &a.ResourceIDs}} {
		items, d := decodeStringList(content.Attributes[f.name], ctx)
		diags = append(diags, d...)
		for _, it := range items {
			diags = append(diags, checkGUID(f.what, it.Value, it.Range)...)
			*f.dst = append(*f.dst, strings.ToLower(it.Value))
		}
	}
	if len(a.AppIDs) == 0 && len(a.ResourceIDs) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "App without ids",
			Detail: "An app block must name at least one application id (app_ids: the signIn appId) or resource id (resource_ids: the signIn resourceId); " +
				"find them in the Entra admin centre's sign-in logs (Application ID, Resource ID).",
			Subject: block.DefRange.Ptr(),
		})
	}
	return a, diags
}

func builtinAppNames() []string {
	out := make([]string, len(schemas.Apps))
	for i, a := range schemas.Apps {
		out[i] = a.Name
	}
	return out
}

func isSignal(s string) bool {
	for _, v := range AllSignals {
		if string(v) == s {
			return true
		}
	}
	return false
}

var consolidateSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "profiles"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "product"}},
}

var productSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "base", Required: true},
		{Name: "attach"},
	},
}

func decodeConsolidateBlock(block *hcl.Block, ctx *hcl.EvalContext) (*ConsolidationRule, hcl.Diagnostics) {
	c := &ConsolidationRule{Name: block.Labels[0], DeclRange: block.DefRange}
	diags := checkName("consolidation rule", c.Name, block.LabelRanges[0])
	content, ds := block.Body.Content(consolidateSchema)
	diags = append(diags, ds...)
	profiles, d := decodeStringList(content.Attributes["profiles"], ctx)
	diags = append(diags, d...)
	c.Profiles, c.profileRanges = itemValues(profiles), itemRanges(profiles)

	bases := map[string]hcl.Range{}
	for _, b := range content.Blocks {
		pc, ds := b.Body.Content(productSchema)
		diags = append(diags, ds...)
		p := &ConsolidationProduct{DeclRange: b.DefRange}
		for _, f := range []struct {
			name string
			dst  *string
			rng  *hcl.Range
		}{{"base", &p.Base, &p.baseRange}, {"attach", &p.Attach, &p.attachRange}} {
			attr := pc.Attributes[f.name]
			if attr == nil {
				continue
			}
			v, d := decodeString(attr, ctx, "")
			diags = append(diags, d...)
			if !d.HasErrors() {
				diags = append(diags, checkSKURef(stringItem{Value: v, Range: attr.Expr.Range()})...)
			}
			*f.dst, *f.rng = v, attr.Expr.Range()
		}
		if p.Base != "" && p.Attach != "" && strings.EqualFold(p.Base, p.Attach) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Attach SKU equals base SKU",
				Detail:   "attach must be the cheaper attach licence that replaces base when another base licence is kept.",
				Subject:  pc.Attributes["attach"].Expr.Range().Ptr(),
			})
		}
		if first, dup := bases[strings.ToLower(p.Base)]; dup && p.Base != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate product %q", p.Base),
				Detail:   fmt.Sprintf("Base SKU %q already has a product block at %s.", p.Base, first),
				Subject:  b.DefRange.Ptr(),
			})
		} else if p.Base != "" {
			bases[strings.ToLower(p.Base)] = b.DefRange
		}
		c.Products = append(c.Products, p)
	}
	if len(content.Blocks) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No products",
			Detail:   "A consolidate block needs product { base = \"...\", attach = \"...\" } blocks, normally two or more: a user must hold two base licences before one can become an attach licence.",
			Subject:  block.DefRange.Ptr(),
		})
	}
	return c, diags
}

var priceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "amount", Required: true},
		{Name: "currency"},
		{Name: "period"},
	},
}

// Price defaults and allowed periods.
const (
	DefaultCurrency = "USD"
	DefaultPeriod   = "month"
)

// PricePeriods are the values of a price's period.
var PricePeriods = []string{"month", "year"}

func decodePriceBlock(block *hcl.Block, ctx *hcl.EvalContext) (*Price, hcl.Diagnostics) {
	p := &Price{SKU: block.Labels[0], Currency: DefaultCurrency, Period: DefaultPeriod, DeclRange: block.DefRange, skuRange: block.LabelRanges[0]}
	diags := checkSKURef(stringItem{Value: p.SKU, Range: block.LabelRanges[0]})
	content, ds := block.Body.Content(priceSchema)
	diags = append(diags, ds...)
	attrs := content.Attributes
	var d hcl.Diagnostics
	p.Amount, d = decodeFloat(attrs["amount"], ctx, 0)
	diags = append(diags, d...)
	if attr := attrs["amount"]; attr != nil && !d.HasErrors() && p.Amount < 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid amount",
			Detail:   "A price amount must be 0 or more.",
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	p.Currency, d = decodeString(attrs["currency"], ctx, DefaultCurrency)
	diags = append(diags, d...)
	if attr := attrs["currency"]; attr != nil && !d.HasErrors() && !currencyRE.MatchString(p.Currency) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid currency",
			Detail:   fmt.Sprintf("currency must be an ISO 4217 code in capitals, such as \"USD\" or \"EUR\"; %q is not.", p.Currency),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	p.Period, d = decodeString(attrs["period"], ctx, DefaultPeriod)
	diags = append(diags, d...)
	if attr := attrs["period"]; attr != nil && !d.HasErrors() {
		diags = append(diags, oneOf(attr, p.Period, PricePeriods)...)
	}
	return p, diags
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "dir"},
		{Name: "compression"},
		{Name: "url"},
		{Name: "endpoint"},
		{Name: "region"},
		{Name: "shared_key"},
	},
}

// Output defaults and the allowed compressions.
const (
	DefaultOutputDir   = "./reclaim-data"
	DefaultCompression = "zstd"
)

// Compressions are the Parquet compressions output may choose.
var Compressions = []string{"zstd", "snappy", "gzip", "none"}

func defaultOutput() *Output {
	return &Output{Dir: DefaultOutputDir, Compression: DefaultCompression}
}

func decodeOutputBlock(block *hcl.Block, ctx *hcl.EvalContext) (*Output, hcl.Diagnostics) {
	o := defaultOutput()
	o.DeclRange = block.DefRange
	content, diags := block.Body.Content(outputSchema)
	var d hcl.Diagnostics
	o.Dir, d = decodeString(content.Attributes["dir"], ctx, DefaultOutputDir)
	diags = append(diags, d...)
	if attr := content.Attributes["dir"]; attr != nil && !d.HasErrors() && strings.TrimSpace(o.Dir) == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty output dir",
			Detail:   fmt.Sprintf("dir must name a directory; remove it to use the default %q.", DefaultOutputDir),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	o.Compression, d = decodeString(content.Attributes["compression"], ctx, DefaultCompression)
	diags = append(diags, d...)
	if attr := content.Attributes["compression"]; attr != nil && !d.HasErrors() {
		diags = append(diags, oneOf(attr, o.Compression, Compressions)...)
	}
	r, d := decodeRemote(content.Attributes, ctx)
	o.Remote = r
	return o, append(diags, d...)
}

// decodeRemote reads output.url and the attributes that only mean
// something beside it; nil when url is unset.
func decodeRemote(attrs hcl.Attributes, ctx *hcl.EvalContext) (*Remote, hcl.Diagnostics) {
	urlAttr := attrs["url"]
	if urlAttr == nil {
		var diags hcl.Diagnostics
		for _, n := range []string{"endpoint", "region", "shared_key"} {
			if a := attrs[n]; a != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Argument needs output url",
					Detail:   fmt.Sprintf("%s only applies to an object store: set url = \"az://ACCOUNT/CONTAINER/PREFIX\" or \"s3://BUCKET/PREFIX\", or remove %s.", n, n),
					Subject:  a.NameRange.Ptr(),
				})
			}
		}
		return nil, diags
	}
	r := &Remote{DeclRange: urlAttr.Range}
	var diags, d hcl.Diagnostics
	r.URL, diags = decodeString(urlAttr, ctx, "")
	if diags.HasErrors() {
		return nil, diags
	}
	subject := urlAttr.Expr.Range().Ptr()
	bad := func(summary, detail string) (*Remote, hcl.Diagnostics) {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject})
	}
	scheme, rest, ok := strings.Cut(r.URL, "://")
	switch {
	case !ok:
		return bad("Invalid output url", fmt.Sprintf("url must be az://ACCOUNT/CONTAINER/PREFIX (Azure Blob Storage, ADLS Gen2, OneLake) or s3://BUCKET/PREFIX; %q has no scheme.", r.URL))
	case scheme != RemoteAzure && scheme != RemoteS3:
		return bad("Unsupported output url scheme", fmt.Sprintf("url's scheme must be %q (Azure Blob Storage, ADLS Gen2, OneLake) or %q; %q is not. For a local directory use dir.", RemoteAzure, RemoteS3, scheme))
	}
	r.Scheme = scheme
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	r.Account = parts[0]
	need := 1
	if scheme == RemoteAzure {
		need = 2
	}
	if r.Account == "" {
		return bad("Invalid output url", fmt.Sprintf("%q names no %s.", r.URL, map[string]string{RemoteAzure: "storage account", RemoteS3: "bucket"}[scheme]))
	}
	if len(parts) < need || parts[need-1] == "" {
		return bad("Missing container", fmt.Sprintf("an az:// url names the storage account and then the container: az://%s/CONTAINER/PREFIX.", r.Account))
	}
	if scheme == RemoteAzure {
		r.Container = parts[1]
	}
	r.Prefix = strings.Join(parts[need:], "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return bad("Invalid output url", fmt.Sprintf("%q has an empty, \".\" or \"..\" path segment.", r.URL))
		}
	}
	r.Endpoint, d = decodeString(attrs["endpoint"], ctx, "")
	diags = append(diags, d...)
	if a := attrs["endpoint"]; a != nil && !d.HasErrors() {
		if u, err := url.Parse(r.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid endpoint",
				Detail:  fmt.Sprintf("endpoint must be an http:// or https:// URL, such as \"http://127.0.0.1:10000/devstoreaccount1\" for Azurite; %q is not.", r.Endpoint),
				Subject: a.Expr.Range().Ptr()})
		}
	}
	r.Region, d = decodeString(attrs["region"], ctx, "")
	diags = append(diags, d...)
	if a := attrs["region"]; a != nil && scheme != RemoteS3 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Argument not for this store",
			Detail: "region applies to s3:// only; remove it.", Subject: a.NameRange.Ptr()})
	}
	r.SharedKey, d = decodeSecret(attrs["shared_key"], ctx, false)
	diags = append(diags, d...)
	if a := attrs["shared_key"]; a != nil && scheme != RemoteAzure {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Argument not for this store",
			Detail: "shared_key applies to az:// only; S3 credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, a role).", Subject: a.NameRange.Ptr()})
	}
	return r, diags
}

// resolvePath makes a path from the config relative to the config directory,
// the way file() reads it. Empty stays empty.
func resolvePath(baseDir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, p)
}
