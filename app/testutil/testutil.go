// Package testutil builds balcao's test fixtures the way STYLE.md asks for them:
// a real SQLite store in t.TempDir() with every migration applied, and the real
// router behind httptest.NewServer with a browser-like client (cookie jar,
// CSRF token, login). Nothing here is a mock.
//
// Typical use:
//
//	st := testutil.NewStore(t)
//	testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", "senha-secreta")
//	_, c := testutil.NewServer(t, st)
//	c.Login("ana@example.com", "senha-secreta")
//	res := c.PostForm("/admin/secretarias", url.Values{"name": {"Obras"}})
//	if res.Status != http.StatusOK || res.Flash() == "" { … }
package testutil

import (
	"context"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"balcao/app/auth"
	"balcao/app/config"
	"balcao/app/store"
	"balcao/app/web"
)

// RepoRoot is the repository's top folder, found from this source file.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testutil: cannot locate the source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// MigrationsFS is the repository's migrations/ folder, as the binary embeds it.
func MigrationsFS() fs.FS { return os.DirFS(filepath.Join(RepoRoot(), "migrations")) }

// StaticFS is the repository's static/ folder, as the binary embeds it.
func StaticFS() fs.FS { return os.DirFS(filepath.Join(RepoRoot(), "static")) }

var lowerCost sync.Once

// fastHashes makes bcrypt cheap for tests, once, before any test hashes.
func fastHashes() { lowerCost.Do(func() { auth.Cost = bcrypt.MinCost }) }

// Logger returns a logger that writes warnings and errors to the test log
// (all levels with BALCAO_TEST_LOG=1).
func Logger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("BALCAO_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// NewStore opens a new database in t.TempDir() with every migration applied,
// closed when the test ends. It also lowers the bcrypt cost for the test binary.
func NewStore(t testing.TB) *store.Store {
	t.Helper()
	fastHashes()
	st, err := store.Open(context.Background(), t.TempDir(), MigrationsFS(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// AddUser creates an active user with role, e-mail and password; the name is
// taken from the e-mail.
func AddUser(t testing.TB, st *store.Store, role, email, password string) store.User {
	t.Helper()
	fastHashes()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.SplitN(email, "@", 2)[0]
	u, err := st.CreateUser(context.Background(), store.User{Name: name, Email: email, PasswordHash: hash, Role: role})
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// NewServer serves the real router of web.New over st on an httptest server
// (default settings, as `balcao serve` with no environment) and returns it
// with a client that has no session yet. Both stop when the test ends.
func NewServer(t testing.TB, st *store.Store) (*httptest.Server, *Client) {
	t.Helper()
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Log: Logger(t), Static: StaticFS(), Migrations: MigrationsFS()})
	if err != nil {
		t.Fatalf("web server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts, NewClient(t, ts)
}

// Client is a browser stand-in: it keeps cookies, follows redirects and
// sends the session's CSRF token with PostForm.
type Client struct {
	HTTP    *http.Client
	BaseURL string
	t       testing.TB
}

// NewClient returns a client of ts with an empty cookie jar (a second browser).
func NewClient(t testing.TB, ts *httptest.Server) *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// ts.Client() is shared by every caller: copy its transport, keep our own jar.
	h := &http.Client{Transport: ts.Client().Transport, Jar: jar}
	return &Client{HTTP: h, BaseURL: ts.URL, t: t}
}

// Response is an answer read in full. After redirects, URL is where the client landed.
type Response struct {
	Status int
	Header http.Header
	Body   string
	URL    *url.URL
}

// Get requests path and returns the final answer.
func (c *Client) Get(path string) Response {
	c.t.Helper()
	res, err := c.HTTP.Get(c.BaseURL + path)
	return c.read(res, err)
}

// PostForm posts values to path with the session's CSRF token added, as a
// page's form would.
func (c *Client) PostForm(path string, values url.Values) Response {
	c.t.Helper()
	v := url.Values{}
	for k, vs := range values {
		v[k] = append([]string(nil), vs...)
	}
	v.Set("csrf_token", c.CSRFToken())
	return c.Post(path, v)
}

// Post posts values to path exactly as given (no CSRF token unless in values).
func (c *Client) Post(path string, values url.Values) Response {
	c.t.Helper()
	res, err := c.HTTP.PostForm(c.BaseURL+path, values)
	return c.read(res, err)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// CSRFToken returns the session's CSRF token, read from a page (the login
// page, or home once logged in) the way a browser would get it.
func (c *Client) CSRFToken() string {
	c.t.Helper()
	res := c.Get("/entrar")
	m := csrfField.FindStringSubmatch(res.Body)
	if m == nil {
		c.t.Fatalf("no csrf_token on %s (status %d)", res.URL, res.Status)
	}
	return html.UnescapeString(m[1])
}

// Login signs in with email and password and fails the test if that does not work.
func (c *Client) Login(email, password string) {
	c.t.Helper()
	res := c.PostForm("/entrar", url.Values{"email": {email}, "password": {password}})
	if res.Status != http.StatusOK || res.URL.Path == "/entrar" {
		c.t.Fatalf("login %s: status %d at %s", email, res.Status, res.URL)
	}
}

func (c *Client) read(res *http.Response, err error) Response {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("request: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: string(b), URL: res.Request.URL}
}

var (
	flashRe      = regexp.MustCompile(`(?s)<div class="flash" role="status">(.*?)</div>`)
	fieldErrorRe = regexp.MustCompile(`(?s)<small id="e-([^"]+)" class="field-error">(.*?)</small>`)
)

// Flash returns the one-time notice shown on the page, unescaped, or "".
func (r Response) Flash() string {
	if m := flashRe.FindStringSubmatch(r.Body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// FieldError returns the message shown next to field (views.TextField /
// views.FieldError markup), unescaped, or "".
func (r Response) FieldError(field string) string {
	for _, m := range fieldErrorRe.FindAllStringSubmatch(r.Body, -1) {
		if m[1] == field {
			return html.UnescapeString(m[2])
		}
	}
	return ""
}

// FieldErrors returns every field message on the page, by field.
func (r Response) FieldErrors() map[string]string {
	out := map[string]string{}
	for _, m := range fieldErrorRe.FindAllStringSubmatch(r.Body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}
