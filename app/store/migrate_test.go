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
