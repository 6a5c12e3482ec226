package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"balcao/app/chat"
	"balcao/app/hours"
	"balcao/app/live"
	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
)

// kindTicket opens a ticket of kind in group's queue for a new contact.
func (w *workflow) kindTicket(kind string, group int64) int64 {
	w.t.Helper()
	w.n++
	var contact int64
	err := w.Store.W.QueryRow(`INSERT INTO contacts (wa_id, profile_name, last_inbound_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("55179911%05d", w.n), fmt.Sprintf("Manifestante %d", w.n),
		w.Store.Now(), w.Store.Now(), w.Store.Now()).Scan(&contact)
	if err != nil {
		w.t.Fatal(err)
	}
	o, err := w.Store.OpenTicket(context.Background(), store.NewTicket{ContactID: contact, Status: store.TicketQueued, GroupID: group, Kind: kind})
	if err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}

func TestExtendingADeadlineFromTheTicketScreen(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	outsider, _ := w.clerk("otto@example.com")
	g := w.group("Ouvidoria", store.LevelN2, 5, u.ID)
	manifest := w.kindTicket("reclamacao", g)
	plain := w.kindTicket("", g)
	for _, id := range []int64{manifest, plain} {
		if res := clerk.PostForm(ticketPath(id, "/assumir"), nil); res.Status != http.StatusOK {
			t.Fatalf("assumir: %d", res.Status)
		}
	}
	page := clerk.Get(ticketPath(manifest, ""))
	for _, want := range []string{"Resposta conclusiva (Lei 13.460/2017)", "vence em 29 dias", "Prorrogar o prazo de resposta por 30 dias"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("ticket screen lacks %q", want)
		}
	}
	due := func(id int64) (due int64, extended bool) {
		t.Helper()
		if err := w.Store.R.QueryRow(`SELECT COALESCE(due_at, 0), extended FROM tickets WHERE id = ?`, id).Scan(&due, &extended); err != nil {
			t.Fatal(err)
		}
		return due, extended
	}
	first, _ := due(manifest)
	steps := []struct {
		name          string
		client        *testutil.Client
		ticket        int64
		which, reason string
		want          int
		field, msg    string // the error next to the justification
		body          string
	}{
		{"a clerk outside the group", outsider, manifest, store.DeadlineResolution, "Vistoria", http.StatusForbidden, "", "", "não faz parte"},
		{"no justification", clerk, manifest, store.DeadlineResolution, "   ", http.StatusUnprocessableEntity, "justificativa", "Escreva a justificativa", ""},
		{"justification too long", clerk, manifest, store.DeadlineResolution, strings.Repeat("a", 2001), http.StatusUnprocessableEntity, "justificativa", "até 2.000", ""},
		{"a plain chat's group target", clerk, plain, store.DeadlineResolution, "Vistoria", http.StatusUnprocessableEntity, "", "", "não pode ser prorrogado"},
		{"no department term", clerk, manifest, store.DeadlineDept, "Vistoria", http.StatusUnprocessableEntity, "", "", "não pode ser prorrogado"},
		{"unknown deadline", clerk, manifest, "tudo", "Vistoria", http.StatusUnprocessableEntity, "", "", "não pode ser prorrogado"},
		{"extended", clerk, manifest, store.DeadlineResolution, "Depende de <b>vistoria</b> técnica", http.StatusOK, "", "", "prorrogou o prazo"},
		{"only once", clerk, manifest, store.DeadlineResolution, "De novo", http.StatusUnprocessableEntity, "", "", "já foi prorrogado"},
	}
	for _, s := range steps {
		before, beforeExt := due(s.ticket)
		res := s.client.PostForm(ticketPath(s.ticket, "/prazo"), url.Values{"prazo": {s.which}, "justificativa": {s.reason}})
		if res.Status != s.want {
			t.Fatalf("%s: status %d, want %d", s.name, res.Status, s.want)
		}
		if s.field != "" && !strings.Contains(res.FieldError(s.field), s.msg) {
			t.Errorf("%s: error next to the field %q, want %q", s.name, res.FieldError(s.field), s.msg)
		}
		if s.body != "" && !strings.Contains(res.Body, s.body) {
			t.Errorf("%s: page lacks %q", s.name, s.body)
		}
		if after, ext := due(s.ticket); s.want != http.StatusOK && (after != before || ext != beforeExt) {
			t.Errorf("%s: refused, yet the deadline changed", s.name)
		}
	}
	if got, ext := due(manifest); !ext || got != first+30*24*3600*1000 {
		t.Errorf("after the extension: due %d (extended %v), want %d", got, ext, first+30*24*3600*1000)
	}
	// The citizen is told, in the window, of the new date and why.
	if n := count(t, w.App, `SELECT count(*) FROM messages WHERE ticket_id = ? AND direction = 'out'
		AND body LIKE '%o prazo para a resposta foi prorrogado até%Motivo: Depende de <b>vistoria</b> técnica'`, manifest); n != 1 {
		t.Errorf("%d messages tell the citizen of the extension, want 1", n)
	}
	page = clerk.Get(ticketPath(manifest, ""))
	if !strings.Contains(page.Body, "Depende de &lt;b&gt;vistoria&lt;/b&gt; técnica") || strings.Contains(page.Body, "Prorrogar o prazo de resposta por 30 dias") {
		t.Error("the justification is not shown escaped in the history, or the form is still offered")
	}
}

func TestOverdueTicketsAreMarked(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	g := w.group("Ouvidoria", store.LevelN2, 5, u.ID)
	late := w.kindTicket("denuncia", g)
	onTime := w.kindTicket("denuncia", g)
	for _, id := range []int64{late, onTime} {
		if res := clerk.PostForm(ticketPath(id, "/assumir"), nil); res.Status != http.StatusOK {
			t.Fatalf("assumir: %d", res.Status)
		}
	}
	twoDaysAgo := time.Now().Add(-49 * time.Hour).UnixMilli()
	if _, err := w.Store.W.Exec(`UPDATE tickets SET due_at = ? WHERE id = ?`, twoDaysAgo, late); err != nil {
		t.Fatal(err)
	}
	page := clerk.Get(ticketPath(late, ""))
	if !strings.Contains(page.Body, `<span class="badge late">Atrasado</span>`) || !strings.Contains(page.Body, "atrasado há 2 dias") {
		t.Error("the overdue ticket's screen does not say it is late")
	}
	if page := clerk.Get(ticketPath(onTime, "")); strings.Contains(page.Body, "Atrasado") {
		t.Error("a ticket on time is marked late")
	}
	lists := clerk.Get("/atendimentos")
	if n := strings.Count(lists.Body, `<span class="badge late">Atrasado</span>`); n != 1 {
		t.Errorf("Atendimentos marks %d tickets late, want 1", n)
	}
	// Waiting for the citizen stops the clock: not late, and says why.
	if res := clerk.PostForm(ticketPath(late, "/situacao"), url.Values{"de": {store.TicketInService}, "situacao": {store.TicketWaitingCit}}); res.Status != http.StatusOK {
		t.Fatalf("aguardando: %d", res.Status)
	}
	page = clerk.Get(ticketPath(late, ""))
	if strings.Contains(page.Body, "badge late") || !strings.Contains(page.Body, "Prazo suspenso: aguardando o cidadão desde") {
		t.Error("a ticket waiting for the citizen is shown late, or the pause is not said")
	}
}

// The sweep archives the tickets whose citizen did not send what was asked
// within the configured days, as the system, with the resolution saying so.
func TestSweepArchivesAbandonedComplementacoes(t *testing.T) {
	st := testutil.NewStore(t)
	clock := time.Date(2026, 11, 23, 10, 0, 0, 0, hours.SaoPaulo())
	st.SetClock(func() time.Time { return clock })
	svc := &chat.Service{Store: st, Live: live.NewHub(), ComplementDays: 5, Now: func() time.Time { return clock }}
	ctx := context.Background()
	var contact int64
	if err := st.W.QueryRow(`INSERT INTO contacts (wa_id, profile_name, created_at, updated_at) VALUES ('5517999990001', 'Ana', 1, 1) RETURNING id`).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	open := func(to ...string) int64 {
		o, err := st.OpenTicket(ctx, store.NewTicket{ContactID: contact, Status: store.TicketInService, Kind: "solicitacao"})
		if err != nil {
			t.Fatal(err)
		}
		from := store.TicketInService
		for _, s := range to {
			if err := st.TransitionTicket(ctx, store.Transition{TicketID: o.ID, From: from, To: s}); err != nil {
				t.Fatal(err)
			}
			from = s
		}
		return o.ID
	}
	abandoned := open(store.TicketWaitingCit)
	working := open()
	clock = clock.Add(2 * 24 * time.Hour)
	recent := open(store.TicketWaitingCit)
	status := func(id int64) (s, resolution string) {
		if err := st.R.QueryRow(`SELECT status, resolution FROM tickets WHERE id = ?`, id).Scan(&s, &resolution); err != nil {
			t.Fatal(err)
		}
		return s, resolution
	}
	clock = clock.Add(3*24*time.Hour - time.Minute) // 5 days less a minute since the first pause
	svc.Sweep(ctx)
	if s, _ := status(abandoned); s != store.TicketWaitingCit {
		t.Fatalf("archived before 5 days: %s", s)
	}
	clock = clock.Add(2 * time.Minute)
	svc.Sweep(ctx)
	if s, res := status(abandoned); s != store.TicketClosed || res != "Arquivado: o cidadão não enviou as informações pedidas em 5 dias." {
		t.Errorf("abandoned ticket: %s %q", s, res)
	}
	for _, id := range []int64{working, recent} {
		if s, _ := status(id); s == store.TicketClosed {
			t.Errorf("ticket %d archived", id)
		}
	}
}

func TestOverdueFilterAndPrazosPage(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	g := w.group("Ouvidoria", store.LevelN2, 5, u.ID)
	late, onTime, soon := w.kindTicket("reclamacao", g), w.kindTicket("reclamacao", g), w.kindTicket("informacao", g)
	now := time.Now()
	for id, due := range map[int64]time.Time{late: now.Add(-72 * time.Hour), soon: now.Add(10 * time.Hour)} {
		if _, err := w.Store.W.Exec(`UPDATE tickets SET due_at = ? WHERE id = ?`, due.UnixMilli(), id); err != nil {
			t.Fatal(err)
		}
	}
	number := func(id int64) string {
		var digits string
		if err := w.Store.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, id).Scan(&digits); err != nil {
			t.Fatal(err)
		}
		return protocol.Display(digits)
	}
	filtered := clerk.Get("/protocolos?atrasados=1")
	if filtered.Status != http.StatusOK || !strings.Contains(filtered.Body, number(late)) ||
		strings.Contains(filtered.Body, number(onTime)) || strings.Contains(filtered.Body, number(soon)) {
		t.Errorf("the overdue filter: status %d, want only %s", filtered.Status, number(late))
	}
	if !strings.Contains(filtered.Body, `name="atrasados" value="1" checked`) {
		t.Error("the filter is not shown checked")
	}
	all := clerk.Get("/protocolos")
	if n := strings.Count(all.Body, `<span class="badge late">Atrasado</span>`); n != 1 || !strings.Contains(all.Body, number(onTime)) {
		t.Errorf("all tickets: %d marked late, want 1", n)
	}
	page := sup.Get("/prazos")
	if page.Status != http.StatusOK {
		t.Fatalf("prazos: %d", page.Status)
	}
	for _, want := range []string{number(late), number(soon), "1 atrasado", "1 vence nas próximas 48 horas", "atrasado há 3 dias", "vence em 9 h", `href="/prazos"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("Prazos lacks %q", want)
		}
	}
	if strings.Contains(page.Body, number(onTime)) || strings.Index(page.Body, number(late)) > strings.Index(page.Body, number(soon)) {
		t.Error("Prazos lists a ticket on time, or not the most overdue first")
	}
	if res := clerk.Get("/prazos"); res.Status != http.StatusForbidden {
		t.Errorf("a clerk opened Prazos: %d", res.Status)
	}
	if strings.Contains(clerk.Get("/atendimentos").Body, `href="/prazos"`) {
		t.Error("a clerk's menu offers Prazos")
	}
}
