package simtenant

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FederationAudience is the audience Entra expects in a federated
// assertion unless a federated identity credential names others.
const FederationAudience = "api://AzureADTokenExchange"

// FederatedCredential is a federated identity credential of the simulated
// app, as Entra keeps them (Graph's federatedIdentityCredential: issuer,
// subject, audiences): a client_assertion whose iss and sub match exactly
// and whose aud is one of Audiences is accepted in place of a secret, once
// its signature verifies against the issuer's published keys.
type FederatedCredential struct {
	Issuer, Subject string
	// Audiences default to FederationAudience.
	Audiences []string
}

func (f FederatedCredential) audiences() []string {
	if len(f.Audiences) == 0 {
		return []string{FederationAudience}
	}
	return f.Audiences
}

// federatedClaims are the claims of a federated assertion Entra reads.
type federatedClaims struct {
	Iss string           `json:"iss"`
	Sub string           `json:"sub"`
	Aud jwt.ClaimStrings `json:"aud"`
	Exp int64            `json:"exp"`
	Nbf int64            `json:"nbf"`
}

// verifyFederated checks a client assertion from an external issuer the
// way Entra does for workload identity federation: a federated identity
// credential must match issuer, subject and audience (else AADSTS70021,
// naming all three as Microsoft's message does); the issuer's OpenID
// discovery document and JWKS are fetched over HTTP(S) and the signature
// verified (AADSTS501661, as GitLab's Azure docs quote it, when the issuer cannot be reached, AADSTS700027
// when no key verifies); then the lifetime (AADSTS700024). It returns the
// HTTP status, OAuth error and AADSTS code, or code 0 when accepted.
func (s *Server) verifyFederated(ctx context.Context, raw string, c federatedClaims) (int, string, int, string) {
	var fic *FederatedCredential
	for i, f := range s.opts.FederatedCredentials {
		if f.Issuer != c.Iss || f.Subject != c.Sub {
			continue
		}
		for _, want := range f.audiences() {
			for _, got := range c.Aud {
				if got == want {
					fic = &s.opts.FederatedCredentials[i]
				}
			}
		}
	}
	if fic == nil {
		return http.StatusBadRequest, "invalid_request", 70021, fmt.Sprintf("No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.", c.Iss, c.Sub, strings.Join(c.Aud, ","))
	}
	keys, err := fetchIssuerKeys(ctx, s.issuerHTTP(), fic.Issuer)
	if err != nil {
		return http.StatusUnauthorized, "invalid_client", 501661, fmt.Sprintf("Request to External OIDC endpoint failed. %v", err)
	}
	_, err = jwt.Parse(raw, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		if kid == "" && len(keys) == 1 {
			for _, k := range keys {
				return k, nil
			}
		}
		return nil, fmt.Errorf("no key %q in the issuer's JWKS", kid)
	}, jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "PS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation."
	}
	now := time.Now()
	// Entra allows five minutes of clock skew on each side.
	const skew = 5 * 60
	if c.Exp == 0 || now.Unix() >= c.Exp+skew || (c.Nbf != 0 && c.Nbf > now.Unix()+skew) {
		return http.StatusUnauthorized, "invalid_client", 700024, fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.UTC().Format("2006-01-02T15:04:05.0000000Z"), time.Unix(c.Nbf, 0).UTC().Format("2006-01-02T15:04:05.0000000Z"), time.Unix(c.Exp, 0).UTC().Format("2006-01-02T15:04:05.0000000Z"))
	}
	return 0, "", 0, ""
}

func (s *Server) issuerHTTP() *http.Client {
	if s.opts.IssuerHTTP != nil {
		return s.opts.IssuerHTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// fetchIssuerKeys reads issuer/.well-known/openid-configuration, then its
// jwks_uri, and returns the RSA keys by kid.
func fetchIssuerKeys(ctx context.Context, hc *http.Client, issuer string) (map[string]*rsa.PublicKey, error) {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, hc, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	if disc.JWKSURI == "" {
		return nil, errors.New("the discovery document has no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := getJSON(ctx, hc, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("the issuer's JWKS has no RSA key")
	}
	return keys, nil
}

func getJSON(ctx context.Context, hc *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %v", url, err)
	}
	return nil
}
