package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"balcao/app/cli"
	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

// backupEnv replicates to a new folder, with a short interval so the tests are quick.
func backupEnv(t testing.TB) (env map[string]string, targetDir string) {
	targetDir = filepath.Join(t.TempDir(), "backup")
	return map[string]string{
		"BALCAO_BACKUP_URL":      (&url.URL{Scheme: "file", Path: targetDir}).String(),
		"BALCAO_BACKUP_INTERVAL": "100ms",
	}, targetDir
}

// citizenTexts posts n texts from citizens numbered from first, three per
// citizen, and returns the wamids.
func citizenTexts(t testing.TB, a *servertest.App, tag string, first, n int) {
	t.Helper()
	for i := range n {
		citizen := first + i/3
		body := servertest.MessageWebhook(servertest.TextMessage(
			fmt.Sprintf("wamid.%s.%d", tag, i), fmt.Sprintf("55179%08d", citizen), fmt.Sprintf("Cidadão %d", citizen),
			fmt.Sprintf("Mensagem %d: buraco na rua %d, bairro Centro", i, citizen)))
		if got := a.PostWebhook(body); got != 200 {
			t.Fatalf("webhook %d: status %d", i, got)
		}
	}
}

// rowCounts counts what a restore must bring back, in both files.
func rowCounts(t testing.TB, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"contacts", "messages", "tickets", "users", "webhook_events", "audit_events"} {
		out[table] = count(t, st.R, `SELECT count(*) FROM `+table)
	}
	out["media.db:media"] = count(t, st.Media.R, `SELECT count(*) FROM media`)
	return out
}

// integrityOK runs the full PRAGMA integrity_check.
func integrityOK(t testing.TB, db *sql.DB, name string) {
	t.Helper()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("%s: integrity_check %q, %v", name, res, err)
	}
}

// The restore drill on the whole app: traffic through the real webhook,
// replication while it runs, a stop, `balcao restore` into a fresh folder,
// and the app started on it has every row, in databases that pass
// PRAGMA integrity_check.
func TestRestoreDrillWholeApp(t *testing.T) {
	ctx := context.Background()
	env, targetDir := backupEnv(t)
	a := servertest.Start(t, servertest.Options{Env: env})
	if a.Backup == nil {
		t.Fatal("BALCAO_BACKUP_URL set but no backup running")
	}
	a.LoginAs(store.RoleAdmin, "ana@valeverde.example")
	citizenTexts(t, a, "A", 1, 90)
	if _, err := a.Store.Media.SaveMedia(ctx, "image/jpeg", "buraco.jpg", bytes.Repeat([]byte{0xff, 0xd8}, 50_000), "wa-media-1"); err != nil {
		t.Fatal(err)
	}
	servertest.WaitFor(t, "routing of every message", 10*time.Second, func() bool {
		return count(t, a.Store.R, `SELECT count(*) FROM messages WHERE direction = 'in' AND ticket_id IS NULL`) == 0
	})
	if err := a.Backup.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, st := range a.Backup.Status(ctx) {
		if !st.InSync || st.Warning != "" {
			t.Fatalf("after Sync: %+v", st)
		}
	}

	// More traffic after the last explicit sync: the final sync of the
	// shutdown must ship it.
	citizenTexts(t, a, "B", 100, 30)
	servertest.WaitFor(t, "routing of the late messages", 10*time.Second, func() bool {
		return count(t, a.Store.R, `SELECT count(*) FROM messages WHERE direction = 'in' AND ticket_id IS NULL`) == 0
	})
	want := rowCounts(t, a.Store)
	a.Stop()
	if want["tickets"] < 40 || want["messages"] < 120 {
		t.Fatalf("too little traffic to prove anything: %v", want)
	}

	fresh := filepath.Join(t.TempDir(), "restaurado")
	var out, errOut bytes.Buffer
	code := cli.Run(ctx, cli.Env{Args: []string{"restore", "--from", env["BALCAO_BACKUP_URL"], "--data", fresh},
		Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut,
		Static: testutil.StaticFS(), Migrations: testutil.MigrationsFS()})
	if code != 0 {
		t.Fatalf("balcao restore: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	t.Logf("balcao restore:\n%s", out.String())

	b := servertest.Start(t, servertest.Options{DataDir: fresh})
	integrityOK(t, b.Store.R, store.MainFile)
	integrityOK(t, b.Store.Media.R, store.MediaFile)
	if got := rowCounts(t, b.Store); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("restored rows %v, want %v", got, want)
	}
	t.Logf("rows before the stop and after the restore: %v", want)
	// The restored app takes new traffic and deduplicates an old delivery.
	citizenTexts(t, b, "A", 1, 1)
	citizenTexts(t, b, "C", 500, 1)
	if got := count(t, b.Store.R, `SELECT count(*) FROM messages`); got != want["messages"]+1 {
		t.Fatalf("messages after new traffic %d, want %d", got, want["messages"]+1)
	}
	if entries, _ := os.ReadDir(targetDir); len(entries) != 2 {
		t.Errorf("target holds %v, want one folder per file", entries)
	}
}

// Administração → Backup shows the replication, and a stopped replication
// raises the banner on every page.
func TestAdminBackupPageAndBanner(t *testing.T) {
	env, targetDir := backupEnv(t)
	a := servertest.Start(t, servertest.Options{Env: env})
	admin, _ := a.LoginAs(store.RoleAdmin, "ana@valeverde.example")
	citizenTexts(t, a, "A", 1, 3)
	if err := a.Backup.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := admin.Get("/admin/backup")
	for _, want := range []string{"Backup contínuo", "balcao.db", "media.db", "Em dia", targetDir, "Disco do servidor", "livres de"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("backup page lacks %q", want)
		}
	}
	if strings.Contains(res.Body, "backup contínuo está com problema") || strings.Contains(res.Body, "O disco do servidor") {
		t.Errorf("a backup or disk banner while all is well:\n%s", res.Body)
	}

	// balcao.db's folder at the target becomes a file: uploads fail.
	sub := filepath.Join(targetDir, store.MainFile)
	testutil.RemoveAll(t, sub)
	if err := os.WriteFile(sub, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	citizenTexts(t, a, "B", 10, 3)
	servertest.WaitFor(t, "the page to report the stopped replication", 10*time.Second, func() bool {
		res = admin.Get("/admin/backup")
		return strings.Contains(res.Body, "Com problema")
	})
	for _, want := range []string{"Replicação parada ou falhando", "O backup contínuo está com problema (balcao.db)"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("backup page lacks %q", want)
		}
	}
	clerk, _ := a.LoginAs(store.RoleAgent, "bia@valeverde.example")
	if home := clerk.Get("/"); !strings.Contains(home.Body, "O backup contínuo está com problema") {
		t.Error("the clerk's pages do not show the backup banner")
	}
	if res := clerk.Get("/admin/backup"); res.Status != 403 {
		t.Errorf("clerk on /admin/backup: status %d, want 403", res.Status)
	}

	// Repaired, replication resumes and the banner goes at the next check.
	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	servertest.WaitFor(t, "the banner to go", 10*time.Second, func() bool {
		res = admin.Get("/admin/backup")
		return !strings.Contains(res.Body, "backup contínuo está com problema")
	})
}

// A disk that is full or read-only makes webhooks answer 503 and the panel
// say so; a locked database (another writer) answers 503 without blaming
// the disk. The failures are real SQLite errors on the app's writer
// connection: max_page_count caps the file as a full disk would, query_only
// refuses writes as a read-only disk would.
func TestDiskFullAndReadOnlyWebhooks(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	clerk, _ := a.LoginAs(store.RoleAgent, "bia@valeverde.example")
	big := strings.Repeat("Foto da rua alagada, descrição longa. ", 4000) // ~150 KB: needs new pages
	webhook := func(i int) []byte {
		return servertest.MessageWebhook(servertest.TextMessage(fmt.Sprintf("wamid.DISK.%d", i), "5517900000001", "Maria", big))
	}
	// banner is the disk's banner on the clerk's home page, or "". (The
	// outbox has its own: WhatsApp is not configured in this test.)
	banner := func() string {
		body := clerk.Get("/").Body
		if i := strings.Index(body, `<div class="banner" role="alert">O disco do servidor`); i >= 0 {
			return body[i : i+strings.Index(body[i:], "</div>")]
		}
		return ""
	}
	setPragma := func(p string) {
		t.Helper()
		if _, err := a.Store.W.Exec(`PRAGMA ` + p); err != nil {
			t.Fatal(err)
		}
	}

	var pages int
	if err := a.Store.W.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	setPragma(fmt.Sprintf("max_page_count = %d", pages))
	if got := a.PostWebhook(webhook(1)); got != 503 {
		t.Fatalf("full: status %d, want 503", got)
	}
	if b := banner(); !strings.Contains(b, "O disco do servidor está cheio") || !strings.Contains(b, a.Config.DataDir) {
		t.Fatalf("full: banner %q", b)
	}
	setPragma("max_page_count = 4294967294")
	if got := a.PostWebhook(webhook(1)); got != 200 {
		t.Fatalf("space freed: Meta's retry got %d, want 200", got)
	}
	if b := banner(); b != "" {
		t.Fatalf("banner after a successful write: %q", b)
	}

	setPragma("query_only = ON")
	if got := a.PostWebhook(webhook(2)); got != 503 {
		t.Fatalf("read-only: status %d, want 503", got)
	}
	if b := banner(); !strings.Contains(b, "somente leitura") {
		t.Fatalf("read-only: banner %q", b)
	}
	setPragma("query_only = OFF")
	if got := a.PostWebhook(webhook(2)); got != 200 {
		t.Fatalf("writable again: status %d", got)
	}
	if got := count(t, a.Store.R, `SELECT count(*) FROM messages WHERE wamid LIKE 'wamid.DISK.%'`); got != 2 {
		t.Fatalf("stored %d of the 2 retried messages", got)
	}

	if testing.Short() {
		return
	}
	locker, err := sql.Open("sqlite", "file:"+a.Store.Path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	conn, err := locker.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	if got := a.PostWebhook(webhook(3)); got != 503 {
		t.Fatalf("locked: status %d, want 503", got)
	}
	conn.ExecContext(context.Background(), `ROLLBACK`)
	if b := banner(); b != "" {
		t.Fatalf("a locked database blamed the disk: %q", b)
	}
}
