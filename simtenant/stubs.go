package simtenant

import "net/http"

type eventCache struct{}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
func (s *Server) handleReportDownload(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
func (s *Server) handleReportSettings(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
func (s *Server) handlePatchReportSettings(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
func (s *Server) handleSignIns(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, 501, "NotImplemented", "not yet")
}
func (s *Server) handleDataverse(w http.ResponseWriter, r *http.Request) {
	dataverseError(w, 501, "0x80040216", "not yet")
}
func dataverseError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	w.Write([]byte(`{"error":{"code":"` + code + `","message":"` + msg + `"}}`))
}
