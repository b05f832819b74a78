package graphapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/reclaimhq/reclaim/pipeline/config"
)

// microsoftLoginHost is the one authority for which azidentity's instance
// discovery is meaningful; any other host (national clouds behind private
// endpoints, the simulated tenant) gets DisableInstanceDiscovery.
const microsoftLoginHost = "login.microsoftonline.com"

// AuthError is a failed token request: wrong secret, unknown app or tenant,
// unreadable certificate. It names the profile and Microsoft's AADSTS code and
// never carries the secret. It is never retried.
type AuthError struct {
	Profile string
	Scope   string
	// Code is Microsoft's AADSTS code ("AADSTS7000215"), empty when the
	// failure happened before Microsoft answered.
	Code        string
	Description string // first sentence of Microsoft's error_description
	Err         error  // the underlying error, for errors.Is/As
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
	if hint := aadstsHint(e.Code); hint != "" {
		fmt.Fprintf(&b, ": %s", hint)
	} else if e.Code == "" && e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *AuthError) Unwrap() error { return e.Err }

// aadstsHint says what to fix for the codes people actually hit.
func aadstsHint(code string) string {
	switch code {
	case "AADSTS7000215", "AADSTS7000222":
		return "the client secret is wrong or expired; create a new one in Entra ID → App registrations → Certificates & secrets and update the profile's client_secret"
	case "AADSTS700016":
		return "no application with this client_id in the tenant; check client_id and tenant_id"
	case "AADSTS90002", "AADSTS900023":
		return "the tenant_id is not a known tenant; check tenant_id"
	case "AADSTS700027", "AADSTS700024":
		return "the certificate assertion was rejected; check that the certificate uploaded to the app registration matches certificate_file"
	case "AADSTS70011":
		return "the scope is invalid; check graph_endpoint or the dynamics environment url"
	}
	return ""
}

var aadstsRE = regexp.MustCompile(`AADSTS\d+`)

// newAuthError turns azidentity's error (which embeds the whole token
// response) into one line. The response body of a token error holds no
// secret, but it is reduced to the code and first sentence anyway.
func newAuthError(profile, scope string, err error) *AuthError {
	ae := &AuthError{Profile: profile, Scope: scope, Err: err}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil && afe.RawResponse.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(afe.RawResponse.Body, 64<<10))
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Codes       []int  `json:"error_codes"`
		}
		if json.Unmarshal(body, &oe) == nil {
			if len(oe.Codes) > 0 {
				ae.Code = fmt.Sprintf("AADSTS%d", oe.Codes[0])
			}
			ae.Description = firstSentence(oe.Description)
		}
	}
	if ae.Code == "" {
		ae.Code = aadstsRE.FindString(err.Error())
	}
	// azidentity's message is long and carries a troubleshooting URL; keep it
	// only as the wrapped error.
	ae.Err = errors.New(firstSentence(err.Error()))
	return ae
}

func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	// "AADSTS7000215: Invalid client secret provided. Ensure ..." → up to the first ". "
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// tokenSource gets tokens for one scope from one credential. azidentity caches
// tokens and refreshes them before they expire; forceRefresh replaces the
// credential (and with it the cache) when Microsoft rejected a cached token.
type tokenSource struct {
	profile string
	scope   string
	newCred func() (azcore.TokenCredential, error)

	mu   sync.Mutex
	cred azcore.TokenCredential
	last string // the token last handed out, to refresh only once per rejection
}

func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.cred == nil {
		c, err := ts.newCred()
		if err != nil {
			return "", &AuthError{Profile: ts.profile, Scope: ts.scope, Err: err}
		}
		ts.cred = c
	}
	tok, err := ts.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{ts.scope}})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", newAuthError(ts.profile, ts.scope, err)
	}
	ts.last = tok.Token
	return tok.Token, nil
}

// invalidate drops the cached token if it is still the rejected one.
func (ts *tokenSource) invalidate(rejected string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.last == rejected {
		ts.cred = nil
	}
}

// credentialFactory builds azidentity credentials for a profile's (or a
// Dynamics environment's) credentials.
func credentialFactory(profile string, tenantID, loginEndpoint string, creds config.Credentials, transport *http.Client) (func() (azcore.TokenCredential, error), error) {
	if tenantID == "" || creds.ClientID == "" {
		return nil, fmt.Errorf("profile %q: tenant_id and client_id are required", profile)
	}
	if loginEndpoint == "" {
		loginEndpoint = config.DefaultLoginEndpoint
	}
	u, err := url.Parse(loginEndpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("profile %q: login_endpoint %q is not a URL", profile, loginEndpoint)
	}
	opts := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: strings.TrimSuffix(loginEndpoint, "/") + "/"},
		Transport: transport,
		// Token errors are answers, not outages: a wrong secret must fail once.
		Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: 500 * time.Millisecond, MaxRetryDelay: 5 * time.Second},
	}
	disableDiscovery := !strings.EqualFold(u.Hostname(), microsoftLoginHost)
	switch {
	case creds.ClientSecret.IsSet():
		return func() (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(tenantID, creds.ClientID, creds.ClientSecret.Reveal(),
				&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		}, nil
	case creds.CertificateFile != "":
		data, err := os.ReadFile(creds.CertificateFile)
		if err != nil {
			return nil, fmt.Errorf("profile %q: reading certificate_file: %w", profile, err)
		}
		var pw []byte
		if creds.CertificatePassword.IsSet() {
			pw = []byte(creds.CertificatePassword.Reveal())
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			return nil, fmt.Errorf("profile %q: certificate_file %s: %v", profile, creds.CertificateFile, err)
		}
		return func() (azcore.TokenCredential, error) {
			return azidentity.NewClientCertificateCredential(tenantID, creds.ClientID, certs, key,
				&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		}, nil
	}
	return nil, fmt.Errorf("profile %q: no client_secret or certificate_file", profile)
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
