package simtenant

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// IssuerOptions configure a local OpenID Connect issuer.
type IssuerOptions struct {
	// GitHubRequestToken is the bearer token its GitHub Actions endpoint
	// requires (ACTIONS_ID_TOKEN_REQUEST_TOKEN); GitHubSubject the sub of the
	// tokens it hands out (default repo:octo-org/octo-repo:environment:prod).
	GitHubRequestToken, GitHubSubject string
	// PipelinesAccessToken is the bearer token its Azure Pipelines OIDC
	// endpoint requires (SYSTEM_ACCESSTOKEN); PipelinesSubject the sub of the
	// tokens it hands out (default sc://octo-org/octo-project/reclaim).
	PipelinesAccessToken, PipelinesSubject string
}

// Issuer is a local OpenID Connect issuer standing in for the ones Entra
// trusts in workload identity federation (a Kubernetes cluster's service
// account issuer, GitHub Actions, Azure Pipelines): it serves its discovery
// document and JWKS over loopback HTTP, signs RS256 tokens (for a projected
// service account token file), and serves the two CI token endpoints:
//
//	GET  /.well-known/openid-configuration  issuer, jwks_uri
//	GET  /.well-known/jwks                   the RSA key (kid, n, e)
//	GET  /github/token?audience=AUD          GitHub Actions' ID token request
//	                                         (ACTIONS_ID_TOKEN_REQUEST_URL):
//	                                         Authorization: Bearer REQUEST_TOKEN
//	                                         → {"count":1,"value":JWT}; 401 otherwise
//	POST /pipelines/oidc?api-version=7.1&serviceConnectionId=ID
//	                                         Azure Pipelines' OIDC request
//	                                         (SYSTEM_OIDCREQUESTURI):
//	                                         Authorization: Bearer SYSTEM_ACCESSTOKEN
//	                                         → {"oidcToken":JWT}; 401 otherwise
type Issuer struct {
	opts IssuerOptions
	url  string
	key  *rsa.PrivateKey
	kid  string
	srv  *http.Server
}

// StartIssuer starts an issuer on a free loopback port.
func StartIssuer(o IssuerOptions) (*Issuer, error) {
	if o.GitHubSubject == "" {
		o.GitHubSubject = "repo:octo-org/octo-repo:environment:prod"
	}
	if o.PipelinesSubject == "" {
		o.PipelinesSubject = "sc://octo-org/octo-project/reclaim"
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("simtenant issuer: %w", err)
	}
	i := &Issuer{opts: o, url: "http://" + ln.Addr().String(), key: key, kid: "sim-issuer-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.handleDiscovery)
	mux.HandleFunc("GET /.well-known/jwks", i.handleJWKS)
	mux.HandleFunc("GET /github/token", func(w http.ResponseWriter, r *http.Request) {
		i.handleCIToken(w, r, o.GitHubRequestToken, o.GitHubSubject, r.URL.Query().Get("audience"), "value")
	})
	mux.HandleFunc("POST /pipelines/oidc", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("serviceConnectionId") == "" {
			http.Error(w, "serviceConnectionId is required", http.StatusBadRequest)
			return
		}
		i.handleCIToken(w, r, o.PipelinesAccessToken, o.PipelinesSubject, FederationAudience, "oidcToken")
	})
	i.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go i.srv.Serve(ln)
	return i, nil
}

// URL is the issuer (the iss of its tokens).
func (i *Issuer) URL() string { return i.url }

// GitHubRequestURL is what GitHub Actions puts in ACTIONS_ID_TOKEN_REQUEST_URL.
func (i *Issuer) GitHubRequestURL() string { return i.url + "/github/token?api-version=2.0" }

// PipelinesRequestURI is what Azure Pipelines puts in SYSTEM_OIDCREQUESTURI.
func (i *Issuer) PipelinesRequestURI() string { return i.url + "/pipelines/oidc" }

// GitHubSubject and PipelinesSubject are the subjects of the CI tokens.
func (i *Issuer) GitHubSubject() string    { return i.opts.GitHubSubject }
func (i *Issuer) PipelinesSubject() string { return i.opts.PipelinesSubject }

// Close stops the issuer.
func (i *Issuer) Close() error { return i.srv.Close() }

// Sign returns a token for subject and audience valid from now for ttl
// (negative: already expired).
func (i *Issuer) Sign(subject, audience string, ttl time.Duration) (string, error) {
	now := time.Now()
	nbf := now
	if ttl < 0 {
		nbf = now.Add(2 * ttl)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer: i.url, Subject: subject, Audience: jwt.ClaimStrings{audience},
		IssuedAt: jwt.NewNumericDate(nbf), NotBefore: jwt.NewNumericDate(nbf), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	})
	t.Header["kid"] = i.kid
	return t.SignedString(i.key)
}

// WriteTokenFile writes a token for subject (audience FederationAudience,
// valid for ttl) to path, as Kubernetes projects a service account token
// for workload identity (AZURE_FEDERATED_TOKEN_FILE).
func (i *Issuer) WriteTokenFile(path, subject string, ttl time.Duration) error {
	tok, err := i.Sign(subject, FederationAudience, ttl)
	if err != nil {
		return err
	}
	return store.WriteFile(path, []byte(tok), 0o600)
}

func (i *Issuer) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	issuerJSON(w, map[string]any{
		"issuer": i.url, "jwks_uri": i.url + "/.well-known/jwks",
		"response_types_supported": []string{"id_token"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (i *Issuer) handleJWKS(w http.ResponseWriter, r *http.Request) {
	pub := i.key.PublicKey
	issuerJSON(w, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": i.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (i *Issuer) handleCIToken(w http.ResponseWriter, r *http.Request, want, subject, audience, field string) {
	scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if want == "" || !strings.EqualFold(scheme, "Bearer") || got != want {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if audience == "" {
		audience = i.url
	}
	tok, err := i.Sign(subject, audience, 5*time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	m := map[string]any{field: tok}
	if field == "value" {
		m["count"] = len(tok)
	}
	issuerJSON(w, m)
}

func issuerJSON(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v)
	writeJSON(w, http.StatusOK, body)
}
