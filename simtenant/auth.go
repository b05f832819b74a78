package simtenant

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// graphAudiences are the audiences a Graph token may carry: Microsoft's and
// the simulator's own base URL (clients that build the scope from a
// configured graph endpoint).
func (s *Server) graphAudiences() []string {
	return []string{"https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000", s.url}
}

// accessToken is the claim set of the tokens the simulator issues. Tokens are
// JWTs signed with HS256 under a key only the server knows; clients must treat
// them as opaque, as with Microsoft's.
type accessToken struct {
	Aud   string   `json:"aud"`
	Iss   string   `json:"iss"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	AppID string   `json:"appid"`
	Tid   string   `json:"tid"`
	Roles []string `json:"roles"`
	Ver   string   `json:"ver"`
}

func (t *accessToken) hasAny(perms []string) bool {
	for _, have := range t.Roles {
		for _, want := range perms {
			if strings.EqualFold(have, want) {
				return true
			}
		}
	}
	return false
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (s *Server) signToken(c accessToken) string {
	head := b64([]byte(`{"typ":"JWT","alg":"HS256"}`))
	body, _ := json.Marshal(c)
	msg := head + "." + b64(body)
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte(msg))
	return msg + "." + b64(m.Sum(nil))
}

// parseToken checks signature and lifetime; audience is checked by the caller.
func (s *Server) parseToken(raw string) (*accessToken, string) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, "IDX14100: JWT is not well formed, there are no dots (.)."
	}
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
		return nil, "Access token validation failure. Invalid signature."
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c accessToken
	if err != nil || json.Unmarshal(body, &c) != nil {
		return nil, "Access token validation failure."
	}
	if time.Now().Unix() >= c.Exp {
		return nil, "Lifetime validation failed, the token is expired."
	}
	if c.Tid != s.opts.TenantID {
		return nil, "Access token validation failure. Invalid tenant."
	}
	return &c, ""
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, ep endpoint) (*accessToken, bool) {
	fail := func(msg string) (*accessToken, bool) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="", authorization_uri="%s/%s/oauth2/authorize", error="invalid_token"`, s.url, s.opts.TenantID))
		if ep.auth == "dataverse" {
			dataverseError(w, http.StatusUnauthorized, "0x80072243", msg)
		} else {
			s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		}
		return nil, false
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return fail("Access token is empty.")
	}
	scheme, raw, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return fail("Access token validation failure. Invalid token scheme.")
	}
	tok, msg := s.parseToken(strings.TrimSpace(raw))
	if tok == nil {
		return fail(msg)
	}
	switch ep.auth {
	case "graph":
		ok := false
		for _, a := range s.graphAudiences() {
			if strings.EqualFold(strings.TrimSuffix(tok.Aud, "/"), a) {
				ok = true
			}
		}
		if !ok {
			return fail("Access token validation failure. Invalid audience.")
		}
	case "dataverse":
		if !strings.EqualFold(strings.TrimSuffix(tok.Aud, "/"), s.DataverseURL(r.PathValue("org"))) {
			return fail("Access token validation failure. Invalid audience.")
		}
	}
	return tok, true
}

// oauthError writes the identity platform's OAuth error body.
func (s *Server) oauthError(w http.ResponseWriter, status int, errCode string, aadsts int, desc string) {
	now := time.Now().UTC()
	trace := guidFrom(hashOf(uint64(now.UnixNano()), 1), 2)
	corr := guidFrom(hashOf(uint64(now.UnixNano()), 3), 4)
	body, _ := json.Marshal(map[string]any{
		"error": errCode,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, desc, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      s.url + "/error?code=" + fmt.Sprint(aadsts),
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	w.Write(body)
}

// knownTenant accepts the tenant id and the tenant's domains, as login does.
func (s *Server) knownTenant(t string) bool {
	return strings.EqualFold(t, s.opts.TenantID) || strings.EqualFold(t, s.t.domain) || strings.EqualFold(t, s.t.initial)
}

func (s *Server) tenantNotFound(w http.ResponseWriter, t string) {
	s.oauthError(w, http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", t))
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		s.tenantNotFound(w, tenant)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.oauthError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			s.oauthError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		} else {
			s.oauthError(w, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"+gt+"'.")
		}
		return
	}
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok { // RFC 6749 §2.3.1
		clientID, secret = u, p
	}
	if clientID == "" {
		s.oauthError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	if !strings.EqualFold(clientID, s.opts.ClientID) {
		s.oauthError(w, http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant))
		return
	}
	switch assertion := f.Get("client_assertion"); {
	case assertion != "":
		if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			s.oauthError(w, http.StatusBadRequest, "invalid_request", 700025, "Client assertion type is invalid; expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.")
			return
		}
		// An assertion the app signed itself names the app as issuer; any
		// other issuer is an external identity provider (workload identity
		// federation), checked against the federated identity credentials.
		if fc, ok := peekClaims(assertion); ok && fc.Iss != "" && !strings.EqualFold(fc.Iss, clientID) {
			if status, oerr, code, msg := s.verifyFederated(r.Context(), assertion, fc); code != 0 {
				s.oauthError(w, status, oerr, code, msg)
				return
			}
		} else if code, msg := s.verifyAssertion(assertion, clientID, tenant); code != 0 {
			s.oauthError(w, http.StatusUnauthorized, "invalid_client", code, msg)
			return
		}
	case secret != "":
		if !hmac.Equal([]byte(secret), []byte(s.opts.ClientSecret)) {
			s.oauthError(w, http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID))
			return
		}
	default:
		s.oauthError(w, http.StatusUnauthorized, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
		return
	}
	aud, code, msg := s.resourceOf(f.Get("scope"), tenant)
	if code != 0 {
		s.oauthError(w, http.StatusBadRequest, "invalid_scope", code, msg)
		return
	}
	now := time.Now()
	ttl := int64(s.opts.TokenTTL / time.Second)
	tok := s.signToken(accessToken{
		Aud: aud, Iss: "https://sts.windows.net/" + s.opts.TenantID + "/", Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Unix() + ttl, AppID: s.opts.ClientID, Tid: s.opts.TenantID, Roles: s.opts.Permissions, Ver: "1.0",
	})
	body, _ := json.Marshal(map[string]any{"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl, "access_token": tok})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Write(body)
}

// resourceOf maps a client-credentials scope ("{resource}/.default") to the
// token audience. Several resources in one request are an error, as with
// Microsoft (Graph and Dataverse need separate tokens).
func (s *Server) resourceOf(scope, tenant string) (string, int, string) {
	fields := strings.Fields(scope)
	if len(fields) == 0 {
		return "", 900144, "The request body must contain the following parameter: 'scope'."
	}
	aud := ""
	for _, f := range fields {
		// MSAL (and so azidentity) adds the OpenID Connect scopes to every
		// request; Microsoft ignores them in the client credentials flow.
		switch strings.ToLower(f) {
		case "openid", "profile", "offline_access", "email":
			continue
		}
		res, ok := strings.CutSuffix(f, "/.default")
		if !ok {
			return "", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", f)
		}
		res = strings.TrimSuffix(res, "/")
		if aud != "" && !strings.EqualFold(aud, res) {
			return "", 70011, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope " + scope + " is not valid. Scopes for multiple resources were requested."
		}
		aud = res
	}
	if aud == "" {
		return "", 1002012, "The provided value for scope " + scope + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
	}
	for _, a := range s.graphAudiences() {
		if strings.EqualFold(aud, a) {
			return aud, 0, ""
		}
	}
	if org, ok := strings.CutPrefix(strings.ToLower(aud), strings.ToLower(s.url)+"/dataverse/"); ok && s.orgs[org] {
		return strings.ToLower(aud), 0, ""
	}
	return "", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", aud, tenant)
}

// peekClaims reads an assertion's claims without verifying it, to choose
// how to verify it.
func peekClaims(raw string) (federatedClaims, bool) {
	var c federatedClaims
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return c, false
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(body, &c) != nil {
		return c, false
	}
	return c, true
}

// verifyAssertion checks a certificate client assertion: signature by a
// registered certificate (RS256, PS256 or ES256; found by x5t / x5t#S256),
// aud = this tenant's token endpoint, iss = sub = client_id, and lifetime.
func (s *Server) verifyAssertion(jwt, clientID, tenant string) (int, string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return 50027, "JWT token is invalid or malformed."
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	var head struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Aud any    `json:"aud"`
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
		Nbf int64  `json:"nbf"`
	}
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &head) != nil || json.Unmarshal(cb, &claims) != nil {
		return 50027, "JWT token is invalid or malformed."
	}
	signed := []byte(parts[0] + "." + parts[1])
	digest := sha256.Sum256(signed)
	verified := false
	for _, c := range s.opts.ClientCertificates {
		s1 := sha1.Sum(c.Raw)
		s256 := sha256.Sum256(c.Raw)
		if head.X5t != "" && head.X5t != b64(s1[:]) && head.X5t != base64.StdEncoding.EncodeToString(s1[:]) {
			continue
		}
		// Thumbprints arrive base64url (RFC 7515) or, from MSAL, standard base64.
		if head.X5tS256 != "" && head.X5tS256 != b64(s256[:]) && head.X5tS256 != base64.StdEncoding.EncodeToString(s256[:]) {
			continue
		}
		switch pub := c.PublicKey.(type) {
		case *rsa.PublicKey:
			switch head.Alg {
			case "RS256":
				verified = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
			case "PS256":
				verified = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, nil) == nil
			}
		case *ecdsa.PublicKey:
			if head.Alg == "ES256" && len(sig) == 64 {
				rr, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
				verified = ecdsa.Verify(pub, digest[:], rr, ss)
			}
		}
		if verified {
			break
		}
	}
	if !verified {
		return 700027, "Client assertion failed signature validation."
	}
	if claims.Iss != clientID || claims.Sub != clientID {
		return 700021, "Client assertion application identifier doesn't match 'client_id' parameter."
	}
	audOK := false
	var auds []string
	switch a := claims.Aud.(type) {
	case string:
		auds = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				auds = append(auds, s)
			}
		}
	}
	for _, a := range auds {
		for _, t := range []string{tenant, s.opts.TenantID} {
			if strings.EqualFold(a, s.url+"/"+t+"/oauth2/v2.0/token") {
				audOK = true
			}
		}
	}
	if !audOK {
		return 50013, "Assertion failed signature validation. [Reason - The provided audience does not match the token endpoint of this tenant.]"
	}
	now := time.Now().Unix()
	if claims.Exp == 0 || now >= claims.Exp || (claims.Nbf != 0 && claims.Nbf > now+300) {
		return 700024, "Client assertion is not within its valid time range."
	}
	return 0, ""
}

func (s *Server) handleOpenID(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) && !strings.EqualFold(tenant, "organizations") && !strings.EqualFold(tenant, "common") {
		s.tenantNotFound(w, tenant)
		return
	}
	host := strings.TrimPrefix(s.url, "https://")
	base := s.url + "/" + tenant
	body, _ := json.Marshal(map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                s.url + "/" + s.opts.TenantID + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     s.url + "/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "tid"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   host,
		"cloud_graph_host_name":                 host,
		"msgraph_host":                          host,
		"rbac_url":                              s.url,
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func (s *Server) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(s.url, "https://")
	body, _ := json.Marshal(map[string]any{
		"tenant_discovery_endpoint": s.url + "/" + s.opts.TenantID + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}
