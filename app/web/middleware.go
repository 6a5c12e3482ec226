package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"balcao/app/store"
)

type ctxKey int

const userKey ctxKey = iota

// userFrom returns the logged-in user put in ctx by loadUser.
func userFrom(ctx context.Context) (store.User, bool) {
	u, ok := ctx.Value(userKey).(store.User)
	return u, ok
}

// currentUser returns the logged-in user; routes behind requireUser always have one.
func currentUser(r *http.Request) store.User {
	u, _ := userFrom(r.Context())
	return u
}

// securityHeaders sets the headers every answer carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		// htmx needs no inline script; images may be data: (thumbnails) and blob:.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status written, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush for server-sent events.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs each request once and turns a panic into a 500.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					http.Error(rec, "Erro interno", http.StatusInternalServerError)
				}
			}
			s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "took", time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// csrfToken returns the session's CSRF token, creating it on first use.
func (s *Server) csrfToken(r *http.Request) string {
	ctx := r.Context()
	if t := s.sessions.GetString(ctx, "csrf"); t != "" {
		return t
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	s.sessions.Put(ctx, "csrf", t)
	return t
}

// maxFormBytes bounds a plain (non-file) form.
const maxFormBytes = 1 << 20

// checkCSRF refuses a state-changing request without the session's token
// (form field csrf_token or header X-CSRF-Token).
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		}
		want := s.sessions.GetString(r.Context(), "csrf")
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = r.PostFormValue("csrf_token")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			s.fail(w, r, errStatus(http.StatusForbidden, "Formulário expirado ou inválido. Recarregue a página e tente de novo."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loadUser puts the logged-in, active user (if any) into the request context.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessions.GetInt64(r.Context(), "user_id")
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.store.UserByID(r.Context(), id)
		if err != nil || !u.Active {
			// Deleted or disabled while logged in: end the session.
			_ = s.sessions.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		s.touch(r.Context(), u)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

// requireUser sends visitors without a session to the login page.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := userFrom(r.Context()); !ok {
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", "/entrar")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/entrar", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireRole allows only users with one of roles (after requireUser).
func (s *Server) requireRole(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return s.requireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !slices.Contains(roles, currentUser(r).Role) {
				s.fail(w, r, errForbidden)
				return
			}
			next.ServeHTTP(w, r)
		}))
	}
}

// trustedProxies are the networks whose X-Forwarded-For header is believed.
type trustedProxies struct{ nets []*net.IPNet }

func parseTrustedProxies(list string) (*trustedProxies, error) {
	tp := &trustedProxies{}
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !strings.Contains(c, "/") {
			if strings.Contains(c, ":") {
				c += "/128"
			} else {
				c += "/32"
			}
		}
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			return nil, fmt.Errorf("BALCAO_TRUSTED_PROXIES: %q is not a CIDR", c)
		}
		tp.nets = append(tp.nets, n)
	}
	return tp, nil
}

// clientIP is the address of the person behind r, honouring trusted proxies only.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !s.proxies.trusts(ip) {
		return host
	}
	// Walk X-Forwarded-For from the right, skipping our own proxies.
	parts := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(parts) - 1; i >= 0; i-- {
		p := net.ParseIP(strings.TrimSpace(parts[i]))
		if p == nil {
			break
		}
		if !s.proxies.trusts(p) {
			return p.String()
		}
	}
	return host
}

func (t *trustedProxies) trusts(ip net.IP) bool {
	for _, n := range t.nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
