package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"balcao/app/config"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/web"
)

// get fetches path from ts without a session and without following redirects.
func get(t *testing.T, ts *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// serverWith serves st with the given migrations as the ones the binary knows.
func serverWith(t *testing.T, st *store.Store, migrations fs.FS) *httptest.Server {
	t.Helper()
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Log: testutil.Logger(t), Static: testutil.StaticFS(), Migrations: migrations})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts
}

// futureMigrations is the repository's migrations plus one never applied.
func futureMigrations(t *testing.T) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(testutil.MigrationsFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(testutil.MigrationsFS(), path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m["29991231235959_future.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE future (id INTEGER);\n-- +goose Down\nDROP TABLE future;\n")}
	return m
}

// /healthz is liveness only; /readyz needs the database and every migration.
func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	migrated := testutil.NewStore(t)
	closed := testutil.NewStore(t)
	cases := []struct {
		name       string
		ts         *httptest.Server
		path       string
		wantStatus int
		wantBody   string
	}{
		{"liveness", serverWith(t, migrated, testutil.MigrationsFS()), "/healthz", http.StatusOK, "ok\n"},
		{"ready", serverWith(t, migrated, testutil.MigrationsFS()), "/readyz", http.StatusOK, "ready\n"},
		{"migration pending", serverWith(t, migrated, futureMigrations(t)), "/readyz", http.StatusServiceUnavailable, "not ready: database: migrations pending\n"},
		{"database closed", serverWith(t, closed, testutil.MigrationsFS()), "/readyz", http.StatusServiceUnavailable, "not ready: "},
		{"liveness with the database closed", serverWith(t, closed, testutil.MigrationsFS()), "/healthz", http.StatusOK, "ok\n"},
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		res, b := get(t, tc.ts, tc.path)
		if res.StatusCode != tc.wantStatus || !strings.HasPrefix(b, tc.wantBody) {
			t.Errorf("%s: GET %s = %d %q, want %d %q…", tc.name, tc.path, res.StatusCode, b, tc.wantStatus, tc.wantBody)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if res.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s: a probe got a session cookie", tc.name)
		}
	}
}

// Every answer, page or not, carries the security headers.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", password)
	ts, _ := testutil.NewServer(t, st)
	for _, path := range []string{"/healthz", "/readyz", "/entrar", "/", "/nao-existe", "/static/app.css", "/static/nao-existe.js", "/configuracao-inicial"} {
		res, _ := get(t, ts, path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s (%d): CSP %q lacks %q", path, res.StatusCode, csp, want)
			}
		}
		if scripts := scriptSources(csp); strings.Contains(scripts, "unsafe") || strings.Contains(scripts, "*") {
			t.Errorf("%s: CSP lets scripts run from %q", path, scripts)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", path, got)
		}
		if got := h.Get("Referrer-Policy"); got == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
}

var assetRe = regexp.MustCompile(`(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"`)

// Pages link static files by content hash; only the current hash is cached for long.
func TestStaticAssetsAreContentHashed(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	ts, _ := testutil.NewServer(t, st)
	_, page := get(t, ts, "/configuracao-inicial")
	links := assetRe.FindAllStringSubmatch(page, -1)
	if len(links) < 4 {
		t.Fatalf("only %d hashed asset links in the layout: %v", len(links), links)
	}
	types := map[string]string{".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
	for _, l := range links {
		path, hash := l[1], l[2]
		res, b := get(t, ts, path+"?v="+hash)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, res.StatusCode)
			continue
		}
		sum := sha256.Sum256([]byte(b))
		if !strings.HasPrefix(hex.EncodeToString(sum[:]), hash) {
			t.Errorf("%s: ?v=%s is not the hash of the content served", path, hash)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s with its hash: Cache-Control %q", path, cc)
		}
		for ext, ct := range types {
			if strings.HasSuffix(path, ext) && !strings.HasPrefix(res.Header.Get("Content-Type"), ct) {
				t.Errorf("%s: Content-Type %q, want %s", path, res.Header.Get("Content-Type"), ct)
			}
		}
		for _, other := range []string{path, path + "?v=000000000000", path + "?v=" + hash + "&x=1"} {
			res, _ := get(t, ts, other)
			if cc := res.Header.Get("Cache-Control"); res.StatusCode != http.StatusOK || cc != "no-cache" {
				t.Errorf("%s: %d, Cache-Control %q, want 200 no-cache", other, res.StatusCode, cc)
			}
		}
	}
	for _, path := range []string{"/static/nao-existe.css", "/static/../go.mod", "/static/%2e%2e/go.mod"} {
		if res, b := get(t, ts, path); res.StatusCode == http.StatusOK {
			t.Errorf("%s: status %d, %.40q", path, res.StatusCode, b)
		}
	}
}

// scriptSources is the script-src directive of csp, or default-src without one.
func scriptSources(csp string) string {
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if v, ok := directives["script-src"]; ok {
		return v
	}
	return directives["default-src"]
}
