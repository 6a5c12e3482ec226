package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"balcao/app/config"
)

// certsDir is where automatic certificates are kept, inside the data folder.
const certsDir = "certs"

// Ports of automatic HTTPS; variables so that tests can use free ports.
var (
	httpsAddr = ":443"
	acmeAddr  = ":80"
)

// endpoint is one HTTP server with its listener.
type endpoint struct {
	name string
	srv  *http.Server
	ln   net.Listener
	tls  bool
}

// newHTTPServer applies balcao's timeouts to h.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
}

// listen opens what `balcao serve` listens on. Without BALCAO_TLS_DOMAIN it
// is plain HTTP on BALCAO_ADDR, for a reverse proxy that terminates TLS.
// With it, HTTPS on :443 with certificates from Let's Encrypt (cached in the
// data folder), and :80 for the HTTP-01 challenge and a redirect to HTTPS.
func listen(cfg *config.Config, app http.Handler) ([]endpoint, error) {
	if cfg.TLS.Domain == "" {
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s (BALCAO_ADDR): %w", cfg.Addr, err)
		}
		return []endpoint{{name: "http", srv: newHTTPServer(app), ln: ln}}, nil
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(cfg.TLS.Domain),
		Cache:      autocert.DirCache(filepath.Join(cfg.DataDir, certsDir)),
		Email:      cfg.TLS.Email,
	}
	https := newHTTPServer(app)
	https.TLSConfig = m.TLSConfig()
	redirect := newHTTPServer(m.HTTPHandler(nil))
	ln, err := net.Listen("tcp", httpsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for HTTPS (BALCAO_TLS_DOMAIN; below port 1024 the service needs CAP_NET_BIND_SERVICE): %w", httpsAddr, err)
	}
	ln80, err := net.Listen("tcp", acmeAddr)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen on %s for the certificate challenge (BALCAO_TLS_DOMAIN): %w", acmeAddr, err)
	}
	return []endpoint{{name: "https", srv: https, ln: ln, tls: true}, {name: "http", srv: redirect, ln: ln80}}, nil
}

// metricsEndpoint opens BALCAO_METRICS_ADDR, which serves only /metrics
// and without a token: it is meant for a loopback or private address the
// monitoring reaches and citizens do not. Nil when the setting is empty.
func metricsEndpoint(cfg *config.Config, metrics http.Handler) (*endpoint, error) {
	if cfg.Metrics.Addr == "" {
		return nil, nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	ln, err := net.Listen("tcp", cfg.Metrics.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (BALCAO_METRICS_ADDR): %w", cfg.Metrics.Addr, err)
	}
	return &endpoint{name: "metrics", srv: newHTTPServer(mux), ln: ln}, nil
}

// serveAll serves every endpoint until one fails or ctx ends, then shuts
// them all down, letting requests in flight finish within grace.
func serveAll(ctx context.Context, eps []endpoint, grace time.Duration) error {
	errc := make(chan error, len(eps))
	for _, e := range eps {
		go func() {
			var err error
			if e.tls {
				err = e.srv.ServeTLS(e.ln, "", "")
			} else {
				err = e.srv.Serve(e.ln)
			}
			errc <- fmt.Errorf("%s server: %w", e.name, err)
		}()
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	for _, e := range eps {
		if err := e.srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("shutdown %s: %w", e.name, err))
		}
	}
	if failed != nil {
		return failed
	}
	return errors.Join(errs...)
}
