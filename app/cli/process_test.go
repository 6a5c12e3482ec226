package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"balcao/app/store"
	"balcao/app/testutil"
)

// These tests run the real binary, built once, as an operator would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	bin := filepath.Join(t.TempDir(), "balcao")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = testutil.RepoRoot()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("graceful shutdown", func(t *testing.T) { t.Parallel(); testGracefulShutdown(t, bin) })
	t.Run("demo", func(t *testing.T) { t.Parallel(); testDemo(t, bin) })
}

// process is a running balcao.
type process struct {
	cmd            *exec.Cmd
	addr           string
	stdout, stderr *syncBuffer
	done           chan struct{}
	err            error
}

// syncBuffer is a bytes.Buffer safe to read while the process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr is a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs bin with args on a free port, without the caller's BALCAO_*
// variables, and waits until /healthz answers.
func start(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{addr: freeAddr(t), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append(args, "--addr", p.addr)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BALCAO_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("balcao exited before answering: %v\n%s", p.err, p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on /healthz after 20s\n%s", p.stderr)
		}
	}
}

// stop sends SIGTERM and returns the exit code, failing if the process lingers.
func (p *process) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.wait(t)
}

func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM\n%s", p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitLog waits for text to appear in the process's log.
func (p *process) waitLog(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.stderr.String(), text); {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q:\n%s", text, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// browser is an HTTP client with cookies, as a person's browser.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// page GETs u and returns the final URL, status and body.
func page(t *testing.T, c *http.Client, u string) (*url.URL, int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.Request.URL, res.StatusCode, string(b)
}

// csrf reads the CSRF token of the form at u.
func csrf(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	_, _, body := page(t, c, u)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token at %s", u)
	}
	return html.UnescapeString(m[1])
}

// SIGTERM lets a request already being served finish (its write is kept),
// refuses new connections, exits 0 and leaves a sound database.
func testGracefulShutdown(t *testing.T, bin string) {
	dir := t.TempDir()
	p := start(t, bin, []string{"BALCAO_LOG_LEVEL=info"}, "serve", "--data", dir)
	base := "http://" + p.addr

	// A slow client is in the middle of posting the setup form when the signal comes.
	c := browser(t)
	token := csrf(t, c, base+"/configuracao-inicial")
	u, _ := url.Parse(base)
	var cookies []string
	for _, ck := range c.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	form := url.Values{"csrf_token": {token}, "name": {"Ana Admin"}, "email": {"ana@example.com"},
		"password": {"senha-forte-1"}, "password2": {"senha-forte-1"}}.Encode()
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /configuracao-inicial HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		p.addr, strings.Join(cookies, "; "), len(form), form[:len(form)/2])
	time.Sleep(200 * time.Millisecond) // the handler is now waiting for the rest of the body

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down")
	if late, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
		late.Close()
		t.Error("a new connection was accepted after SIGTERM")
	}
	if _, err := io.WriteString(conn, form[len(form)/2:]); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v\n%s", err, p.stderr)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Errorf("in-flight setup answered %d → %q, want 303 → /admin", res.StatusCode, res.Header.Get("Location"))
	}

	if code := p.wait(t); code != 0 {
		t.Errorf("exit code %d after SIGTERM\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "stopped cleanly") {
		t.Errorf("log does not say it stopped cleanly:\n%s", p.stderr)
	}
	for _, name := range []string{store.MainFile, store.MediaFile} {
		checkClosedDatabase(t, filepath.Join(dir, name))
	}
	st, err := store.Open(context.Background(), dir, testutil.MigrationsFS(), quiet)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer st.Close()
	if err := st.Ready(context.Background(), testutil.MigrationsFS()); err != nil {
		t.Errorf("not ready after reopening: %v", err)
	}
	if u, err := st.UserByEmail(context.Background(), "ana@example.com"); err != nil || u.Role != store.RoleAdmin {
		t.Errorf("the in-flight request's admin: %+v, %v", u, err)
	}
}

// checkClosedDatabase checks a database file left by a stopped balcao: no
// un-checkpointed WAL beside it, and a clean integrity check.
func checkClosedDatabase(t *testing.T, path string) {
	t.Helper()
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("%s-wal left with %d bytes: the database was not closed", filepath.Base(path), fi.Size())
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("%s integrity_check: %q, %v", filepath.Base(path), check, err)
	}
}

var (
	demoAdminRe = regexp.MustCompile(`(?m)^\s+admin\s+(\S+@\S+)\s+senha: (\S+)$`)
	demoDataRe  = regexp.MustCompile(`Dados em:\s+(\S+)`)
)

// `balcao demo` prints working credentials and cleans its temporary folder on exit.
func testDemo(t *testing.T, bin string) {
	tmp := t.TempDir()
	p := start(t, bin, []string{"TMPDIR=" + tmp, "BALCAO_LOG_LEVEL=warn"}, "demo")
	base := "http://" + p.addr
	out := p.stdout.String()
	m := demoAdminRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no admin credentials in the demo banner:\n%s", out)
	}
	email, password := m[1], m[2]
	data := demoDataRe.FindStringSubmatch(out)
	if data == nil || !strings.HasPrefix(data[1], tmp) {
		t.Fatalf("demo data folder not in TMPDIR: %q", out)
	}

	c := browser(t)
	if where, _, _ := page(t, c, base+"/"); where.Path != "/entrar" {
		t.Errorf("a visitor lands on %s, want /entrar", where)
	}
	token := csrf(t, c, base+"/entrar")
	res, err := c.PostForm(base+"/entrar", url.Values{"csrf_token": {token}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("login with the printed credentials ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	if where, status, body := page(t, c, base+"/admin/usuarios"); status != http.StatusOK || where.Path != "/admin/usuarios" ||
		!strings.Contains(body, email) {
		t.Errorf("admin user list: %s %d", where, status)
	}

	// An open live-update stream must not hold the shutdown up.
	req, _ := http.NewRequest(http.MethodGet, base+"/atendimentos/eventos", nil)
	stream, err := (&http.Client{Jar: c.Jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	first := make([]byte, 4)
	if _, err := io.ReadFull(stream.Body, first); err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("event stream: %d %q %v", stream.StatusCode, first, err)
	}

	began := time.Now()
	if code := p.stop(t); code != 0 {
		t.Errorf("demo exit code %d\n%s", code, p.stderr)
	}
	t.Logf("stopped %v after SIGTERM with an event stream open", time.Since(began).Round(time.Millisecond))
	if _, err := io.Copy(io.Discard, stream.Body); err != nil {
		t.Errorf("event stream did not end cleanly: %v", err)
	}
	if _, err := os.Stat(data[1]); !os.IsNotExist(err) {
		t.Errorf("demo folder %s still there after exit (%v)", data[1], err)
	}
}
