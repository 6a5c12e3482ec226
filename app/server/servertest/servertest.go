// Package servertest starts the whole of balcao — store, workers, web, and
// the simulator when asked — on a t.TempDir() data folder behind a real HTTP
// server, the way `balcao serve` and `balcao demo` do. End-to-end and browser
// tests build on it; the web-only fixtures live in app/testutil.
package servertest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"balcao/app/config"
	"balcao/app/server"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

// Test credentials of the WhatsApp settings outside simulator mode.
const (
	AppSecret   = "app-secret-for-tests"
	VerifyToken = "verify-token-for-tests"
)

// Options choose how the app starts.
type Options struct {
	// Env holds extra BALCAO_* settings (they win over the defaults here).
	Env map[string]string
	// Simulator starts it as `balcao demo` does: the simulator mounted and the
	// WhatsApp settings pointing at it (no demo accounts are created).
	Simulator bool
	// DataDir is the data folder; a new t.TempDir() when empty.
	DataDir string
}

// App is a running balcao with its URL.
type App struct {
	*server.App
	URL    string
	Server *httptest.Server
	t      testing.TB
	closed atomic.Bool
}

// Start starts balcao and stops it when the test ends.
func Start(t testing.TB, o Options) *App {
	t.Helper()
	// The URL must be known before the app starts (the simulator posts its
	// webhooks there), so the listener comes first and the handler later.
	var h atomic.Pointer[http.Handler]
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := h.Load(); p != nil {
			(*p).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	dataDir := o.DataDir
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	vars := map[string]string{
		"BALCAO_DATA":      dataDir,
		"BALCAO_BASE_URL":  ts.URL,
		"BALCAO_LOG_LEVEL": "error",
	}
	if !o.Simulator {
		vars["BALCAO_WA_APP_SECRET"] = AppSecret
		vars["BALCAO_WA_VERIFY_TOKEN"] = VerifyToken
	}
	for k, v := range o.Env {
		vars[k] = v
	}
	cfg, _, err := config.Load("serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		ts.Close()
		t.Fatalf("config: %v", err)
	}
	if o.Simulator {
		cfg.Simulator = true
	}
	app, err := server.Start(context.Background(), server.Options{Config: cfg, Log: testutil.Logger(t),
		Static: testutil.StaticFS(), Migrations: testutil.MigrationsFS(), Demo: o.Simulator})
	if err != nil {
		ts.Close()
		t.Fatalf("start: %v", err)
	}
	handler := app.Handler()
	h.Store(&handler)
	a := &App{App: app, URL: ts.URL, Server: ts, t: t}
	t.Cleanup(a.Stop)
	return a
}

// Stop ends event streams, closes the HTTP server and the app (safe twice).
func (a *App) Stop() {
	if a.closed.Swap(true) {
		return
	}
	a.Web.BeginShutdown()
	a.Server.Close()
	if err := a.App.Close(); err != nil {
		a.t.Errorf("close: %v", err)
	}
}

// Client returns a new browser (empty cookie jar).
func (a *App) Client() *testutil.Client { return testutil.NewClient(a.t, a.Server) }

// LoginAs creates a user with role and e-mail and returns a browser logged in as them.
func (a *App) LoginAs(role, email string) (*testutil.Client, store.User) {
	a.t.Helper()
	const password = "senha-de-teste-123"
	u := testutil.AddUser(a.t, a.Store, role, email, password)
	c := a.Client()
	c.Login(email, password)
	return c, u
}

// PostWebhook posts body to /webhook/whatsapp signed with the app secret, as
// Meta does, and returns the status.
func (a *App) PostWebhook(body []byte) int {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.URL+"/webhook/whatsapp", bytesReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(a.Config.WA.AppSecret, body))
	res, err := a.Server.Client().Do(req)
	if err != nil {
		a.t.Fatalf("webhook: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// WaitFor polls cond until it holds or timeout passes, then fails the test with what.
func WaitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
