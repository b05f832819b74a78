package simtenant

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenErrors(t *testing.T) {
	srv, c := startSim(t, Options{Users: 10})
	graph := srv.URL() + "/.default"
	tests := []struct {
		name     string
		tenant   string
		form     url.Values
		basic    [2]string
		status   int
		oauthErr string
		aadsts   string
	}{
		{"secret in form", srv.TenantID(), url.Values{"client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()}, "scope": {graph}}, [2]string{}, 200, "", ""},
		{"secret as HTTP Basic", srv.TenantID(), url.Values{"scope": {graph}}, [2]string{srv.ClientID(), srv.ClientSecret()}, 200, "", ""},
		{"tenant by domain", "contoso.onmicrosoft.com", url.Values{"client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()}, "scope": {"https://graph.microsoft.com/.default"}}, [2]string{}, 200, "", ""},
		{"wrong secret", srv.TenantID(), url.Values{"client_id": {srv.ClientID()}, "client_secret": {"nope"}, "scope": {graph}}, [2]string{}, 401, "invalid_client", "AADSTS7000215"},
		{"unknown tenant", "11111111-1111-1111-1111-111111111111", url.Values{"client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()}, "scope": {graph}}, [2]string{}, 400, "invalid_request", "AADSTS90002"},
		{"unknown app", srv.TenantID(), url.Values{"client_id": {"22222222-2222-2222-2222-222222222222"}, "client_secret": {srv.ClientSecret()}, "scope": {graph}}, [2]string{}, 400, "unauthorized_client", "AADSTS700016"},
		{"two resources", srv.TenantID(), url.Values{"client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()}, "scope": {graph + " " + srv.DataverseURL("contoso") + "/.default"}}, [2]string{}, 400, "invalid_scope", "AADSTS70011"},
		{"unknown dataverse org", srv.TenantID(), url.Values{"client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()}, "scope": {srv.DataverseURL("nope") + "/.default"}}, [2]string{}, 400, "invalid_scope", "AADSTS500011"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("grant_type", "client_credentials")
			req, _ := newFormRequest(srv.URL()+"/"+tc.tenant+"/oauth2/v2.0/token", tc.form)
			if tc.basic[0] != "" {
				req.SetBasicAuth(tc.basic[0], tc.basic[1])
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			m := mustJSON(t, b)
			if tc.status == 200 {
				if m["token_type"] != "Bearer" || m["expires_in"] != float64(3599) || m["access_token"] == "" {
					t.Errorf("token response %s", b)
				}
				return
			}
			if m["error"] != tc.oauthErr || !strings.HasPrefix(m["error_description"].(string), tc.aadsts+":") {
				t.Errorf("error %s", b)
			}
			for _, k := range []string{"error_codes", "timestamp", "trace_id", "correlation_id"} {
				if _, ok := m[k]; !ok {
					t.Errorf("OAuth error lacks %s: %s", k, b)
				}
			}
		})
	}
}

func TestBearerValidation(t *testing.T) {
	srv, c := startSim(t, Options{Users: 10, TokenTTL: 2 * time.Second})
	graphTok := tokenFor(t, srv, c, "")
	dvTok := tokenFor(t, srv, c, srv.DataverseURL("contoso")+"/.default")
	tests := []struct {
		name, tok string
	}{
		{"missing", ""},
		{"garbage", "abc.def.ghi"},
		{"wrong audience", dvTok},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := get(t, c, srv.URL()+"/v1.0/users", tc.tok)
			if code, _ := graphErrorCode(t, b); resp.StatusCode != 401 || code != "InvalidAuthenticationToken" {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		})
	}
	if resp, b := get(t, c, srv.URL()+"/v1.0/users", graphTok); resp.StatusCode != 200 {
		t.Fatalf("fresh token refused: %s", b)
	}
	time.Sleep(2100 * time.Millisecond)
	resp, b := get(t, c, srv.URL()+"/v1.0/users", graphTok)
	if code, msg := graphErrorCode(t, b); resp.StatusCode != 401 || code != "InvalidAuthenticationToken" || !strings.Contains(msg, "expired") {
		t.Errorf("expired token: %d %s", resp.StatusCode, b)
	}
}

func TestOpenIDConfiguration(t *testing.T) {
	srv, c := startSim(t, Options{Users: 10})
	resp, b := get(t, c, srv.URL()+"/"+srv.TenantID()+"/v2.0/.well-known/openid-configuration", "")
	var m map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(b, &m) != nil {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if m["token_endpoint"] != srv.URL()+"/"+srv.TenantID()+"/oauth2/v2.0/token" {
		t.Errorf("token_endpoint %v", m["token_endpoint"])
	}
	resp, b = get(t, c, srv.URL()+"/common/discovery/instance?api-version=1.1&authorization_endpoint=x", "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), "tenant_discovery_endpoint") {
		t.Errorf("instance discovery: %d %s", resp.StatusCode, b)
	}
}
