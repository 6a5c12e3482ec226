package web

import (
	"errors"
	"io"
	"net/http"

	"balcao/app/whatsapp"
)

// webhookVerify answers Meta's subscription handshake.
func (s *Server) webhookVerify(w http.ResponseWriter, r *http.Request) {
	challenge, ok := whatsapp.VerifyChallenge(r.URL.Query(), s.cfg.WA.VerifyToken)
	if !ok || s.cfg.WA.VerifyToken == "" {
		http.Error(w, "verify token mismatch", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, challenge)
}

// webhookReceive stores a signed notification and answers 200 only once it is committed.
func (s *Server) webhookReceive(w http.ResponseWriter, r *http.Request) {
	if s.cfg.WA.AppSecret == "" {
		// Without the secret nothing can be verified; 503 makes Meta keep the data and retry.
		s.log.Error("webhook refused: BALCAO_WA_APP_SECRET is not set")
		http.Error(w, "webhook not configured", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, whatsapp.MaxNotificationBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if !whatsapp.VerifySignature(s.cfg.WA.AppSecret, body, r.Header.Get(whatsapp.SignatureHeader)) {
		s.log.Warn("webhook with missing or wrong signature", "remote", s.clientIP(r))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	n, err := whatsapp.Parse(body)
	if err != nil {
		s.log.Warn("webhook payload refused", "err", err)
		http.Error(w, "malformed notification", http.StatusBadRequest)
		return
	}
	for _, e := range n.Errors {
		s.log.Warn("whatsapp reported an error", "code", e.Code, "title", e.Title, "details", e.Details)
	}
	for _, warning := range n.Warnings {
		s.log.Debug("webhook item skipped", "warning", warning)
	}
	err = s.ingest.Submit(r.Context(), body, n)
	if s.health != nil {
		s.health.Observe(err) // a full or read-only disk raises the panel's banner
	}
	if err != nil {
		s.log.Error("webhook not stored, asking Meta to retry", "err", err)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	s.metrics.Stored(n)
	w.WriteHeader(http.StatusOK)
}
