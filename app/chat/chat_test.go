package chat_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/notify"
	"balcao/app/protocol"
	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

// citizenWrites posts a signed text webhook and waits until it is routed to a
// ticket, whose id it returns.
func citizenWrites(t *testing.T, a *servertest.App, in servertest.Inbound) int64 {
	t.Helper()
	if st := a.PostWebhook(servertest.MessageWebhook(in)); st != http.StatusOK {
		t.Fatalf("webhook: status %d", st)
	}
	var ticket int64
	servertest.WaitFor(t, "message routed to a ticket", 5*time.Second, func() bool {
		err := a.Store.R.QueryRow(`SELECT COALESCE(ticket_id, 0) FROM messages WHERE wamid = ?`, in.WAMID).Scan(&ticket)
		return err == nil && ticket > 0
	})
	return ticket
}

func count(t *testing.T, a *servertest.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := a.Store.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func ticketPath(id int64, suffix string) string {
	return "/atendimentos/" + strconv.FormatInt(id, 10) + suffix
}

func TestClerkTakesAndAnswersAConversation(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	clerk, u := a.LoginAs(store.RoleAgent, "carla@example.com")
	id := citizenWrites(t, a, servertest.TextMessage("wamid.in-1", "5517988887777", "Maria da Silva", "Quero a segunda via da conta de água"))

	page := clerk.Get("/atendimentos")
	waiting := between(page.Body, `id="lista-aguardando"`, `</ul>`)
	if !strings.Contains(waiting, "Maria da Silva") || !strings.Contains(waiting, "segunda via") {
		t.Fatalf("Aguardando does not list the citizen:\n%s", waiting)
	}
	if !strings.Contains(waiting, `class="badge unread"`) {
		t.Errorf("no unread badge in Aguardando")
	}

	res := clerk.PostForm(ticketPath(id, "/assumir"), nil)
	if res.Status != http.StatusOK || res.URL.Path != ticketPath(id, "") {
		t.Fatalf("assumir: status %d at %s", res.Status, res.URL)
	}
	if n := count(t, a, `SELECT count(*) FROM tickets WHERE id = ? AND assignee_id = ? AND status = 'em_atendimento'`, id, u.ID); n != 1 {
		t.Fatalf("ticket not assigned to the clerk")
	}
	// Opening the conversation as its holder marks it read: unread 0 and a read receipt queued.
	if n := count(t, a, `SELECT unread FROM tickets WHERE id = ?`, id); n != 0 {
		t.Errorf("unread = %d after opening", n)
	}
	if n := count(t, a, `SELECT count(*) FROM outbox WHERE kind = 'mark_read' AND payload LIKE '%wamid.in-1%'`); n != 1 {
		t.Errorf("%d mark-as-read rows, want 1", n)
	}
	mine := between(clerk.Get("/atendimentos").Body, `id="lista-meus"`, `</ul>`)
	if !strings.Contains(mine, "Maria da Silva") {
		t.Errorf("Meus atendimentos does not list the conversation:\n%s", mine)
	}

	res = clerk.PostForm(ticketPath(id, "/responder"), url.Values{"texto": {"Olá, Maria! Vou emitir a segunda via."}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Vou emitir a segunda via") {
		t.Fatalf("responder: status %d", res.Status)
	}
	if n := count(t, a, `SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.to_wa_id = '5517988887777' AND m.ticket_id = ? AND m.author_id = ? AND o.payload LIKE '%Vou emitir%'`, id, u.ID); n != 1 {
		t.Fatalf("%d outbox rows for the reply, want 1", n)
	}

	res = clerk.PostForm(ticketPath(id, "/finalizar"), nil)
	if res.Status != http.StatusOK || res.URL.Path != "/atendimentos" {
		t.Fatalf("finalizar: status %d at %s", res.Status, res.URL)
	}
	if n := count(t, a, `SELECT count(*) FROM tickets WHERE id = ? AND status = 'encerrado' AND closed_at > 0`, id); n != 1 {
		t.Fatalf("ticket not closed")
	}
}

func TestOnlyOneOfTwoClerksTakesAConversation(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	carla, cu := a.LoginAs(store.RoleAgent, "carla@example.com")
	bruno, bu := a.LoginAs(store.RoleAgent, "bruno@example.com")
	for round := range 10 {
		wamid := "wamid.race-" + strconv.Itoa(round)
		id := citizenWrites(t, a, servertest.TextMessage(wamid, "55179888870"+strconv.Itoa(10+round), "Cidadão", "oi"))
		var wg sync.WaitGroup
		results := make([]testutil.Response, 2)
		for i, c := range []*testutil.Client{carla, bruno} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = c.PostForm(ticketPath(id, "/assumir"), nil)
			}()
		}
		wg.Wait()
		won, lost := 0, 0
		for _, r := range results {
			switch r.Status {
			case http.StatusOK:
				won++
			case http.StatusConflict:
				lost++
				if !strings.Contains(r.Body, "já foi assumido por") {
					t.Errorf("the loser is not told who took it:\n%s", r.Body)
				}
			default:
				t.Fatalf("assumir: status %d", r.Status)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won, %d lost; want exactly one each", round, won, lost)
		}
		if n := count(t, a, `SELECT count(*) FROM tickets WHERE id = ? AND assignee_id IN (?, ?)`, id, cu.ID, bu.ID); n != 1 {
			t.Fatalf("round %d: ticket not held by one of them", round)
		}
	}
}

func TestOnlyTheHolderOrASupervisorMayAnswer(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	carla, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	bruno, _ := a.LoginAs(store.RoleAgent, "bruno@example.com")
	chefe, _ := a.LoginAs(store.RoleSupervisor, "chefe@example.com")
	id := citizenWrites(t, a, servertest.TextMessage("wamid.perm", "5517988887777", "Maria", "oi"))
	if r := carla.PostForm(ticketPath(id, "/assumir"), nil); r.Status != http.StatusOK {
		t.Fatalf("assumir: %d", r.Status)
	}
	before := count(t, a, `SELECT count(*) FROM outbox WHERE kind <> 'mark_read'`)
	for _, path := range []string{"/responder", "/finalizar", "/modelo"} {
		r := bruno.PostForm(ticketPath(id, path), url.Values{"texto": {"intrometido"}})
		if r.Status != http.StatusForbidden {
			t.Errorf("another clerk POST %s: status %d, want 403", path, r.Status)
		}
	}
	// htmx gets the same refusal, with the explanation as a fragment.
	req, _ := http.NewRequest(http.MethodPost, a.URL+ticketPath(id, "/responder"), strings.NewReader(url.Values{"texto": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", bruno.CSRFToken())
	res, err := bruno.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || res.Header.Get("X-Balcao-Fragment") == "" {
		t.Errorf("htmx refusal: status %d, fragment header %q", res.StatusCode, res.Header.Get("X-Balcao-Fragment"))
	}
	if n := count(t, a, `SELECT count(*) FROM outbox WHERE kind <> 'mark_read'`); n != before {
		t.Fatalf("a refused reply was queued")
	}
	if r := chefe.PostForm(ticketPath(id, "/responder"), url.Values{"texto": {"Aqui é o coordenador."}}); r.Status != http.StatusOK {
		t.Errorf("supervisor reply: status %d", r.Status)
	}
	if n := count(t, a, `SELECT count(*) FROM outbox WHERE payload LIKE '%coordenador%'`); n != 1 {
		t.Errorf("supervisor reply not queued")
	}
}

func TestClosedWindowOffersTheTemplate(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	old := servertest.TextMessage("wamid.old", "5517988887777", "Maria", "mensagem de ontem")
	old.At = time.Now().Add(-25 * time.Hour)
	id := citizenWrites(t, a, old)
	clerk.PostForm(ticketPath(id, "/assumir"), nil)

	page := clerk.Get(ticketPath(id, ""))
	if !strings.Contains(page.Body, "A janela de 24 horas está fechada") || !strings.Contains(page.Body, `id="enviar-modelo"`) {
		t.Fatalf("the closed window is not explained, or no template offered:\n%s", between(page.Body, `id="acoes"`, "</main>"))
	}
	if strings.Contains(page.Body, `name="arquivo"`) || !strings.Contains(page.Body, `id="form-resposta-guardada"`) {
		t.Errorf("outside the window: a file is offered, or no reply to keep for the citizen")
	}
	// A reply outside the window is kept for the citizen, who gets the
	// template saying so; the text itself is not sent.
	before := count(t, a, `SELECT count(*) FROM outbox WHERE kind = 'template'`)
	r := clerk.PostForm(ticketPath(id, "/responder"), url.Values{"texto": {"texto livre"}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Resposta guardada") {
		t.Fatalf("free text outside the window: status %d", r.Status)
	}
	if n := count(t, a, `SELECT count(*) FROM outbox WHERE payload LIKE '%texto livre%'`); n != 0 {
		t.Fatalf("free text queued outside the window")
	}
	if n := count(t, a, `SELECT count(*) FROM outbox WHERE kind = 'template' AND payload LIKE '%`+notify.ReadReply+`%'`); n != 1 ||
		count(t, a, `SELECT count(*) FROM outbox WHERE kind = 'template'`) != before+1 {
		t.Fatalf("%d templates announcing the reply, want 1", n)
	}
	if n := count(t, a, `SELECT count(*) FROM held_messages WHERE body = 'texto livre'`); n != 1 {
		t.Fatalf("%d held replies, want 1", n)
	}
	if r := clerk.PostForm(ticketPath(id, "/modelo"), nil); r.Status != http.StatusOK {
		t.Fatalf("template: status %d", r.Status)
	}
	// Taking the ticket already told the citizen (template, window closed);
	// the clerk's template comes after it.
	var payload, number string
	if err := a.Store.R.QueryRow(`SELECT payload FROM outbox WHERE kind = 'template' ORDER BY id DESC LIMIT 1`).Scan(&payload); err != nil {
		t.Fatalf("no template queued: %v", err)
	}
	if err := a.Store.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, id).Scan(&number); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name":"` + a.Config.WA.Template + `"`, `"code":"pt_BR"`, `"text":"` + protocol.Display(number) + `"`,
		`"text":"` + notify.MessageWaiting + `"`} {
		if !strings.Contains(payload, want) {
			t.Errorf("template payload %s lacks %s", payload, want)
		}
	}
}

func TestCitizenTextIsEscaped(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	const evil = `<script>alert(1)</script><img src=x onerror=alert(1)>`
	id := citizenWrites(t, a, servertest.TextMessage("wamid.xss", "5517988887777", `<b onmouseover=alert(2)>Mallory</b>`, evil))
	for _, path := range []string{"/atendimentos", "/atendimentos/listas", ticketPath(id, ""), ticketPath(id, "/mensagens")} {
		body := clerk.Get(path).Body
		for _, bad := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>", "<b onmouseover"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s renders %q unescaped", path, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the citizen's text escaped", path)
		}
	}
}

func TestEventsReachAnOpenPanelAtOnce(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+"/atendimentos/eventos", nil)
	res, err := clerk.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	start := time.Now()
	a.PostWebhook(servertest.MessageWebhook(servertest.TextMessage("wamid.live", "5517988887777", "Maria", "oi")))
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream ended")
			}
			if l == "event: fila" {
				if d := time.Since(start); d > time.Second {
					t.Errorf("event after %v, want under a second", d)
				}
				return
			}
		case <-time.After(3 * time.Second):
			t.Fatal("no fila event after a citizen wrote")
		}
	}
}

func TestEventStreamEndsAtShutdown(t *testing.T) {
	a := servertest.Start(t, servertest.Options{})
	clerk, _ := a.LoginAs(store.RoleAgent, "carla@example.com")
	res, err := clerk.HTTP.Get(a.URL + "/atendimentos/eventos")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := res.Body.Read(buf); err != nil {
				close(done)
				return
			}
		}
	}()
	a.Web.BeginShutdown()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("event stream still open after BeginShutdown")
	}
}

// between returns the part of s from the first from to the next to after it.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
