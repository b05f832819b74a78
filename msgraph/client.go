// Package msgraph is reclaim's one HTTP client for Microsoft Graph and the
// Dataverse Web API: authentication (azidentity, client secret or
// certificate), retries that honour Retry-After, per-endpoint-class
// concurrency and rate limits, OData paging, and errors a person can act on.
// The extract stages read through it and the act stage reuses it for live
// re-reads and assignLicense.
//
// Lifecycle: New (or NewFromProfile) once per profile; Graph() and
// Dataverse(url) hand out cheap API values bound to a token scope; every
// call takes a context and stops when it is cancelled. A Client is safe for
// concurrent use.
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

	"github.com/reclaimhq/reclaim/pipeline/config"
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
	Profile       string
	TenantID      string
	Credentials   config.Credentials
	GraphEndpoint string // default https://graph.microsoft.com
	LoginEndpoint string // default https://login.microsoftonline.com
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

	mu        sync.Mutex
	dataverse map[string]*API

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
	sem chan struct{}
	lim *rate.Limiter
}

// NewFromProfile builds a Client from a profile's settings.
func NewFromProfile(p *config.Profile, limits map[Class]Limit, retry RetryPolicy, log hclog.Logger) (*Client, error) {
	return New(Options{
		Profile: p.Name, TenantID: p.TenantID, Credentials: p.Credentials,
		GraphEndpoint: p.GraphEndpoint, LoginEndpoint: p.LoginEndpoint, CAFile: p.CAFile,
		Limits: limits, Retry: retry, Logger: log,
	})
}

// New builds a Client. It does not contact Microsoft: the first call gets the
// first token.
func New(o Options) (*Client, error) {
	if o.GraphEndpoint == "" {
		o.GraphEndpoint = config.DefaultGraphEndpoint
	}
	o.GraphEndpoint = strings.TrimSuffix(o.GraphEndpoint, "/")
	if o.LoginEndpoint == "" {
		o.LoginEndpoint = config.DefaultLoginEndpoint
	}
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
		classes: map[Class]*classLimiter{}, dataverse: map[string]*API{}}
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
		c.classes[cl] = &classLimiter{sem: make(chan struct{}, l.Concurrency), lim: rate.NewLimiter(l.Rate, l.Burst)}
	}
	newCred, err := credentialFactory(o.Profile, o.TenantID, o.LoginEndpoint, o.Credentials, hc)
	if err != nil {
		return nil, err
	}
	c.graph = &API{c: c, base: o.GraphEndpoint + "/v1.0", service: "Microsoft Graph",
		tokens: &tokenSource{profile: o.Profile, scope: o.GraphEndpoint + "/.default", clientID: o.Credentials.ClientID, tenantID: o.TenantID, newCred: newCred}}
	return c, nil
}

// Graph is the Microsoft Graph v1.0 API of the tenant.
func (c *Client) Graph() *API { return c.graph }

// Dataverse is the Web API (v9.2) of one Dynamics 365 environment, with a
// token for envURL/.default. creds nil means the profile's credentials.
func (c *Client) Dataverse(envURL string, creds *config.Credentials) (*API, error) {
	envURL = strings.TrimSuffix(envURL, "/")
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.dataverse[envURL]; ok {
		return a, nil
	}
	cr := c.opts.Credentials
	if creds != nil {
		cr = *creds
	}
	newCred, err := credentialFactory(c.opts.Profile, c.opts.TenantID, c.opts.LoginEndpoint, cr, c.http)
	if err != nil {
		return nil, err
	}
	a := &API{c: c, base: envURL + "/api/data/v9.2", service: "Dataverse " + envURL,
		tokens: &tokenSource{profile: c.opts.Profile, scope: envURL + "/.default", clientID: cr.ClientID, tenantID: c.opts.TenantID, newCred: newCred}}
	c.dataverse[envURL] = a
	return a, nil
}

var userAgent = "reclaim/" + version.Version

// acquire waits for a concurrency slot and a rate token of class cl.
func (c *Client) acquire(ctx context.Context, cl Class) (release func(), err error) {
	l := c.classes[cl]
	if l == nil {
		l = c.classes[ClassDirectory]
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := l.lim.Wait(ctx); err != nil {
		<-l.sem
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return func() { <-l.sem }, nil
}
