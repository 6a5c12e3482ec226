package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/views"
)

// groupValues is a valid group form: Mon–Fri 08:00–12:00 and 13:00–17:00,
// Saturday 08:00–12:00, Sunday closed.
func groupValues(departmentID int64, name string, members ...int64) url.Values {
	v := url.Values{"name": {name}, "department": {id(departmentID)}, "level": {"N2"}, "max_per_agent": {"4"}}
	for d := time.Monday; d <= time.Friday; d++ {
		v.Set(views.HoursField(d, "open"), "08:00")
		v.Set(views.HoursField(d, "close"), "12:00")
		v.Set(views.HoursField(d, "open2"), "13:00")
		v.Set(views.HoursField(d, "close2"), "17:00")
	}
	v.Set(views.HoursField(time.Saturday, "open"), "08:00")
	v.Set(views.HoursField(time.Saturday, "close"), "12:00")
	v.Set(views.HoursField(time.Sunday, "closed"), "1")
	for _, m := range members {
		v.Add("members", id(m))
	}
	return v
}

func TestGroupCreate(t *testing.T) {
	mon := func(part string) string { return views.HoursField(time.Monday, part) }
	cases := []struct {
		name   string
		change func(v url.Values)
		field  string // "" for success
		msg    string
	}{
		{"valid", func(v url.Values) {}, "", ""},
		{"midnight close", func(v url.Values) { v.Set(mon("close2"), "00:00") }, "", ""},
		{"no name", func(v url.Values) { v.Set("name", " ") }, "name", "Informe o nome do grupo."},
		{"long name", func(v url.Values) { v.Set("name", strings.Repeat("g", 121)) }, "name", "no máximo 120"},
		{"taken name", func(v url.Values) { v.Set("name", "ÁGUA — SEGUNDA VIA") }, "name", "Já existe um grupo com este nome."},
		{"no department", func(v url.Values) { v.Del("department") }, "department", "Escolha a secretaria"},
		{"unknown department", func(v url.Values) { v.Set("department", "9999") }, "department", "Escolha a secretaria"},
		{"unknown level", func(v url.Values) { v.Set("level", "N4") }, "level", "N1, N2 ou N3"},
		{"no level", func(v url.Values) { v.Del("level") }, "level", "N1, N2 ou N3"},
		{"zero per agent", func(v url.Values) { v.Set("max_per_agent", "0") }, "max_per_agent", "de 1 a 50"},
		{"51 per agent", func(v url.Values) { v.Set("max_per_agent", "51") }, "max_per_agent", "de 1 a 50"},
		{"text per agent", func(v url.Values) { v.Set("max_per_agent", "muitos") }, "max_per_agent", "de 1 a 50"},
		{"fraction per agent", func(v url.Values) { v.Set("max_per_agent", "2.5") }, "max_per_agent", "de 1 a 50"},
		{"unknown member", func(v url.Values) { v.Add("members", "9999") }, "members", "Membro inválido"},
		{"inactive member", func(v url.Values) { v.Add("members", "INACTIVE") }, "members", "Membro inválido"},
		{"day without times", func(v url.Values) { v.Del(mon("open")); v.Del(mon("close")) }, "hours_mon", "ou marque Fechado"},
		{"open without close", func(v url.Values) { v.Del(mon("close")) }, "hours_mon", "também o fechamento"},
		{"bad time", func(v url.Values) { v.Set(mon("open"), "8h") }, "hours_mon", "formato 08:00"},
		{"out of range time", func(v url.Values) { v.Set(mon("open"), "25:00") }, "hours_mon", "formato 08:00"},
		{"closes before opening", func(v url.Values) { v.Set(mon("open"), "12:30") }, "hours_mon", "depois da abertura"},
		{"second turn overlaps", func(v url.Values) { v.Set(mon("open2"), "11:00") }, "hours_mon", "2º turno precisa começar depois"},
		{"second turn half filled", func(v url.Values) { v.Del(mon("close2")) }, "hours_mon", "também o fechamento"},
		{"always closed", func(v url.Values) {
			for _, d := range hours.MondayFirst {
				v.Set(views.HoursField(d, "closed"), "1")
			}
		}, "hours", "pelo menos um dia"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newAdminEnv(t)
			dep, _ := e.fixture(t)
			carla := testutil.AddUser(t, e.st, store.RoleAgent, "carla@valeverde.example", password)
			gone := testutil.AddUser(t, e.st, store.RoleAgent, "gone@valeverde.example", password)
			if err := e.st.SetUserActive(ctx, gone.ID, false); err != nil {
				t.Fatal(err)
			}
			v := groupValues(dep, "Água — Vazamentos", e.admin.ID, carla.ID)
			c.change(v)
			if ms := v["members"]; slices.Contains(ms, "INACTIVE") {
				v["members"] = append(slices.DeleteFunc(ms, func(s string) bool { return s == "INACTIVE" }), id(gone.ID))
			}
			before := takeSnapshot(t, e.st)
			res := e.c.PostForm("/admin/grupos", v)
			if c.field != "" {
				if res.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.Status)
				}
				if got := res.FieldError(c.field); !strings.Contains(got, c.msg) {
					t.Errorf("error next to %s = %q, want %q (all: %v)", c.field, got, c.msg, res.FieldErrors())
				}
				if len(res.FieldErrors()) != 1 {
					t.Errorf("errors %v, want only %s", res.FieldErrors(), c.field)
				}
				if !strings.Contains(res.Body, `value="`+v.Get(views.HoursField(time.Tuesday, "open2"))+`"`) {
					t.Error("hours grid not shown again with the typed times")
				}
				assertUnchanged(t, e.st, before)
				return
			}
			if res.Status != http.StatusOK || res.URL.Path != "/admin/grupos" || !strings.Contains(res.Flash(), "salvo") {
				t.Fatalf("status %d at %s, errors %v", res.Status, res.URL.Path, res.FieldErrors())
			}
			groups, _ := e.st.ListGroups(ctx)
			i := slices.IndexFunc(groups, func(g store.Group) bool { return g.Name == "Água — Vazamentos" })
			if i < 0 {
				t.Fatalf("group not saved: %+v", groups)
			}
			g := groups[i]
			if g.DepartmentID != dep || g.Level != "N2" || g.MaxPerAgent != 4 || g.Members != 2 {
				t.Errorf("saved %+v", g)
			}
			sp := hours.SaoPaulo()
			checks := []struct {
				at   time.Time
				open bool
			}{
				{time.Date(2026, 11, 23, 8, 0, 0, 0, sp), true},    // Monday
				{time.Date(2026, 11, 23, 12, 30, 0, 0, sp), false}, // lunch
				{time.Date(2026, 11, 28, 11, 59, 0, 0, sp), true},  // Saturday morning
				{time.Date(2026, 11, 29, 10, 0, 0, 0, sp), false},  // Sunday
				{time.Date(2026, 11, 23, 23, 59, 0, 0, sp), c.name == "midnight close"},
			}
			for _, ch := range checks {
				if got := g.Hours.OpenAt(ch.at, sp); got != ch.open {
					t.Errorf("OpenAt(%v) = %v, want %v (hours %v)", ch.at, got, ch.open, g.Hours)
				}
			}
			if !strings.Contains(res.Body, "sex 08:00–12:00, 13:00–17:00 · sáb 08:00–12:00") {
				t.Error("list does not summarise the hours")
			}
			if got := auditActions(t, e.st); !slices.Equal(got, []string{"group.create"}) {
				t.Errorf("audit %v", got)
			}
		})
	}
}

func TestGroupEdit(t *testing.T) {
	e := newAdminEnv(t)
	_, grp := e.fixture(t)
	other, _ := e.st.CreateDepartment(ctx, store.Department{Name: "Obras"})
	carla := testutil.AddUser(t, e.st, store.RoleAgent, "carla@valeverde.example", password)
	path := "/admin/grupos/" + id(grp)

	page := e.c.Get(path)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `value="Água — Segunda via"`) ||
		!strings.Contains(page.Body, `name="hours_sat_closed" value="1" aria-label="Sábado: fechado" checked`) ||
		!strings.Contains(page.Body, `name="hours_mon_open" value="08:00"`) {
		t.Fatalf("edit page: status %d", page.Status)
	}

	before := takeSnapshot(t, e.st)
	bad := groupValues(other.ID, "Iluminação pública", carla.ID, 9999)
	if res := e.c.PostForm(path, bad); res.Status != http.StatusUnprocessableEntity || res.FieldError("members") == "" {
		t.Errorf("unknown member: status %d, errors %v", res.Status, res.FieldErrors())
	}
	assertUnchanged(t, e.st, before)

	v := groupValues(other.ID, "Iluminação pública", carla.ID)
	v.Set("level", "N3")
	v.Set(views.HoursField(time.Friday, "close2"), "00:00")
	res := e.c.PostForm(path, v)
	if res.Status != http.StatusOK || !strings.Contains(res.Flash(), "salvo") {
		t.Fatalf("save: status %d, errors %v", res.Status, res.FieldErrors())
	}
	g, _ := e.st.GroupByID(ctx, grp)
	if g.Name != "Iluminação pública" || g.DepartmentID != other.ID || g.Level != "N3" {
		t.Errorf("saved %+v", g)
	}
	if ids, _ := e.st.GroupMemberIDs(ctx, grp); !slices.Equal(ids, []int64{carla.ID}) {
		t.Errorf("members %v, want only carla (replaced)", ids)
	}
	if g.Hours[time.Friday][1].Close != hours.EndOfDay {
		t.Errorf("friday %v, want open until midnight", g.Hours[time.Friday])
	}
	if page := e.c.Get(path); !strings.Contains(page.Body, `name="hours_fri_close2" value="00:00"`) {
		t.Error("midnight not shown as 00:00 on the form")
	}

	// An inactive member stays listed (and kept) on the group's form.
	if err := e.st.SetUserActive(ctx, carla.ID, false); err != nil {
		t.Fatal(err)
	}
	page = e.c.Get(path)
	if !strings.Contains(page.Body, "(inativo)") || !strings.Contains(page.Body, `value="`+id(carla.ID)+`" checked`) {
		t.Error("inactive member not shown on the form")
	}
	if res := e.c.PostForm(path, v); res.Status != http.StatusOK {
		t.Errorf("save with an inactive member kept: status %d, errors %v", res.Status, res.FieldErrors())
	}
	if page := e.c.Get("/admin/grupos/novo"); strings.Contains(page.Body, "(inativo)") {
		t.Error("inactive user offered for a new group")
	}
	if got := auditActions(t, e.st); !slices.Equal(got, []string{"group.update", "group.update"}) {
		t.Errorf("audit %v", got)
	}
}

func TestGroupNewFormDefaults(t *testing.T) {
	e := newAdminEnv(t)
	page := e.c.Get("/admin/grupos/novo")
	for _, want := range []string{
		`name="hours_mon_open" value="08:00"`, `name="hours_fri_close" value="17:00"`,
		`name="hours_sun_closed" value="1" aria-label="Domingo: fechado" checked`,
		`name="max_per_agent" type="number" value="5"`, `<option value="N1" selected>`,
		"Nenhuma secretaria cadastrada",
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("new group form lacks %s", want)
		}
	}
}
