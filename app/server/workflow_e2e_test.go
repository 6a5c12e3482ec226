package server_test

import (
	"context"
	"testing"

	"balcao/app/server/servertest"
	"balcao/app/store"
)

// TestHandedOverCitizensAreToldTheirPlaceInTheQueue: with no clerk of the
// group online the citizen hears their place; a clerk coming online gets the
// first in line.
func TestHandedOverCitizensAreToldTheirPlaceInTheQueue(t *testing.T) {
	a := startBot(t, "")
	if err := a.Store.SaveWebhookSettings(context.Background(), store.WebhookSettings{URL: "https://sistema.example/hook", Secret: "s"}); err != nil {
		t.Fatal(err)
	}
	first := newCitizen(t, a, "5517990000101")
	mustContain(t, first.tap(first.say("Olá"), "Falar com atendente"), "Você é o próximo da fila")
	second := newCitizen(t, a, "5517990000102")
	mustContain(t, second.tap(second.say("Olá"), "Falar com atendente"), "Sua posição na fila: 2º")

	clerk, u := a.LoginAs(store.RoleAgent, "clerk@example.com")
	g := joinGroup(t, a, "Atendimento geral", u.ID)
	clerk.PostForm("/atendente/situacao", map[string][]string{"situacao": {"online"}})
	var firstTicket, secondHolder int64
	a.Store.R.QueryRow(`SELECT t.id FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE c.wa_id = '5517990000101'
		AND t.assignee_id = ?`, u.ID).Scan(&firstTicket)
	a.Store.R.QueryRow(`SELECT COALESCE(t.assignee_id, 0) FROM tickets t JOIN contacts c ON c.id = t.contact_id
		WHERE c.wa_id = '5517990000102'`).Scan(&secondHolder)
	if firstTicket == 0 {
		t.Fatalf("the clerk coming online did not get the first citizen in line")
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM outgoing_webhooks WHERE ticket_id = ? AND event = 'ticket.created'`, firstTicket); n != 1 {
		t.Errorf("the hand-off queued %d ticket.created webhooks; want 1", n)
	}
	if n := count(t, a.Store.R, `SELECT count(*) FROM outgoing_webhooks WHERE ticket_id = ? AND event = 'ticket.status_changed'`, firstTicket); n != 1 {
		t.Errorf("the automatic assignment queued %d ticket.status_changed webhooks; want 1", n)
	}
	if g.MaxPerAgent > 1 && secondHolder != u.ID {
		t.Errorf("the second citizen waits although the clerk has a free slot (cap %d)", g.MaxPerAgent)
	}
}

// joinGroup adds userID to the group named name and returns the group.
func joinGroup(t *testing.T, a *servertest.App, name string, userID int64) store.Group {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := a.Store.R.QueryRow(`SELECT id FROM service_groups WHERE name = ?`, name).Scan(&id); err != nil {
		t.Fatalf("group %s: %v", name, err)
	}
	g, err := a.Store.GroupByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	members, err := a.Store.GroupMemberIDs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.UpdateGroup(ctx, g, append(members, userID)); err != nil {
		t.Fatal(err)
	}
	return g
}
