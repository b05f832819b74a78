package act

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/reclaimhq/reclaim/stages/extract/graphapi"
)

// NewGraphAPIDirectory is the production Directory: GraphDirectory's
// requests sent through the shared Graph client of the extract stage
// (azidentity with secrets or certificates, per-class concurrency and rate
// limits, Retry-After). Reads go in the directory class; changes in the
// write class as non-idempotent calls, which that client retries only on
// 429 — an ambiguous failure comes back to the engine, which re-reads.
func NewGraphAPIDirectory(api *graphapi.API) *GraphDirectory {
	base := strings.TrimSuffix(api.Base(), "/v1.0")
	return &GraphDirectory{BaseURL: base, Transport: func(ctx context.Context, method, path string, in, out any) error {
		p := strings.TrimPrefix(path, "/v1.0")
		var err error
		switch method {
		case http.MethodGet:
			err = api.GetJSON(ctx, graphapi.ClassDirectory, p, nil, out)
		case http.MethodPost:
			err = api.PostJSON(ctx, graphapi.ClassWrite, p, in, out, false)
		default:
			var resp *http.Response
			resp, err = api.Do(ctx, graphapi.Request{Class: graphapi.ClassWrite, Method: method, Path: p, NonIdempotent: true})
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		var ge *graphapi.Error
		if errors.As(err, &ge) {
			// The engine decides on status and message (IsAmbiguous,
			// IsGroupInherited, ErrNotFound); keep the client's wording.
			return &GraphError{Status: ge.Status, Code: ge.Code, Message: ge.Message, Detail: err.Error()}
		}
		return err
	}}
}
