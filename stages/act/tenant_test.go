package act

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
)

// fakeTenant is an in-memory directory served over loopback HTTPS by
// httptest, speaking the part of Graph apply and undo use; the engine reaches
// it through the production client (msgraph with azcred), as it reaches
// Microsoft. It is smaller than the simulated tenant (package simtenant) and
// has switches for the write failures apply must survive.
//
// Routes:
//
//	GET    /{tenant}/v2.0/.well-known/openid-configuration   the authority azidentity discovers
//	POST   /{tenant}/oauth2/v2.0/token          client credentials; 401 on a wrong secret
//	GET    /v1.0/users/{id}?$select=…           user with assignedLicenses, licenseAssignmentStates, signInActivity
//	GET    /v1.0/groups/{g}/members             direct members (paged, 2 per page, to exercise nextLink)
//	GET    /v1.0/groups/{g}/transitiveMembers   direct and nested members (paged likewise)
//	POST   /v1.0/users/{id}/assignLicense       add/remove; licences kept per assignment path
//	DELETE /v1.0/groups/{g}/members/{u}/$ref    remove a direct member (group licences drop at once)
//	POST   /v1.0/groups/{g}/members/$ref        add a member
//
// Failure modes (set on the struct, consumed one per write request):
//
//	throttle      next N writes answer 429 with Retry-After: 0 (not applied)
//	ambiguous     next N writes are applied, then answer 503 (outcome unknown to the client)
//	removing a group-inherited licence directly → 400 Request_BadRequest "…inherited from a group…"
//	an unknown user → 404 Request_ResourceNotFound; removing a SKU the user lacks → 400
type fakeTenant struct {
	t  *testing.T
	mu sync.Mutex
	// users by id
	users  map[string]*fakeUser
	groups map[string]*fakeGroup
	secret string

	throttle, ambiguous int
	// beforeWrite runs (under the lock) before each write is handled: a
	// stand-in for another request landing between apply's read and write.
	beforeWrite func(ft *fakeTenant)
	// calls counts requests by "METHOD route" (route without ids).
	calls  map[string]int
	srv    *httptest.Server
	caFile string // trusts srv's certificate
}

type fakeUser struct {
	ID, UPN    string
	Enabled    bool
	Direct     map[string][]string // sku → disabled plans
	LastSignIn *time.Time          // successful: lastSignIn and lastSuccessfulSignIn
	// FailedSignIn is a newer failed interactive attempt: Graph shows it in
	// lastSignInDateTime only.
	FailedSignIn *time.Time
	// UsageLocation is "US" unless a test clears it.
	UsageLocation string
	// Raw, when set, is the body of GET /users/{id}, sent as is.
	Raw []byte
}

type fakeGroup struct {
	ID      string
	Members map[string]bool     // direct user ids
	Parents []string            // groups this group is a member of
	SKUs    map[string][]string // licences the group assigns → disabled plans
}

func newFakeTenant(t *testing.T) *fakeTenant {
	ft := &fakeTenant{t: t, users: map[string]*fakeUser{}, groups: map[string]*fakeGroup{}, calls: map[string]int{}, secret: "fake-secret-value"}
	ft.srv = httptest.NewTLSServer(http.HandlerFunc(ft.serve))
	t.Cleanup(ft.srv.Close)
	ft.caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ft.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ft.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return ft
}

func (ft *fakeTenant) addUser(id string, skus map[string][]string, lastSignIn *time.Time) *fakeUser {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	u := &fakeUser{ID: id, UPN: id + "@contoso.com", Enabled: true, Direct: map[string][]string{}, LastSignIn: lastSignIn, UsageLocation: "US"}
	for s, dp := range skus {
		u.Direct[s] = dp
	}
	ft.users[id] = u
	return u
}

func (ft *fakeTenant) addGroup(id string, skus map[string][]string, members ...string) *fakeGroup {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	g := &fakeGroup{ID: id, Members: map[string]bool{}, SKUs: skus}
	for _, m := range members {
		g.Members[m] = true
	}
	ft.groups[id] = g
	return g
}

// signIn records a sign-in now (test hook for "signed in between plan and apply").
func (ft *fakeTenant) signIn(id string, at time.Time) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.users[id].LastSignIn = &at
}

func (ft *fakeTenant) count(k string) int {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.calls[k]
}

// consumed is how many users hold sku by any path (Microsoft's consumedUnits).
func (ft *fakeTenant) consumed(sku string) int {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	n := 0
	for _, u := range ft.users {
		if _, ok := u.Direct[sku]; ok || len(ft.inheritedLocked(u.ID, sku)) > 0 {
			n++
		}
	}
	return n
}

// snapshot copies every user's direct licences, for exact comparisons.
func (ft *fakeTenant) snapshot() map[string]map[string][]string {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	out := map[string]map[string][]string{}
	for id, u := range ft.users {
		m := map[string][]string{}
		for s, dp := range u.Direct {
			m[s] = slices.Clone(dp)
		}
		out[id] = m
	}
	return out
}

func (ft *fakeTenant) transitiveLocked(uid string) []string {
	var out []string
	var visit func(g string)
	visit = func(g string) {
		if slices.Contains(out, g) {
			return
		}
		out = append(out, g)
		for _, p := range ft.groups[g].Parents {
			visit(p)
		}
	}
	for id, g := range ft.groups {
		if g.Members[uid] {
			visit(id)
		}
	}
	slices.Sort(out)
	return out
}

func (ft *fakeTenant) inheritedLocked(uid, sku string) []string {
	var out []string
	for _, g := range ft.transitiveLocked(uid) {
		if _, ok := ft.groups[g].SKUs[sku]; ok {
			out = append(out, g)
		}
	}
	return out
}

func graphErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "innerError": map[string]string{"request-id": "x"}}})
}

func (ft *fakeTenant) serve(w http.ResponseWriter, r *http.Request) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	path := r.URL.Path
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if strings.HasSuffix(path, "/.well-known/openid-configuration") {
		base := ft.srv.URL + "/" + parts[0]
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": base + "/v2.0", "token_endpoint": base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize", "tenant_region_scope": "WW"})
		return
	}
	if strings.HasSuffix(path, "/oauth2/v2.0/token") {
		ft.calls["POST token"]++
		r.ParseForm()
		if r.Form.Get("client_secret") != ft.secret {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`)
			return
		}
		fmt.Fprint(w, `{"token_type":"Bearer","expires_in":3600,"access_token":"tok"}`)
		return
	}
	if r.Header.Get("Authorization") != "Bearer tok" {
		graphErr(w, 401, "InvalidAuthenticationToken", "Access token is empty.")
		return
	}
	write := r.Method != http.MethodGet
	if write && ft.beforeWrite != nil {
		ft.beforeWrite(ft)
	}
	if write {
		if ft.throttle > 0 {
			ft.throttle--
			ft.calls["429"]++
			w.Header().Set("Retry-After", "0")
			graphErr(w, 429, "TooManyRequests", "Too many requests")
			return
		}
	}
	ambiguous := false
	if write && ft.ambiguous > 0 {
		ft.ambiguous--
		ambiguous = true
	}
	respond := func(v any) {
		if ambiguous {
			graphErr(w, 503, "serviceNotAvailable", "try later")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case len(parts) >= 3 && parts[1] == "users":
		u := ft.users[parts[2]]
		route := r.Method + " users"
		if len(parts) == 4 {
			route += "/" + parts[3]
		}
		ft.calls[route]++
		if u == nil {
			graphErr(w, 404, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", parts[2]))
			return
		}
		switch {
		case len(parts) == 3 && r.Method == http.MethodGet && u.Raw != nil:
			w.Header().Set("Content-Type", "application/json")
			w.Write(u.Raw)
		case len(parts) == 3 && r.Method == http.MethodGet:
			respond(ft.userJSON(u))
		case len(parts) == 4 && parts[3] == "assignLicense" && r.Method == http.MethodPost:
			var body struct {
				AddLicenses []struct {
					SkuID         string   `json:"skuId"`
					DisabledPlans []string `json:"disabledPlans"`
				} `json:"addLicenses"`
				RemoveLicenses []string `json:"removeLicenses"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AddLicenses == nil || body.RemoveLicenses == nil {
				graphErr(w, 400, "Request_BadRequest", "both addLicenses and removeLicenses are required")
				return
			}
			for _, s := range body.RemoveLicenses {
				if _, ok := u.Direct[s]; !ok {
					if len(ft.inheritedLocked(u.ID, s)) > 0 {
						graphErr(w, 400, "Request_BadRequest", "User license is inherited from a group membership and it cannot be removed directly from the user.")
						return
					}
					graphErr(w, 400, "Request_BadRequest", fmt.Sprintf("User does not have a corresponding license %s.", s))
					return
				}
			}
			for _, s := range body.RemoveLicenses {
				delete(u.Direct, s)
			}
			for _, a := range body.AddLicenses {
				u.Direct[a.SkuID] = slices.Clone(a.DisabledPlans)
			}
			respond(ft.userJSON(u))
		default:
			graphErr(w, 405, "Request_BadRequest", "unsupported")
		}
	case len(parts) == 4 && parts[1] == "groups" && r.Method == http.MethodGet && (parts[3] == "members" || parts[3] == "transitiveMembers"):
		ft.calls["GET groups/"+parts[3]]++
		g := ft.groups[parts[2]]
		if g == nil {
			graphErr(w, 404, "Request_ResourceNotFound", "no group")
			return
		}
		var ids []string
		for uid := range ft.users {
			if g.Members[uid] || (parts[3] == "transitiveMembers" && slices.Contains(ft.transitiveLocked(uid), g.ID)) {
				ids = append(ids, uid)
			}
		}
		slices.Sort(ids)
		skip := 0
		fmt.Sscan(r.URL.Query().Get("$skiptoken"), &skip)
		vals := []any{}
		for i := skip; i < len(ids) && i < skip+2; i++ {
			vals = append(vals, map[string]string{"@odata.type": "#microsoft.graph.user", "id": ids[i]})
		}
		page := map[string]any{"value": vals}
		if skip+2 < len(ids) {
			page["@odata.nextLink"] = fmt.Sprintf("%s%s?$select=id&$skiptoken=%d", ft.srv.URL, path, skip+2)
		}
		respond(page)
	case len(parts) >= 5 && parts[1] == "groups" && parts[3] == "members":
		g := ft.groups[parts[2]]
		ft.calls[r.Method+" groups/members"]++
		if g == nil {
			graphErr(w, 404, "Request_ResourceNotFound", "no group")
			return
		}
		if r.Method == http.MethodDelete && len(parts) == 6 {
			if !g.Members[parts[4]] {
				graphErr(w, 404, "Request_ResourceNotFound", "not a member")
				return
			}
			delete(g.Members, parts[4])
			if ambiguous {
				graphErr(w, 503, "serviceNotAvailable", "try later")
				return
			}
			w.WriteHeader(204)
			return
		}
		if r.Method == http.MethodPost {
			var ref map[string]string
			json.NewDecoder(r.Body).Decode(&ref)
			id := ref["@odata.id"][strings.LastIndex(ref["@odata.id"], "/")+1:]
			if g.Members[id] {
				graphErr(w, 400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
				return
			}
			g.Members[id] = true
			if ambiguous {
				graphErr(w, 503, "serviceNotAvailable", "try later")
				return
			}
			w.WriteHeader(204)
			return
		}
		graphErr(w, 405, "Request_BadRequest", "unsupported")
	default:
		graphErr(w, 404, "UnknownRoute", path)
	}
}

func (ft *fakeTenant) userJSON(u *fakeUser) map[string]any {
	var assigned, states []map[string]any
	skus := make([]string, 0, len(u.Direct))
	for s := range u.Direct {
		skus = append(skus, s)
	}
	slices.Sort(skus)
	for _, s := range skus {
		dp := u.Direct[s]
		if dp == nil {
			dp = []string{}
		}
		assigned = append(assigned, map[string]any{"skuId": s, "disabledPlans": dp})
		states = append(states, map[string]any{"skuId": s, "assignedByGroup": nil, "disabledPlans": dp, "state": "Active"})
	}
	for _, gid := range ft.transitiveLocked(u.ID) {
		for s, dp := range ft.groups[gid].SKUs {
			if dp == nil {
				dp = []string{}
			}
			states = append(states, map[string]any{"skuId": s, "assignedByGroup": gid, "disabledPlans": dp, "state": "Active"})
		}
	}
	m := map[string]any{"id": u.ID, "userPrincipalName": u.UPN, "accountEnabled": u.Enabled, "assignedLicenses": assigned, "licenseAssignmentStates": states, "usageLocation": nil}
	if u.UsageLocation != "" {
		m["usageLocation"] = u.UsageLocation
	}
	if u.LastSignIn != nil || u.FailedSignIn != nil {
		sa := map[string]any{"lastSignInDateTime": nil, "lastNonInteractiveSignInDateTime": nil, "lastSuccessfulSignInDateTime": nil}
		if u.LastSignIn != nil {
			sa["lastSignInDateTime"] = u.LastSignIn.Format(time.RFC3339)
			sa["lastSuccessfulSignInDateTime"] = u.LastSignIn.Format(time.RFC3339)
		}
		if u.FailedSignIn != nil {
			sa["lastSignInDateTime"] = u.FailedSignIn.Format(time.RFC3339)
		}
		m["signInActivity"] = sa
	}
	return m
}

// directory returns a GraphDirectory over the fake through the production
// client: azidentity's client-credentials flow against the fake's login
// endpoint, its retries (shortened), its error decoding.
func (ft *fakeTenant) directory() *GraphDirectory {
	ft.t.Helper()
	c, err := msgraph.New(msgraph.Options{Profile: "contoso", TenantID: "contoso",
		Credentials:   msgraph.Credentials{ClientID: "app", ClientSecret: secretOf(ft.secret)},
		Authenticator: azcred.Authenticate,
		GraphEndpoint: ft.srv.URL, LoginEndpoint: ft.srv.URL, CAFile: ft.caFile,
		Limits: map[msgraph.Class]msgraph.Limit{msgraph.ClassWrite: {Rate: 1000, Burst: 100}, msgraph.ClassDirectory: {Rate: 1000, Burst: 100}},
		Retry:  msgraph.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	if err != nil {
		ft.t.Fatal(err)
	}
	return NewGraphDirectory(c.Graph())
}
