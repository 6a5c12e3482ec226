package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"balcao/app/backup"
	"balcao/app/cli"
	"balcao/app/store"
	"balcao/app/testutil"
)

// fileURL is a file:// backup URL for dir.
func fileURL(dir string) string { return (&url.URL{Scheme: "file", Path: dir}).String() }

// goodSettings is a configuration `balcao check` finds nothing wrong with.
func goodSettings(t *testing.T) map[string]string {
	return map[string]string{
		"BALCAO_DATA":               t.TempDir(),
		"BALCAO_BASE_URL":           "https://atendimento.valeverde.sp.gov.br",
		"BALCAO_TRUSTED_PROXIES":    "127.0.0.1/32",
		"BALCAO_WA_VERIFY_TOKEN":    "verifica",
		"BALCAO_WA_APP_SECRET":      "segredo",
		"BALCAO_WA_ACCESS_TOKEN":    "token",
		"BALCAO_WA_PHONE_NUMBER_ID": "106540352242922",
		"BALCAO_BACKUP_URL":         fileURL(filepath.Join(t.TempDir(), "backup")),
		"BALCAO_DISK_MIN_FREE":      "1MB",
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	blocker := filepath.Join(t.TempDir(), "afile")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change map[string]string
		code   int
		want   []string
	}{
		{"all good", nil, 0, []string{"[ OK ]", "Credenciais do WhatsApp presentes", "WhatsApp credentials present",
			"gravável", "Espaço em disco", "alcançável e gravável", "HTTPS por proxy reverso", "0 problema(s), 0 aviso(s)"}},
		{"credentials missing", map[string]string{"BALCAO_WA_ACCESS_TOKEN": "", "BALCAO_WA_APP_SECRET": ""}, 1,
			[]string{"[ERRO/ERROR] BALCAO_WA_APP_SECRET não está definido", "BALCAO_WA_ACCESS_TOKEN is not set", "2 problema(s)"}},
		{"simulator on", map[string]string{"BALCAO_SIMULATOR": "true"}, 1, []string{"BALCAO_SIMULATOR está ligado"}},
		{"backup target unusable", map[string]string{"BALCAO_BACKUP_URL": fileURL(filepath.Join(blocker, "backup"))}, 1,
			[]string{"O destino do backup", "not a directory"}},
		{"no backup", map[string]string{"BALCAO_BACKUP_URL": ""}, 0, []string{"[AVISO/WARN] BALCAO_BACKUP_URL não está definido", "1 aviso(s)"}},
		{"data folder cannot be created", map[string]string{"BALCAO_DATA": filepath.Join(blocker, "data")}, 1,
			[]string{"não pode ser criada", "cannot be created", "not a directory"}},
		{"data folder missing", map[string]string{"BALCAO_DATA": filepath.Join(t.TempDir(), "novo", "data")}, 0,
			[]string{"ainda não existe; o balcão a cria ao iniciar"}},
		{"disk under the threshold", map[string]string{"BALCAO_DISK_MIN_FREE": "1000000TB"}, 1,
			[]string{"Pouco espaço em disco", "Low disk space", "BALCAO_DISK_MIN_FREE"}},
		{"plain HTTP", map[string]string{"BALCAO_BASE_URL": "http://10.0.0.5:8080"}, 0,
			[]string{"a Meta só entrega webhooks em HTTPS", "Meta only delivers webhooks over HTTPS"}},
		{"automatic HTTPS", map[string]string{"BALCAO_BASE_URL": "", "BALCAO_TLS_DOMAIN": "atendimento.valeverde.sp.gov.br"}, 0,
			[]string{"HTTPS automático para atendimento.valeverde.sp.gov.br", "certs"}},
		{"invalid setting", map[string]string{"BALCAO_WA_RATE": "rapido"}, 1, []string{"Configuração inválida", "BALCAO_WA_RATE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vars := goodSettings(t)
			for k, v := range tc.change {
				vars[k] = v
			}
			r := run(t, nil, vars, "check")
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

// --env-file reads the file systemd gives the service, ahead of the environment.
func TestCheckReadsEnvFile(t *testing.T) {
	t.Parallel()
	vars := goodSettings(t)
	var file bytes.Buffer
	file.WriteString("# /etc/balcao/balcao.env\n\n")
	for k, v := range vars {
		file.WriteString("export " + k + "=\"" + v + "\"\n")
	}
	path := filepath.Join(t.TempDir(), "balcao.env")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// The process environment lacks the token; the file has it.
	env := map[string]string{"BALCAO_WA_ACCESS_TOKEN": ""}
	if r := run(t, nil, env, "check", "--env-file", path); r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, env, "check", "--env-file="+filepath.Join(t.TempDir(), "missing.env")); r.code != 1 || !strings.Contains(r.stderr, "--env-file") {
		t.Fatalf("missing file: exit %d, %q", r.code, r.stderr)
	}
	if err := os.WriteFile(path, []byte("not a setting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, env, "check", "--env-file", path); r.code != 1 || !strings.Contains(r.stderr, "line 1") {
		t.Fatalf("bad line: exit %d, %q", r.code, r.stderr)
	}
}

// replicated opens a store in a new data folder, replicates it to a new
// file target with a few users in it, and returns both with the replicator.
func replicated(t *testing.T) (dataDir, target string, st *store.Store, rep *backup.Replicator) {
	t.Helper()
	ctx := context.Background()
	dataDir = t.TempDir()
	target = fileURL(filepath.Join(t.TempDir(), "backup"))
	st, err := store.Open(ctx, dataDir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = backup.Start(ctx, backup.Options{URL: target, DataDir: dataDir, Interval: 100 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		rep.Close(context.Background())
	})
	for _, email := range []string{"ana@valeverde.example", "bia@valeverde.example", "caio@valeverde.example"} {
		testutil.AddUser(t, st, store.RoleAgent, email, "senha-de-teste")
	}
	if err := rep.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return dataDir, target, st, rep
}

func TestBackupStatus(t *testing.T) {
	t.Parallel()
	dataDir, target, _, rep := replicated(t)
	vars := map[string]string{"BALCAO_DATA": dataDir, "BALCAO_BACKUP_URL": target}
	r := run(t, nil, vars, "backup", "status")
	if r.code != 0 || strings.Count(r.stdout, "EM DIA / IN SYNC") != 2 || !strings.Contains(r.stdout, "snapshots:") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The target is emptied (the replicator stopped first: it writes there
	// every 100 ms, and a file it adds while the folder is removed fails the
	// removal).
	if err := rep.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(strings.TrimPrefix(target, "file://")); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, vars, "backup", "status")
	if r.code != 1 || !strings.Contains(r.stdout, "COM PROBLEMA / FAILING") || !strings.Contains(r.stdout, "nothing at the target") ||
		!strings.Contains(r.stderr, "arquivo(s) com problema de backup") {
		t.Fatalf("emptied target: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = run(t, nil, map[string]string{"BALCAO_DATA": dataDir}, "backup", "status")
	if r.code != 1 || !strings.Contains(r.stderr, "BALCAO_BACKUP_URL não está definido") {
		t.Fatalf("no URL: exit %d, %q", r.code, r.stderr)
	}
	if r = run(t, nil, vars, "backup"); r.code != 1 || !strings.Contains(r.stderr, "usage: balcao backup status") {
		t.Fatalf("no subcommand: exit %d, %q", r.code, r.stderr)
	}
}

// userCount opens a restored database read-only, checks its integrity and counts its users.
func userCount(t *testing.T, dataDir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, store.MainFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	var n int
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check %q, %v", ok, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRestore(t *testing.T) {
	t.Parallel()
	_, target, _, _ := replicated(t)
	dest := filepath.Join(t.TempDir(), "restored")

	r := run(t, nil, nil, "restore", "--from", target, "--data", dest)
	if r.code != 0 || !strings.Contains(r.stdout, "balcao.db  restaurado / restored") || !strings.Contains(r.stdout, "balcao serve --data "+dest) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := userCount(t, dest); n != 3 {
		t.Fatalf("restored %d users, want 3", n)
	}
	// The restored folder serves: the store opens on it as `balcao serve` would.
	st, err := store.Open(context.Background(), dest, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatalf("open restored folder: %v", err)
	}
	st.Close()

	// Again into the same folder: refused, untouched; with --force, the old files go aside.
	r = run(t, nil, map[string]string{"BALCAO_BACKUP_URL": target, "BALCAO_DATA": dest}, "restore")
	if r.code != 1 || !strings.Contains(r.stderr, "já tem um banco de dados") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("existing database: exit %d, %q", r.code, r.stderr)
	}
	r = run(t, nil, map[string]string{"BALCAO_BACKUP_URL": target, "BALCAO_DATA": dest}, "restore", "--force")
	if r.code != 0 || !strings.Contains(r.stdout, "o arquivo anterior foi guardado em") {
		t.Fatalf("--force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if aside, _ := filepath.Glob(filepath.Join(dest, ".pre-restore-*", store.MainFile)); len(aside) != 1 {
		t.Fatalf("old database not kept aside: %v", aside)
	}

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"restore", "--data", dest}, "usage: balcao restore"},
		{"bad timestamp", []string{"restore", "--from", target, "--data", t.TempDir(), "--timestamp", "ontem"}, "2026-11-20T14:00:00-03:00"},
		{"no backup there", []string{"restore", "--from", fileURL(t.TempDir()), "--data", t.TempDir()}, "nenhum backup encontrado"},
		{"before the first restore point", []string{"restore", "--from", target, "--data", t.TempDir(), "--timestamp", "2001-01-01T00:00:00Z"}, "nenhum backup encontrado"},
	}
	for _, tc := range cases {
		if r := run(t, nil, nil, tc.args...); r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 mentioning %q", tc.name, r.code, r.stderr, tc.want)
		}
	}
}

// A restore does not write under a running server, even with --force.
func TestRestoreRefusesRunningServer(t *testing.T) {
	t.Parallel()
	_, target, _, _ := replicated(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- cli.Run(ctx, cli.Env{Args: []string{"serve", "--addr", "127.0.0.1:0", "--data", dir},
			Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut,
			Static: testutil.StaticFS(), Migrations: testutil.MigrationsFS()})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d: %s", code, errOut.String())
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "balcao ready") {
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := run(t, nil, nil, "restore", "--from", target, "--data", dir, "--force")
	if r.code != 1 || !strings.Contains(r.stderr, "outro processo do balcão está usando a pasta de dados") {
		t.Fatalf("exit %d, %q", r.code, r.stderr)
	}
	r = run(t, nil, map[string]string{"BALCAO_DATA": dir, "BALCAO_BACKUP_URL": target}, "backup", "status")
	if !strings.Contains(r.stdout, "balcão rodando / balcao running") {
		t.Errorf("status does not see the running server:\n%s", r.stdout)
	}
}

// An upgrade whose migration fails exits 1 naming the migration, and the
// previous version still starts on the folder.
func TestFailedMigrationStopsServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	broken := fstest.MapFS{}
	err = fs.WalkDir(testutil.MigrationsFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(testutil.MigrationsFS(), path)
		broken[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	broken["20991231000000_broken.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE x (id INTEGER);\nSELECT * FROM nowhere;\n-- +goose Down\nDROP TABLE x;\n")}
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), cli.Env{Args: []string{"serve", "--addr", "127.0.0.1:0", "--data", dir},
		Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut, Static: testutil.StaticFS(), Migrations: broken})
	if code != 1 || !strings.Contains(errOut.String(), "migration 20991231000000_broken.sql failed and was rolled back") ||
		!strings.Contains(errOut.String(), "the database is unchanged") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut.String())
	}
	t.Logf("stderr: %s", strings.TrimSpace(errOut.String()[strings.LastIndex(errOut.String(), "balcao:"):]))
	if r := run(t, nil, nil, "user", "add", "--name", "Ana", "--email", "ana@example.com", "--data", dir); r.code != 0 {
		t.Fatalf("the previous version does not open the folder: %s", r.stderr)
	}
}
