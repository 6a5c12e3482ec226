package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/config"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/web"
)

const (
	sessionCookie = "balcao_sessao"
	badLogin      = "E-mail ou senha incorretos."
)

var alertRe = regexp.MustCompile(`(?s)<p class="field-error" role="alert">(.*?)</p>`)

// loginProblem is the message shown above the login form, or "".
func loginProblem(body string) string {
	if m := alertRe.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// noFollow is c's browser that stops at redirects, sharing its cookies.
func noFollow(c *testutil.Client) *http.Client {
	h := *c.HTTP
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &h
}

// postFrom posts form (with c's CSRF token) as if the browser were at ip
// behind the trusted proxy, without following redirects.
func postFrom(t *testing.T, c *testutil.Client, ip, path string, form url.Values) *http.Response {
	t.Helper()
	form.Set("csrf_token", c.CSRFToken())
	req, err := http.NewRequest(http.MethodPost, c.BaseURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	res, err := noFollow(c).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cookieNamed returns the cookie called name that res sets, or nil.
func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// proxiedServer serves st behind a trusted proxy at 127.0.0.1, so tests can
// speak from any client address with X-Forwarded-For.
func proxiedServer(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	vars := map[string]string{"BALCAO_TRUSTED_PROXIES": "127.0.0.1/32,::1/128"}
	cfg, _, err := config.Load("serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Log: testutil.Logger(t), Static: testutil.StaticFS(), Migrations: testutil.MigrationsFS()})
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

// loggedIn reports whether c's session reaches the panel.
func loggedIn(t *testing.T, c *testutil.Client) bool {
	t.Helper()
	res := c.Get("/")
	return res.Status == http.StatusOK && res.URL.Path == "/"
}

// The right password starts a new session (a new cookie value, HttpOnly,
// SameSite=Lax) and sends the user to the panel; the token from before the
// login does not become a logged-in session.
func TestLoginStartsAFreshSession(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", password)
	ts, c := testutil.NewServer(t, st)

	form := url.Values{"email": {"carla@example.com"}, "password": {password}}
	form.Set("csrf_token", c.CSRFToken())
	u, _ := url.Parse(ts.URL)
	var before string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			before = ck.Value
		}
	}
	if before == "" {
		t.Fatal("the login page set no session cookie")
	}
	res, err := noFollow(c).PostForm(ts.URL+"/entrar", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("login answered %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	ck := cookieNamed(res, sessionCookie)
	switch {
	case ck == nil:
		t.Fatal("no session cookie set at login")
	case ck.Value == before:
		t.Error("session token not renewed at login (fixation)")
	case !ck.HttpOnly:
		t.Error("session cookie not HttpOnly")
	case ck.SameSite != http.SameSiteLaxMode:
		t.Errorf("session cookie SameSite = %v, want Lax", ck.SameSite)
	case ck.Path != "/":
		t.Errorf("session cookie path %q", ck.Path)
	}
	if !loggedIn(t, c) {
		t.Error("not logged in after a right password")
	}

	// An attacker who planted the old token gains nothing.
	planted := testutil.NewClient(t, ts)
	planted.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: before}})
	if loggedIn(t, planted) {
		t.Error("the pre-login token is logged in")
	}
	var logins int
	if err := st.R.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'login'`).Scan(&logins); err != nil || logins != 1 {
		t.Errorf("login audit rows: %d, %v", logins, err)
	}
}

// Unknown e-mail, wrong password and disabled account get the same answer,
// and the typed password is never sent back.
func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", password)
	off := testutil.AddUser(t, st, store.RoleAgent, "bruno@example.com", password)
	if err := st.SetUserActive(ctx, off.ID, false); err != nil {
		t.Fatal(err)
	}
	ts := proxiedServer(t, st)
	cases := []struct {
		name, email, password string
	}{
		{"wrong password", "carla@example.com", "senha-errada-123"},
		{"unknown e-mail", "ninguem@example.com", "senha-errada-123"},
		{"unknown e-mail, a real password", "ninguem@example.com", password},
		{"disabled account, right password", "bruno@example.com", password},
		{"empty password", "carla@example.com", ""},
		{"empty form", "", ""},
	}
	type answer struct {
		status  int
		problem string
	}
	var first *answer
	for i, tc := range cases {
		c := testutil.NewClient(t, ts)
		// A new address each time, so the throttle stays out of this test.
		res := postFrom(t, c, fmt.Sprintf("203.0.113.%d", i+1), "/entrar", url.Values{"email": {tc.email}, "password": {tc.password}})
		b := body(t, res)
		got := answer{res.StatusCode, loginProblem(b)}
		if got.problem != badLogin || got.status != http.StatusUnauthorized {
			t.Errorf("%s: %d %q, want 401 %q", tc.name, got.status, got.problem, badLogin)
		}
		if first == nil {
			first = &got
		} else if got != *first {
			t.Errorf("%s: answer %+v differs from %+v", tc.name, got, *first)
		}
		if tc.password != "" && strings.Contains(b, tc.password) {
			t.Errorf("%s: the password is echoed in the page", tc.name)
		}
		if loggedIn(t, c) {
			t.Errorf("%s: logged in", tc.name)
		}
	}

	// The e-mail is matched without case or surrounding spaces.
	c := testutil.NewClient(t, ts)
	res := postFrom(t, c, "198.51.100.7", "/entrar", url.Values{"email": {"  Carla@Example.COM "}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther || !loggedIn(t, c) {
		t.Errorf("login with a differently written e-mail: %d", res.StatusCode)
	}
}

// clock is a settable time for the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Five failures within 15 minutes lock the account (from any address) and
// the address (for any account), even for the right password, for a while.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	const tooMany = "Muitas tentativas"
	setup := func(t *testing.T) (*store.Store, *httptest.Server, *clock) {
		st := testutil.NewStore(t)
		clk := &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
		st.SetClock(clk.Now)
		testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", password)
		testutil.AddUser(t, st, store.RoleAgent, "bruno@example.com", password)
		return st, proxiedServer(t, st), clk
	}
	attempt := func(t *testing.T, ts *httptest.Server, ip, email, pw string) (int, string) {
		t.Helper()
		res := postFrom(t, testutil.NewClient(t, ts), ip, "/entrar", url.Values{"email": {email}, "password": {pw}})
		return res.StatusCode, loginProblem(body(t, res))
	}

	t.Run("account, from many addresses", func(t *testing.T) {
		t.Parallel()
		_, ts, clk := setup(t)
		for i := range 5 {
			clk.Add(time.Minute)
			if status, _ := attempt(t, ts, fmt.Sprintf("203.0.113.%d", i+1), "carla@example.com", "errada-errada"); status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d", i+1, status)
			}
		}
		status, problem := attempt(t, ts, "198.51.100.1", "carla@example.com", password)
		if status != http.StatusTooManyRequests || !strings.Contains(problem, tooMany) {
			t.Errorf("6th attempt with the right password: %d %q, want 429", status, problem)
		}
		if status, _ := attempt(t, ts, "198.51.100.2", "bruno@example.com", password); status != http.StatusSeeOther {
			t.Errorf("another account from another address: %d, want 303", status)
		}
		// Counting from the first failure, 15 minutes later it is over.
		clk.Add(11*time.Minute + time.Second)
		if status, _ := attempt(t, ts, "198.51.100.1", "carla@example.com", password); status != http.StatusSeeOther {
			t.Errorf("after the window: %d, want 303", status)
		}
	})

	t.Run("address, across e-mails", func(t *testing.T) {
		t.Parallel()
		_, ts, clk := setup(t)
		const ip = "203.0.113.50"
		for i, email := range []string{"a@example.com", "b@example.com", "c@example.com", "carla@example.com", "d@example.com"} {
			if status, _ := attempt(t, ts, ip, email, "errada-errada"); status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d", i+1, status)
			}
		}
		status, problem := attempt(t, ts, ip, "bruno@example.com", password)
		if status != http.StatusTooManyRequests || !strings.Contains(problem, tooMany) {
			t.Errorf("6th attempt from the address, right password of another account: %d %q, want 429", status, problem)
		}
		if status, _ := attempt(t, ts, "198.51.100.9", "bruno@example.com", password); status != http.StatusSeeOther {
			t.Errorf("same account from another address: %d, want 303", status)
		}
		clk.Add(15*time.Minute + time.Second)
		if status, _ := attempt(t, ts, ip, "carla@example.com", password); status != http.StatusSeeOther {
			t.Errorf("after the window: %d, want 303", status)
		}
	})

	t.Run("an untrusted X-Forwarded-For is ignored", func(t *testing.T) {
		t.Parallel()
		st := testutil.NewStore(t)
		testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", password)
		ts, _ := testutil.NewServer(t, st) // no trusted proxies
		for i := range 5 {
			attempt(t, ts, fmt.Sprintf("203.0.113.%d", i+1), fmt.Sprintf("x%d@example.com", i), "errada-errada")
		}
		if status, _ := attempt(t, ts, "198.51.100.1", "carla@example.com", password); status != http.StatusTooManyRequests {
			t.Errorf("spoofed addresses escaped the throttle: %d, want 429", status)
		}
	})
}

// A user disabled while logged in loses the session at the next request.
func TestDisabledUserLosesSession(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	u := testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", password)
	_, c := testutil.NewServer(t, st)
	c.Login("carla@example.com", password)
	if err := st.SetUserActive(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if loggedIn(t, c) {
		t.Error("a disabled user still reaches the panel")
	}
}

// Logout ends the session on the server (the old cookie is worthless) and
// marks the clerk offline.
func TestLogout(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	u := testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", password)
	ts, c := testutil.NewServer(t, st)
	c.Login("carla@example.com", password)
	if err := st.SetUserStatus(ctx, u.ID, store.StatusOnline, ""); err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(ts.URL)
	var old []*http.Cookie
	for _, ck := range c.HTTP.Jar.Cookies(base) {
		old = append(old, &http.Cookie{Name: ck.Name, Value: ck.Value})
	}

	if res := c.Post("/sair", url.Values{}); res.Status != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d, want 403", res.Status)
	}
	if res := c.PostForm("/sair", url.Values{}); res.URL.Path != "/entrar" || res.Status != http.StatusOK {
		t.Errorf("logout ended at %s (%d), want the login page", res.URL, res.Status)
	}
	if res := c.Get("/atendimentos"); res.URL.Path != "/entrar" {
		t.Errorf("the panel after logout answered at %s", res.URL)
	}
	if got, err := st.UserByID(ctx, u.ID); err != nil || got.Status != store.StatusOffline {
		t.Errorf("status after logout: %q, %v", got.Status, err)
	}
	replay := testutil.NewClient(t, ts)
	replay.HTTP.Jar.SetCookies(base, old)
	if loggedIn(t, replay) {
		t.Error("the cookie from before logout still opens the panel")
	}
}

// The setup page exists only while there is no user; it validates each field
// and creates one admin, logged in.
func TestSetup(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	ts, c := testutil.NewServer(t, st)

	if res := c.Get("/"); res.URL.Path != "/configuracao-inicial" || res.Status != http.StatusOK {
		t.Fatalf("a fresh install sends / to %s (%d), want the setup page", res.URL, res.Status)
	}
	good := url.Values{"name": {"Ana Admin"}, "email": {"Ana@Prefeitura.gov.br"}, "password": {"senha-forte-1"}, "password2": {"senha-forte-1"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	cases := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no name", with("name", "  "), "name"},
		{"long name", with("name", strings.Repeat("a", 121)), "name"},
		{"no e-mail", with("email", ""), "email"},
		{"bad e-mail", with("email", "ana@"), "email"},
		{"e-mail with a name", with("email", "Ana <ana@prefeitura.gov.br>"), "email"},
		{"short password", func() url.Values { f := with("password", "curta"); f.Set("password2", "curta"); return f }(), "password"},
		{"passwords differ", with("password2", "senha-forte-2"), "password2"},
	}
	for _, tc := range cases {
		res := c.PostForm("/configuracao-inicial", tc.form)
		if res.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, res.Status)
		}
		if errs := res.FieldErrors(); errs[tc.field] == "" || len(errs) != 1 {
			t.Errorf("%s: field errors %v, want one on %s", tc.name, errs, tc.field)
		}
		if strings.Contains(res.Body, "senha-forte") {
			t.Errorf("%s: a password is echoed in the page", tc.name)
		}
		if n, _ := st.CountUsers(ctx); n != 0 {
			t.Fatalf("%s: %d users written", tc.name, n)
		}
	}

	res := c.PostForm("/configuracao-inicial", good)
	if res.Status != http.StatusOK || res.URL.Path != "/admin" || !strings.Contains(res.Flash(), "Administrador criado") {
		t.Fatalf("setup ended at %s (%d), flash %q", res.URL, res.Status, res.Flash())
	}
	u, err := st.UserByEmail(ctx, "ana@prefeitura.gov.br")
	if err != nil || u.Role != store.RoleAdmin || !u.Active || u.Name != "Ana Admin" {
		t.Fatalf("admin created: %+v, %v", u, err)
	}

	// Now the page is gone, for the admin and for anyone else, and login is back.
	for _, cl := range []*testutil.Client{c, testutil.NewClient(t, ts)} {
		if res := cl.Get("/configuracao-inicial"); res.Status != http.StatusNotFound {
			t.Errorf("GET setup after the first user: %d, want 404", res.Status)
		}
		if res := cl.PostForm("/configuracao-inicial", with("email", "intrusa@example.com")); res.Status != http.StatusNotFound {
			t.Errorf("POST setup after the first user: %d, want 404", res.Status)
		}
	}
	if res := testutil.NewClient(t, ts).Get("/"); res.URL.Path != "/entrar" {
		t.Errorf("a visitor now lands on %s, want /entrar", res.URL)
	}
	if n, _ := st.CountUsers(ctx); n != 1 {
		t.Errorf("%d users after setup, want 1", n)
	}
}

// Setup forms posted at the same moment create exactly one admin.
func TestSetupConcurrent(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	ts, _ := testutil.NewServer(t, st)
	const n = 8
	clients := make([]*testutil.Client, n)
	tokens := make([]string, n)
	for i := range clients {
		clients[i] = testutil.NewClient(t, ts)
		tokens[i] = clients[i].CSRFToken()
	}
	start := make(chan struct{})
	results := make([]int, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			pw := fmt.Sprintf("senha-forte-%d", i)
			form := url.Values{"name": {fmt.Sprintf("Admin %d", i)}, "email": {fmt.Sprintf("admin%d@example.com", i)},
				"password": {pw}, "password2": {pw}, "csrf_token": {tokens[i]}}
			<-start
			res, err := noFollow(c).PostForm(ts.URL+"/configuracao-inicial", form)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			results[i] = res.StatusCode
		})
	}
	close(start)
	wg.Wait()
	var created, refused int
	for _, s := range results {
		switch s {
		case http.StatusSeeOther:
			created++
		case http.StatusNotFound:
			refused++
		}
	}
	if created != 1 || refused != n-1 {
		t.Errorf("answers %v: want one 303 and %d × 404", results, n-1)
	}
	if users, err := st.ListUsers(ctx); err != nil || len(users) != 1 || users[0].Role != store.RoleAdmin {
		t.Errorf("users after concurrent setup: %+v, %v", users, err)
	}
}

// The sign-in and setup forms refuse a POST without the session's CSRF token.
func TestAuthFormsNeedCSRFToken(t *testing.T) {
	t.Parallel()
	empty := testutil.NewStore(t)
	emptyTS, _ := testutil.NewServer(t, empty)
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", password)
	ts, _ := testutil.NewServer(t, st)

	login := url.Values{"email": {"ana@example.com"}, "password": {password}}
	setup := url.Values{"name": {"Eva"}, "email": {"eva@example.com"}, "password": {"senha-forte-1"}, "password2": {"senha-forte-1"}}
	cases := []struct {
		name  string
		ts    *httptest.Server
		path  string
		form  url.Values
		token string // "" none, "visit" a session but no token, else the token sent
	}{
		{"login, no session", ts, "/entrar", login, ""},
		{"login, session without token", ts, "/entrar", login, "visit"},
		{"login, wrong token", ts, "/entrar", login, "forged-token"},
		{"setup, no session", emptyTS, "/configuracao-inicial", setup, ""},
		{"setup, session without token", emptyTS, "/configuracao-inicial", setup, "visit"},
		{"setup, wrong token", emptyTS, "/configuracao-inicial", setup, "forged-token"},
	}
	for _, tc := range cases {
		c := testutil.NewClient(t, tc.ts)
		form := url.Values{}
		for k, v := range tc.form {
			form[k] = v
		}
		switch tc.token {
		case "":
		case "visit":
			c.Get("/entrar")
		default:
			c.Get("/entrar")
			form.Set("csrf_token", tc.token)
		}
		if res := c.Post(tc.path, form); res.Status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, res.Status)
		}
		if loggedIn(t, c) {
			t.Errorf("%s: logged in", tc.name)
		}
	}
	if n, _ := empty.CountUsers(ctx); n != 0 {
		t.Errorf("setup without a token created %d users", n)
	}
}
