package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/reclaimhq/reclaim/schemas"
)

var profileSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "tenant_id", Required: true},
		{Name: "auth"},
		{Name: "client_id"},
		{Name: "client_secret"},
		{Name: "certificate_file"},
		{Name: "certificate_password"},
		{Name: "federated_token_file"},
		{Name: "service_connection_id"},
		{Name: "graph_endpoint"},
		{Name: "login_endpoint"},
		{Name: "ca_file"},
		{Name: "activity_since"},
		{Name: "lookback_days"},
		{Name: "for_each"}, // read by decodeProfileBlocks
		{Name: "copilot_report_version"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "tasks"},
		{Type: "dynamics", LabelNames: []string{"name"}},
	},
}

var tasksSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "download_activity"},
		{Name: "reclaim_subscriptions"},
	},
}

var dynamicsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true},
		{Name: "client_id"},
		{Name: "client_secret"},
		{Name: "certificate_file"},
		{Name: "certificate_password"},
	},
}

// DefaultLookbackDays is how far back activity is read when a profile sets
// neither activity_since nor lookback_days.
const DefaultLookbackDays = 90

func decodeProfileBlock(block *hcl.Block, ctx *hcl.EvalContext, baseDir string) (*Profile, hcl.Diagnostics) {
	p := &Profile{
		Name:          block.Labels[0],
		GraphEndpoint: DefaultGraphEndpoint,
		LoginEndpoint: DefaultLoginEndpoint,
		LookbackDays:  DefaultLookbackDays,
		Tasks:         Tasks{DownloadActivity: true, DeclRange: block.DefRange},
		DeclRange:     block.DefRange,
	}
	diags := checkName("profile", p.Name, block.LabelRanges[0])
	content, ds := block.Body.Content(profileSchema)
	diags = append(diags, ds...)
	attrs := content.Attributes
	var d hcl.Diagnostics

	p.TenantID, d = decodeString(attrs["tenant_id"], ctx, "")
	diags = append(diags, d...)
	if attr := attrs["tenant_id"]; attr != nil && !d.HasErrors() {
		diags = append(diags, checkGUID("tenant id", p.TenantID, attr.Expr.Range())...)
	}

	creds, d := decodeProfileAuth(attrs, ctx, baseDir, block.DefRange)
	diags = append(diags, d...)
	p.Credentials = *creds

	for _, ep := range []struct {
		name string
		dst  *string
	}{{"graph_endpoint", &p.GraphEndpoint}, {"login_endpoint", &p.LoginEndpoint}} {
		*ep.dst, d = decodeURL(attrs[ep.name], ctx, *ep.dst)
		diags = append(diags, d...)
	}
	p.CAFile, d = decodeString(attrs["ca_file"], ctx, "")
	diags = append(diags, d...)
	p.CAFile = resolvePath(baseDir, p.CAFile)

	since, d := decodeString(attrs["activity_since"], ctx, "")
	diags = append(diags, d...)
	if since != "" {
		t, err := time.Parse(time.DateOnly, since)
		if err != nil || !dateRE.MatchString(since) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid activity_since",
				Detail:   fmt.Sprintf("activity_since must be a date written YYYY-MM-DD, such as \"2026-01-31\"; %q is not.", since),
				Subject:  attrs["activity_since"].Expr.Range().Ptr(),
			})
		}
		p.ActivitySince = t
	}
	p.LookbackDays, d = decodeInt(attrs["lookback_days"], ctx, DefaultLookbackDays)
	diags = append(diags, d...)
	if attr := attrs["lookback_days"]; attr != nil && !d.HasErrors() {
		if p.LookbackDays <= 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid lookback_days",
				Detail:   fmt.Sprintf("lookback_days must be at least 1; got %d.", p.LookbackDays),
				Subject:  attr.Expr.Range().Ptr(),
			})
		}
		if since != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Conflicting arguments",
				Detail:   fmt.Sprintf("Set either activity_since or lookback_days, not both (activity_since is at %s).", attrs["activity_since"].Range),
				Subject:  attr.Range.Ptr(),
			})
		}
	}

	p.CopilotReportVersion, d = decodeString(attrs["copilot_report_version"], ctx, "")
	diags = append(diags, d...)
	if attr := attrs["copilot_report_version"]; attr != nil && !d.HasErrors() {
		var versions []string
		for _, v := range schemas.CopilotReport.Versions {
			versions = append(versions, v.Name)
		}
		diags = append(diags, oneOf(attr, p.CopilotReportVersion, versions)...)
	}

	var tasksSeen *hcl.Block
	for _, b := range content.Blocks {
		switch b.Type {
		case "tasks":
			if tasksSeen != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate tasks block",
					Detail:   fmt.Sprintf("A profile has at most one tasks block; the first is at %s.", tasksSeen.DefRange),
					Subject:  b.DefRange.Ptr(),
				})
				continue
			}
			tasksSeen = b
			t, d := decodeTasksBlock(b, ctx)
			diags = append(diags, d...)
			p.Tasks = t
		case "dynamics":
			env, d := decodeDynamicsBlock(b, ctx, baseDir)
			diags = append(diags, d...)
			for _, prev := range p.Dynamics {
				if prev.Name == env.Name {
					diags = append(diags, duplicateDiag("dynamics environment", env.Name, prev.DeclRange, env.DeclRange))
				}
			}
			p.Dynamics = append(p.Dynamics, env)
		}
	}
	return p, diags
}

func decodeTasksBlock(block *hcl.Block, ctx *hcl.EvalContext) (Tasks, hcl.Diagnostics) {
	t := Tasks{DeclRange: block.DefRange}
	content, diags := block.Body.Content(tasksSchema)
	var d hcl.Diagnostics
	t.DownloadActivity, d = decodeBool(content.Attributes["download_activity"], ctx, true)
	diags = append(diags, d...)
	t.ReclaimSubscriptions, d = decodeBool(content.Attributes["reclaim_subscriptions"], ctx, false)
	diags = append(diags, d...)
	return t, diags
}

func decodeDynamicsBlock(block *hcl.Block, ctx *hcl.EvalContext, baseDir string) (*DynamicsEnvironment, hcl.Diagnostics) {
	env := &DynamicsEnvironment{Name: block.Labels[0], DeclRange: block.DefRange}
	diags := checkName("dynamics environment", env.Name, block.LabelRanges[0])
	content, ds := block.Body.Content(dynamicsSchema)
	diags = append(diags, ds...)
	var d hcl.Diagnostics
	env.URL, d = decodeURL(content.Attributes["url"], ctx, "")
	diags = append(diags, d...)

	attrs := content.Attributes
	if attrs["client_id"] != nil || attrs["client_secret"] != nil || attrs["certificate_file"] != nil || attrs["certificate_password"] != nil {
		creds, d := decodeCredentials(attrs, ctx, baseDir, block.DefRange, false)
		diags = append(diags, d...)
		env.Credentials = creds
	}
	return env, diags
}

// decodeCredentials reads client_id and exactly one of client_secret or
// certificate_file (+ certificate_password) from attrs. In a dynamics block
// client_id is optional in the schema, so it is checked here.
func decodeCredentials(attrs hcl.Attributes, ctx *hcl.EvalContext, baseDir string, declRange hcl.Range, inProfile bool) (*Credentials, hcl.Diagnostics) {
	c := &Credentials{DeclRange: declRange}
	var diags, d hcl.Diagnostics
	c.ClientID, d = decodeString(attrs["client_id"], ctx, "")
	diags = append(diags, d...)
	if attr := attrs["client_id"]; attr != nil && !d.HasErrors() {
		diags = append(diags, checkGUID("client id", c.ClientID, attr.Expr.Range())...)
	} else if attr == nil && !inProfile {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing client_id",
			Detail:   "A dynamics block with its own credentials must name its app with client_id; remove the credentials to use the profile's app.",
			Subject:  declRange.Ptr(),
		})
	}
	c.ClientSecret, d = decodeSecret(attrs["client_secret"], ctx, false)
	diags = append(diags, d...)
	c.CertificateFile, d = decodeString(attrs["certificate_file"], ctx, "")
	diags = append(diags, d...)
	c.CertificateFile = resolvePath(baseDir, c.CertificateFile)
	c.CertificatePassword, d = decodeSecret(attrs["certificate_password"], ctx, true)
	diags = append(diags, d...)

	secretAttr, certAttr := attrs["client_secret"], attrs["certificate_file"]
	c.Auth = AuthClientSecret
	if secretAttr == nil && certAttr != nil {
		c.Auth = AuthCertificate
	}
	switch {
	case secretAttr != nil && certAttr != nil:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting credentials",
			Detail:   fmt.Sprintf("Set either client_secret or certificate_file, not both (client_secret is at %s).", secretAttr.Range),
			Subject:  certAttr.Range.Ptr(),
		})
	case secretAttr == nil && certAttr == nil:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing credentials",
			Detail:   "Set client_secret (for example client_secret = env(\"RECLAIM_CLIENT_SECRET\")) or certificate_file.",
			Subject:  declRange.Ptr(),
		})
	}
	if pw := attrs["certificate_password"]; pw != nil && certAttr == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "certificate_password without certificate_file",
			Detail:   "certificate_password unlocks certificate_file; set certificate_file or remove certificate_password.",
			Subject:  pw.Range.Ptr(),
		})
	}
	return c, diags
}

// urlExamples are shown when a URL attribute is malformed.
var urlExamples = map[string]string{
	"graph_endpoint": DefaultGraphEndpoint,
	"login_endpoint": DefaultLoginEndpoint,
	"url":            "https://contoso.crm.dynamics.com",
}

// decodeURL reads an absolute http(s) URL and drops a trailing slash, so
// callers can append paths.
func decodeURL(attr *hcl.Attribute, ctx *hcl.EvalContext, def string) (string, hcl.Diagnostics) {
	s, diags := decodeString(attr, ctx, def)
	if attr == nil || diags.HasErrors() {
		return s, diags
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return s, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + attr.Name,
			Detail:   fmt.Sprintf("%s must be an absolute https URL without query or fragment, such as %q; %q is not.", attr.Name, urlExamples[attr.Name], s),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return strings.TrimRight(s, "/"), diags
}
