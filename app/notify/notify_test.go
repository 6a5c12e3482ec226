package notify_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
	"balcao/app/notify"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

// rig is a store with the notifier installed, a clerk named Maria Oliveira
// and a group of the department "Secretaria de Obras".
type rig struct {
	t      testing.TB
	st     *store.Store
	n      *notify.Notifier
	now    time.Time
	clerk  int64
	group  int64
	phones int
}

func newRig(t testing.TB) *rig {
	t.Helper()
	st := testutil.NewStore(t)
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	r := &rig{t: t, st: st, now: now}
	r.n = &notify.Notifier{Store: st, Template: "atualizacao_protocolo", TemplateLang: "pt_BR", Now: func() time.Time { return now }}
	r.n.Install()
	ctx := context.Background()
	u := testutil.AddUser(t, st, store.RoleAgent, "maria@example.com", "senha-secreta-123")
	if _, err := st.W.Exec(`UPDATE users SET name = 'Maria Oliveira' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDepartment(ctx, store.Department{Name: "Secretaria de Obras"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := st.CreateGroup(ctx, store.Group{Name: "Obras — Buracos", DepartmentID: d.ID, Level: "N3", MaxPerAgent: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.clerk, r.group = u.ID, g.ID
	return r
}

// citizen is who a ticket belongs to.
type citizen struct {
	waID     string
	wroteAgo time.Duration // 0: never wrote
	optedOut bool
}

// ticket opens a ticket of kind in status for c, with identity.
func (r *rig) ticket(c citizen, status, identity string) (id int64, number string) {
	r.t.Helper()
	r.phones++
	if c.waID == "" {
		c.waID = "55179911" + string(rune('0'+r.phones/10)) + string(rune('0'+r.phones%10)) + "000"
	}
	last := int64(0)
	if c.wroteAgo > 0 {
		last = r.now.Add(-c.wroteAgo).UnixMilli()
	}
	var contact int64
	err := r.st.W.QueryRow(`INSERT INTO contacts (wa_id, name, last_inbound_at, opted_out, created_at, updated_at)
		VALUES (?, 'Cidadã', ?, ?, 1, 1) RETURNING id`, c.waID, last, c.optedOut).Scan(&contact)
	if err != nil {
		r.t.Fatal(err)
	}
	o, err := r.st.OpenTicket(context.Background(), store.NewTicket{ContactID: contact, Status: status, Kind: "reclamacao", Subject: "Buraco"})
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.st.W.Exec(`UPDATE tickets SET identity = ? WHERE id = ?`, identity, o.ID); err != nil {
		r.t.Fatal(err)
	}
	return o.ID, protocol.Display(o.Protocol)
}

// sent lists the messages queued for ticket id, oldest first.
func (r *rig) sent(id int64) []whatsapp.OutMessage {
	r.t.Helper()
	rows, err := r.st.R.Query(`SELECT o.payload FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.ticket_id = ? ORDER BY o.id`, id)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	var out []whatsapp.OutMessage
	for rows.Next() {
		var p string
		var m whatsapp.OutMessage
		if err := rows.Scan(&p); err != nil || json.Unmarshal([]byte(p), &m) != nil {
			r.t.Fatalf("outbox row %q: %v", p, err)
		}
		out = append(out, m)
	}
	return out
}

// what is a queued message as the test compares it: "text: …",
// "template: {{1}} | {{2}}" or "list: body".
func what(m whatsapp.OutMessage) string {
	switch {
	case m.Text != nil:
		return "text: " + m.Text.Body
	case m.Template != nil:
		return "template: " + strings.Join(m.TemplateParams(), " | ")
	case m.Interactive != nil:
		return "list: " + m.Interactive.Body.Text
	}
	return m.Type
}

// Each transition queues exactly one piece of news, or none when the
// citizen can't or needn't be told.
func TestEachTransitionQueuesOneNotice(t *testing.T) {
	inWindow, outside := citizen{wroteAgo: time.Hour}, citizen{wroteAgo: 30 * time.Hour}
	tests := []struct {
		name     string
		citizen  citizen
		identity string
		from     string
		change   func(r *rig, id int64, from string) store.Transition
		want     string // "" for nothing; {n} is the protocol number
		held     string
	}{
		{name: "taken, in the window", citizen: inWindow, from: store.TicketQueued,
			change: assign, want: "text: 📋 Protocolo {n}: sua demanda está em atendimento com Maria."},
		{name: "taken, outside the window", citizen: outside, from: store.TicketQueued,
			change: assign, want: "template: {n} | sua demanda está em atendimento com Maria"},
		{name: "never wrote: the template", citizen: citizen{}, from: store.TicketQueued,
			change: assign, want: "template: {n} | sua demanda está em atendimento com Maria"},
		{name: "forwarded to a department", citizen: inWindow, from: store.TicketInService,
			change: func(r *rig, id int64, from string) store.Transition {
				return store.Transition{TicketID: id, From: from, To: store.TicketForwarded, UserID: r.clerk, Comment: "Buraco grande",
					SetAssignee: true, GroupID: r.group}
			}, want: "text: 📋 Protocolo {n}: sua demanda foi encaminhada para Secretaria de Obras."},
		{name: "answered with a public comment", citizen: inWindow, from: store.TicketInService,
			change: status(store.TicketAnswered, "O conserto está marcado para sexta.", true),
			want:   "text: 📋 Protocolo {n}: sua demanda foi respondida:\n\nO conserto está marcado para sexta."},
		{name: "answered outside the window: the reply waits for the citizen", citizen: outside, from: store.TicketInService,
			change: status(store.TicketAnswered, "O conserto está marcado para sexta.", true),
			want:   "template: {n} | sua demanda foi respondida; responda para ler a resposta",
			held:   "📋 Protocolo {n}: sua demanda foi respondida:\n\nO conserto está marcado para sexta."},
		{name: "an internal comment stays internal", citizen: inWindow, from: store.TicketInService,
			change: status(store.TicketWaitingCit, "ligar antes", false),
			want:   "text: 📋 Protocolo {n}: precisamos de mais informações suas. Responda esta mensagem, por favor."},
		{name: "closed outside the window", citizen: outside, from: store.TicketInService,
			change: closeWith("Buraco tapado em 22/11."),
			want:   "template: {n} | sua demanda foi encerrada; responda para ver a resolução",
			held:   "📋 Protocolo {n}: sua demanda foi encerrada.\n\nResolução: Buraco tapado em 22/11."},
		{name: "sigilosa: the citizen is told", citizen: inWindow, identity: store.IdentitySigilosa, from: store.TicketInService,
			change: status(store.TicketReopened, "", false),
			want:   "text: 📋 Protocolo {n}: sua demanda foi reaberta e voltou para a fila de atendimento."},
		{name: "opted out, in the window: text is fine", citizen: citizen{wroteAgo: time.Hour, optedOut: true}, from: store.TicketQueued,
			change: assign, want: "text: 📋 Protocolo {n}: sua demanda está em atendimento com Maria."},
		{name: "opted out, outside the window: no template", citizen: citizen{wroteAgo: 30 * time.Hour, optedOut: true},
			from: store.TicketQueued, change: assign},
		{name: "anônima: nobody to tell", citizen: inWindow, identity: store.IdentityAnonima, from: store.TicketQueued, change: assign},
		{name: "no WhatsApp (API ticket)", citizen: citizen{waID: store.NoWhatsAppWaID, wroteAgo: time.Hour}, from: store.TicketQueued,
			change: assign},
		{name: "the citizen's own message", citizen: inWindow, from: store.TicketWaitingCit,
			change: func(r *rig, id int64, from string) store.Transition {
				return store.Transition{TicketID: id, From: from, To: store.TicketQueued, Comment: "O cidadão respondeu.", ByCitizen: true}
			}},
		{name: "the bot's hand-off", citizen: inWindow, from: store.TicketNew,
			change: func(r *rig, id int64, from string) store.Transition {
				return store.Transition{TicketID: id, From: from, To: store.TicketQueued}
			}},
		{name: "a transfer keeping the status says nothing", citizen: inWindow, from: store.TicketWaitingCit,
			change: func(r *rig, id int64, from string) store.Transition {
				return store.Transition{TicketID: id, From: from, To: from, UserID: r.clerk, SetAssignee: true, AssigneeID: r.clerk}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			identity := tc.identity
			if identity == "" {
				identity = store.IdentityNormal
			}
			id, number := r.ticket(tc.citizen, tc.from, identity)
			if err := r.st.TransitionTicket(context.Background(), tc.change(r, id, tc.from)); err != nil {
				t.Fatal(err)
			}
			got := r.sent(id)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("queued %d messages, want none: %s", len(got), what(got[0]))
				}
			} else if len(got) != 1 || what(got[0]) != strings.ReplaceAll(tc.want, "{n}", number) {
				var all []string
				for _, m := range got {
					all = append(all, what(m))
				}
				t.Fatalf("queued %q\nwant exactly %q", all, strings.ReplaceAll(tc.want, "{n}", number))
			}
			var held string
			err := r.st.R.QueryRow(`SELECT body FROM held_messages WHERE ticket_id = ?`, id).Scan(&held)
			if err != nil && err != sql.ErrNoRows {
				t.Fatal(err)
			}
			if want := strings.ReplaceAll(tc.held, "{n}", number); held != want {
				t.Errorf("held %q, want %q", held, want)
			}
		})
	}
}

func assign(r *rig, id int64, from string) store.Transition {
	return store.Transition{TicketID: id, From: from, To: store.TicketInService, UserID: r.clerk, SetAssignee: true, AssigneeID: r.clerk}
}

func status(to, comment string, public bool) func(r *rig, id int64, from string) store.Transition {
	return func(r *rig, id int64, from string) store.Transition {
		return store.Transition{TicketID: id, From: from, To: to, UserID: r.clerk, Comment: comment, Public: public}
	}
}

func closeWith(resolution string) func(r *rig, id int64, from string) store.Transition {
	return func(r *rig, id int64, from string) store.Transition {
		return store.Transition{TicketID: id, From: from, To: store.TicketClosed, UserID: r.clerk, Resolution: resolution}
	}
}

// Closing inside the window sends the resolution and the survey question,
// and puts the contact's bot session in the survey of that ticket.
func TestCloseInTheWindowAsksTheSurvey(t *testing.T) {
	r := newRig(t)
	id, number := r.ticket(citizen{wroteAgo: time.Minute}, store.TicketInService, store.IdentityNormal)
	if err := r.st.TransitionTicket(context.Background(), closeWith("Buraco tapado.")(r, id, store.TicketInService)); err != nil {
		t.Fatal(err)
	}
	got := r.sent(id)
	if len(got) != 2 || what(got[0]) != "text: 📋 Protocolo "+number+": sua demanda foi encerrada.\n\nResolução: Buraco tapado." ||
		what(got[1]) != "list: De 1 a 5, como você avalia o atendimento do protocolo "+number+"?" {
		t.Fatalf("queued %d: %v", len(got), got)
	}
	rows := got[1].Interactive.Action.Sections[0].Rows
	if len(rows) != 5 || rows[0].Title != "1 - Muito ruim" || rows[4].Title != "5 - Ótimo" {
		t.Errorf("rows %+v", rows)
	}
	var resolution, state string
	if err := r.st.R.QueryRow(`SELECT t.resolution, s.state FROM tickets t JOIN bot_sessions s ON s.contact_id = t.contact_id WHERE t.id = ?`, id).
		Scan(&resolution, &state); err != nil {
		t.Fatal(err)
	}
	s, err := bot.DecodeSession(state)
	if resolution != "Buraco tapado." || err != nil || s.Mode != bot.ModeSurvey || s.Survey != id {
		t.Errorf("resolution %q, session %+v (%v)", resolution, s, err)
	}
}

// Without a template the window's closing leaves nothing to send; without
// a bot no survey is asked.
func TestNothingToSendWithoutTemplateOrBot(t *testing.T) {
	r := newRig(t)
	r.n.Template = ""
	r.n.AskSurvey = func() bool { return false }
	stale, _ := r.ticket(citizen{wroteAgo: 48 * time.Hour}, store.TicketQueued, store.IdentityNormal)
	fresh, _ := r.ticket(citizen{wroteAgo: time.Minute}, store.TicketInService, store.IdentityNormal)
	ctx := context.Background()
	if err := r.st.TransitionTicket(ctx, assign(r, stale, store.TicketQueued)); err != nil {
		t.Fatal(err)
	}
	if err := r.st.TransitionTicket(ctx, closeWith("")(r, fresh, store.TicketInService)); err != nil {
		t.Fatal(err)
	}
	if got := r.sent(stale); len(got) != 0 {
		t.Errorf("no template configured, yet %d messages", len(got))
	}
	if got := r.sent(fresh); len(got) != 1 || what(got[0]) == "" || got[0].Text == nil {
		t.Errorf("close without a bot: %d messages, want the news only", len(got))
	}
}

// A template parameter never carries what WhatsApp refuses in one.
func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\tc    d":           "a b c d",
		"  sua demanda  ":        "sua demanda",
		strings.Repeat("x", 250): strings.Repeat("x", 199) + "…",
	} {
		if got := notify.OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// The citizen writing into a ticket that waited for them moves it on
// (store.ResumeTicketTx) without telling them what they just did.
func TestCitizenWritingIsNotNews(t *testing.T) {
	r := newRig(t)
	id, _ := r.ticket(citizen{wroteAgo: time.Minute}, store.TicketWaitingCit, store.IdentityNormal)
	var msg int64
	err := r.st.W.QueryRow(`INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, created_at)
		SELECT contact_id, id, 'in', 'text', 'segue a foto', 'received', 1 FROM tickets WHERE id = ? RETURNING id`, id).Scan(&msg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := r.st.FinishInbound(ctx, msg, func(tx *sql.Tx) error { return r.st.ResumeTicketTx(ctx, tx, id) }); err != nil {
		t.Fatal(err)
	}
	var status string
	if err := r.st.R.QueryRow(`SELECT status FROM tickets WHERE id = ?`, id).Scan(&status); err != nil || status != store.TicketQueued {
		t.Fatalf("status %q (%v), want back in the queue", status, err)
	}
	if got := r.sent(id); len(got) != 0 {
		t.Errorf("queued %s for the citizen's own message", what(got[0]))
	}
}

// No survey while the citizen has another chat open: their answer would go
// to that chat's clerk.
func TestNoSurveyWithAnotherChatOpen(t *testing.T) {
	r := newRig(t)
	id, _ := r.ticket(citizen{waID: "5517990001234", wroteAgo: time.Minute}, store.TicketInService, store.IdentityNormal)
	var contact int64
	if err := r.st.R.QueryRow(`SELECT contact_id FROM tickets WHERE id = ?`, id).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.OpenTicket(context.Background(), store.NewTicket{ContactID: contact, Status: store.TicketQueued}); err != nil {
		t.Fatal(err)
	}
	if err := r.st.TransitionTicket(context.Background(), closeWith("")(r, id, store.TicketInService)); err != nil {
		t.Fatal(err)
	}
	if got := r.sent(id); len(got) != 1 || got[0].Text == nil {
		t.Errorf("queued %d messages, want the news alone", len(got))
	}
	var sessions int
	if err := r.st.R.QueryRow(`SELECT count(*) FROM bot_sessions`).Scan(&sessions); err != nil || sessions != 0 {
		t.Errorf("%d bot sessions (%v), want none", sessions, err)
	}
}
