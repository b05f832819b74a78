package simtenant

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// Fault switches for answers HTTP itself does not flag: a 200 whose body is
// not what the client expects, and a login endpoint that fails. They can be
// changed while the server runs (SetBodyFault, SetTokenFault), so a test can
// take a clean snapshot and then a corrupted one from the same tenant.

// Body fault modes (Options.BodyFault).
const (
	BodyEmpty     = "empty"     // 200 with no body at all
	BodyObject    = "object"    // 200 with {}: a collection page without value
	BodyTruncated = "truncated" // 200 with the JSON cut in half (well-formed HTTP)
)

// Token fault modes (Options.TokenFault).
const (
	TokenDrop          = "drop"           // the connection closes before any answer
	TokenUnavailable   = "503"            // 503 temporarily_unavailable
	TokenInvalidScope  = "invalid_scope"  // 400 AADSTS70011
	TokenInvalidClient = "invalid_client" // 401 AADSTS7000215 (wrong secret)
)

type faultSwitches struct {
	mu          sync.Mutex
	body, token countedFault
}

// countedFault is one fault switch: mode on requests whose path starts with
// path, sparing the first skip of them, then hitting left (< 0: unlimited).
type countedFault struct {
	mode, path string
	skip, left int
}

func (c *countedFault) set(mode, path string, skip, count int) {
	*c = countedFault{mode: mode, path: path, skip: skip, left: count}
	if count <= 0 {
		c.left = -1
	}
}

// take says which fault a request for path gets ("" none) and counts it.
func (c *countedFault) take(path string) string {
	if c.mode == "" || c.left == 0 || !strings.HasPrefix(path, c.path) {
		return ""
	}
	if c.skip > 0 {
		c.skip--
		return ""
	}
	if c.left > 0 {
		c.left--
	}
	return c.mode
}

func checkFaultModes(body, token string) error {
	switch body {
	case "", BodyEmpty, BodyObject, BodyTruncated:
	default:
		return fmt.Errorf("simtenant: BodyFault %q: want %s, %s or %s", body, BodyEmpty, BodyObject, BodyTruncated)
	}
	switch token {
	case "", TokenDrop, TokenUnavailable, TokenInvalidScope, TokenInvalidClient:
	default:
		return fmt.Errorf("simtenant: TokenFault %q: want %s, %s, %s or %s", token, TokenDrop, TokenUnavailable, TokenInvalidScope, TokenInvalidClient)
	}
	return nil
}

// SetBodyFault switches the body fault: mode ("" off, BodyEmpty, BodyObject,
// BodyTruncated) on successful JSON answers of Graph and Dataverse whose
// path starts with pathPrefix ("" every path), sparing the first skip of them
// and then hitting count (<= 0: every one).
func (s *Server) SetBodyFault(mode, pathPrefix string, skip, count int) error {
	if err := checkFaultModes(mode, ""); err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.body.set(mode, pathPrefix, skip, count)
	return nil
}

// SetTokenFault switches the token endpoint fault: mode ("" off, TokenDrop,
// TokenUnavailable, TokenInvalidScope, TokenInvalidClient) for the next count
// token requests (count <= 0: every one).
func (s *Server) SetTokenFault(mode string, count int) error {
	if err := checkFaultModes("", mode); err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.token.set(mode, "", 0, count)
	return nil
}

// bodyFaultFor says which body fault this request gets ("" none). Only
// authenticated API endpoints are hit, never the login or download hosts.
func (s *Server) bodyFaultFor(ep endpoint, r *http.Request) string {
	if ep.auth == "" {
		return ""
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.body.take(r.URL.Path)
}

// tokenFaultFor says which token fault this token request gets ("" none).
func (s *Server) tokenFaultFor(ep endpoint) string {
	if ep.class != "token" {
		return ""
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.token.take("")
}

// injectTokenFault answers a token request with the fault. The bodies are
// the identity platform's error shape (see oauthError), with the AADSTS
// descriptions Microsoft documents for these codes.
func (s *Server) injectTokenFault(w http.ResponseWriter, mode string) {
	s.stats.fault("token_" + mode)
	switch mode {
	case TokenDrop:
		panic(http.ErrAbortHandler)
	case TokenUnavailable:
		s.oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
	case TokenInvalidScope:
		s.oauthError(w, http.StatusBadRequest, "invalid_scope", 70011, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.")
	case TokenInvalidClient:
		s.oauthError(w, http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", s.opts.ClientID))
	}
}

// bodyFaultWriter rewrites a 200 JSON answer according to mode; other
// answers (errors, redirects, CSV) pass unchanged.
type bodyFaultWriter struct {
	http.ResponseWriter
	mode    string
	active  bool
	decided bool
	wrote   bool
}

func (b *bodyFaultWriter) WriteHeader(code int) {
	if !b.decided {
		b.decided = true
		h := b.Header()
		b.active = code == http.StatusOK && strings.Contains(h.Get("Content-Type"), "json")
		if b.active {
			h.Del("Content-Length")
			if b.mode == BodyObject {
				h.Set("Content-Length", "2")
			}
		}
	}
	b.ResponseWriter.WriteHeader(code)
}

func (b *bodyFaultWriter) Write(p []byte) (int, error) {
	if !b.decided {
		b.WriteHeader(http.StatusOK)
	}
	if !b.active {
		return b.ResponseWriter.Write(p)
	}
	if b.wrote {
		return len(p), nil
	}
	b.wrote = true
	switch b.mode {
	case BodyObject:
		b.ResponseWriter.Write([]byte("{}"))
	case BodyTruncated:
		b.ResponseWriter.Write(p[:len(p)/2])
	}
	return len(p), nil
}

func (b *bodyFaultWriter) Flush() {
	if f, ok := b.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
