package msgraph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// API is one service (Graph, or one Dataverse environment) with its token
// scope. Paths given to its methods are relative to its base
// ("/users?$select=id") or absolute URLs (nextLinks).
type API struct {
	c       *Client
	base    string
	service string
	tokens  *tokenSource
}

// Base is the URL paths are resolved against.
func (a *API) Base() string { return a.base }

// Stats counts what calls made with a context carrying them did. Safe for
// concurrent use; the zero value is ready.
type Stats struct {
	Requests       atomic.Int64 // HTTP requests sent, retries included
	Pages          atomic.Int64 // pages (or downloads) completed
	Retries        atomic.Int64 // requests repeated after a transient failure
	ThrottledWaits atomic.Int64 // 429 answers waited out
	WaitedNanos    atomic.Int64 // time spent waiting before retries
}

type statsKey struct{}

// WithStats makes calls under ctx count into s.
func WithStats(ctx context.Context, s *Stats) context.Context {
	return context.WithValue(ctx, statsKey{}, s)
}

func statsOf(ctx context.Context) *Stats {
	if s, ok := ctx.Value(statsKey{}).(*Stats); ok {
		return s
	}
	return &Stats{}
}

// Error is an unsuccessful answer from Graph or Dataverse.
type Error struct {
	Service string
	Method  string
	Path    string // without query string
	Status  int
	Code    string // Graph error.code / Dataverse hex code
	Message string
	// Permission is what the app most likely lacks, for a 403.
	Permission string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s %s: HTTP %d", e.Service, e.Method, e.Path, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Permission != "" {
		s += " (the app needs " + e.Permission + ")"
	}
	return s
}

// IsStatus reports whether err is an *Error with that HTTP status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// Request is one call. Body is re-sent on every attempt.
type Request struct {
	Class  Class
	Method string // default GET
	Path   string
	Header http.Header
	Body   []byte
	// Idempotent calls are retried on any transient failure. A
	// non-idempotent call (assignLicense) is retried only on 429, which
	// Microsoft answers before doing anything; on 5xx or a dropped
	// connection the outcome is unknown and the error is returned.
	NonIdempotent bool
}

func (a *API) resolve(p string) string {
	if strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
		return p
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return a.base + p
}

// Do sends req with retries and returns the successful (2xx or 3xx)
// response; the caller closes its body. Non-2xx/3xx answers become *Error.
func (a *API) Do(ctx context.Context, req Request) (*http.Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	u := a.resolve(req.Path)
	pol := a.c.retry
	st := statsOf(ctx)
	refreshed := false
	for attempt := 1; ; attempt++ {
		resp, err := a.once(ctx, req, u, st)
		if err == nil {
			a.c.limiter(req.Class).pace.observe(resp.StatusCode, resp.Header, time.Now())
		}
		var wait time.Duration
		var retry bool
		switch {
		case err == nil && resp.StatusCode < 400:
			if resp.StatusCode == http.StatusNoContent || resp.StatusCode >= 300 {
				// Nothing left to check: the service answered. Bodies are
				// judged by the caller (jsonCall, Download).
				a.c.succeeded()
			}
			return resp, nil
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ae *AuthError
			if errors.As(err, &ae) {
				return nil, err
			}
			// A dropped connection: safe to repeat only if repeating cannot
			// do the thing twice.
			retry = !req.NonIdempotent
			err = fmt.Errorf("%s %s %s: %w", a.service, req.Method, pathOf(u), err)
		default:
			apiErr := a.readError(resp, req.Method, u)
			err = apiErr
			if resp.StatusCode < 500 {
				// An answer, even a refusal: the service is up.
				a.c.succeeded()
			}
			switch resp.StatusCode {
			case http.StatusUnauthorized:
				// An expired or revoked token: get a fresh one, once.
				if !refreshed && (apiErr.Code == "" || strings.EqualFold(apiErr.Code, "InvalidAuthenticationToken")) {
					refreshed = true
					a.tokens.invalidate(resp.Request.Header.Get("Authorization")[len("Bearer "):])
					a.c.log.Debug("token rejected, getting a new one", "service", a.service)
					attempt-- // a token refresh is not a retry of a failure
					continue
				}
			case http.StatusTooManyRequests:
				retry = true
				st.ThrottledWaits.Add(1)
				wait = retryAfter(resp.Header.Get("Retry-After"))
				if wait > pol.MaxRetryAfter {
					return nil, fmt.Errorf("%w (Retry-After %s exceeds the %s limit)", err, wait, pol.MaxRetryAfter)
				}
			case http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusBadGateway, http.StatusInternalServerError:
				retry = !req.NonIdempotent
				wait = retryAfter(resp.Header.Get("Retry-After"))
			}
		}
		if !retry || attempt >= pol.MaxAttempts {
			if retry {
				return nil, fmt.Errorf("giving up after %d attempts: %w", attempt, err)
			}
			return nil, err
		}
		if wait <= 0 {
			wait = backoff(pol, attempt)
		}
		if err := a.pause(ctx, st, wait, err); err != nil {
			return nil, err
		}
	}
}

// once sends one attempt, under the class limits.
func (a *API) once(ctx context.Context, req Request, u string, st *Stats) (*http.Response, error) {
	release, err := a.c.acquire(ctx, req.Class)
	if err != nil {
		return nil, err
	}
	defer release()
	tok, err := a.token(ctx, st)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	hr.Header.Set("Authorization", "Bearer "+tok)
	hr.Header.Set("User-Agent", userAgent)
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if req.Body != nil && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	st.Requests.Add(1)
	return a.c.http.Do(hr)
}

// readError decodes a Graph ({"error":{"code","message"}}) or Dataverse
// error body and closes it.
func (a *API) readError(resp *http.Response, method, u string) *Error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &Error{Service: a.service, Method: method, Path: pathOf(u), Status: resp.StatusCode}
	var ge struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &ge) == nil {
		e.Code, e.Message = ge.Error.Code, ge.Error.Message
	}
	if e.Message == "" && len(body) > 0 && len(body) < 300 && !bytes.ContainsAny(body, "{<") {
		e.Message = strings.TrimSpace(string(body))
	}
	if resp.StatusCode == http.StatusForbidden {
		e.Permission = PermissionFor(a.service, method, u)
	}
	return e
}

// PermissionFor names the least-privileged application permission a call
// needs, for messages about a 403.
func PermissionFor(service, method, rawURL string) string {
	p := pathOf(rawURL)
	q := ""
	if pu, err := url.Parse(rawURL); err == nil {
		q = pu.RawQuery
	}
	if strings.HasPrefix(service, "Dataverse") {
		return "an application user in the environment with a security role granting read on systemuser and prvReadAuditSummary"
	}
	switch {
	case strings.Contains(p, "/assignLicense"):
		return "LicenseAssignment.ReadWrite.All"
	case strings.Contains(p, "/users") && strings.Contains(q, "signInActivity"):
		return "AuditLog.Read.All (and Entra ID P1 or P2)"
	case strings.Contains(p, "/users"):
		return "User.Read.All"
	case strings.Contains(p, "/subscribedSkus"), strings.Contains(p, "/directory/subscriptions"):
		return "Organization.Read.All"
	case strings.Contains(p, "/admin/reportSettings"):
		return "ReportSettings.Read.All"
	case strings.Contains(p, "/reports/"):
		return "Reports.Read.All"
	case strings.Contains(p, "/auditLogs/"):
		return "AuditLog.Read.All (and Entra ID P1 or P2)"
	case strings.Contains(p, "/groups"):
		return "GroupMember.Read.All"
	}
	return ""
}

func pathOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Path
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// retryAfter parses seconds or an HTTP date; 0 when absent or unparsable.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// backoff is capped exponential backoff with full jitter over [d/2, d].
func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.BaseDelay << (attempt - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// GetJSON GETs path and decodes the JSON body into out.
func (a *API) GetJSON(ctx context.Context, cl Class, path string, hdr http.Header, out any) error {
	return a.jsonCall(ctx, Request{Class: cl, Path: path, Header: hdr}, out)
}

// PostJSON POSTs in as JSON and decodes the answer into out (nil: discard).
// idempotent false means retry only on 429 (see Request.NonIdempotent).
func (a *API) PostJSON(ctx context.Context, cl Class, path string, in, out any, idempotent bool) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return a.jsonCall(ctx, Request{Class: cl, Method: http.MethodPost, Path: path, Body: b, NonIdempotent: !idempotent}, out)
}

// Delete sends a DELETE and discards the answer. It is retried only on 429
// (see Request.NonIdempotent): a second DELETE of what the first removed
// answers 404, which would hide that the first one worked.
func (a *API) Delete(ctx context.Context, cl Class, path string) error {
	resp, err := a.Do(ctx, Request{Class: cl, Method: http.MethodDelete, Path: path, NonIdempotent: true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// jsonCall does req and decodes the body. A body that fails mid-read (a
// dropped connection), is empty, is not JSON, or lacks what out requires
// (see completer) is a malformed answer: for idempotent calls it is retried
// like a 5xx, as a whole; then it is a *MalformedError. Never is such an
// answer taken as an empty result. A 204, or out == nil, needs no body.
func (a *API) jsonCall(ctx context.Context, req Request, out any) error {
	pol := a.c.retry
	st := statsOf(ctx)
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	for attempt := 1; ; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestTimeout)
		resp, err := a.Do(rctx, req)
		if err != nil {
			cancel()
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		var bad error
		switch {
		case err != nil:
			bad = fmt.Errorf("reading response: %w", err)
		case out == nil || resp.StatusCode == http.StatusNoContent:
			return nil
		case len(bytes.TrimSpace(body)) == 0:
			bad = errors.New("HTTP " + strconv.Itoa(resp.StatusCode) + " with an empty body where JSON was expected")
		default:
			if err := json.Unmarshal(body, out); err != nil {
				bad = err
			} else if c, ok := out.(completer); ok {
				bad = c.complete()
			}
		}
		if bad == nil {
			a.c.succeeded()
			return nil
		}
		merr := &MalformedError{Service: a.service, Method: req.Method, Path: pathOf(a.resolve(req.Path)), Err: bad}
		if req.NonIdempotent {
			return merr
		}
		if attempt >= pol.MaxAttempts {
			return fmt.Errorf("giving up after %d attempts: %w", attempt, merr)
		}
		if err := a.pause(ctx, st, backoff(pol, attempt), merr); err != nil {
			return err
		}
	}
}

// completer is implemented by decoded shapes that can tell a whole answer
// from a truncated one (a collection page must carry value).
type completer interface{ complete() error }

// MalformedError is a 2xx answer whose body is not the JSON expected: empty,
// cut short, not JSON, or a collection page without value.
type MalformedError struct {
	Service, Method, Path string
	Err                   error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("%s %s %s: malformed response: %v", e.Service, e.Method, e.Path, e.Err)
}
func (e *MalformedError) Unwrap() error { return e.Err }
