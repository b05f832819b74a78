package simtenant

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// Fleet is many simulated tenants behind one HTTPS listener, as Microsoft
// serves every tenant from login.microsoftonline.com and
// graph.microsoft.com: a managed-service provider's one multi-tenant app
// signs in to each customer tenant by its id. Each tenant is a whole Server
// (own users, throttling budgets, faults and counters); the fleet only
// picks which one answers:
//
//	POST /{tenant}/oauth2/v2.0/token, GET /{tenant}/v2.0/.well-known/…
//	                              the tenant in the path (id or domain), as login does
//	GET /common/discovery/instance the tenant of the authorization_endpoint query parameter
//	Graph and Dataverse           the tid claim of the bearer token (the tenant verifies it)
//	GET /data/download/{ticket}   the tenant whose signature the ticket carries
//	                              (a pre-authenticated link names no tenant)
//
// An unknown tenant in a login path answers AADSTS90002, a token of no
// tenant of the fleet 401 InvalidAuthenticationToken.
type Fleet struct {
	url, caFile, tmpDir string
	http                *http.Server
	tenants             []*Server
	byTenant            map[string]*Server // lower-case id and domains
	closeOnce           sync.Once
}

// StartFleet serves the tenants on addr ("": a free loopback port). Each
// Options is one tenant: give each its own TenantID (and Seed, for
// different users); ClientID and ClientSecret may be shared (one
// multi-tenant app) or differ (a tenant where the app is not consented
// answers AADSTS700016). Addr and CertDir of the tenants are ignored.
func StartFleet(addr string, tenants []Options) (*Fleet, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	f := &Fleet{byTenant: map[string]*Server{}}
	for i, o := range tenants {
		s, err := newServer(o)
		if err != nil {
			return nil, fmt.Errorf("simtenant: fleet tenant %d: %w", i, err)
		}
		for _, k := range []string{s.opts.TenantID, s.t.domain, s.t.initial} {
			k = strings.ToLower(k)
			if _, dup := f.byTenant[k]; dup && k == strings.ToLower(s.opts.TenantID) {
				return nil, fmt.Errorf("simtenant: fleet tenant %d: tenant id %s is used twice", i, s.opts.TenantID)
			}
			if _, dup := f.byTenant[k]; !dup {
				f.byTenant[k] = s
			}
		}
		f.tenants = append(f.tenants, s)
	}
	l, err := listenTLS(addr, "")
	if err != nil {
		return nil, err
	}
	f.url, f.caFile, f.tmpDir = l.url, l.caFile, l.tmpDir
	for _, s := range f.tenants {
		s.url, s.caFile = f.url, f.caFile
		s.handler = s.routes()
	}
	f.http = l.serve(http.HandlerFunc(f.route))
	return f, nil
}

// URL is the login endpoint, Graph endpoint and Dataverse parent of every
// tenant of the fleet.
func (f *Fleet) URL() string { return f.url }

// CAFile is the PEM file of the certificate clients must trust.
func (f *Fleet) CAFile() string { return f.caFile }

// Tenants are the tenants in the order given to StartFleet.
func (f *Fleet) Tenants() []*Server { return f.tenants }

// Close stops the listener and removes the CA file.
func (f *Fleet) Close() error {
	var err error
	f.closeOnce.Do(func() {
		err = f.http.Close()
		os.RemoveAll(f.tmpDir)
	})
	return err
}

func (f *Fleet) route(w http.ResponseWriter, r *http.Request) {
	if s := f.tenantOf(r); s != nil {
		s.handler.ServeHTTP(w, r)
		return
	}
	first := f.tenants[0]
	seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Header.Get("Authorization") == "" && seg != "v1.0" && seg != "dataverse" && seg != "data" {
		first.tenantNotFound(w, seg)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="", error="invalid_token"`)
	first.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid tenant.")
}

// tenantOf picks the tenant a request is for, or nil.
func (f *Fleet) tenantOf(r *http.Request) *Server {
	path := strings.TrimPrefix(r.URL.Path, "/")
	seg, rest, _ := strings.Cut(path, "/")
	switch {
	case seg == "common" && rest == "discovery/instance":
		u, err := url.Parse(r.URL.Query().Get("authorization_endpoint"))
		if err != nil {
			return nil
		}
		t, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		return f.byTenant[strings.ToLower(t)]
	case seg == "data" && strings.HasPrefix(rest, "download/"):
		ticket := strings.TrimPrefix(rest, "download/")
		for _, s := range f.tenants {
			if _, ok := s.parseTicket(ticket); ok {
				return s
			}
		}
		return f.tenants[0] // answers 403 for a link no tenant signed
	case seg == "v1.0" || seg == "dataverse":
		return f.byTenant[strings.ToLower(bearerTenant(r.Header.Get("Authorization")))]
	case seg == "_sim":
		return nil
	}
	return f.byTenant[strings.ToLower(seg)]
}

// bearerTenant reads the tid claim of a bearer token without verifying
// it: only to route; the tenant it names verifies the signature.
func bearerTenant(h string) string {
	_, raw, _ := strings.Cut(h, " ")
	parts := strings.Split(strings.TrimSpace(raw), ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Tid string `json:"tid"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Tid
}

// WriteConfig writes a reclaim configuration for the fleet into dir: one
// profile set over tenants.csv (key = KEYS[i], or tenant-NNN; the tenant's
// id), the app's secret in a 0600 file beside it, one reclaim rule and
// prices, snapshots under outDir. Tests and the many-tenant benchmark run
// `reclaim run dir` against it, the path an MSP's configuration takes.
func (f *Fleet) WriteConfig(dir, outDir string, keys []string) error {
	var csv strings.Builder
	csv.WriteString("key,tenant_id\n")
	for i, s := range f.tenants {
		k := fmt.Sprintf("tenant-%03d", i)
		if i < len(keys) {
			k = keys[i]
		}
		fmt.Fprintf(&csv, "%s,%s\n", k, s.opts.TenantID)
	}
	cfg := fmt.Sprintf(`# Written by simtenant.Fleet.WriteConfig for %d simulated tenants.
profile "fleet" {
  for_each       = csvdecode(file("tenants.csv"))
  tenant_id      = each.value.tenant_id
  client_id      = %q
  client_secret  = file("client-secret")
  graph_endpoint = %q
  login_endpoint = %q
  ca_file        = %q
  tasks {
    reclaim_subscriptions = true
  }
}

reclaim "inactive_m365" {
  skus          = ["SPE_E3", "SPE_E5", "ENTERPRISEPACK"]
  signals       = ["sign_in", "office365"]
  inactive_days = 90
  grace_days    = 30
  action        = "remove_license"
}

price "SPE_E3" { amount = 36.00 }
price "SPE_E5" { amount = 57.00 }
price "ENTERPRISEPACK" { amount = 23.00 }

output {
  dir = %q
}
`, len(f.tenants), DefaultClientID, f.url, f.url, f.caFile, outDir)
	for name, body := range map[string]string{"tenants.csv": csv.String(), "main.hcl": cfg, "client-secret": DefaultClientSecret} {
		if err := store.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// FleetTenantID is a tenant id for tenant i of a fleet: a fixed GUID, so
// a benchmark's tenants keep their ids (and output directories) run to run.
func FleetTenantID(i int) string { return fmt.Sprintf("f1ee7000-0000-4000-8000-%012d", i) }
