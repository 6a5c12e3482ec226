package outbox_test

// Crash recovery, with real crashes: balcao runs in a child process (this test
// binary again, in TestCrashChild) on a data folder, the parent kills it with
// SIGKILL at the moment under test, starts it again on the same folder and
// counts at the simulator what reached "Meta".

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/ingest"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

const childModeVar = "BALCAO_CRASH_CHILD"

// TestCrashChild is the child process of the crash tests, not a test.
func TestCrashChild(t *testing.T) {
	mode := os.Getenv(childModeVar)
	if mode == "" {
		t.Skip("helper process of the crash tests")
	}
	if err := runChild(mode); err != nil {
		fmt.Println("CHILD error", err)
		os.Exit(3)
	}
}

// runChild plays balcao in one of two modes and waits to be killed.
//
//   - "commit": store an inbound webhook through the real committer and queue
//     the reply, with neither the inbound processor nor the outbox running:
//     the moment between commit and processing.
//   - "serve": the whole app (server.Start), taking commands on stdin:
//     "enqueue <wa_id> <text>" and "resend <message id>", as the panel would.
func runChild(mode string) error {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "BALCAO_") {
			env[k] = v
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx := context.Background()
	switch mode {
	case "commit":
		st, err := store.Open(ctx, env["BALCAO_DATA"], testutil.MigrationsFS(), log)
		if err != nil {
			return err
		}
		c := ingest.NewCommitter(st, log, nil)
		go c.Run(ctx)
		body := inboundText(env["BALCAO_TEST_CITIZEN"], "wamid.IN.crash.1", "Quero falar com a ouvidoria")
		n, err := whatsapp.Parse(body)
		if err != nil {
			return err
		}
		if err := c.Submit(ctx, body, n); err != nil {
			return err
		}
		id, err := enqueueText(ctx, st, env["BALCAO_TEST_CITIZEN"], "Recebemos sua mensagem. Protocolo 2026 000001-9.")
		if err != nil {
			return err
		}
		fmt.Println("CHILD committed", id)
	case "serve":
		app, err := startServer(env, log)
		if err != nil {
			return err
		}
		fmt.Println("CHILD ready")
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			cmd, arg, _ := strings.Cut(in.Text(), " ")
			switch cmd {
			case "enqueue":
				waID, text, _ := strings.Cut(arg, " ")
				id, err := enqueueText(ctx, app.Store, waID, text)
				if err != nil {
					return err
				}
				app.Outbox.Wake()
				fmt.Println("CHILD enqueued", id)
			case "resend":
				id, _ := strconv.ParseInt(arg, 10, 64)
				if err := app.Store.Resend(ctx, id); err != nil {
					return err
				}
				app.Outbox.Wake()
				fmt.Println("CHILD resent", id)
			}
		}
	}
	select {} // until SIGKILL
}

func inboundText(waID, wamid, text string) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"5517999990000","phone_number_id":"106540352242922"},
		"contacts":[{"profile":{"name":"Maria"},"wa_id":%q}],
		"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		waID, waID, wamid, time.Now().Unix(), text))
}

// enqueueText queues a text reply to waID as the panel would, creating the
// contact (through a stored inbound message) when it does not exist yet.
func enqueueText(ctx context.Context, st *store.Store, waID, text string) (int64, error) {
	var contactID int64
	if err := st.R.QueryRowContext(ctx, `SELECT id FROM contacts WHERE wa_id = ?`, waID).Scan(&contactID); err != nil {
		_, err := st.SaveWebhooks(ctx, []store.WebhookDelivery{{Body: []byte(`{}`),
			Messages: []store.InboundMessage{{WAMID: "wamid.IN.first." + waID, WaID: waID, Type: "text", Body: "oi", Payload: `{}`}}}})
		if err != nil {
			return 0, err
		}
		if err := st.R.QueryRowContext(ctx, `SELECT id FROM contacts WHERE wa_id = ?`, waID).Scan(&contactID); err != nil {
			return 0, err
		}
	}
	m := whatsapp.Text(waID, text)
	payload, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	id, _, err := st.Enqueue(ctx, store.Outgoing{ContactID: contactID, ToWaID: waID, Kind: m.Type, Body: text, Payload: string(payload)})
	return id, err
}

// child is a balcao process the test can talk to and kill.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *bytes.Buffer
	mu     sync.Mutex
}

func spawn(t *testing.T, mode string, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeVar+"="+mode)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{t: t, cmd: cmd, lines: make(chan string, 16), stderr: &bytes.Buffer{}}
	cmd.Stderr = &lockedWriter{w: c.stderr, mu: &c.mu}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "CHILD "); ok {
				c.lines <- line
			}
		}
		close(c.lines)
	}()
	t.Cleanup(c.kill)
	return c
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// expect waits for the child's next line, which must start with word, and returns the rest.
func (c *child) expect(word string) string {
	c.t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok || !strings.HasPrefix(line, word) {
			c.mu.Lock()
			c.t.Fatalf("child said %q (open %v), want %q; its log:\n%s", line, ok, word, c.stderr.String())
		}
		return strings.TrimSpace(strings.TrimPrefix(line, word))
	case <-time.After(15 * time.Second):
		c.t.Fatalf("child did not say %q", word)
	}
	return ""
}

func (c *child) send(cmd string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, cmd+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// kill ends the child with SIGKILL: no deferred function, no graceful stop.
func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
}

// crashWorld is the simulator in this process and a data folder for children.
type crashWorld struct {
	sim *simulator.Simulator
	env map[string]string
	db  *sql.DB
}

func newCrashWorld(t *testing.T) *crashWorld {
	t.Helper()
	if testing.Short() {
		t.Skip("starts balcao several times in child processes")
	}
	sim := simulator.New(simulator.Options{AppSecret: testSecret, AccessToken: testToken})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	dir := t.TempDir()
	env := appEnv(dir, srv.URL, sim.PhoneNumberID())
	env["BALCAO_TEST_CITIZEN"] = citizen
	return &crashWorld{sim: sim, env: env}
}

// read opens the children's database read-only (after a child created it).
func (w *crashWorld) read(t *testing.T) *sql.DB {
	t.Helper()
	if w.db == nil {
		db, err := sql.Open("sqlite", store.DSN(filepath.Join(w.env["BALCAO_DATA"], store.MainFile), true))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		w.db = db
	}
	return w.db
}

func (w *crashWorld) outbox(t *testing.T, messageID int64) (state, msgStatus, msgError string) {
	t.Helper()
	err := w.read(t).QueryRow(`SELECT o.state, m.status, m.error_text FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.message_id = ?`, messageID).Scan(&state, &msgStatus, &msgError)
	if err != nil {
		t.Fatal(err)
	}
	return state, msgStatus, msgError
}

func TestCrashAfterCommitStillRepliesExactlyOnce(t *testing.T) {
	w := newCrashWorld(t)

	// 1. The webhook and the reply are committed; balcao dies before processing either.
	first := spawn(t, "commit", w.env)
	id, _ := strconv.ParseInt(first.expect("committed"), 10, 64)
	first.kill()
	if n := w.sim.SendCount(); n != 0 {
		t.Fatalf("%d sends before any outbox ran", n)
	}

	// 2. Restart on the same folder: the inbound message is routed and the reply goes out.
	second := spawn(t, "serve", w.env)
	second.expect("ready")
	waitFor(t, 10*time.Second, "the reply sent", func() bool { s, _, _ := w.outbox(t, id); return s == store.OutboxSent })
	waitFor(t, 10*time.Second, "the inbound message routed", func() bool {
		var routed int
		w.read(t).QueryRow(`SELECT count(*) FROM messages WHERE wamid = 'wamid.IN.crash.1' AND processed_at IS NOT NULL`).Scan(&routed)
		return routed == 1
	})

	// 3. Crash again after the send was recorded, restart: nothing is sent twice.
	second.kill()
	third := spawn(t, "serve", w.env)
	third.expect("ready")
	time.Sleep(1500 * time.Millisecond) // more than the worker's idle poll
	third.kill()
	sent := w.sim.Sent()
	if len(sent) != 1 || w.sim.SendCount() != 1 || sent[0].To != citizen || !strings.Contains(sent[0].Message.Text.Body, "Protocolo") {
		t.Fatalf("simulator got %d requests, accepted %+v; want the reply exactly once", w.sim.SendCount(), sent)
	}
}

func TestCrashDuringSendMarksUnknownAndDoesNotResend(t *testing.T) {
	w := newCrashWorld(t)
	// Meta takes the request and never answers: the send is in flight when balcao dies.
	w.sim.SetFault(simulator.Fault{Kind: simulator.FaultTimeout, To: citizen})

	first := spawn(t, "serve", w.env)
	first.expect("ready")
	first.send("enqueue " + citizen + " Sua vistoria foi marcada para amanhã.")
	id, _ := strconv.ParseInt(first.expect("enqueued"), 10, 64)
	waitFor(t, 10*time.Second, "the request to reach the simulator", func() bool { return w.sim.SendCount() == 1 })
	if s, _, _ := w.outbox(t, id); s != store.OutboxInflight {
		t.Fatalf("row %s while its request hangs, want inflight", s)
	}
	first.kill()
	w.sim.ClearFault()

	// Restart: the outcome is unknown, so the row waits for a person.
	second := spawn(t, "serve", w.env)
	second.expect("ready")
	waitFor(t, 10*time.Second, "the row marked unknown", func() bool { s, _, _ := w.outbox(t, id); return s == store.OutboxUnknown })
	time.Sleep(1500 * time.Millisecond) // more than the worker's idle poll
	state, status, text := w.outbox(t, id)
	if state != store.OutboxUnknown || status != "unknown" || !strings.Contains(text, "não se sabe se chegou") {
		t.Fatalf("after restart: row %s, message %s %q", state, status, text)
	}
	if n := w.sim.SendCount(); n != 1 {
		t.Fatalf("simulator got %d requests; the interrupted send must not be repeated by itself", n)
	}

	// The clerk presses Reenviar: now it goes, once.
	second.send(fmt.Sprintf("resend %d", id))
	second.expect("resent")
	waitFor(t, 10*time.Second, "the resent reply", func() bool { s, _, _ := w.outbox(t, id); return s == store.OutboxSent })
	if n, sent := w.sim.SendCount(), w.sim.Sent(); n != 2 || len(sent) != 1 {
		t.Fatalf("after resend: %d requests, %d accepted; want 2 and 1", n, len(sent))
	}
}
