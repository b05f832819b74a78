package simtenant_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/reclaimhq/reclaim/simtenant"
)

func newClientCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "reclaim test app"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func signAssertion(t *testing.T, cert *x509.Certificate, key *rsa.PrivateKey, alg string, claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	hb, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "x5t": enc(s1[:]), "x5t#S256": enc(s256[:])})
	cb, _ := json.Marshal(claims)
	msg := enc(hb) + "." + enc(cb)
	d := sha256.Sum256([]byte(msg))
	var sig []byte
	var err error
	if alg == "PS256" {
		sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, d[:], nil)
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return msg + "." + enc(sig)
}

func TestClientAssertion(t *testing.T) {
	cert, key := newClientCert(t)
	otherCert, otherKey := newClientCert(t)
	_ = otherCert
	srv, err := simtenant.Start(simtenant.Options{Users: 10, ClientCertificates: []*x509.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pemBytes, _ := os.ReadFile(srv.CAFile())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	// Microsoft's library, end to end.
	cred, err := azidentity.NewClientCertificateCredential(srv.TenantID(), srv.ClientID(), []*x509.Certificate{cert}, key, &azidentity.ClientCertificateCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"}, Transport: hc},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{srv.GraphEndpoint() + "/.default"}}); err != nil {
		t.Fatalf("certificate credential: %v", err)
	}

	aud := srv.URL() + "/" + srv.TenantID() + "/oauth2/v2.0/token"
	now := time.Now().Unix()
	good := map[string]any{"aud": aud, "iss": srv.ClientID(), "sub": srv.ClientID(), "jti": "x", "nbf": now, "iat": now, "exp": now + 300}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name      string
		assertion string
		status    int
		aadsts    string
	}{
		{"RS256", signAssertion(t, cert, key, "RS256", good), 200, ""},
		{"PS256", signAssertion(t, cert, key, "PS256", good), 200, ""},
		{"unregistered key", signAssertion(t, cert, otherKey, "RS256", good), 401, "AADSTS700027"},
		{"wrong audience", signAssertion(t, cert, key, "RS256", with("aud", "https://login.microsoftonline.com/x/oauth2/v2.0/token")), 401, "AADSTS50013"},
		{"expired", signAssertion(t, cert, key, "RS256", with("exp", now-10)), 401, "AADSTS700024"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := hc.PostForm(aud, url.Values{"grant_type": {"client_credentials"}, "client_id": {srv.ClientID()},
				"scope": {"https://graph.microsoft.com/.default"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion": {tc.assertion}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || (tc.aadsts != "" && !strings.Contains(string(b), tc.aadsts+":")) {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		})
	}
}
