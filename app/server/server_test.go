package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"balcao/app/config"
	"balcao/app/server"
	"balcao/app/whatsapp"
)

const (
	testSecret = "app-secret-for-tests"
	testVerify = "verify-token-for-tests"
)

// repoDir is the repository root, found from this file's location.
func repoDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// testApp is a running balcao on a temp folder behind a real HTTP server.
type testApp struct {
	*server.App
	URL string
	srv *httptest.Server
}

// startApp starts balcao on dataDir (a new temp folder when empty) with the given extra settings.
func startApp(t testing.TB, dataDir string, env map[string]string) *testApp {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	vars := map[string]string{
		"BALCAO_DATA":            dataDir,
		"BALCAO_WA_APP_SECRET":   testSecret,
		"BALCAO_WA_VERIFY_TOKEN": testVerify,
		"BALCAO_LOG_LEVEL":       "error",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, _, err := config.Load("serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("BALCAO_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	app, err := server.Start(context.Background(), server.Options{Config: cfg, Log: log,
		Static: os.DirFS(filepath.Join(repoDir(), "static")), Migrations: os.DirFS(filepath.Join(repoDir(), "migrations"))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	ta := &testApp{App: app, URL: srv.URL, srv: srv}
	t.Cleanup(ta.Stop)
	return ta
}

// Stop shuts the HTTP server and the app down (safe to call twice).
func (a *testApp) Stop() {
	if a.srv == nil {
		return
	}
	a.srv.Close()
	a.App.Close()
	a.srv = nil
}

// postWebhook sends body signed with secret (no header when secret is empty).
func postWebhook(t testing.TB, url string, body []byte, secret string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/webhook/whatsapp", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(secret, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// fixture reads a webhook payload from app/whatsapp/testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoDir(), "app", "whatsapp", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
