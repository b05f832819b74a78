package simtenant_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/reclaimhq/reclaim/simtenant"
)

// federatedSim is a simulated tenant trusting a local issuer for subject
// sub, and an HTTP client trusting the tenant's certificate.
func federatedSim(t *testing.T, sub string, more ...simtenant.FederatedCredential) (*simtenant.Server, *simtenant.Issuer, *http.Client) {
	t.Helper()
	iss, err := simtenant.StartIssuer(simtenant.IssuerOptions{GitHubRequestToken: "gh-request-token", PipelinesAccessToken: "system-access-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { iss.Close() })
	srv, err := simtenant.Start(simtenant.Options{Users: 5, Today: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		FederatedCredentials:     append([]simtenant.FederatedCredential{{Issuer: iss.URL(), Subject: sub}}, more...),
		ManagedIdentityClientIDs: []string{"5e29463d-71da-4fe0-8e69-999b57db23b0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pemBytes, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	return srv, iss, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func clientOptions(srv *simtenant.Server, hc *http.Client) azcore.ClientOptions {
	return azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"}, Transport: hc}
}

// readUsers proves a token is one the simulated Graph accepts.
func readUsers(t *testing.T, srv *simtenant.Server, hc *http.Client, cred azcore.TokenCredential) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{srv.GraphEndpoint() + "/.default"}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	req, _ := http.NewRequest("GET", srv.URL()+"/v1.0/users?$top=2", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET users: %d", resp.StatusCode)
	}
}

// TestWorkloadIdentityTokenFile: azidentity's WorkloadIdentityCredential
// reads a projected service account token the local issuer signed, and the
// tenant, trusting that issuer and subject, exchanges it for a Graph token.
func TestWorkloadIdentityTokenFile(t *testing.T) {
	t.Parallel()
	const sub = "system:serviceaccount:reclaim:reclaim"
	srv, iss, hc := federatedSim(t, sub)
	file := filepath.Join(t.TempDir(), "token")
	if err := iss.WriteTokenFile(file, sub, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: clientOptions(srv, hc), DisableInstanceDiscovery: true,
		ClientID: srv.ClientID(), TenantID: srv.TenantID(), TokenFilePath: file,
	})
	if err != nil {
		t.Fatal(err)
	}
	readUsers(t, srv, hc, cred)
}

// TestFederatedAssertionRefusals: what Entra refuses, with its codes —
// no federated credential for the issuer/subject/audience (AADSTS70021,
// naming all three), an expired assertion (AADSTS700024), a token signed
// by a key the issuer does not publish (AADSTS700027), an issuer that
// cannot be reached (AADSTS501661).
func TestFederatedAssertionRefusals(t *testing.T) {
	t.Parallel()
	const sub = "repo:octo-org/octo-repo:environment:prod"
	srvDown, err := simtenant.StartIssuer(simtenant.IssuerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	down, _ := srvDown.Sign(sub, simtenant.FederationAudience, time.Minute)
	srvDown.Close()
	srv, iss, hc := federatedSim(t, sub, simtenant.FederatedCredential{Issuer: srvDown.URL(), Subject: sub})
	other, err := simtenant.StartIssuer(simtenant.IssuerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// forged: signed by another key, claiming the trusted issuer.
	forged := func() string {
		good, _ := iss.Sign(sub, simtenant.FederationAudience, time.Minute)
		bad, _ := other.Sign(sub, simtenant.FederationAudience, time.Minute)
		g, b := strings.Split(good, "."), strings.Split(bad, ".")
		return g[0] + "." + g[1] + "." + b[2]
	}
	sign := func(s, aud string, ttl time.Duration) string {
		tok, err := iss.Sign(s, aud, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	untrusted, _ := other.Sign(sub, simtenant.FederationAudience, time.Minute)
	for _, c := range []struct {
		name, assertion string
		status          int
		code            int
		desc            string
	}{
		{"accepted", sign(sub, simtenant.FederationAudience, time.Minute), 200, 0, ""},
		{"wrong subject", sign("repo:octo-org/octo-repo:ref:refs/heads/main", simtenant.FederationAudience, time.Minute), 400, 70021,
			"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '" + iss.URL() + "'. Assertion Subject: 'repo:octo-org/octo-repo:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'."},
		{"wrong audience", sign(sub, "https://example.com", time.Minute), 400, 70021, "Assertion Audience: 'https://example.com'"},
		{"untrusted issuer", untrusted, 400, 70021, "Assertion Issuer: '" + other.URL() + "'"},
		{"expired", sign(sub, simtenant.FederationAudience, -10*time.Minute), 401, 700024, "AADSTS700024: Client assertion is not within its valid time range."},
		{"forged signature", forged(), 401, 700027, "AADSTS700027: Client assertion failed signature validation."},
		{"issuer unreachable", down, 401, 501661, "AADSTS501661: Request to External OIDC endpoint failed."},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := hc.PostForm(srv.URL()+"/"+srv.TenantID()+"/oauth2/v2.0/token", url.Values{
				"grant_type": {"client_credentials"}, "client_id": {srv.ClientID()}, "scope": {srv.GraphEndpoint() + "/.default"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {c.assertion},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Desc  string `json:"error_description"`
				Codes []int  `json:"error_codes"`
				Token string `json:"access_token"`
			}
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body.Desc)
			}
			if c.code == 0 {
				if body.Token == "" {
					t.Fatal("no access token")
				}
				return
			}
			if len(body.Codes) != 1 || body.Codes[0] != c.code || !strings.Contains(body.Desc, c.desc) {
				t.Fatalf("got %v %q, want AADSTS%d with %q", body.Codes, body.Desc, c.code, c.desc)
			}
		})
	}
}
