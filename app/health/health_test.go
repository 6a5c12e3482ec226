package health_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"

	"balcao/app/backup"
	"balcao/app/health"
)

// openDB opens a database file the way balcao's writer does.
func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(50)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS t (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// sqliteErrors provokes real SQLite failures, wrapped the way the store wraps them.
func sqliteErrors(t *testing.T) map[string]error {
	t.Helper()
	dir := t.TempDir()
	out := map[string]error{}

	// A database capped at its current size fails its next growth with
	// SQLITE_FULL, exactly as on a full disk.
	full := openDB(t, filepath.Join(dir, "full.db"))
	var pages int
	if err := full.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := full.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	_, err := full.Exec(`INSERT INTO t VALUES (?)`, strings.Repeat("x", 64<<10))
	out["full"] = fmt.Errorf("save webhooks: commit: %w", err)

	ro := openDB(t, filepath.Join(dir, "ro.db"))
	if _, err := ro.Exec(`PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	_, err = ro.Exec(`INSERT INTO t VALUES ('x')`)
	out["read-only"] = fmt.Errorf("save webhooks: %w", err)

	// Another connection holds the write lock: busy, not a disk problem.
	path := filepath.Join(dir, "busy.db")
	holder := openDB(t, path)
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	busy := openDB(t, path)
	_, err = busy.Exec(`INSERT INTO t VALUES ('x')`)
	out["busy"] = fmt.Errorf("save webhooks: begin: %w", err)
	conn.ExecContext(context.Background(), `ROLLBACK`)

	nodb, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "missing", "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer nodb.Close()
	out["cannot open"] = nodb.Ping()
	return out
}

func TestClassify(t *testing.T) {
	real := sqliteErrors(t)
	cases := []struct {
		name string
		err  error
		want health.Problem
	}{
		{"nil", nil, health.NoProblem},
		{"SQLITE_FULL", real["full"], health.Full},
		{"SQLITE_READONLY", real["read-only"], health.ReadOnly},
		{"SQLITE_CANTOPEN", real["cannot open"], health.IOError},
		{"SQLITE_BUSY", real["busy"], health.NoProblem},
		{"ENOSPC", &fs.PathError{Op: "write", Path: "/var/lib/balcao/x", Err: syscall.ENOSPC}, health.Full},
		{"EDQUOT", fmt.Errorf("probe: %w", syscall.EDQUOT), health.Full},
		{"EROFS", &fs.PathError{Op: "open", Path: "/var/lib/balcao/x", Err: syscall.EROFS}, health.ReadOnly},
		{"EIO", &fs.PathError{Op: "fsync", Path: "/var/lib/balcao/x", Err: syscall.EIO}, health.IOError},
		{"cancelled", context.Canceled, health.NoProblem},
		{"other", errors.New("malformed"), health.NoProblem},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil && c.name != "nil" {
				t.Fatal("the database did not fail as the test expects")
			}
			if got := health.Classify(c.err); got != c.want {
				t.Errorf("Classify(%v) = %s, want %s", c.err, got, c.want)
			}
		})
	}
}

func TestObservedWriteFailureRaisesAndClearsTheBanner(t *testing.T) {
	dir := t.TempDir()
	m := health.New(health.Options{DataDir: dir, MinFree: 1})
	m.Check(context.Background())
	if b := m.DiskBanner(); b != "" {
		t.Fatalf("banner on a healthy disk: %q", b)
	}
	real := sqliteErrors(t)

	m.Observe(real["busy"])
	if b := m.DiskBanner(); b != "" {
		t.Fatalf("a locked database raised the disk banner: %q", b)
	}

	m.Observe(real["full"])
	if d := m.Disk(); d.Problem != health.Full || !strings.Contains(d.Detail, "full") {
		t.Fatalf("after SQLITE_FULL: %+v", d)
	}
	if b := m.DiskBanner(); !strings.Contains(b, "O disco do servidor está cheio") || !strings.Contains(b, dir) {
		t.Fatalf("banner %q", b)
	}
	// The probe passing does not hide a failure of the database itself.
	m.Check(context.Background())
	if m.Disk().Problem != health.Full {
		t.Fatal("a passing probe cleared a fresh SQLITE_FULL")
	}

	m.Observe(real["read-only"])
	if b := m.DiskBanner(); !strings.Contains(b, "somente leitura") {
		t.Fatalf("banner %q", b)
	}

	m.Observe(nil)
	if b := m.DiskBanner(); b != "" {
		t.Fatalf("banner after a successful write: %q", b)
	}
}

func TestCheckFindsLowDiskAndFailingProbe(t *testing.T) {
	dir := t.TempDir()
	free, total, err := health.DiskSpace(dir)
	if err != nil || total == 0 {
		t.Fatalf("DiskSpace: %d of %d, %v", free, total, err)
	}

	// A threshold above the whole disk: nearly full, however empty it is.
	m := health.New(health.Options{DataDir: dir, MinFree: total + 1})
	m.Check(context.Background())
	d := m.Disk()
	if !d.Low() || d.Problem != health.NoProblem || d.Free == 0 || d.CheckedAt.IsZero() {
		t.Fatalf("disk %+v", d)
	}
	if b := m.DiskBanner(); !strings.Contains(b, "quase cheio") || !strings.Contains(b, "livres de") {
		t.Fatalf("banner %q", b)
	}

	// A data folder that has gone away cannot take the probe.
	gone := filepath.Join(dir, "gone")
	m = health.New(health.Options{DataDir: gone, MinFree: 1})
	m.Check(context.Background())
	if d := m.Disk(); d.Problem == health.NoProblem || d.Detail == "" {
		t.Fatalf("missing folder: %+v", d)
	}
	if b := m.DiskBanner(); !strings.Contains(b, "O disco do servidor") {
		t.Fatalf("banner %q", b)
	}
	// Once it is back, the next check clears the problem; the probe leaves nothing behind.
	if err := os.Mkdir(gone, 0o750); err != nil {
		t.Fatal(err)
	}
	m.Check(context.Background())
	if b := m.DiskBanner(); b != "" {
		t.Fatalf("banner after the folder came back: %q", b)
	}
	if left, _ := os.ReadDir(gone); len(left) != 0 {
		t.Fatalf("probe left %v", left)
	}
}

func TestBackupBanner(t *testing.T) {
	files := []backup.FileStatus{{Name: "balcao.db", InSync: true}, {Name: "media.db", InSync: true}}
	m := health.New(health.Options{DataDir: t.TempDir(), MinFree: 1,
		Backup: func(context.Context) []backup.FileStatus { return append([]backup.FileStatus(nil), files...) }})
	m.Check(context.Background())
	if b := m.BackupBanner(); b != "" {
		t.Fatalf("banner while in sync: %q", b)
	}
	if st := m.Backup(); !st.Enabled || len(st.Files) != 2 || st.CheckedAt.IsZero() {
		t.Fatalf("backup %+v", st)
	}
	files[1].Warning = "last successful sync 2m0s ago"
	if b := m.BackupBanner(); b != "" {
		t.Fatalf("banner changed before the next check: %q", b)
	}
	if got := m.RefreshBackup(context.Background()).Warning(); got != "media.db: last successful sync 2m0s ago" {
		t.Fatalf("warning %q", got)
	}
	if b := m.BackupBanner(); !strings.Contains(b, "backup contínuo está com problema (media.db)") {
		t.Fatalf("banner %q", b)
	}

	off := health.New(health.Options{DataDir: t.TempDir()})
	off.Check(context.Background())
	if st := off.Backup(); st.Enabled || off.BackupBanner() != "" {
		t.Fatalf("backup off: %+v %q", st, off.BackupBanner())
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[uint64]string{512: "512 bytes", 3 << 10: "3 KB", 700 << 20: "700 MB", 3 << 29: "1,5 GB"} {
		if got := health.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
