package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"balcao/app/store"
	"balcao/app/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// latestVersion is the newest main-database migration in the repository.
func latestVersion(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(testutil.MigrationsFS(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	slices.Sort(names)
	v, err := strconv.ParseInt(strings.SplitN(names[len(names)-1], "_", 2)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fileSum is the hex sha256 of the file at path.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// listDir names the entries of dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// markNewer makes the database in dataDir look written by a newer balcao: a
// goose version this binary does not know, applied. It returns that version.
func markNewer(t *testing.T, dataDir string) int64 {
	t.Helper()
	st, err := store.Open(context.Background(), dataDir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	newer := latestVersion(t) + 1_000_000
	if _, err := st.W.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return newer
}

// A data folder that cannot be created is named in the error and nothing is made.
func TestOpenUnwritableDataFolder(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	// Root ignores permission bits, so use a path under a regular file.
	blocker := filepath.Join(top, "afile")
	if err := os.WriteFile(blocker, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(blocker, "data")
	st, err := store.Open(context.Background(), dataDir, testutil.MigrationsFS(), quiet)
	if err == nil {
		st.Close()
		t.Fatal("Open succeeded")
	}
	if !strings.Contains(err.Error(), dataDir) {
		t.Errorf("error %q does not name the folder %s", err, dataDir)
	}
	if got := listDir(t, top); !slices.Equal(got, []string{"afile"}) {
		t.Errorf("files created: %v", got)
	}
	if b, _ := os.ReadFile(blocker); string(b) != "not a folder" {
		t.Errorf("blocking file changed: %q", b)
	}
}

// A database from a newer balcao is refused, naming both versions, and left byte for byte.
func TestOpenRefusesNewerDatabase(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	newer := markNewer(t, dataDir)
	mainDB := filepath.Join(dataDir, store.MainFile)
	mediaDB := filepath.Join(dataDir, store.MediaFile)
	beforeFiles := listDir(t, dataDir)
	before, beforeMedia := fileSum(t, mainDB), fileSum(t, mediaDB)

	st, err := store.Open(context.Background(), dataDir, testutil.MigrationsFS(), quiet)
	if err == nil {
		st.Close()
		t.Fatal("Open succeeded on a newer database")
	}
	for _, want := range []string{strconv.FormatInt(newer, 10), strconv.FormatInt(latestVersion(t), 10), mainDB, "nothing was changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if after := fileSum(t, mainDB); after != before {
		t.Error("balcao.db changed")
	}
	if after := fileSum(t, mediaDB); after != beforeMedia {
		t.Error("media.db changed")
	}
	if after := listDir(t, dataDir); !slices.Equal(after, beforeFiles) {
		t.Errorf("files in the data folder: before %v, after %v", beforeFiles, after)
	}
}

// A file that is not SQLite is refused with a message saying so, untouched.
func TestOpenRefusesNonSQLiteFile(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	mainDB := filepath.Join(dataDir, store.MainFile)
	junk := strings.Repeat("these are not the bytes of a database\n", 200)
	if err := os.WriteFile(mainDB, []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dataDir, testutil.MigrationsFS(), quiet)
	if err == nil {
		st.Close()
		t.Fatal("Open succeeded on a text file")
	}
	for _, want := range []string{mainDB, "SQLite"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if b, _ := os.ReadFile(mainDB); string(b) != junk {
		t.Error("the file was changed")
	}
}

// Ready answers nil on a migrated database, and an error when the database is
// closed or a known migration is not applied.
func TestReady(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	if err := st.Ready(ctx, testutil.MigrationsFS()); err != nil {
		t.Fatalf("Ready after Open: %v", err)
	}
	future := withFutureMigration(t)
	if err := st.Ready(ctx, future); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Errorf("Ready with a migration not applied: %v", err)
	}
	closed := testutil.NewStore(t)
	closed.Close()
	if err := closed.Ready(ctx, testutil.MigrationsFS()); err == nil {
		t.Error("Ready on a closed database answered nil")
	}
}

// withFutureMigration is the repository's migrations plus one not applied anywhere.
func withFutureMigration(t *testing.T) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(testutil.MigrationsFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(testutil.MigrationsFS(), path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m["29991231235959_future.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE future (id INTEGER);\n-- +goose Down\nDROP TABLE future;\n")}
	return m
}

// Opening twice keeps the data and applies nothing new (start after start).
func TestOpenTwiceKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := t.TempDir()
	st, err := store.Open(ctx, dataDir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", "senha-secreta")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, dataDir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.CountUsers(ctx); err != nil || n != 1 {
		t.Errorf("users after reopening: %d, %v", n, err)
	}
	var check string
	if err := st.R.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
}

// After an unclean stop the newer version may sit only in the -wal file; it
// must be seen there too, and the main file left as it was.
func TestOpenRefusesNewerVersionStillInWAL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live := t.TempDir()
	st, err := store.Open(ctx, live, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.W.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	newer := latestVersion(t) + 1_000_000
	if _, err := st.W.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer); err != nil {
		t.Fatal(err)
	}
	// Copy the files while the database is open, as a crash would leave them.
	crashed := t.TempDir()
	for _, name := range []string{store.MainFile, store.MainFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(live, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crashed, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mainDB := filepath.Join(crashed, store.MainFile)
	before := fileSum(t, mainDB)
	got, err := store.Open(ctx, crashed, testutil.MigrationsFS(), quiet)
	if err == nil {
		got.Close()
		t.Fatal("Open succeeded on a newer database")
	}
	if !strings.Contains(err.Error(), strconv.FormatInt(newer, 10)) {
		t.Errorf("error %q does not name version %d", err, newer)
	}
	if fileSum(t, mainDB) != before {
		t.Error("balcao.db changed")
	}
}
