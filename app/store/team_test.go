package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

var ctx = context.Background()

func mustDepartment(t *testing.T, st *store.Store, name string) store.Department {
	t.Helper()
	d, err := st.CreateDepartment(ctx, store.Department{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func officeHours() hours.Week {
	return hours.WeekdaysFrom(hours.Interval{Open: 8 * 60, Close: 17 * 60})
}

func TestDepartments(t *testing.T) {
	st := testutil.NewStore(t)
	obras := mustDepartment(t, st, "Obras")
	saude, err := st.CreateDepartment(ctx, store.Department{Name: "Saúde", Description: "UBS e agendamentos"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDepartment(ctx, store.Department{Name: "OBRAS"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate name (other case): %v, want ErrConflict", err)
	}
	saude.Name = "obras"
	if err := st.UpdateDepartment(ctx, saude); !errors.Is(err, store.ErrConflict) {
		t.Errorf("rename onto another: %v, want ErrConflict", err)
	}
	saude.Name = "Secretaria de Saúde"
	if err := st.UpdateDepartment(ctx, saude); err != nil {
		t.Fatal(err)
	}
	if got, err := st.DepartmentByID(ctx, saude.ID); err != nil || got.Name != "Secretaria de Saúde" || got.Description != "UBS e agendamentos" {
		t.Errorf("DepartmentByID = %+v, %v", got, err)
	}
	if _, err := st.DepartmentByID(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing department: %v, want ErrNotFound", err)
	}
	if err := st.UpdateDepartment(ctx, store.Department{ID: 9999, Name: "X"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update missing: %v, want ErrNotFound", err)
	}

	g, err := st.CreateGroup(ctx, store.Group{Name: "Iluminação", DepartmentID: obras.ID, Level: store.LevelN3, MaxPerAgent: 3, Hours: officeHours()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.ListDepartments(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Obras" || list[0].Groups != 1 || list[1].Groups != 0 {
		t.Errorf("ListDepartments = %+v, %v", list, err)
	}
	if err := st.DeleteDepartment(ctx, obras.ID); !errors.Is(err, store.ErrInUse) {
		t.Errorf("delete with groups: %v, want ErrInUse", err)
	}
	if _, err := st.DepartmentByID(ctx, obras.ID); err != nil {
		t.Errorf("refused delete removed the department: %v", err)
	}
	if err := st.DeleteGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteDepartment(ctx, obras.ID); err != nil {
		t.Errorf("delete without groups: %v", err)
	}
	if err := st.DeleteDepartment(ctx, obras.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: %v, want ErrNotFound", err)
	}
}

func TestGroupRoundTrip(t *testing.T) {
	st := testutil.NewStore(t)
	d := mustDepartment(t, st, "SAAE")
	a := testutil.AddUser(t, st, store.RoleAgent, "a@example.com", "senha-boa-1")
	b := testutil.AddUser(t, st, store.RoleAgent, "b@example.com", "senha-boa-1")
	w := officeHours()
	w[time.Saturday] = []hours.Interval{{Open: 8 * 60, Close: 12 * 60}}
	g, err := st.CreateGroup(ctx, store.Group{Name: "Água — Segunda via", DepartmentID: d.ID, Level: store.LevelN1, MaxPerAgent: 6, Hours: w},
		[]int64{a.ID, b.ID, a.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GroupByID(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != g.Name || got.DepartmentName != "SAAE" || got.Level != "N1" || got.MaxPerAgent != 6 || got.Members != 2 {
		t.Errorf("GroupByID = %+v", got)
	}
	if !got.Hours.OpenAt(time.Date(2026, 11, 28, 9, 0, 0, 0, hours.SaoPaulo()), hours.SaoPaulo()) {
		t.Errorf("hours lost Saturday morning: %v", got.Hours)
	}
	got.MaxPerAgent = 2
	if err := st.UpdateGroup(ctx, got, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	if ids, err := st.GroupMemberIDs(ctx, g.ID); err != nil || !slices.Equal(ids, []int64{b.ID}) {
		t.Errorf("members after update = %v, %v", ids, err)
	}
	if list, err := st.ListGroups(ctx); err != nil || len(list) != 1 || list[0].MaxPerAgent != 2 || list[0].Members != 1 {
		t.Errorf("ListGroups = %+v, %v", list, err)
	}
	if _, err := st.GroupByID(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing group: %v", err)
	}
}

// A group and its members are written together or not at all.
func TestGroupSaveIsAtomic(t *testing.T) {
	st := testutil.NewStore(t)
	d := mustDepartment(t, st, "Ouvidoria")
	a := testutil.AddUser(t, st, store.RoleSupervisor, "o@example.com", "senha-boa-1")
	existing, err := st.CreateGroup(ctx, store.Group{Name: "Ouvidoria", DepartmentID: d.ID, Level: store.LevelN2, MaxPerAgent: 3, Hours: officeHours()}, []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateGroup(ctx, store.Group{Name: "Outra", DepartmentID: d.ID, Level: store.LevelN1, MaxPerAgent: 3, Hours: officeHours()}, nil); err != nil {
		t.Fatal(err)
	}
	var overlapping hours.Week
	overlapping[time.Monday] = []hours.Interval{{Open: 600, Close: 700}, {Open: 650, Close: 800}}
	good := store.Group{Name: "Nova", DepartmentID: d.ID, Level: store.LevelN1, MaxPerAgent: 5, Hours: officeHours()}
	with := func(change func(*store.Group)) store.Group { g := good; change(&g); return g }

	cases := []struct {
		name    string
		group   store.Group
		members []int64
		want    error
	}{
		{"unknown member", good, []int64{a.ID, 4242}, store.ErrNotFound},
		{"unknown department", with(func(g *store.Group) { g.DepartmentID = 4242 }), []int64{a.ID}, store.ErrNotFound},
		{"taken name", with(func(g *store.Group) { g.Name = "OUTRA" }), []int64{a.ID}, store.ErrConflict},
		{"bad hours", with(func(g *store.Group) { g.Hours = overlapping }), []int64{a.ID}, hours.ErrInvalid},
	}
	for _, c := range cases {
		t.Run("create "+c.name, func(t *testing.T) {
			if _, err := st.CreateGroup(ctx, c.group, c.members); !errors.Is(err, c.want) {
				t.Fatalf("CreateGroup: %v, want %v", err, c.want)
			}
			assertGroups(t, st, 2, 1)
		})
		t.Run("update "+c.name, func(t *testing.T) {
			g := c.group
			g.ID = existing.ID
			if err := st.UpdateGroup(ctx, g, c.members); !errors.Is(err, c.want) {
				t.Fatalf("UpdateGroup: %v, want %v", err, c.want)
			}
			got, err := st.GroupByID(ctx, existing.ID)
			if err != nil || got.Name != "Ouvidoria" || got.Level != store.LevelN2 || got.DepartmentID != d.ID {
				t.Errorf("group changed by a failed update: %+v, %v", got, err)
			}
			if ids, _ := st.GroupMemberIDs(ctx, existing.ID); !slices.Equal(ids, []int64{a.ID}) {
				t.Errorf("members changed by a failed update: %v", ids)
			}
		})
	}
}

// assertGroups checks how many groups and memberships exist.
func assertGroups(t *testing.T, st *store.Store, groups, members int) {
	t.Helper()
	var g, m int
	if err := st.R.QueryRow(`SELECT (SELECT count(*) FROM service_groups), (SELECT count(*) FROM group_members)`).Scan(&g, &m); err != nil {
		t.Fatal(err)
	}
	if g != groups || m != members {
		t.Errorf("%d groups and %d memberships, want %d and %d", g, m, groups, members)
	}
}

func TestUserDepartmentsAreAtomic(t *testing.T) {
	st := testutil.NewStore(t)
	d1 := mustDepartment(t, st, "Saúde")
	d2 := mustDepartment(t, st, "Obras")
	u, err := st.CreateUserWithDepartments(ctx, store.User{Name: "Fernanda", Email: "f@example.com", PasswordHash: "x", Role: store.RoleAgent}, []int64{d1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUserWithDepartments(ctx, store.User{Name: "Gil", Email: "g@example.com", PasswordHash: "x", Role: store.RoleAgent}, []int64{d1.ID, 4242}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown department: %v, want ErrNotFound", err)
	}
	if _, err := st.UserByEmail(ctx, "g@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user written although its departments failed: %v", err)
	}
	u.Name = "Fernanda Lima"
	if err := st.UpdateUser(ctx, u, []int64{d2.ID, 4242}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update with unknown department: %v", err)
	}
	if got, _ := st.UserByID(ctx, u.ID); got.Name != "Fernanda" {
		t.Errorf("name changed by a failed update: %q", got.Name)
	}
	if err := st.UpdateUser(ctx, u, []int64{d2.ID, d1.ID}); err != nil {
		t.Fatal(err)
	}
	if ids, err := st.UserDepartmentIDs(ctx, u.ID); err != nil || !slices.Equal(ids, []int64{d1.ID, d2.ID}) {
		t.Errorf("UserDepartmentIDs = %v, %v", ids, err)
	}
	if names, err := st.UserDepartmentNames(ctx); err != nil || !slices.Equal(names[u.ID], []string{"Obras", "Saúde"}) {
		t.Errorf("UserDepartmentNames = %v, %v", names, err)
	}
}

// The last active admin can be neither demoted nor deactivated.
func TestLastActiveAdmin(t *testing.T) {
	st := testutil.NewStore(t)
	ana := testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", "senha-boa-1")
	agent := testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", "senha-boa-1")

	demoted := ana
	demoted.Role = store.RoleSupervisor
	if err := st.UpdateUser(ctx, demoted, nil); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demote last admin: %v, want ErrLastAdmin", err)
	}
	inactive := ana
	inactive.Active = false
	if err := st.UpdateUser(ctx, inactive, nil); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("deactivate last admin by update: %v, want ErrLastAdmin", err)
	}
	if err := st.SetUserActive(ctx, ana.ID, false); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("deactivate last admin: %v, want ErrLastAdmin", err)
	}
	if got, _ := st.UserByID(ctx, ana.ID); got.Role != store.RoleAdmin || !got.Active {
		t.Errorf("refused change was written: %+v", got)
	}

	promoted := agent
	promoted.Role = store.RoleAdmin
	if err := st.UpdateUser(ctx, promoted, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserActive(ctx, ana.ID, false); err != nil {
		t.Errorf("deactivate an admin while another is active: %v", err)
	}
	if got, _ := st.UserByID(ctx, ana.ID); got.Active || got.Status != store.StatusOffline {
		t.Errorf("deactivated user: %+v", got)
	}
	if err := st.SetUserActive(ctx, agent.ID, false); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("deactivate the new last admin: %v, want ErrLastAdmin", err)
	}
	if n, err := st.CountActiveAdmins(ctx); err != nil || n != 1 {
		t.Errorf("CountActiveAdmins = %d, %v", n, err)
	}
	if err := st.SetUserActive(ctx, 4242, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing user: %v", err)
	}
}
