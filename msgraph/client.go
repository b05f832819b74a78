// Package msgraph is reclaim's one HTTP client for Microsoft's APIs —
// Microsoft Graph and the Dataverse Web API — used by the extract stages,
// apply and undo (live re-reads, assignLicense, group membership) and
// `validate --connect`. It owns retries that honour Retry-After, a
// concurrency cap and rate per throttling class, OData paging, report
// downloads, the outage bound, token handling (a refusal is asked once), the
// decoding of a Graph user (User, the one rule for which sign-in timestamps
// are activity) and errors a person can act on.
//
// It is a leaf: it has its own Credentials (secrets stay secret.Secret) and
// imports no config; the profile → Options conversion belongs to the wiring
// (cmd/reclaim). Token credentials come from an Authenticator: the
// azidentity one is in msgraph/azcred, so that packages which only pass a
// Client around do not link the Azure identity SDK.
//
// Lifecycle: New once per profile; Graph() and Dataverse(url) hand out cheap
// API values bound to a base URL and a token scope (one per service: adding
// a Microsoft API is a Class and a service); every call takes a context and
// stops when it is cancelled. A Client is safe for concurrent use.
package msgraph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/time/rate"

	"github.com/reclaimhq/reclaim/pipeline/version"
)

// Class groups endpoints that share a Microsoft throttling budget. Each class
// has its own concurrency cap and token-bucket rate.
type Class string

const (
	ClassDirectory Class = "directory"  // users, subscribedSkus, groups, reportSettings
	ClassReports   Class = "reports"    // usage reports (14 per 10 min per report API)
	ClassAuditLogs Class = "audit_logs" // auditLogs/signIns (5 per 10 s)
	ClassDataverse Class = "dataverse"  // Dataverse Web API
	ClassWrite     Class = "write"      // assignLicense and other writes
)

// Limit is one class's budget. Zero fields take the class default.
type Limit struct {
	Concurrency int        // requests in flight at once
	Rate        rate.Limit // sustained requests per second
	Burst       int        // requests allowed at once after idling
}

// DefaultLimits stay under Microsoft's documented limits for one app and one
// tenant (graph-api-detail.md §4.4, §5, §7) with room for other tools.
func DefaultLimits() map[Class]Limit {
	return map[Class]Limit{
		ClassDirectory: {Concurrency: 4, Rate: 50, Burst: 20},
		ClassReports:   {Concurrency: 2, Rate: rate.Every(10 * time.Minute / 14), Burst: 14},
		ClassAuditLogs: {Concurrency: 1, Rate: rate.Every(10 * time.Second / 5), Burst: 5},
		ClassDataverse: {Concurrency: 4, Rate: 20, Burst: 10},
		ClassWrite:     {Concurrency: 4, Rate: 10, Burst: 10},
	}
}

// RetryPolicy bounds retries. Zero fields take defaults.
type RetryPolicy struct {
	MaxAttempts int           // default 8, counting the first
	BaseDelay   time.Duration // default 1s; doubles per attempt when no Retry-After
	MaxDelay    time.Duration // default 60s cap for computed backoff
	// MaxRetryAfter caps a server's Retry-After (default 5 min); a longer
	// wait fails the call rather than stall the run.
	MaxRetryAfter time.Duration
	// MaxRetryTime bounds an outage (default 5 min): once every request of
	// the client has failed (transport errors, 5xx, malformed answers) for
	// this long, retrying stops and each failing call returns an
	// *OutageError, so a run against a service that is down ends in about
	// this time instead of each call exhausting its attempts. Any answer —
	// a success, a 4xx, a 429 — ends the outage.
	MaxRetryTime time.Duration
}

// DefaultMaxRetryTime is RetryPolicy.MaxRetryTime's default.
const DefaultMaxRetryTime = 5 * time.Minute

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 8
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 60 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 5 * time.Minute
	}
	if p.MaxRetryTime <= 0 {
		p.MaxRetryTime = DefaultMaxRetryTime
	}
	return p
}

// Options configure a Client. Profile names the profile in every error.
type Options struct {
	Profile     string
	TenantID    string
	Credentials Credentials
	// DataverseCredentials are the app identities of Dynamics environments
	// that do not use Credentials, by environment URL.
	DataverseCredentials map[string]Credentials
	// Authenticator makes the token credentials (required;
	// msgraph/azcred.Authenticate in production).
	Authenticator Authenticator
	// GraphEndpoint and LoginEndpoint are required: the config fills in the
	// public cloud's (graph_endpoint, login_endpoint).
	GraphEndpoint string // e.g. https://graph.microsoft.com
	LoginEndpoint string // e.g. https://login.microsoftonline.com
	CAFile        string // extra trusted roots (PEM)

	Limits map[Class]Limit // nil: DefaultLimits; missing classes take defaults
	Retry  RetryPolicy
	Logger hclog.Logger // nil: no logs
	// RequestTimeout bounds one JSON call, retries and their waits included
	// (default 15 min); each response must start within 2 minutes. Report
	// downloads are bounded by the context only.
	RequestTimeout time.Duration
}

// Client talks to one tenant. See the package doc for its lifecycle.
type Client struct {
	opts    Options
	http    *http.Client
	log     hclog.Logger
	retry   RetryPolicy
	classes map[Class]*classLimiter

	graph *API

	mu   sync.Mutex
	apis map[string]*API // the Dataverse APIs made so far, by environment URL

	// failingSince is when the current run of failures began (UnixNano; 0:
	// the last request got an answer). See RetryPolicy.MaxRetryTime.
	failingSince atomic.Int64
}

// OutageError is returned once the service has failed every request for
// RetryPolicy.MaxRetryTime (For). Err is the last failure.
type OutageError struct {
	Service string
	For     time.Duration
	Err     error
}

func (e *OutageError) Error() string {
	return fmt.Sprintf("%s: no request has succeeded for %s (the max retry time): the service or the network is down; last error: %v",
		e.Service, e.For, e.Err)
}

func (e *OutageError) Unwrap() error { return e.Err }

// SharedCause is the part of err that every call of the client shares — a
// token refusal or an outage — for a run to report once; "" otherwise.
func SharedCause(err error) string {
	var ae *AuthError
	var oe *OutageError
	switch {
	case errors.As(err, &oe):
		return fmt.Sprintf("%s: no request has succeeded for %s (the max retry time): the service or the network is down", oe.Service, oe.For)
	case errors.As(err, &ae) && (ae.Code != "" || (ae.Status >= 400 && ae.Status < 500) || isCertificateError(ae)):
		return ae.Error()
	}
	return ""
}

// succeeded records an answer: the outage, if any, is over.
func (c *Client) succeeded() { c.failingSince.Store(0) }

// pause waits before a retry of a call that failed with cause. It refuses
// (an *OutageError) once requests have been failing for MaxRetryTime, and
// shortens the wait so the refusal comes on time.
func (a *API) pause(ctx context.Context, st *Stats, wait time.Duration, cause error) error {
	c := a.c
	now := time.Now()
	c.failingSince.CompareAndSwap(0, now.UnixNano())
	since := now.Sub(time.Unix(0, c.failingSince.Load()))
	if since >= c.retry.MaxRetryTime {
		return &OutageError{Service: a.service, For: c.retry.MaxRetryTime, Err: cause}
	}
	if left := c.retry.MaxRetryTime - since; wait > left {
		wait = left
	}
	c.log.Debug("retrying", "service", a.service, "wait", wait, "error", cause)
	st.Retries.Add(1)
	st.WaitedNanos.Add(int64(wait))
	// time.After's timer is collected when unreferenced (Go 1.23+).
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

type classLimiter struct {
	sem  chan struct{}
	pace *pace
}

// New builds a Client. It does not contact Microsoft: the first call gets the
// first token.
func New(o Options) (*Client, error) {
	if o.GraphEndpoint == "" || o.LoginEndpoint == "" {
		return nil, fmt.Errorf("profile %q: graph_endpoint and login_endpoint are required", o.Profile)
	}
	if o.Authenticator == nil {
		return nil, fmt.Errorf("profile %q: no Authenticator (msgraph/azcred.Authenticate)", o.Profile)
	}
	o.GraphEndpoint = strings.TrimSuffix(o.GraphEndpoint, "/")
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 15 * time.Minute
	}
	hc, err := httpClient(o.CAFile, 0)
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w", o.Profile, err)
	}
	log := o.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	c := &Client{opts: o, http: hc, log: log, retry: o.Retry.withDefaults(),
		classes: map[Class]*classLimiter{}, apis: map[string]*API{}}
	lims := DefaultLimits()
	for cl, l := range o.Limits {
		d := lims[cl]
		if l.Concurrency > 0 {
			d.Concurrency = l.Concurrency
		}
		if l.Rate > 0 {
			d.Rate = l.Rate
		}
		if l.Burst > 0 {
			d.Burst = l.Burst
		}
		lims[cl] = d
	}
	for cl, l := range lims {
		c.classes[cl] = &classLimiter{sem: make(chan struct{}, l.Concurrency), pace: newPace(l)}
	}
	c.graph, err = c.newAPI(service{name: "Microsoft Graph", base: o.GraphEndpoint + "/v1.0", scope: o.GraphEndpoint + "/.default"}, o.Credentials)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// service is one Microsoft API of the client: its name in errors, the base
// URL paths are resolved against and the token scope. Its requests name
// their throttling Class. Adding an API (Power BI) is a service value, a
// Class with its DefaultLimits, and a method handing out its API.
type service struct{ name, base, scope string }

// newAPI builds the API of svc, authenticated as creds.
func (c *Client) newAPI(svc service, creds Credentials) (*API, error) {
	req := CredentialRequest{Profile: c.opts.Profile, TenantID: c.opts.TenantID, LoginEndpoint: c.opts.LoginEndpoint,
		Credentials: creds, HTTP: c.http}
	if err := req.check(); err != nil {
		return nil, err
	}
	newCred, err := c.opts.Authenticator(req)
	if err != nil {
		return nil, err
	}
	return &API{c: c, base: svc.base, service: svc.name,
		tokens: &tokenSource{profile: c.opts.Profile, scope: svc.scope, clientID: creds.ClientID, tenantID: c.opts.TenantID, auth: creds.Auth, newCred: newCred}}, nil
}

// Graph is the Microsoft Graph v1.0 API of the tenant.
func (c *Client) Graph() *API { return c.graph }

// Dataverse is the Web API (v9.2) of one Dynamics 365 environment, with a
// token for envURL/.default, authenticated as Options.DataverseCredentials
// names for it, else as the profile.
func (c *Client) Dataverse(envURL string) (*API, error) {
	envURL = strings.TrimSuffix(envURL, "/")
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.apis[envURL]; ok {
		return a, nil
	}
	cr := c.opts.Credentials
	for u, dc := range c.opts.DataverseCredentials {
		if strings.TrimSuffix(u, "/") == envURL {
			cr = dc
		}
	}
	a, err := c.newAPI(service{name: "Dataverse " + envURL, base: envURL + "/api/data/v9.2", scope: envURL + "/.default"}, cr)
	if err != nil {
		return nil, err
	}
	c.apis[envURL] = a
	return a, nil
}

var userAgent = "reclaim/" + version.Version

// limiter is class cl's limiter (the directory's for an unknown class).
func (c *Client) limiter(cl Class) *classLimiter {
	if l := c.classes[cl]; l != nil {
		return l
	}
	return c.classes[ClassDirectory]
}

// acquire waits for a concurrency slot and a rate token of class cl.
func (c *Client) acquire(ctx context.Context, cl Class) (release func(), err error) {
	l := c.limiter(cl)
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := l.pace.lim.Wait(ctx); err != nil {
		<-l.sem
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return func() { <-l.sem }, nil
}
