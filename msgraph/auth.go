package msgraph

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// AuthError is a failed token request: wrong secret, unknown app or tenant,
// unreadable certificate, an untrusted login host. It names the profile, the
// app and tenant, Microsoft's AADSTS code and description, and what to
// check; it never carries the secret. A refusal from Microsoft is asked for
// once per credential and scope and then shared by every caller of the run
// (see tokenSource); only failures in transit are retried.
type AuthError struct {
	Profile  string
	Scope    string
	ClientID string
	TenantID string
	// Auth is the credential's kind (Credentials.Auth), for the hint.
	Auth string
	// Code is Microsoft's AADSTS code ("AADSTS7000215"), empty when the
	// failure happened before Microsoft answered.
	Code        string
	Description string // Microsoft's error_description without trace ids
	// Status is the login endpoint's HTTP status (0: no answer).
	Status int
	Err    error // the underlying error, for errors.Is/As
}

func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile %q: cannot get a token for %s", e.Profile, e.Scope)
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, " (%s)", e.Description)
	}
	if hint := e.hint(); hint != "" {
		fmt.Fprintf(&b, ": %s", hint)
	} else if e.Code == "" && e.Status != 0 {
		fmt.Fprintf(&b, ": the login endpoint answered HTTP %d", e.Status)
	} else if e.Code == "" && e.Err != nil {
		fmt.Fprintf(&b, ": %s", oneLine(e.Err.Error()))
	}
	return b.String()
}

func (e *AuthError) Unwrap() error { return e.Err }

// hint says what to fix for the codes people actually hit. The meanings are
// Microsoft's (Entra "authentication and authorization error codes",
// reference-error-codes.md; testdata/aadsts/README.md).
func (e *AuthError) hint() string {
	app := fmt.Sprintf("app %s in tenant %s", e.ClientID, e.TenantID)
	if e.ClientID == "" {
		app = "the app in tenant " + e.TenantID
	}
	switch e.Code {
	case "AADSTS7000215":
		// InvalidClientSecretProvided: not a current secret of the app —
		// most often the secret's ID pasted instead of its value.
		return "check client_secret for " + app + ": it must be the secret's Value (shown once when it was created), not its Secret ID; " +
			"if the value is lost, create a new secret under Entra ID → App registrations → Certificates & secrets"
	case "AADSTS7000222":
		return "the client secret of " + app + " has expired; create a new one under Entra ID → App registrations → Certificates & secrets and update client_secret"
	case "AADSTS700016":
		return "no application " + e.ClientID + " in tenant " + e.TenantID + "; check client_id and tenant_id (and that the app is consented in that tenant)"
	case "AADSTS90002", "AADSTS900023":
		return "tenant_id " + e.TenantID + " is not a known tenant; check tenant_id and that login_endpoint is the tenant's cloud"
	case "AADSTS70021":
		return "no federated identity credential of " + app + " matches the token's issuer, subject and audience (named above); add one with exactly those under Entra ID → App registrations → Certificates & secrets → Federated credentials"
	case "AADSTS700024", "AADSTS700027":
		if federated(e.Auth) {
			return "the federated token presented for " + app + " was rejected (expired, not yet valid, or not signed by its issuer's published keys); check that its issuer refreshes it (a projected service account token, a fresh CI job token) and the machine clock"
		}
		fallthrough
	case "AADSTS7000274":
		return "the certificate assertion of " + app + " was rejected; check that the certificate uploaded to the app registration matches certificate_file and the machine clock"
	case "AADSTS70011", "AADSTS1002012":
		// invalid_scope: the resource is not one this authority issues
		// tokens for — typically graph_endpoint of one cloud with the
		// login_endpoint of another.
		return "the scope " + e.Scope + " is not valid at this login endpoint; check that graph_endpoint (or the dynamics environment url) and login_endpoint belong to the same cloud"
	case "AADSTS500011":
		return "the resource " + strings.TrimSuffix(e.Scope, "/.default") + " is not in tenant " + e.TenantID + "; check the dynamics environment url or graph_endpoint"
	case "AADSTS7000112", "AADSTS700025":
		return "check " + app + ": it is disabled or not allowed to use this credential"
	}
	return ""
}

// federated reports whether an auth kind signs in with a token from an
// external issuer (workload identity federation).
func federated(auth string) bool {
	return auth == "workload_identity" || auth == "github_oidc" || auth == "azure_pipelines"
}

var aadstsRE = regexp.MustCompile(`AADSTS\d+`)

// traceRE starts the trace part Microsoft appends to error_description.
var traceRE = regexp.MustCompile(`\s*Trace ID:`)

// newAuthError turns a credential's error (an Authenticator's wraps the
// login endpoint's whole answer in a *LoginError) into one line: the code
// and Microsoft's description, without the trace and correlation ids.
func newAuthError(ts *tokenSource, err error) *AuthError {
	ae := &AuthError{Profile: ts.profile, Scope: ts.scope, ClientID: ts.clientID, TenantID: ts.tenantID, Auth: ts.auth, Err: err}
	var le *LoginError
	if errors.As(err, &le) {
		ae.Status = le.Status
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Codes       []int  `json:"error_codes"`
		}
		if json.Unmarshal(le.Body, &oe) == nil {
			if len(oe.Codes) > 0 {
				ae.Code = fmt.Sprintf("AADSTS%d", oe.Codes[0])
			}
			ae.Description = describe(oe.Description, ae.Code)
		}
	}
	if ae.Code == "" {
		ae.Code = aadstsRE.FindString(err.Error())
	}
	return ae
}

// describe keeps Microsoft's description up to the trace ids, without the
// code it starts with, at most about 300 bytes.
func describe(desc, code string) string {
	if loc := traceRE.FindStringIndex(desc); loc != nil {
		desc = desc[:loc[0]]
	}
	desc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(desc), code+":"))
	desc = oneLine(desc)
	if len(desc) > 300 {
		desc = desc[:300] + "…"
	}
	return desc
}

// oneLine folds an error message onto one line and drops the
// troubleshooting link azidentity appends; the cause (an x509 error, a refused connection)
// stays.
func oneLine(s string) string {
	if i := strings.Index(s, "To troubleshoot, visit"); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(s, " .")
}

// tokenSource gets tokens for one scope from one credential. The credential
// (azidentity's, through msgraph/azcred) caches tokens and refreshes them
// before they expire; forceRefresh replaces the
// credential (and with it the cache) when Microsoft rejected a cached token.
// A refusal from Microsoft (a 4xx answer: wrong secret, invalid scope) or an
// untrusted certificate is kept in failed and returned to every later caller
// without asking again: it will not change during the run.
type tokenSource struct {
	profile, scope     string
	clientID, tenantID string
	auth               string
	newCred            func() (azcore.TokenCredential, error)

	mu     sync.Mutex
	cred   azcore.TokenCredential
	last   string // the token last handed out, to refresh only once per rejection
	failed *AuthError
}

// get returns a token, or an error and whether trying again may help (a
// failure in transit, a 429 or 5xx from the login endpoint).
func (ts *tokenSource) get(ctx context.Context) (tok string, err error, transient bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.failed != nil {
		return "", ts.failed, false
	}
	if ts.cred == nil {
		c, err := ts.newCred()
		if err != nil {
			ts.failed = &AuthError{Profile: ts.profile, Scope: ts.scope, ClientID: ts.clientID, TenantID: ts.tenantID, Err: err}
			return "", ts.failed, false
		}
		ts.cred = c
	}
	t, err := ts.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{ts.scope}})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err(), false
		}
		ae := newAuthError(ts, err)
		var le *LoginError
		answered := errors.As(err, &le)
		switch {
		case answered && (le.Status == http.StatusTooManyRequests || le.Status >= 500):
			return "", ae, true
		case answered, isCertificateError(err):
			ts.failed = ae
			return "", ae, false
		}
		return "", ae, true
	}
	ts.last = t.Token
	return t.Token, nil, false
}

// isCertificateError: the login host's certificate is not trusted (a wrong
// ca_file, an intercepting proxy); retrying cannot help. azidentity keeps
// only the message of the cause.
func isCertificateError(err error) bool {
	var ua x509.UnknownAuthorityError
	var cv *tls.CertificateVerificationError
	var hn x509.HostnameError
	return errors.As(err, &ua) || errors.As(err, &cv) || errors.As(err, &hn) || strings.Contains(err.Error(), "x509: ")
}

// invalidate drops the cached token if it is still the rejected one.
func (ts *tokenSource) invalidate(rejected string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.last == rejected {
		ts.cred = nil
	}
}

// token gets a's bearer token. Token requests lost in transit or answered
// 429/5xx are retried like any other request (backoff, the outage bound);
// a refusal is not.
func (a *API) token(ctx context.Context, st *Stats) (string, error) {
	pol := a.c.retry
	for attempt := 1; ; attempt++ {
		tok, err, transient := a.tokens.get(ctx)
		if err == nil {
			return tok, nil
		}
		if !transient {
			return "", err
		}
		if attempt >= pol.MaxAttempts {
			return "", fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
		if perr := a.pause(ctx, st, backoff(pol, attempt), err); perr != nil {
			return "", perr
		}
	}
}

// httpClient trusts the system roots plus caFile (if any). It does not
// follow redirects: report downloads handle their 302 themselves, and no
// other Graph call should redirect.
func httpClient(caFile string, timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	// A server that accepts a request and never answers must not hang a run.
	tr.ResponseHeaderTimeout = 2 * time.Minute
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}
