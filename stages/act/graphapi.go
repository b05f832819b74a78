package act

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/reclaimhq/reclaim/msgraph"
)

// NewGraphAPIDirectory is the production Directory: GraphDirectory's
// requests sent through the shared Graph client of the extract stage
// (azidentity with secrets or certificates, per-class concurrency and rate
// limits, Retry-After). Reads go in the directory class; changes in the
// write class as non-idempotent calls, which that client retries only on
// 429 — an ambiguous failure comes back to the engine, which re-reads.
func NewGraphAPIDirectory(api *msgraph.API) *GraphDirectory {
	base := strings.TrimSuffix(api.Base(), "/v1.0")
	return &GraphDirectory{BaseURL: base, Transport: func(ctx context.Context, method, path string, in, out any) error {
		p := strings.TrimPrefix(path, "/v1.0")
		var err error
		switch method {
		case http.MethodGet:
			err = api.GetJSON(ctx, msgraph.ClassDirectory, p, nil, out)
		case http.MethodPost:
			err = api.PostJSON(ctx, msgraph.ClassWrite, p, in, out, false)
		default:
			var resp *http.Response
			resp, err = api.Do(ctx, msgraph.Request{Class: msgraph.ClassWrite, Method: method, Path: p, NonIdempotent: true})
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		var ge *msgraph.Error
		if errors.As(err, &ge) {
			// The engine decides on status and message (IsAmbiguous,
			// IsGroupInherited, ErrNotFound); keep the client's wording.
			return &GraphError{Status: ge.Status, Code: ge.Code, Message: ge.Message, Detail: err.Error()}
		}
		return err
	}}
}

// AuthFailedError stops apply or undo at the first authentication failure
// (a token Microsoft refuses, or a 401 after a fresh token): every further
// action would fail the same way, so none is tried. The action that met it
// is journalled as failed and is retried by the next run.
type AuthFailedError struct{ Err error }

func (e *AuthFailedError) Error() string {
	return "stopped at the first authentication failure, no further action was tried: " + e.Err.Error() +
		"; fix the profile's credentials, then run the same command again (finished actions are not repeated)"
}

func (e *AuthFailedError) Unwrap() error { return e.Err }

// isAuthFailure: the credential, not the action, is at fault. The shared
// client has already refreshed the token once on a 401.
func isAuthFailure(err error) bool {
	var ae *msgraph.AuthError
	var ge *GraphError
	return errors.As(err, &ae) || (errors.As(err, &ge) && ge.Status == http.StatusUnauthorized)
}

// stopOnAuth turns a journalled outcome into a stop of the run.
func stopOnAuth(o Outcome, jerr error) func(error) (Outcome, error) {
	return func(err error) (Outcome, error) {
		if jerr != nil {
			return o, jerr
		}
		return o, &AuthFailedError{Err: err}
	}
}
