package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/server/servertest"
	"balcao/app/store"
	"balcao/app/testutil"
)

// workflow is a running balcao with a department to hang groups on.
type workflow struct {
	*servertest.App
	t    *testing.T
	dept int64
	n    int
}

func startWorkflow(t *testing.T) *workflow {
	t.Helper()
	a := servertest.Start(t, servertest.Options{})
	d, err := a.Store.CreateDepartment(context.Background(), store.Department{Name: "Saneamento"})
	if err != nil {
		t.Fatal(err)
	}
	return &workflow{App: a, t: t, dept: d.ID}
}

// group creates a group of level with the cap and members given.
func (w *workflow) group(name, level string, maxPerAgent int, members ...int64) int64 {
	w.t.Helper()
	g, err := w.Store.CreateGroup(context.Background(), store.Group{Name: name, DepartmentID: w.dept, Level: level,
		MaxPerAgent: maxPerAgent, Hours: hours.Week{}}, members)
	if err != nil {
		w.t.Fatal(err)
	}
	return g.ID
}

// ticket opens a ticket in status for a new contact, in group (0: none).
func (w *workflow) ticket(status string, group int64) int64 {
	w.t.Helper()
	w.n++
	var contact int64
	err := w.Store.W.QueryRow(`INSERT INTO contacts (wa_id, profile_name, last_inbound_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("55179900%05d", w.n), fmt.Sprintf("Cidadão %d", w.n),
		w.Store.Now(), w.Store.Now(), w.Store.Now()).Scan(&contact)
	if err != nil {
		w.t.Fatal(err)
	}
	o, err := w.Store.OpenTicket(context.Background(), store.NewTicket{ContactID: contact, Status: status, GroupID: group})
	if err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}

func (w *workflow) clerk(email string) (*testutil.Client, store.User) {
	w.t.Helper()
	return w.LoginAs(store.RoleAgent, email)
}

func (w *workflow) status(id int64) (status string, assignee, group int64) {
	w.t.Helper()
	err := w.Store.R.QueryRow(`SELECT status, COALESCE(assignee_id, 0), COALESCE(group_id, 0) FROM tickets WHERE id = ?`, id).
		Scan(&status, &assignee, &group)
	if err != nil {
		w.t.Fatal(err)
	}
	return status, assignee, group
}

func TestStatusTransitionsAreValidatedAndRecorded(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	id := w.ticket(store.TicketQueued, 0)
	if res := clerk.PostForm(ticketPath(id, "/assumir"), nil); res.Status != http.StatusOK {
		t.Fatalf("assumir: %d", res.Status)
	}
	steps := []struct {
		name, from, to, comment string
		want                    int
		wantMsg                 string
	}{
		{"asks the citizen", store.TicketInService, store.TicketWaitingCit, "Pedi a foto do hidrômetro", http.StatusOK, "Aguardando o cidadão"},
		{"stale status is a conflict", store.TicketInService, store.TicketAnswered, "", http.StatusConflict, "Outra pessoa mudou a situação"},
		{"answered", store.TicketWaitingCit, store.TicketAnswered, "", http.StatusOK, "Respondido"},
		{"answered cannot go back to the queue", store.TicketAnswered, store.TicketQueued, "", http.StatusUnprocessableEntity, "não é permitida"},
		{"forward needs a group", store.TicketAnswered, store.TicketForwarded, "", http.StatusUnprocessableEntity, "não é permitida"},
		{"unknown status", store.TicketAnswered, "resolvido", "", http.StatusUnprocessableEntity, "não é permitida"},
		{"closed", store.TicketAnswered, store.TicketClosed, "Segunda via enviada", http.StatusOK, "Encerrado"},
		{"closed cannot be worked on", store.TicketClosed, store.TicketInService, "", http.StatusUnprocessableEntity, "não é permitida"},
		{"reopened", store.TicketClosed, store.TicketReopened, "O cidadão diz que não chegou", http.StatusOK, "Reaberto"},
	}
	for _, s := range steps {
		res := clerk.PostForm(ticketPath(id, "/situacao"), url.Values{"de": {s.from}, "situacao": {s.to}, "comentario": {s.comment}})
		if res.Status != s.want || !strings.Contains(res.Body, s.wantMsg) {
			t.Fatalf("%s: status %d (want %d), body has %q: %t", s.name, res.Status, s.want, s.wantMsg, strings.Contains(res.Body, s.wantMsg))
		}
	}
	if st, assignee, _ := w.status(id); st != store.TicketReopened || assignee != 0 {
		t.Errorf("after reopening: status %s, assignee %d; want reaberto, nobody (back in the queue)", st, assignee)
	}
	changes, err := w.Store.TicketChanges(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		if c.Kind == store.ChangeStatus {
			got = append(got, c.From+"→"+c.To)
			if c.To == store.TicketClosed && (c.UserID != u.ID || c.Comment != "Segunda via enviada") {
				t.Errorf("closing recorded as by %d with %q", c.UserID, c.Comment)
			}
		}
	}
	want := "→em_fila em_fila→em_atendimento em_atendimento→aguardando_cidadao aguardando_cidadao→respondido respondido→encerrado encerrado→reaberto"
	if strings.Join(got, " ") != want {
		t.Errorf("recorded transitions:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestConcurrentStatusChangesExactlyOneWins(t *testing.T) {
	w := startWorkflow(t)
	clerk, _ := w.clerk("carla@example.com")
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	for round := range 10 {
		id := w.ticket(store.TicketQueued, 0)
		if res := clerk.PostForm(ticketPath(id, "/assumir"), nil); res.Status != http.StatusOK {
			t.Fatalf("assumir: %d", res.Status)
		}
		var wg sync.WaitGroup
		codes := make([]int, 2)
		bodies := make([]string, 2)
		for i, c := range []*testutil.Client{clerk, sup} {
			to := []string{store.TicketWaitingCit, store.TicketClosed}[i]
			wg.Go(func() {
				res := c.PostForm(ticketPath(id, "/situacao"), url.Values{"de": {store.TicketInService}, "situacao": {to}})
				codes[i], bodies[i] = res.Status, res.Body
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for i, code := range codes {
			switch code {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
				if !strings.Contains(bodies[i], "Outra pessoa mudou a situação") {
					t.Errorf("round %d: the conflict does not say why", round)
				}
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v; want one 200 and one 409", round, codes)
		}
		if n := count(t, w.App, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'status' AND from_value = 'em_atendimento'`, id); n != 1 {
			t.Fatalf("round %d: %d changes recorded from em_atendimento; want 1 (no lost update)", round, n)
		}
	}
}

func TestAutomaticAssignmentIsEvenCappedAndOnlyToOnlineClerks(t *testing.T) {
	cases := []struct {
		name     string
		cap      int
		statuses []string // of the members, in order
		busy     []int    // chats each member already holds
		idle     []int64  // last_assigned_at of each member
		tickets  int
		want     []int // chats each member holds after
		waiting  int
	}{
		{"even among three", 5, []string{"online", "online", "online"}, nil, nil, 6, []int{2, 2, 2}, 0},
		{"never above the cap", 2, []string{"online", "online"}, nil, nil, 5, []int{2, 2}, 1},
		{"paused and offline get nothing", 5, []string{"online", "pausado", "offline"}, nil, nil, 3, []int{3, 0, 0}, 0},
		{"least busy first, then idle longest", 3, []string{"online", "online"}, []int{2, 0}, []int64{1, 2}, 3, []int{3, 2}, 0},
		{"nobody online: all wait", 5, []string{"offline", "pausado"}, nil, nil, 2, []int{0, 0}, 2},
		{"busy clerk at the cap gets nothing", 2, []string{"online", "online"}, []int{2, 0}, nil, 3, []int{2, 2}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := startWorkflow(t)
			ctx := context.Background()
			var ids []int64
			for i := range c.statuses {
				_, u := w.clerk(fmt.Sprintf("clerk%d@example.com", i))
				ids = append(ids, u.ID)
			}
			g := w.group("Água", store.LevelN1, c.cap, ids...)
			for i, n := range c.busy {
				for range n {
					if err := w.Store.AssignTicket(ctx, w.ticket(store.TicketQueued, g), ids[i]); err != nil {
						t.Fatal(err)
					}
				}
			}
			for i, s := range c.statuses {
				if err := w.Store.SetUserStatus(ctx, ids[i], s, "almoço"); err != nil {
					t.Fatal(err)
				}
				last := int64(0)
				if i < len(c.idle) {
					last = c.idle[i]
				}
				if _, err := w.Store.W.Exec(`UPDATE users SET last_assigned_at = ? WHERE id = ?`, last, ids[i]); err != nil {
					t.Fatal(err)
				}
			}
			for range c.tickets {
				w.ticket(store.TicketQueued, g)
			}
			if _, err := w.Store.DispatchGroup(ctx, g); err != nil {
				t.Fatal(err)
			}
			for i, want := range c.want {
				if got := count(t, w.App, `SELECT count(*) FROM tickets WHERE assignee_id = ? AND status = 'em_atendimento'`, ids[i]); got != want {
					t.Errorf("member %d (%s) holds %d chats; want %d", i, c.statuses[i], got, want)
				}
			}
			if got := count(t, w.App, `SELECT count(*) FROM tickets WHERE assignee_id IS NULL AND status = 'em_fila'`); got != c.waiting {
				t.Errorf("%d tickets wait; want %d", got, c.waiting)
			}
		})
	}
}

func TestQueueWaitsByPriorityThenAge(t *testing.T) {
	w := startWorkflow(t)
	_, u := w.clerk("carla@example.com")
	g := w.group("Água", store.LevelN1, 1, u.ID)
	older := w.ticket(store.TicketQueued, g)
	urgent := w.ticket(store.TicketQueued, g)
	if _, err := w.Store.W.Exec(`UPDATE tickets SET priority = 1 WHERE id = ?`, urgent); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.SetUserStatus(context.Background(), u.ID, store.StatusOnline, ""); err != nil {
		t.Fatal(err)
	}
	got, err := w.Store.DispatchGroup(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].TicketID != urgent {
		t.Fatalf("assigned %v; want only the urgent ticket %d", got, urgent)
	}
	if st, _, _ := w.status(older); st != store.TicketQueued {
		t.Errorf("the older ticket is %s; want still em_fila (cap 1)", st)
	}
}

func TestGoingOnlineTakesWaitingWorkAndFinishingFreesASlot(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	g := w.group("Água", store.LevelN1, 1, u.ID)
	first, second := w.ticket(store.TicketQueued, g), w.ticket(store.TicketQueued, g)
	if res := clerk.PostForm("/atendente/situacao", url.Values{"situacao": {"pausado"}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("pausing without a reason: %d; want 422", res.Status)
	}
	if res := clerk.PostForm("/atendente/situacao", url.Values{"situacao": {"pausado"}, "motivo": {"Almoço"}}); res.Status != http.StatusOK {
		t.Fatalf("pausing: %d", res.Status)
	}
	if _, assignee, _ := w.status(first); assignee != 0 {
		t.Fatalf("a paused clerk got a ticket")
	}
	if res := clerk.PostForm("/atendente/situacao", url.Values{"situacao": {"online"}}); res.Status != http.StatusOK {
		t.Fatalf("going online: %d", res.Status)
	}
	if st, assignee, _ := w.status(first); st != store.TicketInService || assignee != u.ID {
		t.Fatalf("after going online the first ticket is %s with %d; want em_atendimento with the clerk", st, assignee)
	}
	if _, assignee, _ := w.status(second); assignee != 0 {
		t.Fatalf("the second ticket was given above the cap of 1")
	}
	if res := clerk.PostForm(ticketPath(first, "/finalizar"), nil); res.Status != http.StatusOK {
		t.Fatalf("finish: %d", res.Status)
	}
	if _, assignee, _ := w.status(second); assignee != u.ID {
		t.Fatalf("finishing a chat did not bring the next one")
	}
}

func TestIdleClerksGoOfflineAndLoggingOutToo(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	_, other := w.clerk("otto@example.com")
	for _, c := range []*testutil.Client{clerk} {
		if res := c.PostForm("/atendente/situacao", url.Values{"situacao": {"online"}}); res.Status != http.StatusOK {
			t.Fatalf("going online: %d", res.Status)
		}
	}
	if err := w.Store.SetUserStatus(context.Background(), other.ID, store.StatusPaused, "Reunião"); err != nil {
		t.Fatal(err)
	}
	// Otto closed the panel 16 minutes ago; Carla has it open.
	if _, err := w.Store.W.Exec(`UPDATE users SET last_seen_at = ? WHERE id = ?`, w.Store.Now()-16*60*1000, other.ID); err != nil {
		t.Fatal(err)
	}
	w.Chat.Sweep(context.Background())
	for _, c := range []struct {
		id   int64
		want string
	}{{u.ID, store.StatusOnline}, {other.ID, store.StatusOffline}} {
		got, err := w.Store.UserByID(context.Background(), c.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != c.want {
			t.Errorf("user %d is %s; want %s", c.id, got.Status, c.want)
		}
	}
	clerk.PostForm("/sair", nil)
	if got, _ := w.Store.UserByID(context.Background(), u.ID); got.Status != store.StatusOffline {
		t.Errorf("after logging out the clerk is %s", got.Status)
	}
}

func TestForwardKeepsTheProtocolAndHistory(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	specialist, s := w.clerk("sergio@example.com")
	n1 := w.group("Atendimento geral", store.LevelN1, 5, u.ID)
	n2 := w.group("Água — Vazamentos", store.LevelN2, 5, s.ID)
	id := w.ticket(store.TicketQueued, n1)
	var protocol string
	w.Store.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, id).Scan(&protocol)
	if res := clerk.PostForm(ticketPath(id, "/assumir"), nil); res.Status != http.StatusOK {
		t.Fatalf("assumir: %d", res.Status)
	}
	cases := []struct {
		name   string
		form   url.Values
		want   int
		wantIn string
	}{
		{"no reason", url.Values{"grupo": {itoa(n2)}}, http.StatusUnprocessableEntity, "Informe o motivo"},
		{"unknown group", url.Values{"grupo": {"999"}, "motivo": {"x"}}, http.StatusUnprocessableEntity, "não encontrado"},
		{"same group", url.Values{"grupo": {itoa(n1)}, "motivo": {"x"}}, http.StatusUnprocessableEntity, "não é permitida"},
		{"to the specialists", url.Values{"grupo": {itoa(n2)}, "motivo": {"Vazamento na rua: equipe técnica"}}, http.StatusOK, "encaminhado"},
	}
	for _, c := range cases {
		res := clerk.PostForm(ticketPath(id, "/encaminhar"), c.form)
		if res.Status != c.want || !strings.Contains(res.Body, c.wantIn) {
			t.Fatalf("%s: status %d (want %d), has %q: %t", c.name, res.Status, c.want, c.wantIn, strings.Contains(res.Body, c.wantIn))
		}
	}
	st, assignee, group := w.status(id)
	if st != store.TicketForwarded || assignee != 0 || group != n2 {
		t.Fatalf("after forwarding: %s, assignee %d, group %d; want encaminhado, nobody, %d", st, assignee, group, n2)
	}
	var after string
	w.Store.R.QueryRow(`SELECT protocol FROM tickets WHERE id = ?`, id).Scan(&after)
	if after != protocol {
		t.Errorf("protocol changed from %s to %s", protocol, after)
	}
	mine := between(clerk.Get("/atendimentos").Body, `id="lista-meus"`, `</ul>`)
	if strings.Contains(mine, ticketPath(id, "")) {
		t.Errorf("the forwarded ticket is still in the clerk's list")
	}
	if n := count(t, w.App, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'forward'
		AND from_value = ? AND to_value = ? AND comment = 'Vazamento na rua: equipe técnica' AND user_id = ?`, id, itoa(n1), itoa(n2), u.ID); n != 1 {
		t.Errorf("the forward is not recorded with its reason")
	}
	// The first clerk no longer holds it; the specialist coming online gets it.
	if res := clerk.PostForm(ticketPath(id, "/responder"), url.Values{"texto": {"oi"}}); res.Status != http.StatusForbidden {
		t.Errorf("the first clerk replied after forwarding: %d", res.Status)
	}
	if res := specialist.PostForm("/atendente/situacao", url.Values{"situacao": {"online"}}); res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	if st, assignee, _ := w.status(id); st != store.TicketInService || assignee != s.ID {
		t.Errorf("the specialist did not get the forwarded ticket: %s, %d", st, assignee)
	}
}

func TestOnlyGroupMembersActOnGroupTickets(t *testing.T) {
	w := startWorkflow(t)
	member, m := w.clerk("carla@example.com")
	outsider, _ := w.clerk("otto@example.com")
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	g := w.group("Ouvidoria", store.LevelN2, 5, m.ID)
	waiting := w.ticket(store.TicketQueued, g)
	held := w.ticket(store.TicketQueued, g)
	if res := member.PostForm(ticketPath(held, "/assumir"), nil); res.Status != http.StatusOK {
		t.Fatalf("member assumir: %d", res.Status)
	}
	plain := w.ticket(store.TicketQueued, 0)
	cases := []struct {
		name   string
		c      *testutil.Client
		path   string
		form   url.Values
		want   int
		wantIn string
	}{
		{"outsider takes a group ticket", outsider, ticketPath(waiting, "/assumir"), nil, http.StatusForbidden, "não faz parte"},
		{"outsider changes its status", outsider, ticketPath(held, "/situacao"), url.Values{"de": {"em_atendimento"}, "situacao": {"encerrado"}}, http.StatusForbidden, "não faz parte"},
		{"outsider replies", outsider, ticketPath(held, "/responder"), url.Values{"texto": {"oi"}}, http.StatusForbidden, "não faz parte"},
		{"outsider forwards", outsider, ticketPath(held, "/encaminhar"), url.Values{"grupo": {itoa(g)}, "motivo": {"x"}}, http.StatusForbidden, "não faz parte"},
		{"outsider reassigns", outsider, ticketPath(held, "/reatribuir"), url.Values{"atendente": {itoa(m.ID)}}, http.StatusForbidden, ""},
		{"outsider takes a plain chat", outsider, ticketPath(plain, "/assumir"), nil, http.StatusOK, "Atendimento assumido"},
		{"supervisor takes a group ticket", sup, ticketPath(waiting, "/assumir"), nil, http.StatusOK, "Atendimento assumido"},
	}
	for _, c := range cases {
		res := c.c.PostForm(c.path, c.form)
		if res.Status != c.want || !strings.Contains(res.Body, c.wantIn) {
			t.Errorf("%s: status %d (want %d), has %q: %t", c.name, res.Status, c.want, c.wantIn, strings.Contains(res.Body, c.wantIn))
		}
	}
	if st, assignee, _ := w.status(held); st != store.TicketInService || assignee != m.ID {
		t.Errorf("the outsider changed the held ticket: %s, %d", st, assignee)
	}
}

func TestSupervisorReassigns(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	_, other := w.clerk("otto@example.com")
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	id := w.ticket(store.TicketQueued, 0)
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	if res := sup.PostForm(ticketPath(id, "/reatribuir"), url.Values{"atendente": {itoa(other.ID)}, "de_atendente": {itoa(u.ID)}}); res.Status != http.StatusOK {
		t.Fatalf("reassign: %d", res.Status)
	}
	if _, assignee, _ := w.status(id); assignee != other.ID {
		t.Fatalf("assignee %d; want %d", assignee, other.ID)
	}
	if n := count(t, w.App, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'assign' AND from_value = ? AND to_value = ?`,
		id, itoa(u.ID), itoa(other.ID)); n != 1 {
		t.Errorf("the reassignment is not recorded")
	}
	if res := sup.PostForm(ticketPath(id, "/reatribuir"), url.Values{"atendente": {"999"}, "de_atendente": {itoa(other.ID)}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("reassigning to nobody: %d", res.Status)
	}
}

// TestAssignmentRacesNeverGiveATicketTwice runs automatic assignment (clerks
// coming online) and clerks clicking Assumir at once, over one queue.
func TestAssignmentRacesNeverGiveATicketTwice(t *testing.T) {
	w := startWorkflow(t)
	var clients []*testutil.Client
	var ids []int64
	for i := range 4 {
		c, u := w.clerk(fmt.Sprintf("clerk%d@example.com", i))
		clients, ids = append(clients, c), append(ids, u.ID)
	}
	g := w.group("Água", store.LevelN1, 50, ids...)
	var tickets []int64
	for range 12 {
		tickets = append(tickets, w.ticket(store.TicketQueued, g))
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() { c.PostForm("/atendente/situacao", url.Values{"situacao": {"online"}}) })
		for j, id := range tickets {
			if j%len(clients) == i || j%3 == 0 {
				wg.Go(func() { c.PostForm(ticketPath(id, "/assumir"), nil) })
			}
		}
	}
	wg.Wait()
	for _, id := range tickets {
		if n := count(t, w.App, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'assign'`, id); n != 1 {
			t.Errorf("ticket %d was given %d times", id, n)
		}
		if _, assignee, _ := w.status(id); assignee == 0 {
			t.Errorf("ticket %d was given to nobody", id)
		}
	}
}

func TestPanelShowsTheWorkflowControlsAndTheTeam(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	outsider, _ := w.clerk("otto@example.com")
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	g := w.group("Água", store.LevelN1, 5, u.ID)
	w.group("Obras — N3", store.LevelN3, 5)
	waiting := w.ticket(store.TicketQueued, g)
	if !strings.Contains(between(clerk.Get("/atendimentos").Body, `id="lista-aguardando"`, `</ul>`), ticketPath(waiting, "")) {
		t.Errorf("a member does not see the group's queue")
	}
	if strings.Contains(between(outsider.Get("/atendimentos").Body, `id="lista-aguardando"`, `</ul>`), ticketPath(waiting, "")) {
		t.Errorf("a clerk outside the group sees its queue")
	}
	clerk.PostForm(ticketPath(waiting, "/assumir"), nil)
	clerk.PostForm(ticketPath(waiting, "/situacao"), url.Values{"de": {"em_atendimento"}, "situacao": {"aguardando_cidadao"},
		"comentario": {"Pedi o número da matrícula"}})
	page := clerk.Get(ticketPath(waiting, "")).Body
	for _, want := range []string{`id="form-situacao"`, `value="em_atendimento"`, `id="form-encaminhar"`, "Obras — N3 (N3 · Saneamento)",
		`id="historico"`, "Pedi o número da matrícula", "para “Aguardando o cidadão”"} {
		if !strings.Contains(page, want) {
			t.Errorf("the conversation page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="form-reatribuir"`) {
		t.Errorf("a clerk is offered the supervisor's reassignment")
	}
	if !strings.Contains(sup.Get(ticketPath(waiting, "")).Body, `id="form-reatribuir"`) {
		t.Errorf("the supervisor is not offered reassignment")
	}
	clerk.PostForm("/atendente/situacao", url.Values{"situacao": {"pausado"}, "motivo": {"Almoço"}})
	if !strings.Contains(clerk.Get("/atendimentos").Body, `id="minha-situacao"`) {
		t.Errorf("Atendimentos has no status control")
	}
	if strings.Contains(clerk.Get("/atendimentos").Body, `id="equipe"`) {
		t.Errorf("a clerk sees the team panel")
	}
	team := between(sup.Get("/atendimentos").Body, `id="equipe"`, `</table>`)
	if !strings.Contains(team, "carla") || !strings.Contains(team, "Pausado") || !strings.Contains(team, "Almoço") {
		t.Errorf("supervisors do not see the clerk paused with the reason:\n%s", team)
	}
}

func TestInternalNotesAreShownToTheTeamAndNeverSent(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	colleague, c := w.clerk("otto@example.com")
	outsider, _ := w.clerk("olga@example.com")
	g := w.group("Ouvidoria", store.LevelN2, 5, u.ID, c.ID)
	id := w.ticket(store.TicketQueued, g)
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	before := count(t, w.App, `SELECT count(*) FROM outbox`) + count(t, w.App, `SELECT count(*) FROM messages`)
	cases := []struct {
		name string
		c    *testutil.Client
		note string
		want int
	}{
		{"holder", clerk, "Cidadão já ligou duas vezes; prioridade.", http.StatusOK},
		{"colleague of the group", colleague, "Conferi no sistema da água: matrícula ok.", http.StatusOK},
		{"empty", clerk, "   ", http.StatusUnprocessableEntity},
		{"outside the group", outsider, "curioso", http.StatusForbidden},
	}
	for _, tc := range cases {
		if res := tc.c.PostForm(ticketPath(id, "/nota"), url.Values{"nota": {tc.note}}); res.Status != tc.want {
			t.Errorf("%s: status %d; want %d", tc.name, res.Status, tc.want)
		}
	}
	if after := count(t, w.App, `SELECT count(*) FROM outbox`) + count(t, w.App, `SELECT count(*) FROM messages`); after != before {
		t.Errorf("a note became a message or an outbox row")
	}
	log := clerk.Get(ticketPath(id, "/mensagens")).Body
	if strings.Count(log, `class="bubble note"`) != 2 || !strings.Contains(log, "matrícula ok") || !strings.Contains(log, "Nota interna · otto") {
		t.Errorf("the notes are not shown as notes:\n%s", log)
	}
	if strings.Contains(log, "curioso") {
		t.Errorf("a refused note was stored")
	}
}

func TestTheCitizenWritingResumesATicketThatWaitedForThem(t *testing.T) {
	w := startWorkflow(t)
	clerk, _ := w.clerk("carla@example.com")
	id := citizenWrites(t, w.App, servertest.TextMessage("wamid.r-1", "5517988880001", "Maria", "Minha conta veio alta"))
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	for i, step := range []string{store.TicketWaitingCit, store.TicketAnswered} {
		from := store.TicketInService
		if res := clerk.PostForm(ticketPath(id, "/situacao"), url.Values{"de": {from}, "situacao": {step}}); res.Status != http.StatusOK {
			t.Fatalf("to %s: %d", step, res.Status)
		}
		wamid := fmt.Sprintf("wamid.r-%d", i+2)
		if got := citizenWrites(t, w.App, servertest.TextMessage(wamid, "5517988880001", "Maria", "Segue a foto")); got != id {
			t.Fatalf("the answer went to ticket %d, not %d", got, id)
		}
		servertest.WaitFor(t, "the ticket back in service", 5*time.Second, func() bool {
			st, _, _ := w.status(id)
			return st == store.TicketInService
		})
		if n := count(t, w.App, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'status' AND from_value = ?
			AND to_value = 'em_atendimento' AND user_id IS NULL`, id, step); n != 1 {
			t.Errorf("the system's return from %s is not recorded", step)
		}
	}
}

func TestPanelStatusChangesQueueTheOutgoingWebhooksOnce(t *testing.T) {
	w := startWorkflow(t)
	if err := w.Store.SaveWebhookSettings(context.Background(), store.WebhookSettings{URL: "https://sistema.prefeitura.example/hook", Secret: "segredo"}); err != nil {
		t.Fatal(err)
	}
	clerk, _ := w.clerk("carla@example.com")
	id := w.ticket(store.TicketQueued, 0)
	clerk.PostForm(ticketPath(id, "/assumir"), nil)
	clerk.PostForm(ticketPath(id, "/situacao"), url.Values{"de": {store.TicketQueued}, "situacao": {store.TicketClosed}}) // stale: 409
	if res := clerk.PostForm(ticketPath(id, "/finalizar"), nil); res.Status != http.StatusOK {
		t.Fatalf("finish: %d", res.Status)
	}
	rows, err := w.Store.R.Query(`SELECT event FROM outgoing_webhooks WHERE ticket_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var e string
		rows.Scan(&e)
		got = append(got, e)
	}
	want := "ticket.status_changed ticket.status_changed ticket.closed" // em_fila→em_atendimento, →encerrado
	if strings.Join(got, " ") != want {
		t.Errorf("webhooks queued: %v; want %s", got, want)
	}
}

func TestConcurrentReassignmentsExactlyOneWins(t *testing.T) {
	w := startWorkflow(t)
	clerk, a := w.clerk("carla@example.com")
	_, b := w.clerk("bruno@example.com")
	_, c := w.clerk("celia@example.com")
	sups := []*testutil.Client{}
	for _, e := range []string{"sara@example.com", "saulo@example.com"} {
		s, _ := w.LoginAs(store.RoleSupervisor, e)
		sups = append(sups, s)
	}
	for round := range 8 {
		id := w.ticket(store.TicketQueued, 0)
		clerk.PostForm(ticketPath(id, "/assumir"), nil)
		holder := a.ID
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i, to := range []int64{b.ID, c.ID} {
			wg.Go(func() {
				codes[i] = sups[i].PostForm(ticketPath(id, "/reatribuir"), url.Values{"atendente": {itoa(to)}, "de_atendente": {itoa(holder)}}).Status
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, code := range codes {
			switch code {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v; want one 200 and one 409", round, codes)
		}
		if n := count(t, w.App, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND kind = 'assign'`, id); n != 2 {
			t.Fatalf("round %d: %d assignments recorded; want 2 (Assumir, one transfer)", round, n)
		}
	}
}

func TestSupervisorRaisesAPriorityAndTheQueueFollowsIt(t *testing.T) {
	w := startWorkflow(t)
	clerk, u := w.clerk("carla@example.com")
	outsider, _ := w.clerk("otto@example.com")
	sup, _ := w.LoginAs(store.RoleSupervisor, "sara@example.com")
	g := w.group("Água", store.LevelN1, 1, u.ID)
	older, urgent := w.ticket(store.TicketQueued, g), w.ticket(store.TicketQueued, g)
	cases := []struct {
		name string
		c    *testutil.Client
		p    string
		want int
	}{
		{"outside the group", outsider, "2", http.StatusForbidden},
		{"not a priority", sup, "9", http.StatusUnprocessableEntity},
		{"urgent", sup, "2", http.StatusOK},
	}
	for _, c := range cases {
		if res := c.c.PostForm(ticketPath(urgent, "/prioridade"), url.Values{"prioridade": {c.p}}); res.Status != c.want {
			t.Errorf("%s: status %d; want %d", c.name, res.Status, c.want)
		}
	}
	clerk.PostForm("/atendente/situacao", url.Values{"situacao": {"online"}})
	if _, assignee, _ := w.status(urgent); assignee != u.ID {
		t.Errorf("the urgent ticket was not served first")
	}
	if _, assignee, _ := w.status(older); assignee != 0 {
		t.Errorf("the older ticket was given above the cap")
	}
	if !strings.Contains(clerk.Get(ticketPath(urgent, "")).Body, "mudou a prioridade de normal para urgente") {
		t.Errorf("the priority change is not in the ticket's history")
	}
}
