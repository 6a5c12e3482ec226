package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"balcao/app/store"
	"balcao/app/testutil"
)

var shownPassword = regexp.MustCompile(`[Ss]enha[^:]*: ([A-Za-z0-9]{14}) —`)

func TestUserCreate(t *testing.T) {
	cases := []struct {
		name   string
		form   url.Values
		status int
		field  string
		msg    string
	}{
		{"with password", url.Values{"name": {"Carla Atendente"}, "email": {"Carla@ValeVerde.example"}, "role": {"atendente"}, "password": {"uma-senha-boa"}, "departments": {"DEP"}}, http.StatusOK, "", ""},
		{"generated password", url.Values{"name": {"Sara Supervisora"}, "email": {"sara@valeverde.example"}, "role": {"supervisor"}}, http.StatusOK, "", ""},
		{"ouvidor", url.Values{"name": {"Otávio Ouvidor"}, "email": {"otavio@valeverde.example"}, "role": {"ouvidor"}, "password": {"uma-senha-boa"}}, http.StatusOK, "", ""},
		{"no name", url.Values{"email": {"x@valeverde.example"}, "role": {"atendente"}}, http.StatusUnprocessableEntity, "name", "Informe o nome."},
		{"long name", url.Values{"name": {strings.Repeat("n", 121)}, "email": {"x@valeverde.example"}, "role": {"atendente"}}, http.StatusUnprocessableEntity, "name", "no máximo 120"},
		{"no e-mail", url.Values{"name": {"X"}, "role": {"atendente"}}, http.StatusUnprocessableEntity, "email", "Informe o e-mail."},
		{"bad e-mail", url.Values{"name": {"X"}, "email": {"maria.prefeitura"}, "role": {"atendente"}}, http.StatusUnprocessableEntity, "email", "E-mail inválido"},
		{"taken e-mail", url.Values{"name": {"X"}, "email": {"ANA@valeverde.example"}, "role": {"atendente"}, "password": {"uma-senha-boa"}}, http.StatusUnprocessableEntity, "email", "Já existe um usuário com este e-mail."},
		{"short password", url.Values{"name": {"X"}, "email": {"x@valeverde.example"}, "role": {"atendente"}, "password": {"curta"}}, http.StatusUnprocessableEntity, "password", "pelo menos 8 caracteres"},
		{"no role", url.Values{"name": {"X"}, "email": {"x@valeverde.example"}}, http.StatusUnprocessableEntity, "role", "Escolha o papel"},
		{"unknown role", url.Values{"name": {"X"}, "email": {"x@valeverde.example"}, "role": {"root"}}, http.StatusUnprocessableEntity, "role", "Escolha o papel"},
		{"unknown department", url.Values{"name": {"X"}, "email": {"x@valeverde.example"}, "role": {"atendente"}, "departments": {"DEP", "9999"}}, http.StatusUnprocessableEntity, "departments", "Secretaria inválida"},
		{"garbage department", url.Values{"name": {"X"}, "email": {"x@valeverde.example"}, "role": {"atendente"}, "departments": {"abc"}}, http.StatusUnprocessableEntity, "departments", "Secretaria inválida"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newAdminEnv(t)
			dep, _ := e.fixture(t)
			form := url.Values{}
			for k, vs := range c.form {
				for _, v := range vs {
					form.Add(k, strings.ReplaceAll(v, "DEP", id(dep)))
				}
			}
			before := takeSnapshot(t, e.st)
			res := e.c.PostForm("/admin/usuarios", form)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d; errors %v", res.Status, c.status, res.FieldErrors())
			}
			if c.field != "" {
				if got := res.FieldError(c.field); !strings.Contains(got, c.msg) {
					t.Errorf("error next to %s = %q, want %q (all: %v)", c.field, got, c.msg, res.FieldErrors())
				}
				if pw := form.Get("password"); pw != "" && strings.Contains(res.Body, pw) {
					t.Error("typed password sent back in the page")
				}
				assertUnchanged(t, e.st, before)
				return
			}
			email := strings.ToLower(form.Get("email"))
			u, err := e.st.UserByEmail(ctx, email)
			if err != nil || u.Name != form.Get("name") || u.Role != form.Get("role") || !u.Active {
				t.Fatalf("saved %+v, %v", u, err)
			}
			if ids, _ := e.st.UserDepartmentIDs(ctx, u.ID); len(ids) != len(form["departments"]) {
				t.Errorf("departments %v, want %v", ids, form["departments"])
			}
			pw := form.Get("password")
			if pw == "" {
				m := shownPassword.FindStringSubmatch(res.Flash())
				if m == nil {
					t.Fatalf("generated password not shown: %q", res.Flash())
				}
				pw = m[1]
				if again := e.c.Get("/admin/usuarios"); strings.Contains(again.Body, pw) {
					t.Error("generated password shown a second time")
				}
			} else if strings.Contains(res.Flash(), "Senha") {
				t.Errorf("flash shows a password that was typed: %q", res.Flash())
			}
			testutil.NewClient(t, e.ts).Login(email, pw)
			if got := auditActions(t, e.st); !slices.Equal(got, []string{"user.create"}) {
				t.Errorf("audit %v", got)
			}
		})
	}
}

func TestUserEdit(t *testing.T) {
	e := newAdminEnv(t)
	dep, _ := e.fixture(t)
	obras, _ := e.st.CreateDepartment(ctx, store.Department{Name: "Obras"})
	carla := testutil.AddUser(t, e.st, store.RoleAgent, "carla@valeverde.example", password)
	testutil.AddUser(t, e.st, store.RoleAgent, "bruno@valeverde.example", password)
	path := "/admin/usuarios/" + id(carla.ID)

	page := e.c.Get(path)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `value="carla@valeverde.example"`) {
		t.Fatalf("edit page: status %d", page.Status)
	}
	invalid := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {""}, "email": {"carla@valeverde.example"}, "role": {"atendente"}, "active": {"1"}}, "name"},
		{url.Values{"name": {"Carla"}, "email": {"Bruno@valeverde.example"}, "role": {"atendente"}, "active": {"1"}}, "email"},
		{url.Values{"name": {"Carla"}, "email": {"carla@valeverde.example"}, "role": {"chefe"}, "active": {"1"}}, "role"},
		{url.Values{"name": {"Carla"}, "email": {"carla@valeverde.example"}, "role": {"atendente"}, "departments": {"77"}}, "departments"},
	}
	before := takeSnapshot(t, e.st)
	for _, c := range invalid {
		res := e.c.PostForm(path, c.form)
		if res.Status != http.StatusUnprocessableEntity || res.FieldError(c.field) == "" {
			t.Errorf("%v: status %d, errors %v, want one on %s", c.form, res.Status, res.FieldErrors(), c.field)
		}
	}
	assertUnchanged(t, e.st, before)

	res := e.c.PostForm(path, url.Values{"name": {"Carla Mendes"}, "email": {"carla.mendes@valeverde.example"}, "role": {"supervisor"},
		"active": {"1"}, "departments": {id(dep), id(obras.ID)}})
	if res.Status != http.StatusOK || !strings.Contains(res.Flash(), "salvo") {
		t.Fatalf("save: status %d, errors %v", res.Status, res.FieldErrors())
	}
	u, _ := e.st.UserByID(ctx, carla.ID)
	if u.Name != "Carla Mendes" || u.Email != "carla.mendes@valeverde.example" || u.Role != store.RoleSupervisor || !u.Active {
		t.Errorf("saved %+v", u)
	}
	if ids, _ := e.st.UserDepartmentIDs(ctx, carla.ID); !slices.Equal(ids, []int64{dep, obras.ID}) {
		t.Errorf("departments %v", ids)
	}
	if !strings.Contains(res.Body, "Obras, SAAE") {
		t.Error("list does not show the departments")
	}
	page = e.c.Get(path)
	if !strings.Contains(page.Body, `value="`+id(obras.ID)+`" checked`) || !strings.Contains(page.Body, `value="supervisor" checked`) {
		t.Error("edit page does not show the saved choices")
	}
}

// A user can be deactivated (and is logged out at once) and reactivated; the
// last active admin can be neither deactivated nor demoted.
func TestUserDeactivateAndLastAdmin(t *testing.T) {
	e := newAdminEnv(t)
	carla := e.as(t, store.RoleAgent, "carla@valeverde.example")
	cu, _ := e.st.UserByEmail(ctx, "carla@valeverde.example")
	carlaPath := "/admin/usuarios/" + id(cu.ID)

	res := e.c.PostForm(carlaPath, url.Values{"name": {cu.Name}, "email": {cu.Email}, "role": {"atendente"}})
	if res.Status != http.StatusOK {
		t.Fatalf("deactivate: status %d, errors %v", res.Status, res.FieldErrors())
	}
	if u, _ := e.st.UserByID(ctx, cu.ID); u.Active {
		t.Error("still active")
	}
	if res := carla.Get("/"); res.URL.Path != "/entrar" {
		t.Errorf("deactivated user still in the panel at %s", res.URL.Path)
	}
	if res := e.c.PostForm(carlaPath, url.Values{"name": {cu.Name}, "email": {cu.Email}, "role": {"atendente"}, "active": {"1"}}); res.Status != http.StatusOK {
		t.Fatalf("reactivate: status %d", res.Status)
	}
	testutil.NewClient(t, e.ts).Login(cu.Email, password)

	self := "/admin/usuarios/" + id(e.admin.ID)
	before := takeSnapshot(t, e.st)
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {e.admin.Name}, "email": {adminEmail}, "role": {"supervisor"}, "active": {"1"}}, "role"},
		{url.Values{"name": {e.admin.Name}, "email": {adminEmail}, "role": {"admin"}}, "active"},
		{url.Values{"name": {e.admin.Name}, "email": {adminEmail}, "role": {"atendente"}}, "role"},
	} {
		res := e.c.PostForm(self, c.form)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.FieldError(c.field), "último administrador ativo") {
			t.Errorf("%v: status %d, errors %v", c.form, res.Status, res.FieldErrors())
		}
	}
	assertUnchanged(t, e.st, before)

	// With a second admin, the first may step down.
	if res := e.c.PostForm(carlaPath, url.Values{"name": {cu.Name}, "email": {cu.Email}, "role": {"admin"}, "active": {"1"}}); res.Status != http.StatusOK {
		t.Fatalf("promote: status %d", res.Status)
	}
	res = e.c.PostForm(self, url.Values{"name": {e.admin.Name}, "email": {adminEmail}, "role": {"supervisor"}, "active": {"1"}})
	if res.Status != http.StatusOK || res.URL.Path != "/" || !strings.Contains(res.Flash(), "salvo") {
		t.Errorf("step down: status %d at %s, want home (no longer an admin)", res.Status, res.URL.Path)
	}
	if u, _ := e.st.UserByID(ctx, e.admin.ID); u.Role != store.RoleSupervisor {
		t.Errorf("role %s after stepping down", u.Role)
	}
	want := []string{"user.update", "user.deactivate", "user.update", "user.reactivate", "user.update", "user.update"}
	if got := auditActions(t, e.st); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

func TestUserResetPassword(t *testing.T) {
	e := newAdminEnv(t)
	cu := testutil.AddUser(t, e.st, store.RoleAgent, "carla@valeverde.example", password)
	res := e.c.PostForm("/admin/usuarios/"+id(cu.ID)+"/senha", nil)
	if res.Status != http.StatusOK || res.URL.Path != "/admin/usuarios/"+id(cu.ID) {
		t.Fatalf("reset: status %d at %s", res.Status, res.URL.Path)
	}
	m := shownPassword.FindStringSubmatch(res.Flash())
	if m == nil {
		t.Fatalf("new password not shown: %q", res.Flash())
	}
	old := testutil.NewClient(t, e.ts)
	if r := old.PostForm("/entrar", url.Values{"email": {cu.Email}, "password": {password}}); r.Status != http.StatusUnauthorized {
		t.Errorf("old password still works: status %d", r.Status)
	}
	testutil.NewClient(t, e.ts).Login(cu.Email, m[1])
	if got := auditActions(t, e.st); !slices.Equal(got, []string{"user.password_reset"}) {
		t.Errorf("audit %v", got)
	}
	if res := e.c.PostForm("/admin/usuarios/999/senha", nil); res.Status != http.StatusNotFound {
		t.Errorf("missing user: status %d", res.Status)
	}
}

// The new-user form offers the ouvidor role, saying what only it may do.
func TestUserFormOffersOuvidor(t *testing.T) {
	e := newAdminEnv(t)
	res := e.c.Get("/admin/usuarios/novo")
	for _, want := range []string{`value="ouvidor"`, "Ouvidor(a)", "identidade de manifestações sigilosas"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("new-user form lacks %q", want)
		}
	}
}
