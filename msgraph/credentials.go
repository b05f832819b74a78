package msgraph

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/reclaimhq/reclaim/pipeline/secret"
)

// Credentials are how an app proves who it is: a client secret or a
// certificate. The zero value has neither, and building a client with it
// fails. Secrets stay secret.Secret, which never prints its value.
type Credentials struct {
	// Auth is how the app signs in, in the config's words (client_secret,
	// certificate, workload_identity, managed_identity, github_oidc,
	// azure_pipelines, azure_cli); empty means a client secret or
	// certificate, whichever is set. The secretless kinds take what they
	// need from where reclaim runs when the Authenticator builds them.
	Auth string
	// TokenFile (workload_identity) and ServiceConnectionID
	// (azure_pipelines) override their environment variables.
	TokenFile, ServiceConnectionID string
	ClientID                       string
	ClientSecret                   secret.Secret
	CertificateFile                string // PEM or PKCS#12 with certificate and private key
	// CertificatePassword protects a PKCS#12 or encrypted PEM file, if any.
	CertificatePassword secret.Secret
}

// CredentialRequest is what an Authenticator needs to make the token
// credential of one app identity.
type CredentialRequest struct {
	Profile       string // for errors
	TenantID      string
	LoginEndpoint string
	Credentials   Credentials
	// HTTP is the client's own transport (its ca_file, no redirects):
	// token requests take the same path as API calls.
	HTTP *http.Client
}

// An Authenticator turns an app identity into token credentials. The client
// calls it once per identity when it (or a Dataverse API) is built, so a bad
// certificate file fails there; it calls the function returned for a fresh
// credential, and with it an empty token cache, whenever Microsoft rejected
// a cached token. msgraph/azcred.Authenticate is the production one
// (azidentity); keeping it out of this package keeps the Azure identity SDK
// out of everything that only passes a Client around (the stage contract,
// the runner, the transform).
//
// Errors of the credentials' GetToken that carry the login endpoint's answer
// must wrap a *LoginError: the client tells a refusal, which it never asks
// again, from a failure in transit, which it retries, by it.
type Authenticator func(CredentialRequest) (func() (azcore.TokenCredential, error), error)

// LoginError is a token request the login endpoint answered with an error
// status. Body is the answer (OAuth's error JSON: error, error_description,
// error_codes), read whole; Err is the credential's own error.
type LoginError struct {
	Status int
	Body   []byte
	Err    error
}

func (e *LoginError) Error() string { return e.Err.Error() }
func (e *LoginError) Unwrap() error { return e.Err }

// check refuses a request no Authenticator can serve, naming what to set.
func (r CredentialRequest) check() error {
	secretKind := r.Credentials.Auth == "" || r.Credentials.Auth == "client_secret" || r.Credentials.Auth == "certificate"
	if r.TenantID == "" || (secretKind && r.Credentials.ClientID == "") {
		return fmt.Errorf("profile %q: tenant_id and client_id are required", r.Profile)
	}
	if u, err := url.Parse(r.LoginEndpoint); err != nil || u.Host == "" {
		return fmt.Errorf("profile %q: login_endpoint %q is not a URL", r.Profile, r.LoginEndpoint)
	}
	if secretKind && !r.Credentials.ClientSecret.IsSet() && r.Credentials.CertificateFile == "" {
		return fmt.Errorf("profile %q: no client_secret or certificate_file", r.Profile)
	}
	return nil
}
