package simtenant

import "net/http"

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
