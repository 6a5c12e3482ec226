package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"balcao/app/store"
)

func TestDepartmentCreate(t *testing.T) {
	long := strings.Repeat("á", 121)
	cases := []struct {
		name   string
		form   url.Values
		status int
		field  string // the field whose error is shown, "" for success
		msg    string
	}{
		{"valid", url.Values{"name": {"Secretaria de Obras e Iluminação"}, "description": {"Buracos, iluminação pública, poda."}}, http.StatusOK, "", ""},
		{"name only", url.Values{"name": {"  Ouvidoria Geral  "}}, http.StatusOK, "", ""},
		{"no name", url.Values{"description": {"sem nome"}}, http.StatusUnprocessableEntity, "name", "Informe o nome da secretaria."},
		{"blank name", url.Values{"name": {"   "}}, http.StatusUnprocessableEntity, "name", "Informe o nome da secretaria."},
		{"long name", url.Values{"name": {long}}, http.StatusUnprocessableEntity, "name", "no máximo 120 caracteres"},
		{"long description", url.Values{"name": {"Saúde"}, "description": {strings.Repeat("x", 501)}}, http.StatusUnprocessableEntity, "description", "no máximo 500 caracteres"},
		{"duplicate name", url.Values{"name": {"saae"}}, http.StatusUnprocessableEntity, "name", "Já existe uma secretaria com este nome."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newAdminEnv(t)
			if _, err := e.st.CreateDepartment(ctx, store.Department{Name: "SAAE"}); err != nil {
				t.Fatal(err)
			}
			before := takeSnapshot(t, e.st)
			res := e.c.PostForm("/admin/secretarias", c.form)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d; errors %v", res.Status, c.status, res.FieldErrors())
			}
			if c.field != "" {
				if got := res.FieldError(c.field); !strings.Contains(got, c.msg) {
					t.Errorf("error next to %s = %q, want %q (all: %v)", c.field, got, c.msg, res.FieldErrors())
				}
				if len(res.FieldErrors()) != 1 {
					t.Errorf("errors %v, want only %s", res.FieldErrors(), c.field)
				}
				if !strings.Contains(res.Body, `name="csrf_token"`) || !strings.Contains(res.Body, `value="`+c.form.Get("name")+`"`) {
					t.Error("form not shown again with the typed name")
				}
				assertUnchanged(t, e.st, before)
				return
			}
			if res.URL.Path != "/admin/secretarias" || !strings.Contains(res.Flash(), "salva") {
				t.Errorf("landed on %s with flash %q", res.URL.Path, res.Flash())
			}
			list, _ := e.st.ListDepartments(ctx)
			want := strings.TrimSpace(c.form.Get("name"))
			if !slices.ContainsFunc(list, func(d store.Department) bool {
				return d.Name == want && d.Description == c.form.Get("description")
			}) {
				t.Errorf("department %q not saved: %+v", want, list)
			}
			if !strings.Contains(res.Body, want) {
				t.Error("list does not show the new department")
			}
			if got := auditActions(t, e.st); !slices.Equal(got, []string{"department.create"}) {
				t.Errorf("audit %v", got)
			}
		})
	}
}

func TestDepartmentEdit(t *testing.T) {
	e := newAdminEnv(t)
	dep, _ := e.fixture(t)
	if _, err := e.st.CreateDepartment(ctx, store.Department{Name: "Ouvidoria Geral"}); err != nil {
		t.Fatal(err)
	}
	path := "/admin/secretarias/" + id(dep)

	page := e.c.Get(path)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `value="SAAE"`) || !strings.Contains(page.Body, `action="`+path+`"`) {
		t.Fatalf("edit page: status %d", page.Status)
	}
	before := takeSnapshot(t, e.st)
	res := e.c.PostForm(path, url.Values{"name": {"ouvidoria geral"}})
	if res.Status != http.StatusUnprocessableEntity || res.FieldError("name") == "" {
		t.Errorf("rename onto another: status %d, errors %v", res.Status, res.FieldErrors())
	}
	res = e.c.PostForm(path, url.Values{"name": {""}})
	if res.Status != http.StatusUnprocessableEntity || res.FieldError("name") == "" {
		t.Errorf("empty name: status %d, errors %v", res.Status, res.FieldErrors())
	}
	assertUnchanged(t, e.st, before)

	res = e.c.PostForm(path, url.Values{"name": {"Serviço Autônomo de Água e Esgoto (SAAE)"}, "description": {"Água e esgoto"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Flash(), "salva") {
		t.Fatalf("rename: status %d, flash %q, errors %v", res.Status, res.Flash(), res.FieldErrors())
	}
	if d, _ := e.st.DepartmentByID(ctx, dep); d.Name != "Serviço Autônomo de Água e Esgoto (SAAE)" || d.Description != "Água e esgoto" {
		t.Errorf("saved %+v", d)
	}
	if res := e.c.PostForm("/admin/secretarias/999", url.Values{"name": {"X"}}); res.Status != http.StatusNotFound {
		t.Errorf("edit missing: status %d", res.Status)
	}
	if got := auditActions(t, e.st); !slices.Equal(got, []string{"department.update"}) {
		t.Errorf("audit %v", got)
	}
}

func TestDepartmentDelete(t *testing.T) {
	e := newAdminEnv(t)
	dep, grp := e.fixture(t)
	before := takeSnapshot(t, e.st)
	res := e.c.PostForm("/admin/secretarias/"+id(dep)+"/excluir", nil)
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "ainda tem grupos de atendimento") {
		t.Errorf("delete with groups: status %d", res.Status)
	}
	assertUnchanged(t, e.st, before)

	if res := e.c.PostForm("/admin/grupos/"+id(grp)+"/excluir", nil); res.Status != http.StatusOK {
		t.Fatalf("delete group: status %d", res.Status)
	}
	res = e.c.PostForm("/admin/secretarias/"+id(dep)+"/excluir", nil)
	if res.Status != http.StatusOK || !strings.Contains(res.Flash(), "excluída") {
		t.Errorf("delete: status %d, flash %q", res.Status, res.Flash())
	}
	if _, err := e.st.DepartmentByID(ctx, dep); err == nil {
		t.Error("department still there")
	}
	if res := e.c.PostForm("/admin/secretarias/"+id(dep)+"/excluir", nil); res.Status != http.StatusNotFound {
		t.Errorf("delete twice: status %d", res.Status)
	}
	if got := auditActions(t, e.st); !slices.Equal(got, []string{"group.delete", "department.delete"}) {
		t.Errorf("audit %v", got)
	}
}
