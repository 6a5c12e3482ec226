package cli

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"balcao/app/config"
)

// With BALCAO_TLS_DOMAIN, port 80 answers the ACME HTTP-01 challenge and
// sends everything else to HTTPS; the HTTPS side asks for certificates only
// for that domain. (Getting a real certificate needs Let's Encrypt to reach
// this machine, which tests cannot do.)
func TestAutomaticHTTPSListeners(t *testing.T) {
	httpsAddr, acmeAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg, _, err := config.Load("serve", []string{"--data", t.TempDir()},
		func(k string) string {
			return map[string]string{"BALCAO_TLS_DOMAIN": "atendimento.valeverde.sp.gov.br"}[k]
		}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "painel") })
	eps, err := listen(cfg, app)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 2 || !eps[0].tls || eps[1].tls {
		t.Fatalf("endpoints %+v", eps)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- serveAll(ctx, eps, time.Second) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serveAll: %v", err)
		}
	}()

	plain := "http://" + eps[1].ln.Addr().String()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(plain + "/atendimentos?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "https://") ||
		!strings.HasSuffix(res.Header.Get("Location"), "/atendimentos?x=1") {
		t.Errorf("plain HTTP: %d → %q, want a redirect to HTTPS", res.StatusCode, res.Header.Get("Location"))
	}
	// The challenge path is autocert's: for the domain an unknown token is
	// 404, for another host 403; never a redirect.
	for host, want := range map[string]int{"atendimento.valeverde.sp.gov.br": http.StatusNotFound, "outro.example.com": http.StatusForbidden} {
		req, _ := http.NewRequest(http.MethodGet, plain+"/.well-known/acme-challenge/desconhecido", nil)
		req.Host = host
		res, err = noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("ACME challenge for %s: status %d, want %d", host, res.StatusCode, want)
		}
	}

	// Another name is refused before any certificate authority is asked.
	_, err = eps[0].srv.TLSConfig.GetCertificate(&tls.ClientHelloInfo{ServerName: "outro.example.com"})
	if err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("certificate for another host: %v", err)
	}
	if cfg.BaseURL != "https://atendimento.valeverde.sp.gov.br" {
		t.Errorf("base URL %q", cfg.BaseURL)
	}
}

// BALCAO_METRICS_ADDR serves /metrics without a token and nothing else: the
// panel, the webhook and the API are not reachable through it.
func TestMetricsListenerServesOnlyMetrics(t *testing.T) {
	cfg := &config.Config{Metrics: config.Metrics{Addr: "127.0.0.1:0"}}
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "balcao_up 1\n") })
	e, err := metricsEndpoint(cfg, metrics)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveAll(ctx, []endpoint{*e}, time.Second) }()
	defer func() { cancel(); <-done }()
	base := "http://" + e.ln.Addr().String()
	cases := []struct {
		method, path string
		want         int
	}{
		{"GET", "/metrics", 200},
		{"POST", "/metrics", 405},
		{"GET", "/", 404},
		{"GET", "/atendimentos", 404},
		{"POST", "/webhook/whatsapp", 404},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, res.StatusCode, c.want)
		}
		if c.want == 200 && !strings.Contains(string(body), "balcao_up 1") {
			t.Errorf("%s %s: body %q", c.method, c.path, body)
		}
	}
	if none, err := metricsEndpoint(&config.Config{}, metrics); none != nil || err != nil {
		t.Errorf("without BALCAO_METRICS_ADDR: %v %v, want no listener", none, err)
	}
}
