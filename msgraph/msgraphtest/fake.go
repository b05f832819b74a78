// Package msgraphtest is a small fake Microsoft tenant for tests of the
// Graph/Dataverse client and the extract stages: an httptest TLS server with
// the token, Graph and Dataverse routes reclaim reads, and switches for the
// failure modes the client must survive. It is deliberately simpler than the
// simulated tenant (package simtenant): it serves exactly the data a test puts
// in it.
//
// Routes (all on one https://127.0.0.1:PORT):
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	POST /{tenant}/oauth2/v2.0/token          client secret only; wrong secret → 401 AADSTS7000215
//	GET  /v1.0/users                          $select, $top (max 500 with signInActivity, else 999), $skiptoken
//	GET  /v1.0/subscribedSkus                 one page
//	GET  /v1.0/directory/subscriptions        one page (Subscriptions)
//	GET  /v1.0/groups/{id}/transitiveMembers  pages of 999
//	GET  /v1.0/admin/reportSettings           flat shape
//	GET  /v1.0/reports/{fn}(...)              302 to /download/{fn} (which rejects a bearer token)
//	GET  /v1.0/copilot/reports/{fn}(...)      200 with the CSV as the body (Copilot's report)
//	GET  /v1.0/auditLogs/signIns              $filter createdDateTime ge/le, newest first, pages of Page
//	POST /v1.0/users/{id}/assignLicense      echoes the id
//	GET  /dataverse/{org}/api/data/v9.2/systemusers|audits  pages of Page
//
// Failure modes (fields of Faults): every Nth request answered 429 or 503;
// a connection dropped half-way through a body; one 401
// InvalidAuthenticationToken after N requests (token "expiry"); malformed
// JSON on a path; 403 on a path prefix; no Entra ID P1 (403 on
// signInActivity).
package msgraphtest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Faults switch failure modes on. Counters are over all API requests
// (token requests excluded).
type Faults struct {
	Throttle429Every int    // every Nth request → 429 with Retry-After RetryAfter
	RetryAfter       string // default "0.01"
	Fail503Every     int    // every Nth request → 503
	DropEvery        int    // every Nth JSON/CSV body is cut off half-way
	ExpireTokenAt    int    // request number N gets 401 InvalidAuthenticationToken (once)
	MalformedPath    string // path prefix answered with broken JSON
	ForbiddenPath    string // path prefix answered 403 Authorization_RequestDenied
	NoPremium        bool   // signInActivity → 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant
	ConcealedNames   bool   // reportSettings says concealed
	// TokenError, when set, is the body of every token answer, with status
	// TokenErrorStatus (default 400): for Microsoft's verbatim examples.
	TokenError       string
	TokenErrorStatus int
}

// Tenant is the data and behaviour of the fake.
type Tenant struct {
	TenantID, ClientID, ClientSecret string
	Users                            []map[string]any
	SKUs                             []map[string]any
	Subscriptions                    []map[string]any                       // companySubscription objects
	Groups                           map[string][]map[string]any            // id → members
	Reports                          map[string]string                      // function name → CSV body
	SignIns                          []map[string]any                       // need id, createdDateTime
	Dataverse                        map[string]map[string][]map[string]any // org → entity set → rows
	Page                             int                                    // page size for sign-ins and Dataverse (default 100)
	Faults                           Faults

	mu       sync.Mutex
	srv      *httptest.Server
	caFile   string
	n        atomic.Int64
	expired  atomic.Bool
	tokens   map[string]bool
	Requests map[string]int // path class → count
	Tokens   atomic.Int64   // token requests served
}

// Start serves t until the test ends.
func Start(tb testing.TB, t *Tenant) *Tenant {
	tb.Helper()
	if t.TenantID == "" {
		t.TenantID = "00000000-0000-0000-0000-0000000000aa"
	}
	if t.ClientID == "" {
		t.ClientID = "00000000-0000-0000-0000-0000000000bb"
	}
	if t.ClientSecret == "" {
		t.ClientSecret = "s3cret-value"
	}
	if t.Page == 0 {
		t.Page = 100
	}
	if t.Faults.RetryAfter == "" {
		t.Faults.RetryAfter = "0.01"
	}
	t.tokens = map[string]bool{}
	t.Requests = map[string]int{}
	t.srv = httptest.NewTLSServer(http.HandlerFunc(t.serve))
	tb.Cleanup(t.srv.Close)
	t.caFile = filepath.Join(tb.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: t.srv.Certificate().Raw})
	if err := os.WriteFile(t.caFile, pemBytes, 0o644); err != nil {
		tb.Fatal(err)
	}
	return t
}

// URL is the base URL (login, Graph and Dataverse share it).
func (t *Tenant) URL() string { return t.srv.URL }

// CAFile trusts the server's certificate.
func (t *Tenant) CAFile() string { return t.caFile }

// DataverseURL is the environment URL of org.
func (t *Tenant) DataverseURL(org string) string { return t.srv.URL + "/dataverse/" + org }

// Count is the number of requests served for a class ("users", "reports", …).
func (t *Tenant) Count(class string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Requests[class]
}

// Total is the number of API requests (token requests excluded).
func (t *Tenant) Total() int64 { return t.n.Load() }

func (t *Tenant) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/.well-known/openid-configuration"):
		tenant := strings.Split(strings.TrimPrefix(p, "/"), "/")[0]
		base := t.srv.URL + "/" + tenant
		writeJSON(w, 200, map[string]any{"issuer": base + "/v2.0", "token_endpoint": base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize", "tenant_region_scope": "WW"})
		return
	case strings.HasSuffix(p, "/oauth2/v2.0/token"):
		t.token(w, r)
		return
	case strings.HasPrefix(p, "/download/"):
		if r.Header.Get("Authorization") != "" {
			http.Error(w, "bearer token sent to the download host", http.StatusBadRequest)
			return
		}
		fn := strings.TrimPrefix(p, "/download/")
		t.body(w, "text/csv", []byte(t.Reports[fn]))
		return
	}
	n := t.n.Add(1)
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	t.mu.Lock()
	valid := t.tokens[tok]
	t.Requests[classOf(p)]++
	t.mu.Unlock()
	if !valid {
		graphErr(w, 401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	f := t.Faults
	if f.ExpireTokenAt > 0 && n >= int64(f.ExpireTokenAt) && !t.expired.Load() {
		t.expired.Store(true)
		t.mu.Lock()
		delete(t.tokens, tok)
		t.mu.Unlock()
		graphErr(w, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
		return
	}
	if f.Throttle429Every > 0 && n%int64(f.Throttle429Every) == 0 {
		w.Header().Set("Retry-After", f.RetryAfter)
		graphErr(w, 429, "TooManyRequests", "Too many requests")
		return
	}
	if f.Fail503Every > 0 && n%int64(f.Fail503Every) == 0 {
		graphErr(w, 503, "serviceNotAvailable", "Service unavailable")
		return
	}
	if f.ForbiddenPath != "" && strings.HasPrefix(p, f.ForbiddenPath) {
		graphErr(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	if f.MalformedPath != "" && strings.HasPrefix(p, f.MalformedPath) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"value":[{"id":"x",`))
		return
	}
	q := r.URL.Query()
	switch {
	case p == "/v1.0/users":
		if strings.Contains(q.Get("$select"), "signInActivity") && f.NoPremium {
			graphErr(w, 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license")
			return
		}
		max := 999
		if strings.Contains(q.Get("$select"), "signInActivity") {
			max = 500
		}
		top, _ := strconv.Atoi(q.Get("$top"))
		if top <= 0 {
			top = 100
		}
		t.page(w, r, selectFields(t.Users, q.Get("$select")), min(top, max))
	case strings.HasSuffix(p, "/assignLicense") && r.Method == http.MethodPost:
		t.mu.Lock()
		t.Requests["assignLicense"]++
		t.mu.Unlock()
		writeJSON(w, 200, map[string]any{"id": strings.Split(p, "/")[3]})
	case p == "/v1.0/subscribedSkus":
		writeJSON(w, 200, map[string]any{"value": t.SKUs})
	case p == "/v1.0/directory/subscriptions":
		writeJSON(w, 200, map[string]any{"value": append([]map[string]any{}, t.Subscriptions...)})
	case strings.HasPrefix(p, "/v1.0/groups/") && strings.HasSuffix(p, "/transitiveMembers"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1.0/groups/"), "/transitiveMembers")
		m, ok := t.Groups[id]
		if !ok {
			graphErr(w, 404, "Request_ResourceNotFound", "Resource '"+id+"' does not exist.")
			return
		}
		t.page(w, r, m, 999)
	case p == "/v1.0/admin/reportSettings":
		writeJSON(w, 200, map[string]any{"displayConcealedNames": f.ConcealedNames})
	case strings.HasPrefix(p, "/v1.0/reports/"):
		fn := strings.TrimPrefix(p, "/v1.0/reports/")
		if i := strings.IndexByte(fn, '('); i >= 0 {
			fn = fn[:i]
		}
		if _, ok := t.Reports[fn]; !ok {
			graphErr(w, 400, "BadRequest", "unknown report "+fn)
			return
		}
		w.Header().Set("Location", t.srv.URL+"/download/"+fn)
		w.WriteHeader(http.StatusFound)
	case strings.HasPrefix(p, "/v1.0/copilot/reports/"):
		fn, _, _ := strings.Cut(strings.TrimPrefix(p, "/v1.0/copilot/reports/"), "(")
		if _, ok := t.Reports[fn]; !ok {
			graphErr(w, 400, "BadRequest", "unknown report "+fn)
			return
		}
		t.body(w, "application/octet-stream", []byte(t.Reports[fn]))
	case p == "/v1.0/auditLogs/signIns":
		t.page(w, r, t.signIns(q.Get("$filter")), t.Page)
	case strings.HasPrefix(p, "/dataverse/"):
		parts := strings.Split(strings.TrimPrefix(p, "/dataverse/"), "/")
		if len(parts) != 5 {
			graphErr(w, 404, "0x80060888", "not found")
			return
		}
		rows := t.Dataverse[parts[0]][parts[4]]
		t.page(w, r, rows, t.Page)
	default:
		graphErr(w, 404, "Request_ResourceNotFound", "no route "+p)
	}
}

func classOf(p string) string {
	switch {
	case strings.HasPrefix(p, "/v1.0/reports/"), strings.HasPrefix(p, "/v1.0/copilot/reports/"):
		return "reports"
	case strings.HasPrefix(p, "/v1.0/auditLogs/"):
		return "signins"
	case strings.HasPrefix(p, "/dataverse/"):
		return "dataverse"
	case strings.HasPrefix(p, "/v1.0/users"):
		return "users"
	}
	return "other"
}

func (t *Tenant) token(w http.ResponseWriter, r *http.Request) {
	t.Tokens.Add(1)
	if f := t.Faults; f.TokenError != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(cmp.Or(f.TokenErrorStatus, http.StatusBadRequest))
		io.WriteString(w, f.TokenError)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	if r.PostForm.Get("client_id") != t.ClientID || r.PostForm.Get("client_secret") != t.ClientSecret {
		writeJSON(w, 401, map[string]any{"error": "invalid_client",
			"error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID. Trace ID: x",
			"error_codes":       []int{7000215}})
		return
	}
	var b [16]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	t.mu.Lock()
	t.tokens[tok] = true
	t.mu.Unlock()
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": tok})
}

// page serves items[skip:skip+size] with a nextLink while more remain.
func (t *Tenant) page(w http.ResponseWriter, r *http.Request, items []map[string]any, size int) {
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	end := min(skip+size, len(items))
	if skip > len(items) {
		skip = len(items)
	}
	out := map[string]any{"value": items[skip:end]}
	if end < len(items) {
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		out["@odata.nextLink"] = t.srv.URL + r.URL.Path + "?" + q.Encode()
	}
	b, _ := json.Marshal(out)
	t.body(w, "application/json", b)
}

// body writes b, or half of it and a dropped connection every DropEvery
// bodies.
func (t *Tenant) body(w http.ResponseWriter, ctype string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	if d := t.Faults.DropEvery; d > 0 && t.n.Load()%int64(d) == 0 && len(b) > 10 {
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(200)
		w.Write(b[:len(b)/2])
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
		return
	}
	w.Write(b)
}

func (t *Tenant) signIns(filter string) []map[string]any {
	var ge, le time.Time
	for _, part := range strings.Split(filter, " and ") {
		f := strings.Fields(part)
		if len(f) == 3 && f[0] == "createdDateTime" {
			tm, err := time.Parse(time.RFC3339, f[2])
			if err != nil {
				continue
			}
			if f[1] == "ge" {
				ge = tm
			} else if f[1] == "le" {
				le = tm
			}
		}
	}
	var out []map[string]any
	for _, s := range t.SignIns {
		ct, _ := time.Parse(time.RFC3339, s["createdDateTime"].(string))
		if (!ge.IsZero() && ct.Before(ge)) || (!le.IsZero() && ct.After(le)) {
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i]["createdDateTime"].(string) > out[j]["createdDateTime"].(string)
	})
	return out
}

func selectFields(items []map[string]any, sel string) []map[string]any {
	if sel == "" {
		return items
	}
	keep := map[string]bool{}
	for _, f := range strings.Split(sel, ",") {
		keep[f] = true
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		m := map[string]any{}
		for k, v := range it {
			if keep[k] {
				m[k] = v
			}
		}
		out[i] = m
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func graphErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg,
		"innerError": map[string]any{"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": "r"}}})
}
