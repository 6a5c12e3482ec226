package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"balcao/app/store"
	"balcao/app/testutil"
)

// Every migration must go Up, Down to zero and Up again, for both databases.
func TestMigrationsUpDownUp(t *testing.T) {
	media, err := fs.Sub(testutil.MigrationsFS(), "media")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		migrations fs.FS
		wantTables []string
	}{
		{"main", testutil.MigrationsFS(), []string{"users", "departments", "user_departments", "service_groups", "group_members", "sessions", "audit_events"}},
		{"media", media, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sql.Open("sqlite", store.DSN(filepath.Join(t.TempDir(), c.name+".db"), false))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			p, err := goose.NewProvider(database.DialectSQLite3, db, c.migrations)
			if err != nil {
				t.Fatal(err)
			}
			sources := p.ListSources()
			if len(sources) == 0 {
				t.Fatal("no migrations found")
			}
			latest := sources[len(sources)-1].Version

			up := func(step string) []string {
				t.Helper()
				if _, err := p.Up(ctx); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if v, err := p.GetDBVersion(ctx); err != nil || v != latest {
					t.Fatalf("%s: version %d (%v), want %d", step, v, err, latest)
				}
				return userTables(t, db)
			}
			first := up("first up")
			for _, want := range c.wantTables {
				if !slices.Contains(first, want) {
					t.Errorf("table %s missing after up: %v", want, first)
				}
			}
			if _, err := p.DownTo(ctx, 0); err != nil {
				t.Fatalf("down to zero: %v", err)
			}
			if left := userTables(t, db); len(left) != 0 {
				t.Errorf("tables left after down to zero: %v", left)
			}
			if again := up("second up"); !slices.Equal(first, again) {
				t.Errorf("second up made %v, first made %v", again, first)
			}
		})
	}
}

// userTables lists the tables of db other than goose's and SQLite's own.
func userTables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// The ouvidor migration rebuilds users (its role CHECK cannot be altered):
// the rows that point at users must survive it both ways, and the role must
// map back to supervisor on the way down.
func TestMigrationOuvidorRebuildKeepsMemberships(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", store.DSN(filepath.Join(t.TempDir(), "main.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := goose.NewProvider(database.DialectSQLite3, db, testutil.MigrationsFS())
	if err != nil {
		t.Fatal(err)
	}
	const before, ouvidor = 20261123080000, 20261123081000
	if _, err := p.UpTo(ctx, before); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO users (id, name, email, password_hash, role, created_at, updated_at, last_assigned_at) VALUES
		(1, 'Ana', 'ana@x', 'h', 'admin', 1, 1, 7), (2, 'Otávio', 'otavio@x', 'h', 'supervisor', 1, 1, 0), (3, 'Bia', 'bia@x', 'h', 'atendente', 1, 1, 0)`)
	exec(`INSERT INTO departments (id, name, created_at, updated_at) VALUES (1, 'Ouvidoria', 1, 1)`)
	exec(`INSERT INTO service_groups (id, name, department_id, level, max_per_agent, created_at, updated_at) VALUES (1, 'Ouvidoria — Geral', 1, 'N1', 5, 1, 1)`)
	exec(`INSERT INTO group_members (group_id, user_id) VALUES (1, 2), (1, 3)`)
	exec(`INSERT INTO user_departments (user_id, department_id) VALUES (2, 1), (3, 1)`)
	exec(`INSERT INTO audit_events (at, user_id, action) VALUES (1, 2, 'login')`)
	exec(`INSERT INTO contacts (id, wa_id, created_at, updated_at) VALUES (1, '5514999990001', 1, 1)`)
	exec(`INSERT INTO tickets (id, contact_id, status, assignee_id, anonymous, identity, created_at, updated_at) VALUES
		(1, 1, 'em_atendimento', 3, 1, 'sigilosa', 1, 1)`)
	exec(`INSERT INTO contact_answers (contact_id, ticket_id, key, value, created_at) VALUES (1, 1, 'cpf', '111.444.777-35', 1), (1, 1, 'descricao', 'Obra', 1)`)

	counts := func(step string) {
		t.Helper()
		for q, want := range map[string]int{
			`SELECT count(*) FROM users`:                                       3,
			`SELECT count(*) FROM group_members`:                               2,
			`SELECT count(*) FROM user_departments`:                            2,
			`SELECT count(*) FROM audit_events WHERE user_id = 2`:              1,
			`SELECT count(*) FROM tickets WHERE assignee_id = 3`:               1,
			`SELECT count(*) FROM users WHERE id = 1 AND last_assigned_at = 7`: 1,
		} {
			var n int
			if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil || n != want {
				t.Errorf("%s: %s = %d (%v), want %d", step, q, n, err, want)
			}
		}
		rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if rows.Next() {
			t.Errorf("%s: foreign key violations after the rebuild", step)
		}
	}
	if _, err := p.UpTo(ctx, ouvidor); err != nil {
		t.Fatal(err)
	}
	counts("up")
	var fk int
	if err := db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v) after the migration, want 1", fk, err)
	}
	exec(`UPDATE users SET role = 'ouvidor' WHERE id = 2`)
	var identifying string
	if err := db.QueryRowContext(ctx, `SELECT group_concat(key || '=' || identifying) FROM contact_answers ORDER BY id`).Scan(&identifying); err != nil || identifying != "cpf=1,descricao=0" {
		t.Errorf("identifying answers = %q (%v)", identifying, err)
	}
	// A deleted user still cascades: the rebuilt table is the one referenced.
	exec(`INSERT INTO users (id, name, email, password_hash, role, created_at, updated_at) VALUES (4, 'Caio', 'caio@x', 'h', 'atendente', 1, 1)`)
	exec(`INSERT INTO group_members (group_id, user_id) VALUES (1, 4)`)
	exec(`DELETE FROM users WHERE id = 4`)
	counts("up, after a delete")

	if _, err := p.DownTo(ctx, before); err != nil {
		t.Fatal(err)
	}
	counts("down")
	var role string
	var anonymous int
	if err := db.QueryRowContext(ctx, `SELECT role FROM users WHERE id = 2`).Scan(&role); err != nil || role != "supervisor" {
		t.Errorf("ouvidor after down = %q (%v), want supervisor", role, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT anonymous FROM tickets WHERE id = 1`).Scan(&anonymous); err != nil || anonymous != 1 {
		t.Errorf("anonymous after down = %d (%v), want 1", anonymous, err)
	}
}
