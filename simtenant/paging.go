package simtenant

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The OData plumbing the directory endpoints share: paging tokens and
// nextLinks, $top, the options the simulator refuses, ConsistencyLevel, and
// the @odata.context of a single entity.

// maxScan bounds how many rows one page may examine: a selective filter
// then yields a short (even empty) page with a nextLink, which Graph allows.
const maxScan = 50000

// encodeSkip makes an opaque $skiptoken for a position in a listing; the
// check word rejects tokens that were not issued by this tenant.
func (s *Server) encodeSkip(kind string, pos int64) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(pos)^hashOf(uint64(s.opts.Seed), hashString(kind)))
	binary.BigEndian.PutUint32(b[8:], uint32(hashOf(uint64(s.opts.Seed), hashString(kind), uint64(pos))))
	return "RFNwdAIA" + base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) decodeSkip(kind, tok string) (int64, bool) {
	raw, ok := strings.CutPrefix(tok, "RFNwdAIA")
	if !ok {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != 12 {
		return 0, false
	}
	pos := int64(binary.BigEndian.Uint64(b[:8]) ^ hashOf(uint64(s.opts.Seed), hashString(kind)))
	if binary.BigEndian.Uint32(b[8:]) != uint32(hashOf(uint64(s.opts.Seed), hashString(kind), uint64(pos))) || pos < 0 {
		return 0, false
	}
	return pos, true
}

// skipToken is the listing position of the request's $skiptoken (0 without
// one); false when it answered 400 for a token this tenant did not issue.
func (s *Server) skipToken(w http.ResponseWriter, r *http.Request, kind string) (int64, bool) {
	tok := r.URL.Query().Get("$skiptoken")
	if tok == "" {
		return 0, true
	}
	pos, ok := s.decodeSkip(kind, tok)
	if !ok {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "The specified page token value has expired or is invalid.")
	}
	return pos, ok
}

// nextLink repeats the request's query with a new $skiptoken, as Graph does.
func (s *Server) nextLink(r *http.Request, param, tok string) string {
	var keep []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		if k == "" || strings.EqualFold(k, param) || strings.EqualFold(k, strings.Replace(param, "$", "%24", 1)) {
			continue
		}
		keep = append(keep, p)
	}
	keep = append(keep, param+"="+tok)
	return s.url + r.URL.EscapedPath() + "?" + strings.Join(keep, "&")
}

// pageSize is the directory's $top: 100 by default, 1 to 999; false when it
// answered 400.
func (s *Server) pageSize(w http.ResponseWriter, r *http.Request) (int, bool) {
	q := r.URL.Query()
	if !q.Has("$top") {
		return 100, true
	}
	top, err := strconv.Atoi(q.Get("$top"))
	if err != nil || top < 1 || top > 999 {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", q.Get("$top")))
		return 0, false
	}
	return top, true
}

// eventual enforces ConsistencyLevel: eventual, which $count (an advanced
// query) needs; false when it answered 400.
func (s *Server) eventual(w http.ResponseWriter, r *http.Request) bool {
	if !strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
		return false
	}
	return true
}

// unsupportedOptions rejects query options the simulator does not model.
func (s *Server) unsupportedOptions(w http.ResponseWriter, r *http.Request, opts ...string) bool {
	q := r.URL.Query()
	for _, o := range opts {
		if q.Has(o) {
			s.graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf("The query option '%s' is not supported by the simulated tenant.", o))
			return true
		}
	}
	return false
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, key string) {
	s.graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", key))
}

// selected is the request's $select on entity e, def without one; false
// when it answered 400 for a property e does not have.
func selected[X any](s *Server, w http.ResponseWriter, r *http.Request, e *entity[X], def selection[X]) (selection[X], bool) {
	raw := r.URL.Query().Get("$select")
	if raw == "" {
		return def, true
	}
	sel, err := e.parseSelect(raw)
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", err.Error())
		return nil, false
	}
	return sel, true
}

// userOf is the index of the user a path or body names by id or UPN; -1
// when it answered 404.
func (s *Server) userOf(w http.ResponseWriter, r *http.Request, key string) int {
	i := s.t.lookup(key)
	if i < 0 {
		s.notFound(w, r, key)
	}
	return i
}

// entityResponse is a single-entity response: obj (a JSON object) with
// @odata.context first. obj may be empty ({}): a user who never signed in,
// asked only for signInActivity, has no property to show.
func entityResponse(context string, obj []byte) []byte {
	b := []byte(`{"@odata.context":`)
	b = appendJSONString(b, context)
	if len(obj) > len("{}") {
		b = append(b, ',')
	}
	return append(b, obj[1:]...)
}
