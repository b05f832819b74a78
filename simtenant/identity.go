package simtenant

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// IdentityEndpoint is the tenant's managed identity endpoint in the shape
// App Service and Container Apps give a workload (IDENTITY_ENDPOINT): GET
// with api-version=2019-08-01, resource and an optional client_id (a
// user-assigned identity), and the X-IDENTITY-HEADER header set to
// IdentityHeader. azidentity's ManagedIdentityCredential uses it when both
// IDENTITY_ENDPOINT and IDENTITY_HEADER are set.
func (s *Server) IdentityEndpoint() string { return s.url + "/msi/token" }

// IdentityHeader is the value the identity endpoint requires in
// X-IDENTITY-HEADER (IDENTITY_HEADER), derived like the signing key so a
// restarted server keeps it.
func (s *Server) IdentityHeader() string {
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte("identity-header"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// systemIdentityID is the client id of the system-assigned identity.
func (s *Server) systemIdentityID() string {
	return guidFrom(hashOf(uint64(s.opts.Seed), hashString("system-assigned identity")), 5)
}

// handleManagedIdentity serves IdentityEndpoint; its answer is the one
// Microsoft documents for App Service and Container Apps ("Connect to
// Azure services in app code", HTTP GET tab): access_token, expires_on (a
// string of Unix seconds), resource, token_type, client_id.
func (s *Server) handleManagedIdentity(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"statusCode": status, "message": msg})
	}
	if !hmac.Equal([]byte(r.Header.Get("X-IDENTITY-HEADER")), []byte(s.IdentityHeader())) {
		fail(http.StatusUnauthorized, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.")
		return
	}
	q := r.URL.Query()
	if v := q.Get("api-version"); v < "2019-08-01" {
		fail(http.StatusBadRequest, fmt.Sprintf("api-version %q is not supported; use 2019-08-01 or later.", v))
		return
	}
	id := s.systemIdentityID()
	if cid := q.Get("client_id"); cid != "" {
		id = ""
		for _, known := range s.opts.ManagedIdentityClientIDs {
			if strings.EqualFold(cid, known) {
				id = known
			}
		}
		if id == "" {
			fail(http.StatusBadRequest, "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.")
			return
		}
	}
	resource := q.Get("resource")
	aud, code, msg := s.resourceOf(strings.TrimSuffix(resource, "/")+"/.default", s.opts.TenantID)
	if code != 0 {
		fail(http.StatusBadRequest, fmt.Sprintf("AADSTS%d: %s", code, msg))
		return
	}
	now := time.Now()
	ttl := int64(s.opts.TokenTTL / time.Second)
	tok := s.signToken(accessToken{
		Aud: aud, Iss: "https://sts.windows.net/" + s.opts.TenantID + "/", Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Unix() + ttl, AppID: id, Tid: s.opts.TenantID, Roles: s.opts.Permissions, Ver: "1.0",
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]string{
		"access_token": tok, "expires_on": strconv.FormatInt(now.Unix()+ttl, 10),
		"resource": resource, "token_type": "Bearer", "client_id": id,
	})
}

// AccessToken mints a token for resource (such as
// "https://graph.microsoft.com") as the simulated app would get it, for a
// fake `az account get-access-token` in tests of the Azure CLI credential.
func (s *Server) AccessToken(resource string) (string, time.Time, error) {
	aud, code, msg := s.resourceOf(strings.TrimSuffix(resource, "/")+"/.default", s.opts.TenantID)
	if code != 0 {
		return "", time.Time{}, fmt.Errorf("AADSTS%d: %s", code, msg)
	}
	now := time.Now()
	exp := now.Add(s.opts.TokenTTL)
	return s.signToken(accessToken{
		Aud: aud, Iss: "https://sts.windows.net/" + s.opts.TenantID + "/", Iat: now.Unix(), Nbf: now.Unix(),
		Exp: exp.Unix(), AppID: s.opts.ClientID, Tid: s.opts.TenantID, Roles: s.opts.Permissions, Ver: "1.0",
	}), exp, nil
}
