package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// metricsScrape serves /metrics on the main address to Prometheus with
// BALCAO_METRICS_TOKEN as a bearer token. Without a token configured the
// path does not exist (404), so nothing about the server leaks; a missing or
// wrong token is 401.
func (s *Server) metricsScrape(w http.ResponseWriter, r *http.Request) {
	want := s.cfg.Metrics.Token
	if s.metrics == nil || want == "" {
		http.NotFound(w, r)
		return
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	// Hashing both sides makes the comparison constant-time whatever the
	// lengths: the token's length is not revealed either.
	gotSum, wantSum := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	if !ok || subtle.ConstantTimeCompare(gotSum[:], wantSum[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="balcao metrics"`)
		http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
		return
	}
	s.metrics.Handler().ServeHTTP(w, r)
}
