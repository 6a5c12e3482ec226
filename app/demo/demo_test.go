package demo_test

import (
	"context"
	"testing"
	"time"

	"balcao/app/auth"
	"balcao/app/demo"
	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	st := testutil.NewStore(t)
	creds, err := demo.Seed(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := st.TeamCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Users != len(demo.People) || counts.Departments != 5 || counts.Groups != 6 {
		t.Errorf("seeded %+v", counts)
	}
	for _, c := range creds {
		u, err := st.UserByEmail(ctx, c.Email)
		if err != nil || !auth.CheckPassword(u.PasswordHash, c.Password) || u.Role != c.Role {
			t.Errorf("account %s: %+v, %v", c.Email, u, err)
		}
		if ids, _ := st.UserDepartmentIDs(ctx, u.ID); len(ids) == 0 && u.Role != store.RoleAdmin {
			t.Errorf("%s belongs to no department", c.Email)
		}
	}
	groups, err := st.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	monday10 := time.Date(2026, 11, 23, 10, 0, 0, 0, hours.SaoPaulo())
	sunday := time.Date(2026, 11, 29, 10, 0, 0, 0, hours.SaoPaulo())
	for _, g := range groups {
		if g.Members == 0 {
			t.Errorf("group %s has no members", g.Name)
		}
		if !g.Hours.OpenAt(monday10, hours.SaoPaulo()) || g.Hours.OpenAt(sunday, hours.SaoPaulo()) {
			t.Errorf("group %s: unrealistic hours %v", g.Name, g.Hours)
		}
		// Deadlines: a first response within a working day, a resolution after it.
		if g.FirstResponseTarget <= 0 || g.FirstResponseTarget > 8*60 || g.ResolutionTarget <= g.FirstResponseTarget {
			t.Errorf("group %s: targets %d and %d business minutes", g.Name, g.FirstResponseTarget, g.ResolutionTarget)
		}
	}

	// A second run (a restarted demo on the same folder) changes nothing.
	before, _ := st.TeamCounts(ctx)
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	if after, _ := st.TeamCounts(ctx); after != before {
		t.Errorf("second seed changed counts: %+v → %+v", before, after)
	}
}

// A database that already has a user (a real city) is left alone.
func TestSeedLeavesExistingDatabase(t *testing.T) {
	ctx := context.Background()
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAdmin, "ti@cidade.example", "senha-boa-1")
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.TeamCounts(ctx); c != (store.TeamCounts{Users: 1}) {
		t.Errorf("seeded an existing database: %+v", c)
	}
}
