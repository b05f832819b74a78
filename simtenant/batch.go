package simtenant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// JSON batching (concepts/json-batching.md): at most 20 requests, unique ids,
// relative URLs without the version, dependsOn sequencing with 424 when a
// dependency failed, and each sub-request authorised, throttled and counted
// on its own (a sub-request can be 429 inside a 200 batch).

const maxBatch = 20

type batchRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

// bufferWriter records a sub-request's response.
type bufferWriter struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.h }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = 200
	}
	return b.buf.Write(p)
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Requests []batchRequest `json:"requests"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&body); err != nil {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
		return
	}
	if len(body.Requests) == 0 || len(body.Requests) > maxBatch {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload: a batch holds 1 to %d requests.", maxBatch))
		return
	}
	seen := map[string]bool{}
	for _, br := range body.Requests {
		if br.ID == "" || br.Method == "" || br.URL == "" {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Each batch request needs 'id', 'method' and 'url'.")
			return
		}
		if seen[br.ID] {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Batch request ids must be unique: '"+br.ID+"' repeats.")
			return
		}
		seen[br.ID] = true
		if strings.Contains(br.URL, "://") {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Batch request urls must be relative, e.g. /users.")
			return
		}
		if len(br.Body) > 0 && !hasHeader(br.Headers, "Content-Type") {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Batch request '"+br.ID+"' has a body but no Content-Type header.")
			return
		}
		for _, d := range br.DependsOn {
			if !seen[d] {
				s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Batch request '"+br.ID+"' depends on unknown or later request '"+d+"'.")
				return
			}
		}
	}
	status := map[string]int{}
	out := []byte(`{"responses":[`)
	for n, br := range body.Requests {
		if n > 0 {
			out = append(out, ',')
		}
		failedDep := false
		for _, d := range br.DependsOn {
			if status[d] >= 400 {
				failedDep = true
			}
		}
		o := newObj(out)
		o.str("id", br.ID)
		if failedDep {
			status[br.ID] = http.StatusFailedDependency
			o.integer("status", http.StatusFailedDependency)
			o.raw("body", []byte(`{"error":{"code":"FailedDependency","message":"The request could not be executed because a request it depends on failed."}}`))
			out = o.close()
			continue
		}
		u := "/v1.0/" + strings.TrimPrefix(br.URL, "/")
		sub, err := http.NewRequestWithContext(r.Context(), strings.ToUpper(br.Method), u, bytes.NewReader(br.Body))
		if err != nil {
			status[br.ID] = 400
			o.integer("status", 400)
			o.raw("body", []byte(`{"error":{"code":"BadRequest","message":"Invalid request url."}}`))
			out = o.close()
			continue
		}
		for k, v := range br.Headers {
			sub.Header.Set(k, v)
		}
		sub.Header.Set("Authorization", r.Header.Get("Authorization"))
		sub.RemoteAddr = r.RemoteAddr
		bw := &bufferWriter{h: http.Header{}}
		s.handler.ServeHTTP(bw, sub)
		if bw.status == 0 {
			bw.status = 200
		}
		status[br.ID] = bw.status
		o.integer("status", int64(bw.status))
		hdr := newObj(nil)
		for _, k := range sortedKeys(bw.h) {
			if k == "Content-Length" {
				continue
			}
			hdr.str(k, bw.h.Get(k))
		}
		o.raw("headers", hdr.close())
		if b := bytes.TrimSpace(bw.buf.Bytes()); len(b) > 0 {
			if json.Valid(b) {
				o.raw("body", b)
			} else {
				o.str("body", string(b))
			}
		}
		out = o.close()
	}
	out = append(out, "]}"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.Write(out)
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
