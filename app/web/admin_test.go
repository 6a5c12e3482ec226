package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

const (
	adminEmail = "ana@valeverde.example"
	password   = "senha-de-teste"
)

var ctx = context.Background()

// adminEnv is a server with one admin logged in.
type adminEnv struct {
	st    *store.Store
	ts    *httptest.Server
	c     *testutil.Client
	admin store.User
}

func newAdminEnv(t *testing.T) adminEnv {
	t.Helper()
	st := testutil.NewStore(t)
	admin := testutil.AddUser(t, st, store.RoleAdmin, adminEmail, password)
	ts, c := testutil.NewServer(t, st)
	c.Login(adminEmail, password)
	return adminEnv{st: st, ts: ts, c: c, admin: admin}
}

// as returns a new browser logged in as a new user with role.
func (e adminEnv) as(t *testing.T, role, email string) *testutil.Client {
	t.Helper()
	testutil.AddUser(t, e.st, role, email, password)
	c := testutil.NewClient(t, e.ts)
	c.Login(email, password)
	return c
}

// fixture creates a department with a group and returns their ids.
func (e adminEnv) fixture(t *testing.T) (departmentID, groupID int64) {
	t.Helper()
	d, err := e.st.CreateDepartment(ctx, store.Department{Name: "SAAE"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.st.CreateGroup(ctx, store.Group{Name: "Água — Segunda via", DepartmentID: d.ID, Level: store.LevelN1, MaxPerAgent: 5,
		Hours: hours.WeekdaysFrom(hours.Interval{Open: 480, Close: 1020})}, []int64{e.admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID, g.ID
}

// snapshot is every row count an admin form can change.
type snapshot struct {
	Users, Departments, Groups, Members, UserDepartments, Audit int
	Names                                                       string
}

func takeSnapshot(t *testing.T, st *store.Store) snapshot {
	t.Helper()
	var s snapshot
	err := st.R.QueryRow(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM departments),
		(SELECT count(*) FROM service_groups), (SELECT count(*) FROM group_members),
		(SELECT count(*) FROM user_departments), (SELECT count(*) FROM audit_events WHERE action <> 'login'),
		(SELECT group_concat(name || role || active, ',') FROM users) || '|' ||
		coalesce((SELECT group_concat(name || description, ',') FROM departments), '') || '|' ||
		coalesce((SELECT group_concat(name || department_id || level || max_per_agent || business_hours, ',') FROM service_groups), '')`).
		Scan(&s.Users, &s.Departments, &s.Groups, &s.Members, &s.UserDepartments, &s.Audit, &s.Names)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func assertUnchanged(t *testing.T, st *store.Store, before snapshot) {
	t.Helper()
	if after := takeSnapshot(t, st); after != before {
		t.Errorf("database changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

// auditActions lists the recorded actions other than logins, oldest first.
func auditActions(t *testing.T, st *store.Store) []string {
	t.Helper()
	rows, err := st.R.Query(`SELECT action FROM audit_events WHERE action <> 'login' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// Only admins reach the admin pages; others get 403, visitors the login page.
func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	e := newAdminEnv(t)
	dep, grp := e.fixture(t)
	user := "/admin/usuarios/" + id(e.admin.ID)
	gets := []string{"/admin", "/admin/usuarios", "/admin/usuarios/novo", user,
		"/admin/secretarias", "/admin/secretarias/nova", "/admin/secretarias/" + id(dep),
		"/admin/grupos", "/admin/grupos/novo", "/admin/grupos/" + id(grp), "/admin/backup"}
	posts := []string{"/admin/usuarios", user, user + "/senha",
		"/admin/secretarias", "/admin/secretarias/" + id(dep), "/admin/secretarias/" + id(dep) + "/excluir",
		"/admin/grupos", "/admin/grupos/" + id(grp), "/admin/grupos/" + id(grp) + "/excluir"}
	form := url.Values{"name": {"Invasor"}, "email": {"x@example.com"}, "role": {"admin"}, "active": {"1"}}

	for _, role := range []string{store.RoleAgent, store.RoleSupervisor} {
		c := e.as(t, role, role+"@valeverde.example")
		before := takeSnapshot(t, e.st)
		for _, path := range gets {
			if res := c.Get(path); res.Status != http.StatusForbidden {
				t.Errorf("%s GET %s: status %d, want 403", role, path, res.Status)
			}
		}
		for _, path := range posts {
			if res := c.PostForm(path, form); res.Status != http.StatusForbidden {
				t.Errorf("%s POST %s: status %d, want 403", role, path, res.Status)
			}
		}
		assertUnchanged(t, e.st, before)
	}

	visitor := testutil.NewClient(t, e.ts)
	before := takeSnapshot(t, e.st)
	for _, path := range gets {
		if res := visitor.Get(path); res.URL.Path != "/entrar" {
			t.Errorf("visitor GET %s: landed on %s, want /entrar", path, res.URL.Path)
		}
	}
	for _, path := range posts {
		if res := visitor.PostForm(path, form); res.URL.Path != "/entrar" {
			t.Errorf("visitor POST %s: landed on %s, want /entrar", path, res.URL.Path)
		}
	}
	assertUnchanged(t, e.st, before)
}

// Every state-changing admin request without the session's token is refused
// before anything is written.
func TestAdminFormsNeedCSRFToken(t *testing.T) {
	e := newAdminEnv(t)
	dep, grp := e.fixture(t)
	other := testutil.AddUser(t, e.st, store.RoleAgent, "carla@valeverde.example", password)
	valid := map[string]url.Values{
		"/admin/usuarios":                            {"name": {"Nova"}, "email": {"nova@example.com"}, "role": {"atendente"}},
		"/admin/usuarios/" + id(other.ID):            {"name": {"Carla"}, "email": {"carla@valeverde.example"}, "role": {"admin"}},
		"/admin/usuarios/" + id(other.ID) + "/senha": {},
		"/admin/secretarias":                         {"name": {"Obras"}},
		"/admin/secretarias/" + id(dep):              {"name": {"Outro nome"}},
		"/admin/secretarias/" + id(dep) + "/excluir": {},
		"/admin/grupos":                              groupValues(dep, "Novo grupo"),
		"/admin/grupos/" + id(grp):                   groupValues(dep, "Outro nome"),
		"/admin/grupos/" + id(grp) + "/excluir":      {},
	}
	tokens := []struct {
		name  string
		token []string
	}{
		{"missing", nil},
		{"empty", []string{""}},
		{"wrong", []string{"bm90LXRoZS10b2tlbg"}},
		{"another session's", []string{testutil.NewClient(t, e.ts).CSRFToken()}},
	}
	before := takeSnapshot(t, e.st)
	hash, _ := e.st.UserByID(ctx, other.ID)
	for path, values := range valid {
		for _, tok := range tokens {
			v := url.Values{}
			for k, vs := range values {
				v[k] = vs
			}
			if tok.token != nil {
				v["csrf_token"] = tok.token
			}
			res := e.c.Post(path, v)
			if res.Status != http.StatusForbidden || !strings.Contains(res.Body, "Formulário expirado") {
				t.Errorf("POST %s with %s token: status %d, want 403 with an explanation", path, tok.name, res.Status)
			}
		}
	}
	assertUnchanged(t, e.st, before)
	if after, _ := e.st.UserByID(ctx, other.ID); after.PasswordHash != hash.PasswordHash {
		t.Error("password reset without a CSRF token")
	}
	// The same request with the token goes through (the header works too).
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/admin/secretarias", strings.NewReader("name=Obras"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", e.c.CSRFToken())
	res, err := e.c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/admin/secretarias" {
		t.Errorf("with X-CSRF-Token: status %d at %s", res.StatusCode, res.Request.URL.Path)
	}
}

// Anything a person typed is shown escaped on every admin page.
func TestAdminPagesEscapeInput(t *testing.T) {
	e := newAdminEnv(t)
	evil := `<script>alert("x")</script>`
	res := e.c.PostForm("/admin/secretarias", url.Values{"name": {evil}, "description": {evil}})
	if res.Status != http.StatusOK {
		t.Fatalf("create: status %d", res.Status)
	}
	list, err := e.st.ListDepartments(ctx)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	if res := e.c.PostForm("/admin/grupos", groupValues(list[0].ID, evil)); res.Status != http.StatusOK {
		t.Fatalf("group: status %d %v", res.Status, res.FieldErrors())
	}
	if res := e.c.PostForm("/admin/usuarios", url.Values{"name": {evil}, "email": {"evil@example.com"}, "role": {"atendente"},
		"departments": {id(list[0].ID)}}); res.Status != http.StatusOK {
		t.Fatalf("user: status %d %v", res.Status, res.FieldErrors())
	}
	for _, path := range []string{"/admin/secretarias", "/admin/secretarias/" + id(list[0].ID), "/admin/grupos", "/admin/usuarios"} {
		body := e.c.Get(path).Body
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s: raw script tag in page", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: escaped input not shown", path)
		}
	}
}

// The foundation's admin home links to every admin page, and they all render.
func TestAdminPagesRender(t *testing.T) {
	e := newAdminEnv(t)
	home := e.c.Get("/admin")
	for _, path := range []string{"/admin/usuarios", "/admin/secretarias", "/admin/grupos", "/admin/backup"} {
		if !strings.Contains(home.Body, `href="`+path+`"`) {
			t.Errorf("/admin does not link to %s", path)
		}
		if res := e.c.Get(path); res.Status != http.StatusOK || !strings.Contains(res.Body, `lang="pt-BR"`) {
			t.Errorf("GET %s: status %d", path, res.Status)
		}
	}
	for _, path := range []string{"/admin/usuarios/0", "/admin/usuarios/abc", "/admin/usuarios/999",
		"/admin/secretarias/999", "/admin/grupos/-1", "/admin/grupos/999"} {
		if res := e.c.Get(path); res.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.Status)
		}
	}
}
