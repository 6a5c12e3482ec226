package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"balcao/app/protocol"
	"balcao/app/server/servertest"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/testutil"
)

// handedTicket has citizen c ask the bot for a clerk, and clerk (a member of
// the general group) take the chat; it returns the ticket and its number.
func handedTicket(t *testing.T, a *servertest.App, c *citizen, clerk *testutil.Client) (int64, string) {
	t.Helper()
	c.tap(c.say("Olá"), "Falar com atendente")
	var id int64
	var digits string
	if err := a.Store.R.QueryRow(`SELECT t.id, t.protocol FROM tickets t JOIN contacts k ON k.id = t.contact_id
		WHERE k.wa_id = ? AND t.status = 'em_fila'`, c.waID).Scan(&id, &digits); err != nil {
		t.Fatalf("no ticket in the queue: %v", err)
	}
	if r := clerk.PostForm("/atendimentos/"+itoa(id)+"/assumir", nil); r.Status != http.StatusOK {
		t.Fatalf("assumir: status %d", r.Status)
	}
	// Taking the chat is news for the citizen, with the clerk's first name.
	mustContain(t, c.settle(), "📋 Protocolo "+protocol.Display(digits)+": sua demanda está em atendimento com Clara.")
	return id, digits
}

// clara is a clerk named Clara Souza in the general group.
func clara(t *testing.T, a *servertest.App, email string) (*testutil.Client, store.User, store.Group) {
	t.Helper()
	clerk, u := a.LoginAs(store.RoleAgent, email)
	if _, err := a.Store.W.Exec(`UPDATE users SET name = 'Clara Souza' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	return clerk, u, joinGroup(t, a, "Atendimento geral", u.ID)
}

// closeTicket posts Finalizar with resolution and returns the answer.
func closeTicket(clerk *testutil.Client, id int64, resolution string) testutil.Response {
	return clerk.PostForm("/atendimentos/"+itoa(id)+"/finalizar", url.Values{"resolucao": {resolution}})
}

// A closed chat tells the citizen its resolution and asks for a score; "4"
// and a comment are recorded once, with who held the ticket and where, and
// shown on the ticket screen; a redelivered webhook changes nothing.
func TestSurveyAfterCloseIsRecordedOnce(t *testing.T) {
	a := startBot(t, "")
	clerk, u, g := clara(t, a, "clara@example.com")
	c := newCitizen(t, a, "5517990000021")
	id, digits := handedTicket(t, a, c, clerk)

	// The clerk classed the chat as a solicitação: a manifestation is not
	// closed without a resolution.
	if _, err := a.Store.W.Exec(`UPDATE tickets SET kind = 'solicitacao' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	r := closeTicket(clerk, id, "  ")
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Escreva a resolução") ||
		!strings.Contains(r.Body, `id="resolucao-erro"`) {
		t.Fatalf("close without a resolution: status %d", r.Status)
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM tickets WHERE id = ? AND status = 'encerrado'`, id); n != 0 {
		t.Fatal("the ticket closed without a resolution")
	}
	if r := closeTicket(clerk, id, "Alvará emitido; retire na Prefeitura."); r.Status != http.StatusOK {
		t.Fatalf("close: status %d", r.Status)
	}
	replies := c.settle()
	if len(replies) != 2 {
		t.Fatalf("after the close the citizen got %d messages, want the news and the question:%s", len(replies), describe(replies))
	}
	mustContain(t, replies[:1], "📋 Protocolo "+protocol.Display(digits)+": sua demanda foi encerrada.\n\nResolução: Alvará emitido; retire na Prefeitura.")
	mustContain(t, replies[1:], "De 1 a 5, como você avalia o atendimento do protocolo "+protocol.Display(digits)+"?")
	if len(replies[1].Options) != 5 || replies[1].Options[3].Title != "4 - Bom" {
		t.Fatalf("the question offers %+v, want the five scores", replies[1].Options)
	}

	// The score, then the same webhook again (Meta retries).
	score := servertest.MessageWebhook(servertest.TextMessage("wamid.nota-4", c.waID, "Maria da Silva", "4"))
	if st := a.PostWebhook(score); st != http.StatusOK {
		t.Fatalf("webhook: status %d", st)
	}
	mustContain(t, c.settle(), "Quer deixar um comentário?")
	if st := a.PostWebhook(score); st != http.StatusOK {
		t.Fatalf("redelivered webhook: status %d", st)
	}
	if again := c.settle(); len(again) != 0 {
		t.Fatalf("a redelivered score was answered again:%s", describe(again))
	}
	// A comment that names the clerk is a comment, not a call for one.
	mustContain(t, c.say("A atendente foi muito atenciosa"), "Obrigado pela sua avaliação!")

	var sc, user, group int64
	var comment string
	if err := a.Store.R.QueryRow(`SELECT score, comment, user_id, group_id FROM survey_answers WHERE ticket_id = ?`, id).
		Scan(&sc, &comment, &user, &group); err != nil {
		t.Fatalf("no survey answer: %v", err)
	}
	if sc != 4 || comment != "A atendente foi muito atenciosa" || user != u.ID || group != g.ID {
		t.Errorf("survey answer %d %q user %d group %d; want 4, the comment, %d, %d", sc, comment, user, group, u.ID, g.ID)
	}
	if at, err := a.Store.APITicketByProtocol(context.Background(), digits); err != nil || at.SurveyScore != 4 ||
		at.Resolution != "Alvará emitido; retire na Prefeitura." {
		t.Errorf("the API reads score %d resolution %q (%v)", at.SurveyScore, at.Resolution, err)
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'survey' AND to_value = '4'`, id); n != 1 {
		t.Errorf("%d survey events, want 1", n)
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM bot_sessions k JOIN contacts c ON c.id = k.contact_id WHERE c.wa_id = ?`, c.waID); n != 0 {
		t.Errorf("the survey's session was not ended")
	}
	page := clerk.Get("/atendimentos/" + itoa(id)).Body
	for _, want := range []string{"Resolução:</strong> Alvará emitido", "Avaliação do cidadão:</strong> 4 de 5", "A atendente foi muito atenciosa",
		"avaliou o atendimento com nota 4 de 5"} {
		if !strings.Contains(page, want) {
			t.Errorf("the ticket screen lacks %q", want)
		}
	}
}

// Anything but a score leaves the survey: "menu" shows the menu and nothing
// is recorded; the bot's lookup then shows the resolution.
func TestSurveyAbandonedByMenu(t *testing.T) {
	a := startBot(t, "")
	clerk, _, _ := clara(t, a, "clara@example.com")
	c := newCitizen(t, a, "5517990000022")
	id, digits := handedTicket(t, a, c, clerk)
	if r := closeTicket(clerk, id, "Orientação dada por telefone."); r.Status != http.StatusOK {
		t.Fatalf("close: status %d", r.Status)
	}
	mustContain(t, c.settle(), "De 1 a 5")
	menu := c.say("menu")
	if len(menu) != 1 || len(menu[0].Options) == 0 {
		t.Fatalf("'menu' during the survey: %s", describe(menu))
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM survey_answers`); n != 0 {
		t.Errorf("%d survey answers after 'menu', want none", n)
	}
	// Looking the protocol up tells how it ended.
	c.tap(menu, "Consultar protocolo")
	mustContain(t, c.say(digits), "Resolução: Orientação dada por telefone.")
}

// Outside the 24-hour window the close goes as the template (protocol and a
// one-line news), no survey is asked, and the resolution reaches the citizen
// as soon as they answer.
func TestCloseOutsideTheWindowHoldsTheResolution(t *testing.T) {
	a := startBot(t, "")
	clerk, _, _ := clara(t, a, "clara@example.com")
	c := newCitizen(t, a, "5517990000023")
	id, digits := handedTicket(t, a, c, clerk)
	old := time.Now().Add(-30 * time.Hour).UnixMilli()
	if _, err := a.Store.W.Exec(`UPDATE contacts SET last_inbound_at = ? WHERE wa_id = ?`, old, c.waID); err != nil {
		t.Fatal(err)
	}
	if r := closeTicket(clerk, id, "Alvará emitido."); r.Status != http.StatusOK {
		t.Fatalf("close: status %d", r.Status)
	}
	got := c.settle()
	if len(got) != 1 || got[0].Type != "template" {
		t.Fatalf("outside the window: %s; want the template alone", describe(got))
	}
	mustContain(t, got, "Há novidades no seu protocolo "+protocol.Display(digits)+": sua demanda foi encerrada; responda para ver a resolução.")
	back := c.send(simulator.CitizenMessage{Body: "oi"})
	mustContain(t, back[:1], "Resolução: Alvará emitido.")
	if n := count(t, a.Store.R, `SELECT count(*) FROM held_messages`); n != 0 {
		t.Errorf("%d messages still held after the citizen wrote", n)
	}
}
