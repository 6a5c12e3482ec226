package store_test

import (
	"context"
	"database/sql"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"balcao/app/store"
	"balcao/app/testutil"
)

// broken is an upgrade whose migration changes schema and data, then fails.
const broken = `-- +goose Up
CREATE TABLE upgrade_marker (id INTEGER PRIMARY KEY);
INSERT INTO upgrade_marker VALUES (1);
UPDATE users SET name = 'changed by the failed upgrade';
INSERT INTO no_such_table VALUES (1);

-- +goose Down
DROP TABLE upgrade_marker;
`

// good is a migration that works.
const good = `-- +goose Up
CREATE TABLE upgrade_good (id INTEGER PRIMARY KEY);

-- +goose Down
DROP TABLE upgrade_good;
`

// withMigrations returns the real migrations plus extra files.
func withMigrations(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(testutil.MigrationsFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(testutil.MigrationsFS(), path)
		out[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range extra {
		out[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return out
}

// dbState is everything a failed upgrade could have touched.
func dbState(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var schema, users string
	var version int64
	if err := db.QueryRow(`SELECT group_concat(type || name || coalesce(sql, ''), ';') FROM
		(SELECT * FROM sqlite_master ORDER BY type, name)`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT group_concat(name, ',') FROM users`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT max(version_id) FROM goose_db_version WHERE is_applied`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	return schema + "|" + users + "|" + strconv.FormatInt(version, 10)
}

// A failing migration is rolled back, leaves the database as it was, and the
// error names the file.
func TestFailedMigrationLeavesDatabaseAsItWas(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		name       string
		extra      map[string]string
		wantInErr  []string
		wantGoodUp bool
	}{
		{"only the broken migration pending", map[string]string{"20991231000000_broken.sql": broken},
			[]string{"20991231000000_broken.sql", "rolled back", "no such table", "database is unchanged", store.MainFile}, false},
		{"a good migration before it", map[string]string{"20991230000000_good.sql": good, "20991231000000_broken.sql": broken},
			[]string{"20991231000000_broken.sql", "1 earlier migration(s)", "restore the backup"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := store.Open(ctx, dir, testutil.MigrationsFS(), quiet)
			if err != nil {
				t.Fatal(err)
			}
			testutil.AddUser(t, st, store.RoleAdmin, "ana@valeverde.example", "senha-de-teste")
			st.Close()
			path := filepath.Join(dir, store.MainFile)
			before := dbState(t, path)

			_, err = store.Open(ctx, dir, withMigrations(t, c.extra), quiet)
			if err == nil {
				t.Fatal("Open succeeded with a broken migration")
			}
			t.Logf("Open: %v", err)
			for _, want := range c.wantInErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			after := dbState(t, path)
			if c.wantGoodUp {
				if !strings.Contains(after, "upgrade_good") || strings.Contains(after, "upgrade_marker") {
					t.Errorf("after: %s", after)
				}
				return
			}
			if after != before {
				t.Errorf("database changed by a failed migration:\nbefore %s\nafter  %s", before, after)
			}
			// The unchanged database still opens with the migrations it knows.
			st, err = store.Open(ctx, dir, testutil.MigrationsFS(), quiet)
			if err != nil {
				t.Fatalf("reopen with the previous migrations: %v", err)
			}
			st.Close()
		})
	}
}
