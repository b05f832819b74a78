package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// page is one OData collection page.
type page struct {
	Value    []json.RawMessage `json:"value"`
	NextLink string            `json:"@odata.nextLink"`
}

// complete rejects a page without value ({} or "value": null): Graph and
// Dataverse always send value, [] when empty, so a page without it is a
// broken answer, never the end of the collection.
func (p *page) complete() error {
	if p.Value == nil {
		return errors.New(`a collection page without "value"`)
	}
	return nil
}

// Pages GETs path and every @odata.nextLink after it, calling fn with each
// page's items in order. A page is fetched and decoded whole before fn sees
// it, so a page that fails half-way is retried without handing out any of its
// items twice; memory holds one page. hdr is sent on every page (Graph does
// not carry ConsistencyLevel or Prefer over to nextLinks). Paging stops only
// when nextLink is absent: empty pages with a nextLink are followed.
func (a *API) Pages(ctx context.Context, cl Class, path string, hdr http.Header, fn func(items []json.RawMessage) error) error {
	next := a.resolve(path)
	baseURL, err := url.Parse(a.base)
	if err != nil {
		return err
	}
	st := statsOf(ctx)
	seen := map[string]bool{}
	for next != "" {
		nu, err := url.Parse(next)
		if err != nil || nu.Host != baseURL.Host {
			// Never send the bearer token to a host it was not issued for.
			return fmt.Errorf("%s: nextLink %q is not on %s", a.service, next, baseURL.Host)
		}
		if seen[next] {
			return fmt.Errorf("%s: nextLink repeats itself (%s): the service is looping", a.service, pathOf(next))
		}
		seen[next] = true
		var pg page
		if err := a.jsonCall(ctx, Request{Class: cl, Path: next, Header: hdr}, &pg); err != nil {
			return err
		}
		st.Pages.Add(1)
		if err := fn(pg.Value); err != nil {
			return err
		}
		next = pg.NextLink
	}
	return nil
}

// Download GETs a report: Graph answers 302 with a short-lived,
// pre-authenticated URL, which is fetched WITHOUT the bearer token (it is for
// another host and must not leak there). The body is written to dst,
// truncated first; a download that fails half-way is started again from the
// report request (the old URL may have expired). A 200 answer with the body
// inline (JSON formats, some clouds) is accepted too.
func (a *API) Download(ctx context.Context, cl Class, path string, dst *os.File) (int64, error) {
	pol := a.c.retry
	st := statsOf(ctx)
	var lastErr error
	for attempt := 1; attempt <= pol.MaxAttempts; attempt++ {
		if attempt > 1 {
			if err := a.pause(ctx, st, backoff(pol, attempt-1), lastErr); err != nil {
				return 0, err
			}
		}
		resp, err := a.Do(ctx, Request{Class: cl, Path: path, Header: http.Header{"Accept": {"*/*"}}})
		if err != nil {
			return 0, err // Do already retried what can be retried
		}
		body := resp.Body
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			resp.Body.Close()
			loc, err := resp.Location()
			if err != nil {
				return 0, fmt.Errorf("%s GET %s: redirect without a usable Location: %v", a.service, pathOf(a.resolve(path)), err)
			}
			dr, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
			if err != nil {
				return 0, err
			}
			dr.Header.Set("User-Agent", userAgent)
			st.Requests.Add(1)
			dresp, err := a.c.http.Do(dr)
			if err != nil {
				if ctx.Err() != nil {
					return 0, ctx.Err()
				}
				lastErr = fmt.Errorf("downloading report %s: %w", pathOf(a.resolve(path)), err)
				continue
			}
			if dresp.StatusCode != http.StatusOK {
				io.Copy(io.Discard, io.LimitReader(dresp.Body, 4096))
				dresp.Body.Close()
				lastErr = fmt.Errorf("downloading report %s: HTTP %d from the download URL", pathOf(a.resolve(path)), dresp.StatusCode)
				if dresp.StatusCode == http.StatusTooManyRequests {
					st.ThrottledWaits.Add(1)
				}
				continue
			}
			body = dresp.Body
		}
		if err := dst.Truncate(0); err != nil {
			body.Close()
			return 0, err
		}
		if _, err := dst.Seek(0, io.SeekStart); err != nil {
			body.Close()
			return 0, err
		}
		n, err := io.Copy(dst, body)
		body.Close()
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			lastErr = fmt.Errorf("downloading report %s: connection lost after %d bytes: %w", pathOf(a.resolve(path)), n, err)
			continue
		}
		st.Pages.Add(1)
		a.c.succeeded()
		return n, nil
	}
	return 0, fmt.Errorf("giving up after %d attempts: %w", pol.MaxAttempts, lastErr)
}
