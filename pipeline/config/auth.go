package config

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// The ways a profile signs in (its auth attribute). A profile without auth
// uses AuthClientSecret or AuthCertificate, whichever it sets; the others
// need no secret in the configuration: the credential comes from where
// reclaim runs (a Kubernetes service account, an Azure resource's managed
// identity, the CI job, a person's `az login`).
const (
	AuthClientSecret     = "client_secret"
	AuthCertificate      = "certificate"
	AuthWorkloadIdentity = "workload_identity"
	AuthManagedIdentity  = "managed_identity"
	AuthGitHubOIDC       = "github_oidc"
	AuthAzurePipelines   = "azure_pipelines"
	AuthAzureCLI         = "azure_cli"
)

// AuthKinds are the valid values of auth, in the order docs list them.
var AuthKinds = []string{AuthClientSecret, AuthCertificate, AuthWorkloadIdentity, AuthManagedIdentity,
	AuthGitHubOIDC, AuthAzurePipelines, AuthAzureCLI}

// Secretless reports whether kind signs in without a secret in the
// configuration.
func Secretless(kind string) bool { return kind != AuthClientSecret && kind != AuthCertificate }

// authOnly are the attributes that belong to one auth kind.
var authOnly = map[string]string{
	"federated_token_file":  AuthWorkloadIdentity,
	"service_connection_id": AuthAzurePipelines,
}

// decodeProfileAuth reads a profile's auth and the credentials it needs.
// With a secret kind (or no auth) it is decodeCredentials; a secretless
// kind takes no client_secret or certificate, and client_id is required
// only where Entra needs the app named in the request (github_oidc,
// azure_pipelines); workload_identity falls back to AZURE_CLIENT_ID when
// the credential is built, managed_identity to the system-assigned
// identity, and azure_cli signs in as the person, so it has none.
func decodeProfileAuth(attrs hcl.Attributes, ctx *hcl.EvalContext, baseDir string, declRange hcl.Range) (*Credentials, hcl.Diagnostics) {
	kind, diags := decodeString(attrs["auth"], ctx, "")
	attr := attrs["auth"]
	if attr != nil && !diags.HasErrors() && !slices.Contains(AuthKinds, kind) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown auth",
			Detail:   fmt.Sprintf("%sauth must be one of %s; %q is not.", didYouMean(kind, AuthKinds), quotedList(AuthKinds), kind),
			Subject:  attr.Expr.Range().Ptr(),
		})
		// What else to require depends on the kind meant; the typo is
		// the one thing to fix.
		return &Credentials{DeclRange: declRange}, diags
	}
	for name, owner := range authOnly {
		if a := attrs[name]; a != nil && kind != owner {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Argument not used by this auth",
				Detail:   fmt.Sprintf("%s is read only with auth = %q; set auth = %q or remove %s.", name, owner, owner, name),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if kind == "" || !Secretless(kind) {
		c, d := decodeCredentials(attrs, ctx, baseDir, declRange, true)
		diags = append(diags, d...)
		explicit := kind != ""
		if !explicit {
			kind = c.Auth
		}
		c.Auth = kind
		if attrs["client_id"] == nil {
			diags = append(diags, missingClientID(declRange, kind))
		}
		switch {
		case !explicit:
		case kind == AuthClientSecret && attrs["client_secret"] == nil && attrs["certificate_file"] != nil,
			kind == AuthCertificate && attrs["certificate_file"] == nil && attrs["client_secret"] != nil:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Credentials do not match auth",
				Detail:   fmt.Sprintf("auth = %q needs %s.", kind, map[string]string{AuthClientSecret: "client_secret", AuthCertificate: "certificate_file"}[kind]),
				Subject:  attr.Range.Ptr(),
			})
		}
		return c, diags
	}

	c := &Credentials{Auth: kind, DeclRange: declRange}
	var d hcl.Diagnostics
	for _, name := range []string{"client_secret", "certificate_file", "certificate_password"} {
		if a := attrs[name]; a != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Secret with secretless auth",
				Detail:   fmt.Sprintf("auth = %q signs in without a secret; remove %s (or remove auth to use it).", kind, name),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	c.ClientID, d = decodeString(attrs["client_id"], ctx, "")
	diags = append(diags, d...)
	switch a := attrs["client_id"]; {
	case a != nil && !d.HasErrors() && kind == AuthAzureCLI:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "client_id is not used",
			Detail:   "auth = \"azure_cli\" signs in as the person logged in with az login; client_id is ignored.",
			Subject:  a.NameRange.Ptr(),
		})
		c.ClientID = ""
	case a != nil && !d.HasErrors():
		diags = append(diags, checkGUID("client id", c.ClientID, a.Expr.Range())...)
	case a == nil && (kind == AuthGitHubOIDC || kind == AuthAzurePipelines):
		diags = append(diags, missingClientID(declRange, kind))
	}
	c.TokenFile, d = decodeString(attrs["federated_token_file"], ctx, "")
	diags = append(diags, d...)
	c.TokenFile = resolvePath(baseDir, c.TokenFile)
	c.ServiceConnectionID, d = decodeString(attrs["service_connection_id"], ctx, "")
	diags = append(diags, d...)
	return c, diags
}

func missingClientID(declRange hcl.Range, kind string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Missing client_id",
		Detail:   fmt.Sprintf("A profile with auth = %q names its app registration with client_id (Entra ID → App registrations → Application (client) ID).", kind),
		Subject:  declRange.Ptr(),
	}
}
