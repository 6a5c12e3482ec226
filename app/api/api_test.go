package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"balcao/app/api"
	"balcao/app/chat"
	"balcao/app/config"
	"balcao/app/live"
	"balcao/app/notify"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/web"
)

// rig is a real store behind the real router, with tickets to work on.
type rig struct {
	t       *testing.T
	st      *store.Store
	ts      *httptest.Server
	token   string
	revoked string
	// open is a ticket whose citizen wrote an hour ago; stale one two days ago.
	open, stale, anon string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	st := testutil.NewStore(t)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub()
	n := &notify.Notifier{Store: st, Template: "atualizacao_protocolo", TemplateLang: "pt_BR"}
	n.Install()
	cs := &chat.Service{Store: st, Live: hub, Template: "atualizacao_protocolo", TemplateLang: "pt_BR", Notify: n}
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Log: testutil.Logger(t), Static: testutil.StaticFS(),
		Migrations: testutil.MigrationsFS(), Live: hub, Chat: cs})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	admin := testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", "senha-secreta-123")
	r := &rig{t: t, st: st, ts: ts}
	if r.token, err = api.CreateToken(ctx, st, "site", admin.ID); err != nil {
		t.Fatal(err)
	}
	r.revoked, err = api.CreateToken(ctx, st, "antigo", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	old, err := st.APITokenByHash(ctx, api.HashToken(r.revoked))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeAPIToken(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r.open = r.citizenTicket("5514999990001", "Maria", now.Add(-time.Hour))
	r.stale = r.citizenTicket("5514999990002", "João", now.Add(-48*time.Hour))
	var c api.Created
	r.do("POST", "/api/v1/tickets", r.token, `{"kind":"denuncia","subject":"Obra irregular","description":"Na rua 7","anonymous":true}`, http.StatusCreated, &c)
	r.anon = c.Protocol
	return r
}

// citizenTicket stores a citizen who last wrote at last, with an open reclamação.
func (r *rig) citizenTicket(waID, name string, last time.Time) string {
	r.t.Helper()
	var contactID int64
	if err := r.st.W.QueryRow(`INSERT INTO contacts (wa_id, name, last_inbound_at, created_at, updated_at) VALUES (?, ?, ?, 1, 1) RETURNING id`,
		waID, name, last.UnixMilli()).Scan(&contactID); err != nil {
		r.t.Fatal(err)
	}
	o, err := r.st.OpenTicket(context.Background(), store.NewTicket{ContactID: contactID, Status: store.TicketQueued, Kind: "reclamacao", Subject: "Buraco na rua"})
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.st.W.Exec(`INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, created_at, processed_at)
		VALUES (?, ?, 'in', 'text', 'Tem um buraco na minha rua', 'received', ?, ?)`, contactID, o.ID, last.UnixMilli(), last.UnixMilli()); err != nil {
		r.t.Fatal(err)
	}
	return o.Protocol
}

// call sends a request and returns the status and body.
func (r *rig) call(method, path, token, contentType, body string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.ts.URL+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// do sends JSON, checks the status and decodes the answer into out (if not nil).
func (r *rig) do(method, path, token, body string, want int, out any) string {
	r.t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	code, got := r.call(method, path, token, ct, body)
	if code != want {
		r.t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, got)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			r.t.Fatalf("%s %s: %v: %s", method, path, err, got)
		}
	}
	return got
}

// wrongCheckDigit is p with its check digit changed.
func wrongCheckDigit(p string) string {
	last := p[len(p)-1]
	return p[:len(p)-1] + string('0'+(last-'0'+1)%10)
}

func TestScenarios(t *testing.T) {
	r := newRig(t)
	unknown, _ := protocol.New(2026, 999999)
	tests := []struct {
		name              string
		method, path      string
		token             string
		contentType, body string
		status            int
		contains          []string
		absent            []string
	}{
		{name: "no token", method: "GET", path: "/api/v1/tickets", status: 401, contains: []string{`"code":"unauthorized"`}},
		{name: "unknown token", method: "GET", path: "/api/v1/tickets", token: "blc_nope", status: 401},
		{name: "token without prefix", method: "GET", path: "/api/v1/tickets", token: "abc", status: 401},
		{name: "revoked token", method: "GET", path: "/api/v1/tickets", token: r.revoked, status: 401},
		{name: "revoked token cannot write", method: "POST", path: "/api/v1/tickets/" + r.open + "/notes", token: r.revoked,
			contentType: "application/json", body: `{"text":"x"}`, status: 401},
		{name: "panel session routes are not the API", method: "GET", path: "/api/v1/nada", token: r.token, status: 404, contains: []string{`"not_found"`}},
		{name: "openapi needs no token", method: "GET", path: "/api/v1/openapi.json", status: 200, contains: []string{`"openapi": "3.1.0"`}},

		{name: "list", method: "GET", path: "/api/v1/tickets", token: r.token, status: 200,
			contains: []string{r.open, r.stale, r.anon, `"status_label":"Em fila"`, `"kind_label":"Reclamação"`}},
		{name: "list by protocol with separators", method: "GET", path: "/api/v1/tickets?protocol=" + strings.ReplaceAll(protocol.Display(r.open), " ", "%20"),
			token: r.token, status: 200, contains: []string{r.open}, absent: []string{r.stale}},
		{name: "list by status", method: "GET", path: "/api/v1/tickets?status=novo", token: r.token, status: 200,
			contains: []string{r.anon}, absent: []string{r.open}},
		{name: "list by kind", method: "GET", path: "/api/v1/tickets?kind=reclamacao", token: r.token, status: 200,
			contains: []string{r.open, r.stale}, absent: []string{r.anon}},
		{name: "list since the future", method: "GET", path: "/api/v1/tickets?since=2099-01-01T00:00:00Z", token: r.token, status: 200,
			contains: []string{`"tickets":[]`}},
		{name: "list with bad filters", method: "GET", path: "/api/v1/tickets?status=aberto&kind=x&limit=0&since=ontem&cursor=!!&group=a&protocol=" + wrongCheckDigit(r.open),
			token: r.token, status: 400, contains: []string{`"bad_query"`, `"status"`, `"kind"`, `"limit"`, `"since"`, `"cursor"`, `"group"`, `"protocol"`}},
		{name: "anonymous never shows a citizen in the list", method: "GET", path: "/api/v1/tickets?status=novo", token: r.token, status: 200,
			absent: []string{`"citizen"`, "sem-whatsapp"}},

		{name: "one ticket with messages", method: "GET", path: "/api/v1/tickets/" + r.open, token: r.token, status: 200,
			contains: []string{`"citizen":{"wa_id":"5514999990001","name":"Maria"}`, "Tem um buraco na minha rua", `"protocol_display":"` + protocol.Display(r.open)}},
		{name: "one ticket by its display form", method: "GET", path: "/api/v1/tickets/" + strings.ReplaceAll(protocol.Display(r.open), " ", "%20"), token: r.token, status: 200},
		{name: "wrong check digit", method: "GET", path: "/api/v1/tickets/" + wrongCheckDigit(r.open), token: r.token, status: 400, contains: []string{`"bad_protocol"`}},
		{name: "not a number", method: "GET", path: "/api/v1/tickets/abc", token: r.token, status: 400},
		{name: "unknown protocol", method: "GET", path: "/api/v1/tickets/" + unknown.Digits(), token: r.token, status: 404, contains: []string{`"ticket_not_found"`}},
		{name: "anonymous ticket hides the citizen", method: "GET", path: "/api/v1/tickets/" + r.anon, token: r.token, status: 200,
			contains: []string{`"anonymous":true`, "Na rua 7"}, absent: []string{`"citizen"`, "sem-whatsapp"}},

		{name: "create without content type", method: "POST", path: "/api/v1/tickets", token: r.token, body: `{}`, status: 415},
		{name: "create with form content type", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/x-www-form-urlencoded", body: "kind=elogio", status: 415},
		{name: "create with bad JSON", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json", body: `{"kind":`, status: 400, contains: []string{`"bad_json"`}},
		{name: "create with unknown field", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"elogio","subject":"a","description":"b","priority":9}`, status: 400, contains: []string{"priority"}},
		{name: "create with two objects", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"elogio","subject":"a","description":"b"}{}`, status: 400},
		{name: "create with a wrong type", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"elogio","subject":1,"description":"b"}`, status: 400, contains: []string{`subject`}},
		{name: "create with a huge body", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"elogio","subject":"a","description":"` + strings.Repeat("x", 70<<10) + `"}`, status: 413},
		{name: "create with every field wrong", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"pedido","subject":" ","description":"","group_id":-1,"citizen":{"wa_id":"12ab"}}`, status: 422,
			contains: []string{`"kind"`, `"subject"`, `"description"`, `"group_id"`, `"citizen.wa_id"`}},
		{name: "create anonymous with a citizen", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"denuncia","subject":"a","description":"b","anonymous":true,"citizen":{"wa_id":"5514999990009"}}`, status: 422, contains: []string{`"citizen"`}},
		{name: "create in an unknown group", method: "POST", path: "/api/v1/tickets", token: r.token, contentType: "application/json",
			body: `{"kind":"elogio","subject":"a","description":"b","group_id":999}`, status: 422, contains: []string{`"group_id":"no such group"`}},

		{name: "reply to an unknown ticket", method: "POST", path: "/api/v1/tickets/" + unknown.Digits() + "/replies", token: r.token,
			contentType: "application/json", body: `{"text":"Olá"}`, status: 404},
		{name: "empty reply", method: "POST", path: "/api/v1/tickets/" + r.open + "/replies", token: r.token,
			contentType: "application/json", body: `{"text":"  "}`, status: 422},
		{name: "close a reclamação without a resolution", method: "POST", path: "/api/v1/tickets/" + r.open + "/status", token: r.token,
			contentType: "application/json", body: `{"status":"encerrado","comment":"feito"}`, status: 422, contains: []string{`"resolution":"required"`}},
		{name: "reply to an anonymous ticket", method: "POST", path: "/api/v1/tickets/" + r.anon + "/replies", token: r.token,
			contentType: "application/json", body: `{"text":"Olá"}`, status: 409, contains: []string{`"no_citizen"`}},
		{name: "empty note", method: "POST", path: "/api/v1/tickets/" + r.open + "/notes", token: r.token,
			contentType: "application/json", body: `{"text":""}`, status: 422},
		{name: "unknown status", method: "POST", path: "/api/v1/tickets/" + r.open + "/status", token: r.token,
			contentType: "application/json", body: `{"status":"aberto"}`, status: 422},
		{name: "invalid transition", method: "POST", path: "/api/v1/tickets/" + r.open + "/status", token: r.token,
			contentType: "application/json", body: `{"status":"reaberto"}`, status: 409, contains: []string{`"invalid_transition"`}},
		{name: "forward needs the panel", method: "POST", path: "/api/v1/tickets/" + r.open + "/status", token: r.token,
			contentType: "application/json", body: `{"status":"encaminhado"}`, status: 409, contains: []string{`"invalid_transition"`}},
		{name: "status with unknown field", method: "POST", path: "/api/v1/tickets/" + r.open + "/status", token: r.token,
			contentType: "application/json", body: `{"status":"encerrado","force":true}`, status: 400},
		{name: "same status", method: "POST", path: "/api/v1/tickets/" + r.open + "/status", token: r.token,
			contentType: "application/json", body: `{"status":"em_fila"}`, status: 409},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := r.call(tc.method, tc.path, tc.token, tc.contentType, tc.body)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %.300s", code, tc.status, body)
			}
			if code >= 400 && !strings.Contains(body, `{"error":{"code":`) {
				t.Errorf("error body not in the documented shape: %.300s", body)
			}
			for _, s := range tc.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q: %.500s", s, body)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(body, s) {
					t.Errorf("body has %q: %.500s", s, body)
				}
			}
		})
	}
	// Nothing the refused requests asked for was written.
	var tickets, outbox, notes int
	if err := r.st.R.QueryRow(`SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM outbox), (SELECT count(*) FROM ticket_events WHERE kind <> 'status' OR from_value <> '')`).
		Scan(&tickets, &outbox, &notes); err != nil {
		t.Fatal(err)
	}
	if tickets != 3 || outbox != 0 || notes != 0 {
		t.Errorf("tickets %d, outbox %d, notes and changes %d after refused requests; want 3, 0, 0", tickets, outbox, notes)
	}
}

// A ticket from the website: created, read back, noted, answered, moved to the end.
func TestTicketLifecycle(t *testing.T) {
	r := newRig(t)
	var c api.Created
	r.do("POST", "/api/v1/tickets", r.token, `{"kind":"solicitacao","subject":"Poda de árvore","description":"Árvore na Rua 3 encostando na fiação",
		"citizen":{"wa_id":"+5514999990003","name":"Ana Souza"}}`, http.StatusCreated, &c)
	if _, err := protocol.Parse(c.Protocol); err != nil || c.ProtocolDisplay != protocol.Display(c.Protocol) {
		t.Fatalf("created %+v: %v", c, err)
	}
	var got api.Ticket
	r.do("GET", "/api/v1/tickets/"+c.Protocol, r.token, "", http.StatusOK, &got)
	if got.Status != "novo" || got.StatusLabel != "Novo" || got.Kind != "solicitacao" || got.Citizen == nil ||
		got.Citizen.WaID != "5514999990003" || got.Citizen.Name != "Ana Souza" || len(got.Messages) != 1 ||
		got.Messages[0].Direction != "in" || !strings.Contains(got.Messages[0].Body, "fiação") {
		t.Fatalf("ticket read back: %+v", got)
	}

	r.do("POST", "/api/v1/tickets/"+c.Protocol+"/notes", r.token, `{"text":"Encaminhar para a Secretaria de Obras"}`, http.StatusCreated, nil)
	// The citizen has not written on WhatsApp yet: the text waits for them
	// and the template tells them so; or the template alone is sent.
	var q api.Queued
	r.do("POST", "/api/v1/tickets/"+c.Protocol+"/replies", r.token, `{"text":"Recebemos"}`, http.StatusAccepted, &q)
	if !q.Template {
		t.Errorf("reply outside the window: %+v, want the template", q)
	}
	var held string
	if err := r.st.R.QueryRow(`SELECT body FROM held_messages`).Scan(&held); err != nil || held != "Recebemos" {
		t.Errorf("held %q, %v: want the reply kept for when the citizen writes", held, err)
	}
	r.do("POST", "/api/v1/tickets/"+c.Protocol+"/replies", r.token, `{"template":true}`, http.StatusAccepted, nil)
	var kinds []string
	rows, err := r.st.R.Query(`SELECT kind FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		kinds = append(kinds, k)
	}
	rows.Close()
	if strings.Join(kinds, ",") != "template,template" {
		t.Errorf("outbox holds %v, want the two templates only (the note is never sent)", kinds)
	}
	got = api.Ticket{}
	r.do("GET", "/api/v1/tickets/"+c.Protocol, r.token, "", http.StatusOK, &got)
	if len(got.Messages) != 3 || got.Messages[1].Type != "template" || got.Messages[2].Type != "template" {
		t.Errorf("messages %+v: want the description and the templates", got.Messages)
	}
	var notes []api.Change
	for _, h := range got.History {
		if h.Kind == "note" {
			notes = append(notes, h)
		}
	}
	if len(notes) != 1 || notes[0].Comment != "Encaminhar para a Secretaria de Obras" || notes[0].Public || notes[0].Author == "" {
		t.Errorf("history %+v: want the internal note, by the token's admin", got.History)
	}

	for _, step := range []string{"em_fila", "em_atendimento", "respondido", "encerrado", "reaberto"} {
		got = api.Ticket{}
		r.do("POST", "/api/v1/tickets/"+c.Protocol+"/status", r.token, `{"status":"`+step+`","resolution":"Poda feita"}`, http.StatusOK, &got)
		if got.Status != step {
			t.Fatalf("after %s: %+v", step, got)
		}
		if (step == "encerrado") != (got.ClosedAt != nil) {
			t.Errorf("%s: closed_at %v", step, got.ClosedAt)
		}
	}
	// Every change is in the history, with who made it and the comment.
	r.do("POST", "/api/v1/tickets/"+c.Protocol+"/status", r.token, `{"status":"encerrado","comment":"Poda feita em 24/11","resolution":"Árvore podada"}`, http.StatusOK, nil)
	got = api.Ticket{}
	r.do("GET", "/api/v1/tickets/"+c.Protocol, r.token, "", http.StatusOK, &got)
	var moves []string
	last := api.Change{}
	for _, h := range got.History {
		if h.Kind == "status" && h.From != "" {
			moves = append(moves, h.From+">"+h.To)
			last = h
		}
	}
	if strings.Join(moves, " ") != "novo>em_fila em_fila>em_atendimento em_atendimento>respondido respondido>encerrado encerrado>reaberto reaberto>encerrado" ||
		last.Comment != "Poda feita em 24/11" || last.Author == "" {
		t.Errorf("history of moves %v, last %+v", moves, last)
	}
	if got.Resolution != "Árvore podada" || got.Survey != nil {
		t.Errorf("resolution %q survey %+v: want the close's resolution, no survey yet", got.Resolution, got.Survey)
	}
}

// A reply inside the window is queued as text, once, in the ticket's history.
func TestReplyInsideWindow(t *testing.T) {
	r := newRig(t)
	var q api.Queued
	r.do("POST", "/api/v1/tickets/"+r.open+"/replies", r.token, `{"text":"Equipe enviada hoje"}`, http.StatusAccepted, &q)
	var kind, payload string
	if err := r.st.R.QueryRow(`SELECT o.kind, o.payload FROM outbox o JOIN messages m ON m.id = o.message_id
		JOIN tickets t ON t.id = m.ticket_id WHERE t.protocol = ?`, r.open).Scan(&kind, &payload); err != nil {
		t.Fatal(err)
	}
	if kind != "text" || !strings.Contains(payload, "Equipe enviada hoje") || !strings.Contains(payload, "5514999990001") {
		t.Errorf("outbox %s %s", kind, payload)
	}
	// A closed ticket takes no reply.
	r.do("POST", "/api/v1/tickets/"+r.open+"/status", r.token, `{"status":"encerrado","resolution":"Buraco tapado"}`, http.StatusOK, nil)
	r.do("POST", "/api/v1/tickets/"+r.open+"/replies", r.token, `{"text":"Mais uma"}`, http.StatusConflict, nil)
}

// A reply outside the window is not refused: the template tells the citizen
// a reply waits, the text is held for when they write, and the history has it.
func TestReplyOutsideWindow(t *testing.T) {
	r := newRig(t)
	var q api.Queued
	r.do("POST", "/api/v1/tickets/"+r.stale+"/replies", r.token, `{"text":"Equipe vai amanhã"}`, http.StatusAccepted, &q)
	if !q.Template {
		t.Errorf("answer %+v: want template true", q)
	}
	var kind, payload, held string
	if err := r.st.R.QueryRow(`SELECT o.kind, o.payload FROM outbox o JOIN messages m ON m.id = o.message_id
		JOIN tickets t ON t.id = m.ticket_id WHERE t.protocol = ?`, r.stale).Scan(&kind, &payload); err != nil {
		t.Fatal(err)
	}
	if kind != "template" || !strings.Contains(payload, protocol.Display(r.stale)) || !strings.Contains(payload, notify.ReadReply) ||
		strings.Contains(payload, "Equipe vai amanhã") {
		t.Errorf("outbox %s %s: want the template with the protocol and the news, not the text", kind, payload)
	}
	if err := r.st.R.QueryRow(`SELECT body FROM held_messages`).Scan(&held); err != nil || held != "Equipe vai amanhã" {
		t.Errorf("held %q, %v", held, err)
	}
	var got api.Ticket
	r.do("GET", "/api/v1/tickets/"+r.stale, r.token, "", http.StatusOK, &got)
	last := got.History[len(got.History)-1]
	if last.Kind != "reply" || !last.Public || last.Comment != "Equipe vai amanhã" {
		t.Errorf("history ends with %+v: want the public reply", last)
	}
}

// Pages follow each other without gaps or repeats.
func TestListPagination(t *testing.T) {
	r := newRig(t)
	for i := 0; i < 4; i++ {
		r.do("POST", "/api/v1/tickets", r.token, `{"kind":"sugestao","subject":"s","description":"d"}`, http.StatusCreated, nil)
	}
	seen := map[string]bool{}
	path := "/api/v1/tickets?limit=2"
	pages := 0
	for {
		var l api.TicketList
		r.do("GET", path, r.token, "", http.StatusOK, &l)
		pages++
		for _, tk := range l.Tickets {
			if seen[tk.Protocol] {
				t.Fatalf("%s twice", tk.Protocol)
			}
			seen[tk.Protocol] = true
		}
		if l.NextCursor == "" {
			break
		}
		path = "/api/v1/tickets?limit=2&cursor=" + l.NextCursor
		if pages > 10 {
			t.Fatal("no end")
		}
	}
	if len(seen) != 7 {
		t.Errorf("saw %d tickets, want 7", len(seen))
	}
}

// A token's use is recorded, at most once a minute.
func TestTokenLastUsed(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.do("GET", "/api/v1/tickets", r.token, "", http.StatusOK, nil)
	tok, err := r.st.APITokenByHash(ctx, api.HashToken(r.token))
	if err != nil || tok.LastUsedAt == 0 {
		t.Fatalf("last use not recorded: %+v %v", tok, err)
	}
	r.do("GET", "/api/v1/tickets", r.token, "", http.StatusOK, nil)
	again, _ := r.st.APITokenByHash(ctx, api.HashToken(r.token))
	if again.LastUsedAt != tok.LastUsedAt {
		t.Errorf("last use rewritten within a minute: %d then %d", tok.LastUsedAt, again.LastUsedAt)
	}
	var stored int
	r.st.R.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? OR token_hash = ?`, r.token, strings.TrimPrefix(r.token, "blc_")).Scan(&stored)
	if stored != 0 {
		t.Error("the token itself is stored")
	}
}

// Status changes at once on one ticket: exactly one wins, the others get 409
// and nothing is lost or recorded twice.
func TestConcurrentStatusChanges(t *testing.T) {
	r := newRig(t)
	const n = 8
	codes := make(chan int, n)
	for range n {
		go func() {
			code, _ := r.call("POST", "/api/v1/tickets/"+r.open+"/status", r.token, "application/json", `{"status":"em_atendimento"}`)
			codes <- code
		}()
	}
	won := 0
	for range n {
		switch c := <-codes; c {
		case http.StatusOK:
			won++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", c)
		}
	}
	var moves int
	r.st.R.QueryRow(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.protocol = ? AND e.kind = 'status' AND e.to_value = 'em_atendimento'`, r.open).Scan(&moves)
	if won != 1 || moves != 1 {
		t.Errorf("%d requests won, %d changes recorded; want 1 and 1", won, moves)
	}
}
