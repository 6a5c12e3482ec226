package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"balcao/app/auth"
	"balcao/app/cli"
	"balcao/app/config"
	"balcao/app/store"
	"balcao/app/testutil"
)

func TestMain(m *testing.M) {
	// The command hashes with auth.Cost; the built binary (process tests) keeps the real cost.
	auth.Cost = bcrypt.MinCost
	os.Exit(m.Run())
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// result is what a command left behind.
type result struct {
	code           int
	stdout, stderr string
}

// run executes balcao with args, stdin and the given BALCAO_* variables only.
func run(t *testing.T, stdin io.Reader, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), cli.Env{
		Args:   args,
		Getenv: func(k string) string { return vars[k] },
		Stdin:  stdin, Stdout: &out, Stderr: &errOut,
		Static: testutil.StaticFS(), Migrations: testutil.MigrationsFS(),
	})
	return result{code, out.String(), errOut.String()}
}

// openStore opens the database the command wrote, closed at the end of the test.
func openStore(t *testing.T, dataDir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dataDir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// rowCounts is the number of users and audit events in dataDir's database.
func rowCounts(t *testing.T, dataDir string) (users, audit int) {
	t.Helper()
	st, err := store.Open(context.Background(), dataDir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.R.QueryRow(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM audit_events)`).Scan(&users, &audit); err != nil {
		t.Fatal(err)
	}
	return users, audit
}

// canLogIn reports whether email and password open the panel over HTTP.
func canLogIn(t *testing.T, dataDir, email, password string) {
	t.Helper()
	_, c := testutil.NewServer(t, openStore(t, dataDir))
	c.Login(email, password)
}

// `balcao user add` with the password on stdin creates a user who can log in.
func TestUserAddPasswordFromStdin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := run(t, strings.NewReader("senha-do-terminal-1\n"), nil,
		"user", "add", "--name", "Ana Admin", "--email", " Ana@Prefeitura.gov.br ", "--role", "admin", "--data", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "ana@prefeitura.gov.br") || !strings.Contains(r.stdout, "role admin") {
		t.Errorf("stdout %q", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, "senha-do-terminal-1") || strings.Contains(r.stdout, "password") {
		t.Errorf("the typed password is shown: %q", r.stdout)
	}
	st := openStore(t, dir)
	u, err := st.UserByEmail(context.Background(), "ana@prefeitura.gov.br")
	if err != nil || u.Role != store.RoleAdmin || u.Name != "Ana Admin" || !u.Active {
		t.Fatalf("user: %+v, %v", u, err)
	}
	_, c := testutil.NewServer(t, st)
	c.Login("ana@prefeitura.gov.br", "senha-do-terminal-1")
}

var generatedRe = regexp.MustCompile(`password \(shown only now\): (\S+)\n`)

// With nothing on stdin a password is generated, printed once, and works.
func TestUserAddGeneratesPassword(t *testing.T) {
	t.Parallel()
	for name, stdin := range map[string]io.Reader{"empty": strings.NewReader(""), "blank line": strings.NewReader("\n"), "nil": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			// The data folder from BALCAO_DATA, the role atendente by default.
			r := run(t, stdin, map[string]string{"BALCAO_DATA": dir}, "user", "add", "--name", "Carla", "--email", "carla@example.com")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			m := generatedRe.FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("no generated password in %q", r.stdout)
			}
			pw := m[1]
			if n := strings.Count(r.stdout+r.stderr, pw); n != 1 || len(pw) < auth.MinPasswordLen {
				t.Errorf("password %q printed %d times", pw, n)
			}
			if !strings.Contains(r.stdout, "role atendente") {
				t.Errorf("stdout %q", r.stdout)
			}
			canLogIn(t, dir, "carla@example.com", pw)
		})
	}
}

// Bad input exits non-zero with a clear message and writes no row.
func TestUserAddRefusesBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r := run(t, strings.NewReader("senha-original-1\n"), nil, "user", "add", "--name", "Ana", "--email", "ana@example.com", "--role", "admin", "--data", dir); r.code != 0 {
		t.Fatalf("first user: exit %d: %s", r.code, r.stderr)
	}
	users, audit := rowCounts(t, dir)
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"bad role", "senha-valida-123\n", []string{"--name", "Eva", "--email", "eva@example.com", "--role", "root"}, `--role must be admin, supervisor, ouvidor or atendente, got "root"`},
		{"bad e-mail", "senha-valida-123\n", []string{"--name", "Eva", "--email", "eva@", "--role", "admin"}, `--email "eva@" is not a valid e-mail address`},
		{"no e-mail", "senha-valida-123\n", []string{"--name", "Eva", "--role", "admin"}, "--email"},
		{"no name", "senha-valida-123\n", []string{"--email", "eva@example.com"}, "--name is required"},
		{"duplicate e-mail", "senha-valida-123\n", []string{"--name", "Outra Ana", "--email", "ANA@example.com", "--role", "admin"}, "a user with e-mail ana@example.com already exists"},
		{"short password", "curta\n", []string{"--name", "Eva", "--email", "eva@example.com"}, "password refused: A senha precisa ter pelo menos 8 caracteres."},
		{"password too long", strings.Repeat("x", 73) + "\n", []string{"--name", "Eva", "--email", "eva@example.com"}, "password refused"},
		{"unknown flag", "senha-valida-123\n", []string{"--name", "Eva", "--email", "eva@example.com", "--admin"}, "flag provided but not defined: -admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"user", "add", "--data", dir}, tc.args...)
			r := run(t, strings.NewReader(tc.stdin), nil, args...)
			if r.code == 0 {
				t.Fatalf("exit 0, stdout %q", r.stdout)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q does not say %q", r.stderr, tc.want)
			}
			if strings.Contains(r.stdout, "created") {
				t.Errorf("stdout %q", r.stdout)
			}
			if u, a := rowCounts(t, dir); u != users || a != audit {
				t.Errorf("rows written: users %d→%d, audit %d→%d", users, u, audit, a)
			}
		})
	}
	canLogIn(t, dir, "ana@example.com", "senha-original-1")
}

// Help, in each of its spellings, lists every setting with its default and exits 0.
func TestHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	cases := [][]string{{"--help"}, {"-h"}, {"serve", "--help"}, {"demo", "--help"}, {"help"}}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := run(t, nil, nil, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			text := r.stdout + r.stderr
			for _, s := range (&config.Config{}).Settings() {
				def := s.Default
				if def == "" {
					def = `""`
				}
				if !strings.Contains(text, "  -"+s.Flag+"\n      "+s.Env) || !strings.Contains(text, s.Env+", default "+def) &&
					!strings.Contains(text, s.Env+" (also "+s.Env+"_FILE), default "+def) {
					t.Errorf("help lacks -%s / %s with default %s", s.Flag, s.Env, def)
				}
			}
			for _, want := range []string{"BALCAO_ADDR, default :8080", "BALCAO_DATA, default ./data", "BALCAO_BASE_URL, default"} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q", want)
				}
			}
		})
	}
	t.Run("help lists the commands", func(t *testing.T) {
		r := run(t, nil, nil, "help")
		for _, cmd := range []string{"balcao [serve]", "balcao demo", "balcao user add", "balcao version"} {
			if !strings.Contains(r.stdout, cmd) {
				t.Errorf("help lacks %q", cmd)
			}
		}
	})
	t.Run("user add --help", func(t *testing.T) {
		r := run(t, nil, nil, "user", "add", "--help")
		if r.code != 0 || !strings.Contains(r.stderr, "-email") || !strings.Contains(r.stderr, "-role") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// Wrong commands and settings exit non-zero and say what is wrong.
func TestBadCommandLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"user without add", nil, []string{"user", "list"}, 1, "usage: balcao user add"},
		{"bad setting in the environment", map[string]string{"BALCAO_WA_RATE": "rapido"}, []string{"serve"}, 1, "BALCAO_WA_RATE"},
		{"bad flag value", nil, []string{"--log-level", "verbose"}, 1, "BALCAO_LOG_LEVEL"},
		{"unknown flag", nil, []string{"serve", "--port", "80"}, 1, "-port"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, nil, tc.vars, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
	if r := run(t, nil, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "balcao ") {
		t.Errorf("version: exit %d, %q", r.code, r.stdout)
	}
}

// A data folder that cannot be created stops serve and user add, naming it.
func TestUncreatableDataFolder(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	blocker := filepath.Join(top, "afile")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(blocker, "data")
	for name, args := range map[string][]string{
		"serve":    {"serve", "--addr", "127.0.0.1:0", "--data", dataDir},
		"user add": {"user", "add", "--name", "Ana", "--email", "ana@example.com", "--data", dataDir},
	} {
		r := run(t, strings.NewReader("senha-valida-123\n"), nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "data folder "+dataDir) {
			t.Errorf("%s: exit %d, stderr %q; want 1 naming %s", name, r.code, r.stderr, dataDir)
		}
	}
	if entries, _ := os.ReadDir(top); len(entries) != 1 {
		t.Errorf("files created beside the blocker: %v", entries)
	}
}

// A database from a newer balcao stops serve and user add, naming the
// version, and is left byte for byte.
func TestNewerDatabaseIsLeftAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	const newer = 99991231235959
	if _, err := st.W.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	before, files := sums(t, dir)
	for name, args := range map[string][]string{
		"serve":    {"serve", "--addr", "127.0.0.1:0", "--data", dir},
		"user add": {"user", "add", "--name", "Ana", "--email", "ana@example.com", "--data", dir},
	} {
		r := run(t, strings.NewReader("senha-valida-123\n"), nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "schema version "+strconv.Itoa(newer)) {
			t.Errorf("%s: exit %d, stderr %q; want 1 naming version %d", name, r.code, r.stderr, newer)
		}
		after, filesAfter := sums(t, dir)
		if after != before || !slices.Equal(files, filesAfter) {
			t.Errorf("%s: data folder changed: %v → %v", name, files, filesAfter)
		}
	}
}

// sums hashes every file of dir together and lists their names.
func sums(t *testing.T, dir string) (string, []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	var names []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(e.Name()))
		h.Write(b)
		names = append(names, e.Name())
	}
	return hex.EncodeToString(h.Sum(nil)), names
}
