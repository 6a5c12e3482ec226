package backup_test

import (
	"context"
	"database/sql"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	_ "modernc.org/sqlite"

	"balcao/app/backup"
)

func TestMain(m *testing.M) {
	// The restore drill runs this test binary again as the process it kills.
	if dir := os.Getenv(envWriterDir); dir != "" {
		if err := runWriter(dir, os.Getenv(envWriterURL)); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testLogger shows Litestream's warnings and errors on stderr. It does not use
// t.Output because replicators abandoned by a test keep logging after it ends.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openApp opens a database file the way balcao does (modernc, WAL, immediate
// write transactions, busy_timeout 5000).
func openApp(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// schemas are the tables the tests write to, per file.
var schemas = map[string]string{
	"balcao.db": `CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, body TEXT NOT NULL)`,
	"media.db":  `CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, body TEXT NOT NULL)`,
}

// tables maps each file to the table the tests count rows in.
var tables = map[string]string{"balcao.db": "tickets", "media.db": "messages"}

// body is a ~200-byte payload, the size of a typical ticket message.
var body = strings.Repeat("Olá, preciso de ajuda com o meu pedido. ", 5)

// openAppFiles opens (creating them) the named files in dir with their tables.
func openAppFiles(t testing.TB, dir string, names ...string) map[string]*sql.DB {
	t.Helper()
	dbs := map[string]*sql.DB{}
	for _, name := range names {
		db, err := openApp(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(schemas[name]); err != nil {
			t.Fatal(err)
		}
		dbs[name] = db
	}
	return dbs
}

// insertRows appends n rows to the file's table and returns the last id.
func insertRows(t testing.TB, db *sql.DB, name string, n int) int64 {
	t.Helper()
	var last int64
	for range n {
		var res sql.Result
		var err error
		if name == "balcao.db" {
			res, err = db.Exec(`INSERT INTO tickets (subject, body) VALUES ('pedido', ?)`, body)
		} else {
			res, err = db.Exec(`INSERT INTO messages (ticket_id, body) VALUES (1, ?)`, body)
		}
		if err != nil {
			t.Fatal(err)
		}
		last, _ = res.LastInsertId()
	}
	return last
}

// start starts replication of names in dir and closes it (after the app's
// connections, as documented) when the test ends.
func start(t testing.TB, o backup.Options, app map[string]*sql.DB) *backup.Replicator {
	t.Helper()
	if o.Logger == nil {
		o.Logger = testLogger()
	}
	r, err := backup.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, db := range app {
			db.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

// checkRestored opens a restored file read-only, checks its integrity and
// that its rows are exactly 1..n with no gap, and returns n.
func checkRestored(t testing.TB, path, table string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check = %q, %v", path, ok, err)
	}
	var n, maxID int64
	if err := db.QueryRow(`SELECT count(*), coalesce(max(id), 0) FROM `+table).Scan(&n, &maxID); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if n != maxID {
		t.Fatalf("%s: %d rows but max id %d: rows are missing in the middle", path, n, maxID)
	}
	return n
}

// fileTarget returns a file:// backup URL for a fresh folder.
func fileTarget(t testing.TB) (string, string) {
	dir := filepath.Join(t.TempDir(), "backup")
	return (&url.URL{Scheme: "file", Path: dir}).String(), dir
}

// fakeS3 serves an in-memory S3-compatible store on 127.0.0.1 with one
// bucket and returns an s3:// backup URL into it. The keys are set in the
// environment, as they would be for MinIO.
func fakeS3(t testing.TB) string {
	t.Helper()
	mem := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(srv.Close)
	if err := mem.CreateBucket("balcao-backup"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "balcao")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "balcao-secret")
	return "s3://balcao-backup/prod?endpoint=" + strings.TrimPrefix(srv.URL, "http://") + "&region=us-east-1"
}

// caBundle writes a real PEM bundle (the certificate of a throwaway TLS
// server) and returns its path, so that the AWS SDK gets past reading it.
func caBundle(t testing.TB) string {
	t.Helper()
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
