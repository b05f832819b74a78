package simtenant

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

var testToday = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// startSim starts a simulated tenant for one test and a client trusting it.
func startSim(t testing.TB, o Options) (*Server, *http.Client) {
	t.Helper()
	if o.Today.IsZero() {
		o.Today = testToday
	}
	srv, err := Start(o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, clientFor(t, srv)
}

func clientFor(t testing.TB, srv *Server) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatalf("read CA file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("CA file holds no certificate")
	}
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 8},
		Timeout:   30 * time.Second,
	}
}

// tokenFor gets a client-credentials token for scope (default: Graph).
func tokenFor(t testing.TB, srv *Server, c *http.Client, scope string) string {
	t.Helper()
	if scope == "" {
		scope = srv.URL() + "/.default"
	}
	resp, err := c.PostForm(srv.URL()+"/"+srv.TenantID()+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {srv.ClientID()},
		"client_secret": {srv.ClientSecret()}, "scope": {scope},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, &tr) != nil || tr.AccessToken == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	return tr.AccessToken
}

func do(t testing.TB, c *http.Client, method, u, tok string, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	return resp, b
}

func get(t testing.TB, c *http.Client, u, tok string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	return do(t, c, "GET", u, tok, "", hdr...)
}

func mustJSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return m
}

// graphErrorCode returns error.code of a Graph error body.
func graphErrorCode(t testing.TB, b []byte) (code, msg string) {
	t.Helper()
	var e struct {
		Error struct {
			Code       string         `json:"code"`
			Message    string         `json:"message"`
			InnerError map[string]any `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not a Graph error body: %s", b)
	}
	if e.Error.InnerError["request-id"] == nil || e.Error.InnerError["date"] == nil {
		t.Errorf("error body lacks innerError date/request-id: %s", b)
	}
	return e.Error.Code, e.Error.Message
}

func newFormRequest(u string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
