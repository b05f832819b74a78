package simtenant

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reclaimhq/reclaim/pipeline/store"
)

// Default credentials of the simulated tenant. They are fixed and public on
// purpose: the simulator is a test and demo aid, never a real tenant.
const (
	DefaultTenantID     = "b6c1e2a4-2f3d-4e5a-9b7c-1d2e3f4a5b6c"
	DefaultClientID     = "3f0c9d8e-7b6a-4c5d-8e9f-0a1b2c3d4e5f"
	DefaultClientSecret = "sim-demo-secret-not-for-production"
	DefaultOrg          = "contoso"
)

// DefaultPermissions are the application permissions granted when
// Options.Permissions is nil: everything reclaim needs, but not
// ReportSettings.ReadWrite.All (flipping concealment is a tenant-wide privacy
// decision). "Dataverse.ApplicationUser" stands for the app being an
// application user in the Dataverse environments.
var DefaultPermissions = []string{
	"User.Read.All", "Directory.Read.All", "AuditLog.Read.All", "Organization.Read.All",
	"Reports.Read.All", "ReportSettings.Read.All", "LicenseAssignment.ReadWrite.All",
	"GroupMember.ReadWrite.All", "Dataverse.ApplicationUser",
}

// Options configure a simulated tenant. The zero value is a usable 100-user
// tenant with seed 0, today's date, the default credentials and no throttling
// or faults.
type Options struct {
	// Addr is the listen address; default 127.0.0.1:0 (a free port).
	Addr string
	// Users is the number of users (default 100).
	Users int
	// Seed selects the tenant; the same seed gives the same tenant.
	Seed int64
	// Today pins the date everything is computed against (default: today UTC).
	Today time.Time

	// TenantID, ClientID, ClientSecret override the default credentials.
	TenantID, ClientID, ClientSecret string
	// ClientCertificates are accepted for client_assertion (certificate) auth.
	ClientCertificates []*x509.Certificate
	// FederatedCredentials are the external issuers (GitHub Actions, a
	// Kubernetes cluster, Azure Pipelines) whose tokens the app accepts as
	// client assertions; IssuerHTTP fetches their discovery documents and
	// keys (nil: a plain client with a 10 s timeout).
	FederatedCredentials []FederatedCredential
	IssuerHTTP           *http.Client
	// ManagedIdentityClientIDs are the user-assigned managed identities the
	// local identity endpoint (IdentityEndpoint) issues tokens for, besides
	// the system-assigned one.
	ManagedIdentityClientIDs []string
	// Permissions are the granted application permissions (nil: DefaultPermissions).
	Permissions []string
	// TokenTTL is the access-token lifetime (default 3599 s).
	TokenTTL time.Duration

	// NoP1 makes the tenant lack Entra ID P1: signInActivity and sign-in logs
	// answer 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant.
	NoP1 bool
	// ConcealedNames starts with reportSettings displayConcealedNames=true.
	ConcealedNames bool
	// HostileNames gives every fourth user attacker-chosen display name,
	// surname, department and job title (terminal escapes, bidi controls,
	// HTML, @mentions, Markdown links: HostileTexts) and a UPN with
	// Markdown-active characters Microsoft allows (hostile.go).
	HostileNames bool
	// WrappedReportSettings makes GET reportSettings wrap the object in
	// {"value":{…}} like the doc example.
	WrappedReportSettings bool
	// DataverseOrgs are the Dataverse environments served under /dataverse/{org}
	// (default ["contoso"]).
	DataverseOrgs []string

	// Throttle enables Microsoft's per-app-per-tenant throttling budgets.
	Throttle bool
	// TimeScale speeds throttling windows up (2 = windows half as long).
	TimeScale float64
	// FaultRate is the fraction of requests answered 503 or 504.
	FaultRate float64
	// SlowRate is the fraction of requests delayed by SlowDelay (default 2 s).
	SlowRate  float64
	SlowDelay time.Duration
	// DropRate is the fraction of responses whose connection is dropped mid-body.
	DropRate float64
	// MicrosoftQuirks serves the shapes of Microsoft's reference examples:
	// signInActivity "no value" as "" and 0001-01-01T00:00:00Z ("List
	// users" Example 11) instead of null, licenseAssignmentStates skuIds in
	// upper case (assignLicense example) and a 0001-01-01 lastUpdatedDateTime.
	MicrosoftQuirks bool
	// RenamedUsers are indices of users renamed after the usage reports were
	// cut: the directory shows "renamed.<upn>", the reports the old UPN
	// (the Teams report still matches by User Id).
	RenamedUsers []int
	// TruncatedReports names report functions (e.g.
	// "getMailboxUsageDetail") whose download ends, at a row boundary, after
	// half the users: a complete-looking CSV that lists too few users.
	TruncatedReports []string
	// FailAfter > 0: after that many requests every request fails (see FailMode).
	FailAfter int
	// FailMode is "error" (503, default) or "drop" (connection closed).
	FailMode string
	// BodyFault corrupts successful JSON answers of Graph and Dataverse in a
	// way HTTP does not notice: BodyEmpty, BodyObject ({} — a page without
	// value) or BodyTruncated; "" off. BodyFaultPath limits it to paths with
	// that prefix; BodyFaultSkip spares the first N answers it would hit (a
	// table that fails half-way); BodyFaultCount > 0 stops after N hits.
	// Server.SetBodyFault changes them live.
	BodyFault      string
	BodyFaultPath  string
	BodyFaultSkip  int
	BodyFaultCount int
	// TokenFault makes the token endpoint fail: TokenDrop, TokenUnavailable,
	// TokenInvalidScope or TokenInvalidClient; "" off. TokenFaultCount > 0
	// limits it to the first N token requests. Server.SetTokenFault changes
	// them live.
	TokenFault      string
	TokenFaultCount int

	// StateFile persists the overlay of changes so a restarted server continues.
	StateFile string
	// CertDir is where the CA file is written (default: a new temp dir,
	// removed by Close).
	CertDir string
	// Logf, if set, receives one line per request.
	Logf func(format string, args ...any)
}

// Server is a running simulated tenant.
type Server struct {
	opts     Options
	t        *Tenant
	ln       net.Listener
	http     *http.Server
	url      string
	caFile   string
	tmpDir   string
	perms    map[string]bool
	tokenKey []byte
	orgs     map[string]bool

	handler http.Handler

	state *overlay
	stats statsCounter
	thr   *throttler
	// faults holds the switches that can change while serving.
	faults faultSwitches

	reqNo     atomic.Int64
	dayCache  eventCache
	closeOnce sync.Once
}

// newServer is a tenant with its defaults filled in, not yet serving:
// Start binds it to a listener of its own, StartFleet puts many behind one.
func newServer(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Users <= 0 {
		o.Users = 100
	}
	if o.Today.IsZero() {
		o.Today = time.Now().UTC()
	}
	if o.TenantID == "" {
		o.TenantID = DefaultTenantID
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.Permissions == nil {
		o.Permissions = DefaultPermissions
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = 3599 * time.Second
	}
	if o.TimeScale <= 0 {
		o.TimeScale = 1
	}
	if o.SlowDelay <= 0 {
		o.SlowDelay = 2 * time.Second
	}
	if len(o.DataverseOrgs) == 0 {
		o.DataverseOrgs = []string{DefaultOrg}
	}
	if o.FailMode == "" {
		o.FailMode = "error"
	}
	if o.FailMode != "error" && o.FailMode != "drop" {
		return nil, fmt.Errorf("simtenant: FailMode %q: want error or drop", o.FailMode)
	}
	if err := checkFaultModes(o.BodyFault, o.TokenFault); err != nil {
		return nil, err
	}
	s := &Server{opts: o, t: NewTenant(o.Seed, o.Users, o.Today), perms: map[string]bool{}, orgs: map[string]bool{}}
	s.SetBodyFault(o.BodyFault, o.BodyFaultPath, o.BodyFaultSkip, o.BodyFaultCount)
	s.SetTokenFault(o.TokenFault, o.TokenFaultCount)
	if o.HostileNames {
		s.t.WithHostileNames()
	}
	for _, p := range o.Permissions {
		s.perms[strings.ToLower(p)] = true
	}
	for _, org := range o.DataverseOrgs {
		s.orgs[strings.ToLower(org)] = true
	}
	// The signing key is derived, not random, so tokens survive a restart of
	// a server with the same seed and credentials (crash tests rely on it).
	s.tokenKey = []byte(fmt.Sprintf("%x", hashOf(uint64(o.Seed), saltToken, hashString(o.ClientSecret+o.TenantID))))
	s.state = newOverlay(o.ConcealedNames)
	if o.StateFile != "" {
		if err := s.state.load(o.StateFile, s.t); err != nil {
			return nil, err
		}
	}
	s.thr = newThrottler(o.TimeScale, o.Users)
	return s, nil
}

// Start generates the certificate, binds the listener and serves in the
// background. Close stops it.
func Start(o Options) (*Server, error) {
	s, err := newServer(o)
	if err != nil {
		return nil, err
	}
	l, err := listenTLS(s.opts.Addr, s.opts.CertDir)
	if err != nil {
		return nil, err
	}
	s.ln, s.url, s.caFile, s.tmpDir = l.ln, l.url, l.caFile, l.tmpDir
	s.handler = s.routes()
	s.http = l.serve(s.handler)
	return s, nil
}

// listener is a bound loopback HTTPS listener with its self-signed
// certificate written out for clients to trust.
type listener struct {
	ln                  net.Listener
	cert                tls.Certificate
	url, caFile, tmpDir string // tmpDir: "" unless made here (removed on Close)
}

// listenTLS binds addr and writes the CA file into certDir ("": a new
// temporary directory).
func listenTLS(addr, certDir string) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simtenant: listen on %s: %w", addr, err)
	}
	l := &listener{ln: ln}
	var certPEM []byte
	if l.cert, certPEM, err = selfSignedCert(); err != nil {
		ln.Close()
		return nil, err
	}
	dir := certDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "simtenant-"); err != nil {
			ln.Close()
			return nil, fmt.Errorf("simtenant: temp dir for CA file: %w", err)
		}
		l.tmpDir = dir
	}
	l.caFile = filepath.Join(dir, "simtenant-ca.pem")
	if err := store.WriteFile(l.caFile, certPEM, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("simtenant: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	host := ln.Addr().(*net.TCPAddr).IP.String()
	if ip := ln.Addr().(*net.TCPAddr).IP; ip.IsUnspecified() {
		host = "127.0.0.1"
	} else if ip.To4() == nil {
		host = "[" + host + "]"
	}
	l.url = fmt.Sprintf("https://%s:%d", host, port)
	return l, nil
}

// serve answers with h in the background.
func (l *listener) serve(h http.Handler) *http.Server {
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{l.cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go srv.ServeTLS(l.ln, "", "")
	return srv
}

// URL is the base URL (https://127.0.0.1:PORT): login authority host, Graph
// endpoint and the parent of the Dataverse environments.
func (s *Server) URL() string { return s.url }

// CAFile is the PEM file of the self-signed certificate clients must trust.
func (s *Server) CAFile() string { return s.caFile }

// TenantID is the tenant's id.
func (s *Server) TenantID() string { return s.opts.TenantID }

// ClientID is the registered application's id.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret is the registered application's secret.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// GraphEndpoint is the Graph base URL (same as URL); the token scope is
// GraphEndpoint()+"/.default".
func (s *Server) GraphEndpoint() string { return s.url }

// DataverseURL is the environment URL of org (scope: DataverseURL(org)+"/.default").
func (s *Server) DataverseURL(org string) string { return s.url + "/dataverse/" + org }

// Tenant is the generator behind the server.
func (s *Server) Tenant() *Tenant { return s.t }

// Truth is the generator's intent for user i with the server's changes applied.
func (s *Server) Truth(i int) UserTruth { return s.t.truth(s.current(i)) }

// Close stops the server and removes the CA file if it lives in a temp dir.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if s.http != nil { // nil for a tenant of a Fleet, which owns the listener
			err = s.http.Shutdown(ctx)
			if err != nil {
				err = s.http.Close()
			}
		}
		if s.tmpDir != "" {
			os.RemoveAll(s.tmpDir)
		}
	})
	return err
}

// Truth returns the generator's intent for user i of the base tenant (no
// overlay: use Server.Truth to see changes made through the API).
func (t *Tenant) Truth(i int) UserTruth { return t.truth(t.user(i)) }

func selfSignedCert() (cert tls.Certificate, certPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return cert, nil, fmt.Errorf("simtenant: generate key: %w", err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "reclaim simulated tenant", Organization: []string{"reclaim simtenant"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return cert, nil, fmt.Errorf("simtenant: create certificate: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// ---- stats ----

// Stats are request counts since start or the last ResetStats.
type Stats struct {
	// Total counts every request except /_sim/ ones.
	Total int64 `json:"total"`
	// Requests counts per endpoint class, per HTTP status.
	Requests map[string]map[int]int64 `json:"requests"`
	// Throttled counts 429 answers per endpoint class.
	Throttled map[string]int64 `json:"throttled"`
	// Faults counts injected faults (503/504/drop/slow/fail_after).
	Faults map[string]int64 `json:"faults"`
}

type statsCounter struct {
	mu     sync.Mutex
	total  int64
	req    map[string]map[int]int64
	faults map[string]int64
}

func (c *statsCounter) record(class string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.req == nil {
		c.req = map[string]map[int]int64{}
	}
	if c.req[class] == nil {
		c.req[class] = map[int]int64{}
	}
	c.req[class][status]++
	c.total++
}

func (c *statsCounter) fault(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faults == nil {
		c.faults = map[string]int64{}
	}
	c.faults[kind]++
}

// Stats returns a snapshot of the request counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Stats{Total: c.total, Requests: map[string]map[int]int64{}, Throttled: map[string]int64{}, Faults: map[string]int64{}}
	for class, m := range c.req {
		st.Requests[class] = map[int]int64{}
		for code, n := range m {
			st.Requests[class][code] = n
			if code == http.StatusTooManyRequests {
				st.Throttled[class] += n
			}
		}
	}
	for k, v := range c.faults {
		st.Faults[k] = v
	}
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.stats.mu.Lock()
	s.stats.total, s.stats.req, s.stats.faults = 0, nil, nil
	s.stats.mu.Unlock()
}

// ---- errors ----

// graphError writes Microsoft Graph's error body.
func (s *Server) graphError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	s.graphErrorDetails(w, r, status, code, msg, nil)
}

func (s *Server) graphErrorDetails(w http.ResponseWriter, r *http.Request, status int, code, msg string, details []map[string]string) {
	reqID := w.Header().Get("request-id")
	inner := map[string]any{"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": reqID, "client-request-id": reqID}
	body := map[string]any{"code": code, "message": msg, "innerError": inner}
	if len(details) > 0 {
		body["details"] = details
	}
	b, _ := json.Marshal(map[string]any{"error": body})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// ---- routing and middleware ----

// endpoint describes how a route is guarded.
type endpoint struct {
	class string
	// auth: "" none, "graph" Graph bearer token, "dataverse" Dataverse token.
	auth string
	// perms: any one of them grants access (nil: no permission needed).
	perms []string
	// cost: throttling bucket and cost function (nil: unthrottled).
	cost func(r *http.Request) (bucket string, units float64)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, ep endpoint, fn http.HandlerFunc) {
		mux.Handle(pattern, s.wrap(ep, fn))
	}
	userRead := []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	// Login endpoints.
	h("POST /{tenant}/oauth2/v2.0/token", endpoint{class: "token"}, s.handleToken)
	h("GET /{tenant}/v2.0/.well-known/openid-configuration", endpoint{class: "discovery"}, s.handleOpenID)
	h("GET /common/discovery/instance", endpoint{class: "discovery"}, s.handleInstanceDiscovery)
	h("GET /msi/token", endpoint{class: "token"}, s.handleManagedIdentity)
	// Graph.
	h("GET /v1.0/users", endpoint{class: "users", auth: "graph", perms: userRead, cost: dirCost(2)}, s.handleUsers)
	h("GET /v1.0/users/{id}", endpoint{class: "user", auth: "graph", perms: userRead, cost: dirCost(1)}, s.handleUser)
	h("GET /v1.0/users/{id}/licenseDetails", endpoint{class: "licenseDetails", auth: "graph",
		perms: append([]string{"LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All"}, userRead...), cost: dirCost(2)}, s.handleLicenseDetails)
	h("POST /v1.0/users/{id}/assignLicense", endpoint{class: "assignLicense", auth: "graph",
		perms: []string{"LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}, cost: writeCost}, s.handleAssignLicense)
	h("GET /v1.0/subscribedSkus", endpoint{class: "subscribedSkus", auth: "graph",
		perms: []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All"}, cost: dirCost(3)}, s.handleSubscribedSkus)
	h("GET /v1.0/directory/subscriptions", endpoint{class: "subscriptions", auth: "graph",
		perms: []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All"}, cost: dirCost(1)}, s.handleSubscriptions)
	groupRead := []string{"GroupMember.Read.All", "GroupMember.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groupWrite := []string{"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	h("GET /v1.0/groups", endpoint{class: "groups", auth: "graph", perms: groupRead, cost: dirCost(1)}, s.handleGroups)
	h("GET /v1.0/groups/{gid}", endpoint{class: "groups", auth: "graph", perms: groupRead, cost: dirCost(1)}, s.handleGroup)
	h("GET /v1.0/groups/{gid}/transitiveMembers", endpoint{class: "groups", auth: "graph", perms: groupRead, cost: dirCost(1)}, s.handleGroupMembers)
	h("GET /v1.0/groups/{gid}/members", endpoint{class: "groups", auth: "graph", perms: groupRead, cost: dirCost(1)}, s.handleGroupMembers)
	h("POST /v1.0/groups/{gid}/members/$ref", endpoint{class: "groupMembers", auth: "graph", perms: groupWrite, cost: writeCost}, s.handleAddMember)
	h("DELETE /v1.0/groups/{gid}/members/{uid}/$ref", endpoint{class: "groupMembers", auth: "graph", perms: groupWrite, cost: writeCost}, s.handleRemoveMember)
	h("GET /v1.0/reports/{fn}", endpoint{class: "reports", auth: "graph", perms: []string{"Reports.Read.All"}, cost: reportCost}, s.handleReport)
	h("GET /v1.0/copilot/reports/{fn}", endpoint{class: "reports", auth: "graph", perms: []string{"Reports.Read.All"}, cost: reportCost}, s.handleCopilotReport)
	h("GET /data/download/{token}", endpoint{class: "reportDownload"}, s.handleReportDownload)
	h("GET /v1.0/admin/reportSettings", endpoint{class: "reportSettings", auth: "graph", perms: []string{"ReportSettings.Read.All", "ReportSettings.ReadWrite.All"}}, s.handleReportSettings)
	h("PATCH /v1.0/admin/reportSettings", endpoint{class: "reportSettings", auth: "graph", perms: []string{"ReportSettings.ReadWrite.All"}}, s.handlePatchReportSettings)
	h("GET /v1.0/auditLogs/signIns", endpoint{class: "signIns", auth: "graph", perms: []string{"AuditLog.Read.All"}, cost: signInCost}, s.handleSignIns)
	h("POST /v1.0/$batch", endpoint{class: "batch", auth: "graph"}, s.handleBatch)
	// Dataverse.
	h("GET /dataverse/{org}/api/data/v9.2/{entity}", endpoint{class: "dataverse", auth: "dataverse", perms: []string{"Dataverse.ApplicationUser"}, cost: dataverseCost}, s.handleDataverse)
	// Simulator controls.
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.MarshalIndent(s.Stats(), "", "  ")
		writeJSON(w, 200, b)
	})
	mux.HandleFunc("POST /_sim/reset-stats", func(w http.ResponseWriter, r *http.Request) {
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/users/{id}/sign-in", func(w http.ResponseWriter, r *http.Request) {
		// A successful interactive sign-in now (tests: a user active
		// between plan and apply); ?outcome=failure records a failed
		// attempt instead (a failed sign-in is not activity).
		record := s.RecordSignIn
		switch r.URL.Query().Get("outcome") {
		case "", "success":
		case "failure":
			record = s.RecordFailedSignIn
		default:
			http.Error(w, "outcome: want success or failure", http.StatusBadRequest)
			return
		}
		if err := record(r.PathValue("id"), time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PATCH /_sim/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		// Directory attributes changed by an administrator (tests: a user
		// moved to another department between plan and apply).
		var a UserAttributes
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			http.Error(w, "body: want {\"department\", \"jobTitle\", \"country\"}: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.PatchUser(r.PathValue("id"), a); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/truth/{i}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.PathValue("i"))
		if err != nil || i < 0 || i >= s.t.n {
			http.Error(w, "no such user index", http.StatusNotFound)
			return
		}
		b, _ := json.Marshal(s.Truth(i))
		writeJSON(w, 200, b)
	})
	mux.Handle("/", s.wrap(endpoint{class: "unknown"}, func(w http.ResponseWriter, r *http.Request) {
		seg := strings.Trim(r.URL.Path, "/")
		if i := strings.LastIndexByte(seg, '/'); i >= 0 {
			seg = seg[i+1:]
		}
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg))
	}))
	return mux
}

// recorder captures the status for stats and can cut the body (DropRate).
type recorder struct {
	http.ResponseWriter
	status  int
	written int
	dropAt  int // > 0: abort the connection after this many body bytes
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	if r.dropAt > 0 && r.written+len(b) >= r.dropAt {
		n := r.dropAt - r.written
		r.ResponseWriter.Write(b[:n])
		if f, ok := r.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		// ErrAbortHandler makes net/http close the connection (HTTP/1.1) or
		// reset the stream (HTTP/2) without logging: a dropped connection.
		panic(http.ErrAbortHandler)
	}
	r.written += len(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type ctxKey int

const ctxToken ctxKey = 0

func (s *Server) wrap(ep endpoint, fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.reqNo.Add(1)
		rec := &recorder{ResponseWriter: w}
		reqID := guidFrom(hashOf(uint64(s.opts.Seed), saltRequest, uint64(n)), hashOf(uint64(n)))
		w.Header().Set("request-id", reqID)
		w.Header().Set("client-request-id", firstNonEmpty(r.Header.Get("client-request-id"), reqID))
		start := time.Now()
		defer func() {
			status := rec.status
			if status == 0 {
				status = 200
			}
			if p := recover(); p != nil {
				s.stats.record(ep.class, status)
				panic(p)
			}
			s.stats.record(ep.class, status)
			if s.opts.Logf != nil {
				s.opts.Logf("%s %s -> %d (%s, %s)", r.Method, r.URL.RequestURI(), status, ep.class, time.Since(start).Round(time.Microsecond))
			}
		}()
		if s.injectFault(rec, r, n) {
			return
		}
		if mode := s.tokenFaultFor(ep); mode != "" {
			s.injectTokenFault(rec, mode)
			return
		}
		if ep.auth != "" {
			tok, ok := s.authenticate(rec, r, ep)
			if !ok {
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), ctxToken, tok))
			if ep.perms != nil && !tok.hasAny(ep.perms) {
				s.denied(rec, r, ep)
				return
			}
		}
		if s.opts.Throttle && ep.cost != nil {
			bucket, units := ep.cost(r)
			ans := s.thr.take(bucket, units)
			if ans.Wait > 0 {
				s.throttled(rec, r, ep, ans.Wait, ans.Scope, ans.Info)
				return
			}
			if bucket == "directory" || bucket == "write" {
				rec.Header().Set("x-ms-resource-unit", strconv.Itoa(int(units)))
				if ans.Used > 0.8 {
					// Graph's early warning (throttling-limits.md,
					// "regular responses"): above 0.8 of a limit.
					rec.Header().Set("x-ms-throttle-limit-percentage", strconv.FormatFloat(ans.Used, 'f', 2, 64))
				}
			}
		}
		if mode := s.bodyFaultFor(ep, r); mode != "" {
			s.stats.fault("body_" + mode)
			fn(&bodyFaultWriter{ResponseWriter: rec, mode: mode}, r)
			return
		}
		fn(rec, r)
	})
}

func (s *Server) denied(w http.ResponseWriter, r *http.Request, ep endpoint) {
	if ep.auth == "dataverse" {
		dataverseError(w, http.StatusForbidden, "0x80072560", "The user is not a member of the organization.")
		return
	}
	s.graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

func (s *Server) throttled(w http.ResponseWriter, r *http.Request, ep endpoint, wait time.Duration, scope, info string) {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if ep.auth == "dataverse" {
		dataverseError(w, http.StatusTooManyRequests, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.")
		return
	}
	w.Header().Set("x-ms-throttle-scope", scope+"/"+s.opts.ClientID+"/"+s.opts.TenantID)
	w.Header().Set("x-ms-throttle-information", info)
	s.graphError(w, r, http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
}

// injectFault applies FailAfter, FaultRate, SlowRate and DropRate. Choices are
// a function of the seed and the request number, so a run is reproducible for
// a given request order.
func (s *Server) injectFault(rec *recorder, r *http.Request, n int64) bool {
	o := &s.opts
	if o.FailAfter > 0 && n > int64(o.FailAfter) {
		s.stats.fault("fail_after")
		if o.FailMode == "drop" {
			panic(http.ErrAbortHandler)
		}
		s.graphError(rec, r, http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable (simulated failure after FailAfter requests).")
		return true
	}
	if o.FaultRate <= 0 && o.SlowRate <= 0 && o.DropRate <= 0 {
		return false
	}
	fr := newRNG(uint64(o.Seed), saltFault, uint64(n))
	if fr.chance(o.FaultRate) {
		if fr.chance(0.5) {
			s.stats.fault("503")
			rec.Header().Set("Retry-After", "1")
			s.graphError(rec, r, http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Please retry.")
		} else {
			s.stats.fault("504")
			s.graphError(rec, r, http.StatusGatewayTimeout, "UnknownError", "Gateway timeout.")
		}
		return true
	}
	if fr.chance(o.SlowRate) {
		s.stats.fault("slow")
		select {
		case <-time.After(o.SlowDelay):
		case <-r.Context().Done():
		}
	}
	if fr.chance(o.DropRate) {
		s.stats.fault("drop")
		rec.dropAt = 1 + fr.intn(200)
	}
	return false
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var errNotFound = errors.New("not found")
