package store_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

// fakeClock is a store clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func spTime(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, hours.SaoPaulo())
}

const day = 24 * time.Hour

// deadlineRig is a store with two departments: the ouvidoria (group
// "Ouvidoria", targets 2 h to answer and 18 business hours to resolve, Mon–Fri
// 08:00–17:00) and Obras (groups "Iluminação" and "Pavimentação"), and a
// third, Saúde ("UBS").
type deadlineRig struct {
	st                           *store.Store
	clock                        *fakeClock
	contact                      int64
	ouvidoria, luz, asfalto, ubs int64
}

func newDeadlineRig(t *testing.T) *deadlineRig {
	t.Helper()
	st := testutil.NewStore(t)
	// Monday 2026-11-23 10:00 in São Paulo.
	r := &deadlineRig{st: st, clock: &fakeClock{t: spTime(2026, 11, 23, 10, 0)}}
	st.SetClock(r.clock.now)
	r.contact, _ = mustContact(t, st, "5517999990101")
	group := func(dept store.Department, name string, first, resolution int) int64 {
		g, err := st.CreateGroup(ctx, store.Group{Name: name, DepartmentID: dept.ID, Level: store.LevelN2, MaxPerAgent: 3,
			Hours: officeHours(), FirstResponseTarget: first, ResolutionTarget: resolution}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	ouv, obras, saude := mustDepartment(t, st, "Ouvidoria"), mustDepartment(t, st, "Obras"), mustDepartment(t, st, "Saúde")
	r.ouvidoria = group(ouv, "Ouvidoria", 120, 18*60)
	r.luz = group(obras, "Iluminação", 60, 0)
	r.asfalto = group(obras, "Pavimentação", 0, 0)
	r.ubs = group(saude, "UBS", 0, 0)
	return r
}

func (r *deadlineRig) open(t *testing.T, kind string, groupID int64) int64 {
	t.Helper()
	status := store.TicketQueued
	if groupID == 0 {
		status = store.TicketNew
	}
	o, err := r.st.OpenTicket(ctx, store.NewTicket{ContactID: r.contact, Status: status, GroupID: groupID, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func (r *deadlineRig) deadlines(t *testing.T, id int64) store.TicketDeadlines {
	t.Helper()
	d, err := r.st.TicketDeadlinesOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r *deadlineRig) move(t *testing.T, id int64, from, to string, groupID int64) {
	t.Helper()
	if err := r.st.TransitionTicket(ctx, store.Transition{TicketID: id, From: from, To: to, GroupID: groupID}); err != nil {
		t.Fatalf("%s → %s: %v", from, to, err)
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func TestDueDatesOfEachKind(t *testing.T) {
	r := newDeadlineRig(t)
	created := r.clock.t
	twoHours := ms(spTime(2026, 11, 23, 12, 0))
	cases := []struct {
		name             string
		kind             string
		group            int64
		responseDue, due int64
	}{
		// 18 business hours from Monday 10:00: 7 on Monday, 9 on Tuesday, 2 on Wednesday.
		{"plain chat: the group's targets", "", r.ouvidoria, twoHours, ms(spTime(2026, 11, 25, 10, 0))},
		{"reclamação: 30 days", "reclamacao", r.ouvidoria, twoHours, ms(created.Add(30 * day))},
		{"denúncia: 30 days", "denuncia", r.ouvidoria, twoHours, ms(created.Add(30 * day))},
		{"sugestão: 30 days", "sugestao", r.ouvidoria, twoHours, ms(created.Add(30 * day))},
		{"elogio: 30 days", "elogio", r.ouvidoria, twoHours, ms(created.Add(30 * day))},
		{"solicitação: 30 days", "solicitacao", r.ouvidoria, twoHours, ms(created.Add(30 * day))},
		{"acesso à informação: 20 days", "informacao", r.ouvidoria, twoHours, ms(created.Add(20 * day))},
		{"a kind without a group still has its legal term", "reclamacao", 0, 0, ms(created.Add(30 * day))},
		{"a group without targets: no deadline", "", r.asfalto, 0, 0},
		{"first response in business hours of the group", "", r.luz, ms(spTime(2026, 11, 23, 11, 0)), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := r.deadlines(t, r.open(t, c.kind, c.group))
			if d.ResponseDueAt != c.responseDue || d.DueAt != c.due {
				t.Errorf("response due %v, due %v; want %v, %v", time.UnixMilli(d.ResponseDueAt), time.UnixMilli(d.DueAt),
					time.UnixMilli(c.responseDue), time.UnixMilli(c.due))
			}
		})
	}
}

func TestEnteringAGroupSetsItsFirstResponseTargetButNotTheResolutionAgain(t *testing.T) {
	r := newDeadlineRig(t)
	id := r.open(t, "", r.ouvidoria) // due Wednesday 10:00 by the ouvidoria's target
	before := r.deadlines(t, id)
	r.clock.add(30 * time.Minute)
	r.move(t, id, store.TicketQueued, store.TicketForwarded, r.luz)
	d := r.deadlines(t, id)
	if want := ms(spTime(2026, 11, 23, 11, 30)); d.ResponseDueAt != want {
		t.Errorf("response due %v, want the new group's hour: %v", time.UnixMilli(d.ResponseDueAt), time.UnixMilli(want))
	}
	if d.DueAt != before.DueAt {
		t.Errorf("due moved from %d to %d on a forward", before.DueAt, d.DueAt)
	}
	// Once answered, a new group does not set a first-response deadline any more.
	if _, _, err := r.st.Enqueue(ctx, store.Outgoing{ContactID: r.contact, TicketID: id, AuthorID: testutil.AddUser(t, r.st, store.RoleAgent, "a@x.br", "senha-longa-1").ID,
		ToWaID: "5517999990101", Kind: "text", Body: "Olá", Payload: "{}"}); err != nil {
		t.Fatal(err)
	}
	r.move(t, id, store.TicketForwarded, store.TicketForwarded, r.ouvidoria)
	if d := r.deadlines(t, id); d.ResponseDueAt != ms(spTime(2026, 11, 23, 11, 30)) {
		t.Errorf("response due changed after the first response: %v", time.UnixMilli(d.ResponseDueAt))
	}
}

func TestFirstResponseIsTheFirstMessageOfAPerson(t *testing.T) {
	r := newDeadlineRig(t)
	clerk := testutil.AddUser(t, r.st, store.RoleAgent, "clerk@x.br", "senha-longa-1")
	id := r.open(t, "", r.ouvidoria)
	send := func(author int64) {
		t.Helper()
		if _, _, err := r.st.Enqueue(ctx, store.Outgoing{ContactID: r.contact, TicketID: id, AuthorID: author,
			ToWaID: "5517999990101", Kind: "text", Body: "mensagem", Payload: "{}"}); err != nil {
			t.Fatal(err)
		}
	}
	send(0) // the bot
	if d := r.deadlines(t, id); d.FirstResponseAt != 0 {
		t.Fatalf("the bot's message counted as a first response: %d", d.FirstResponseAt)
	}
	r.clock.add(10 * time.Minute)
	first := ms(r.clock.t)
	send(clerk.ID)
	r.clock.add(10 * time.Minute)
	send(clerk.ID)
	if d := r.deadlines(t, id); d.FirstResponseAt != first {
		t.Errorf("first response at %d, want %d", d.FirstResponseAt, first)
	}
}

func TestWaitingForTheCitizenStopsTheClock(t *testing.T) {
	r := newDeadlineRig(t)
	id := r.open(t, "reclamacao", r.ouvidoria)
	r.move(t, id, store.TicketQueued, store.TicketForwarded, r.luz) // another department: its own 20 days
	r.move(t, id, store.TicketForwarded, store.TicketInService, 0)
	before := r.deadlines(t, id)
	if before.DeptDueAt == 0 || before.ResponseDueAt == 0 || before.DueAt == 0 {
		t.Fatalf("deadlines missing: %+v", before)
	}
	r.clock.add(time.Hour)
	paused := ms(r.clock.t)
	r.move(t, id, store.TicketInService, store.TicketWaitingCit, 0)
	if d := r.deadlines(t, id); d.PausedAt != paused {
		t.Fatalf("paused at %d, want %d", d.PausedAt, paused)
	}
	r.clock.add(40 * day) // every deadline is past, but the clock is stopped
	if d := r.deadlines(t, id); d.Overdue(ms(r.clock.t)) {
		t.Error("a ticket waiting for the citizen counts as overdue")
	}
	r.move(t, id, store.TicketWaitingCit, store.TicketInService, 0)
	after := r.deadlines(t, id)
	shift := int64(40 * day / time.Millisecond)
	if after.PausedAt != 0 || after.DueAt != before.DueAt+shift || after.ResponseDueAt != before.ResponseDueAt+shift ||
		after.DeptDueAt != before.DeptDueAt+shift {
		t.Errorf("after the pause %+v, want every deadline of %+v moved by 40 days", after, before)
	}
}

func TestExtensions(t *testing.T) {
	r := newDeadlineRig(t)
	clerk := testutil.AddUser(t, r.st, store.RoleAgent, "clerk@x.br", "senha-longa-1")
	reclamacao := r.open(t, "reclamacao", r.ouvidoria)
	informacao := r.open(t, "informacao", r.ouvidoria)
	chat := r.open(t, "", r.ouvidoria)
	forwarded := r.open(t, "denuncia", r.ouvidoria)
	r.move(t, forwarded, store.TicketQueued, store.TicketForwarded, r.ubs)
	created := r.clock.t
	cases := []struct {
		name    string
		ticket  int64
		which   string
		wantDue time.Time
		want    error
	}{
		{"ouvidoria: +30 days", reclamacao, store.DeadlineResolution, created.Add(60 * day), nil},
		{"ouvidoria: only once", reclamacao, store.DeadlineResolution, time.Time{}, store.ErrAlreadyExtended},
		{"information: +10 days", informacao, store.DeadlineResolution, created.Add(30 * day), nil},
		{"information: only once", informacao, store.DeadlineResolution, time.Time{}, store.ErrAlreadyExtended},
		{"a chat's group target: no extension", chat, store.DeadlineResolution, time.Time{}, store.ErrNoExtension},
		{"no department term running", reclamacao, store.DeadlineDept, time.Time{}, store.ErrNoExtension},
		{"department: +20 days", forwarded, store.DeadlineDept, created.Add(40 * day), nil},
		{"department: only once", forwarded, store.DeadlineDept, time.Time{}, store.ErrAlreadyExtended},
		{"the legal term apart from the department's", forwarded, store.DeadlineResolution, created.Add(60 * day), nil},
		{"unknown ticket", 9999, store.DeadlineResolution, time.Time{}, store.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before store.TicketDeadlines
			if c.ticket != 9999 {
				before = r.deadlines(t, c.ticket)
			}
			due, err := r.st.ExtendDeadline(ctx, c.ticket, clerk.ID, c.which, "Depende de vistoria técnica.", nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil {
				if c.ticket != 9999 && r.deadlines(t, c.ticket) != before {
					t.Error("a refused extension changed the ticket")
				}
				return
			}
			if due != ms(c.wantDue) {
				t.Errorf("new due %v, want %v", time.UnixMilli(due), c.wantDue)
			}
			changes, err := r.st.TicketChanges(ctx, c.ticket)
			if err != nil {
				t.Fatal(err)
			}
			e := changes[len(changes)-1]
			if e.Kind != store.ChangeDeadline || e.To != itoa(due) || e.Comment != "Depende de vistoria técnica." ||
				e.UserID != clerk.ID || e.Public != (c.which == store.DeadlineResolution) {
				t.Errorf("event %+v", e)
			}
		})
	}
}

func TestDepartmentDeadline(t *testing.T) {
	r := newDeadlineRig(t)
	id := r.open(t, "reclamacao", r.ouvidoria)
	dept := func() int64 { return r.deadlines(t, id).DeptDueAt }
	r.clock.add(time.Hour)
	r.move(t, id, store.TicketQueued, store.TicketForwarded, r.luz)
	if want := ms(r.clock.t.Add(20 * day)); dept() != want {
		t.Fatalf("forwarded to Obras: dept due %d, want %d", dept(), want)
	}
	first := dept()
	r.clock.add(time.Hour)
	r.move(t, id, store.TicketForwarded, store.TicketForwarded, r.asfalto) // same department
	if dept() != first {
		t.Errorf("a forward within Obras changed its term")
	}
	r.move(t, id, store.TicketForwarded, store.TicketForwarded, r.ubs) // onward to Saúde
	if want := ms(r.clock.t.Add(20 * day)); dept() != want {
		t.Errorf("forwarded to Saúde: dept due %d, want a new term %d", dept(), want)
	}
	r.move(t, id, store.TicketForwarded, store.TicketForwarded, r.ouvidoria) // back home
	if dept() != 0 {
		t.Errorf("back at the ouvidoria: dept due %d, want none", dept())
	}
	r.move(t, id, store.TicketForwarded, store.TicketForwarded, r.luz)
	r.move(t, id, store.TicketForwarded, store.TicketInService, 0)
	r.move(t, id, store.TicketInService, store.TicketAnswered, 0)
	if dept() != 0 {
		t.Errorf("answered: dept due %d, want none", dept())
	}
	// A plain chat forwarded to another department has no department term.
	chat := r.open(t, "", r.ouvidoria)
	r.move(t, chat, store.TicketQueued, store.TicketForwarded, r.luz)
	if d := r.deadlines(t, chat); d.DeptDueAt != 0 {
		t.Errorf("plain chat got a department term: %+v", d)
	}
}

func TestArchiveTicketsTheCitizenLeftWaiting(t *testing.T) {
	r := newDeadlineRig(t)
	waiting := r.open(t, "solicitacao", r.ouvidoria)
	r.move(t, waiting, store.TicketQueued, store.TicketInService, 0)
	r.move(t, waiting, store.TicketInService, store.TicketWaitingCit, 0)
	answered := r.open(t, "solicitacao", r.ouvidoria)
	r.move(t, answered, store.TicketQueued, store.TicketInService, 0)
	r.move(t, answered, store.TicketInService, store.TicketWaitingCit, 0)
	r.clock.add(20*day - time.Minute)
	before := ms(r.clock.t.Add(-20 * day))
	if ids, err := r.st.StaleWaitingTickets(ctx, before, 100); err != nil || len(ids) != 0 {
		t.Fatalf("before 20 days: %v, %v", ids, err)
	}
	r.clock.add(2 * time.Minute)
	before = ms(r.clock.t.Add(-20 * day))
	ids, err := r.st.StaleWaitingTickets(ctx, before, 100)
	if err != nil || len(ids) != 2 {
		t.Fatalf("after 20 days: %v, %v", ids, err)
	}
	// The citizen answers one of them just before the sweep reaches it.
	r.move(t, answered, store.TicketWaitingCit, store.TicketInService, 0)
	const resolution = "Arquivado: o cidadão não enviou as informações pedidas em 20 dias."
	for _, id := range ids {
		archived, err := r.st.ArchiveWaitingTicket(ctx, id, before, resolution)
		if err != nil {
			t.Fatal(err)
		}
		if archived != (id == waiting) {
			t.Errorf("ticket %d archived = %v", id, archived)
		}
	}
	var status, res string
	if err := r.st.R.QueryRow(`SELECT status, resolution FROM tickets WHERE id = ?`, waiting).Scan(&status, &res); err != nil {
		t.Fatal(err)
	}
	if status != store.TicketClosed || res != resolution {
		t.Errorf("archived ticket: %s %q", status, res)
	}
	changes, _ := r.st.TicketChanges(ctx, waiting)
	if e := changes[len(changes)-1]; e.Kind != store.ChangeStatus || e.To != store.TicketClosed || e.UserID != 0 || e.Comment != resolution {
		t.Errorf("last change %+v", e)
	}
	if d := r.deadlines(t, answered); d.Status != store.TicketInService {
		t.Errorf("the answered ticket was archived: %+v", d)
	}
}

func TestOverdueSQLAgreesWithGo(t *testing.T) {
	r := newDeadlineRig(t)
	clerk := testutil.AddUser(t, r.st, store.RoleAgent, "clerk@x.br", "senha-longa-1")
	late := r.open(t, "", r.ouvidoria)              // no first response: late after 2 business hours
	answered := r.open(t, "", r.luz)                // answered in time
	legal := r.open(t, "reclamacao", 0)             // 30 days
	paused := r.open(t, "reclamacao", r.ouvidoria)  // waiting for the citizen
	closed := r.open(t, "", r.ouvidoria)            // closed
	dept := r.open(t, "denuncia", r.ouvidoria)      // at another department for 20 days
	replied := r.open(t, "reclamacao", r.ouvidoria) // answered (respondido): the terms are met
	if _, _, err := r.st.Enqueue(ctx, store.Outgoing{ContactID: r.contact, TicketID: answered, AuthorID: clerk.ID,
		ToWaID: "5517999990101", Kind: "text", Body: "Olá", Payload: "{}"}); err != nil {
		t.Fatal(err)
	}
	r.move(t, paused, store.TicketQueued, store.TicketInService, 0)
	r.move(t, paused, store.TicketInService, store.TicketWaitingCit, 0)
	r.move(t, closed, store.TicketQueued, store.TicketClosed, 0)
	r.move(t, dept, store.TicketQueued, store.TicketForwarded, r.ubs)
	r.move(t, replied, store.TicketQueued, store.TicketInService, 0)
	r.move(t, replied, store.TicketInService, store.TicketAnswered, 0)
	overdueAt := func(after time.Duration) map[int64]bool {
		t.Helper()
		now := ms(r.clock.t.Add(after))
		sqlSet := map[int64]bool{}
		rows, err := r.st.R.Query(`SELECT t.id FROM tickets t WHERE ` + store.OverdueSQL(now))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			sqlSet[id] = true
		}
		for _, id := range []int64{late, answered, legal, paused, closed, dept, replied} {
			if got := r.deadlines(t, id).Overdue(now); got != sqlSet[id] {
				t.Errorf("ticket %d at +%v: Go says %v, SQL says %v", id, after, got, sqlSet[id])
			}
		}
		return sqlSet
	}
	if got := overdueAt(time.Hour); len(got) != 0 {
		t.Errorf("after an hour: %v overdue", got)
	}
	if got := overdueAt(3 * time.Hour); len(got) != 1 || !got[late] {
		t.Errorf("after 3 hours: %v, want only the unanswered chat", got)
	}
	if got := overdueAt(21 * day); len(got) != 2 || !got[dept] {
		t.Errorf("after 21 days: %v, want the chat and the department's", got)
	}
	if got := overdueAt(31 * day); len(got) != 3 || !got[legal] || got[paused] || got[closed] || got[answered] || got[replied] {
		t.Errorf("after 31 days: %v", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestOverdueFilterAndDeadlineList(t *testing.T) {
	r := newDeadlineRig(t)
	clerk := testutil.AddUser(t, r.st, store.RoleAgent, "clerk@x.br", "senha-longa-1")
	unanswered := r.open(t, "", r.ouvidoria) // first response due Monday 12:00
	answered := r.open(t, "", r.ouvidoria)
	if _, _, err := r.st.Enqueue(ctx, store.Outgoing{ContactID: r.contact, TicketID: answered, AuthorID: clerk.ID,
		ToWaID: "5517999990101", Kind: "text", Body: "Olá", Payload: "{}"}); err != nil {
		t.Fatal(err)
	}
	r.clock.add(time.Hour)
	legal := r.open(t, "informacao", 0) // due in 20 days
	paused := r.open(t, "", r.ouvidoria)
	r.move(t, paused, store.TicketQueued, store.TicketInService, 0)
	r.move(t, paused, store.TicketInService, store.TicketWaitingCit, 0)
	dept := r.open(t, "denuncia", r.ouvidoria)
	r.move(t, dept, store.TicketQueued, store.TicketForwarded, r.ubs) // 20 days for Saúde, from 11:00

	now := ms(r.clock.t.Add(20*day - 30*time.Minute)) // 30 min before the information request and Saúde's term
	rows, next, err := r.st.SearchTickets(ctx, store.TicketFilter{Overdue: true, Now: now})
	if err != nil || next != nil {
		t.Fatal(err, next)
	}
	got := map[int64]bool{}
	for _, row := range rows {
		got[row.ID] = row.Overdue
	}
	// The unanswered chat is late on both its targets; the answered one on its resolution (Wednesday).
	if len(got) != 2 || !got[unanswered] || !got[answered] {
		t.Errorf("overdue filter: %v, want the two chats", got)
	}
	all, _, err := r.st.SearchTickets(ctx, store.TicketFilter{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range all {
		if row.Overdue != (row.ID == unanswered || row.ID == answered) {
			t.Errorf("ticket %d marked overdue = %v", row.ID, row.Overdue)
		}
	}

	sum, err := r.st.DeadlineTickets(ctx, now, now+int64(48*time.Hour/time.Millisecond), 3)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Overdue != 2 || sum.DueSoon != 2 {
		t.Errorf("counts: %d overdue, %d due soon; want 2 and 2", sum.Overdue, sum.DueSoon)
	}
	var order []string
	for _, d := range sum.Tickets {
		order = append(order, fmt.Sprintf("%d:%s", d.ID, d.Which))
	}
	// Most overdue first: the unanswered chat's first response (Monday 12:00), then the
	// answered chat's resolution (Wednesday 10:00), then the first due: the information request.
	want := []string{fmt.Sprintf("%d:resposta", unanswered), fmt.Sprintf("%d:resolucao", answered), fmt.Sprintf("%d:resolucao", legal)}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("order %v, want %v (limited to 3)", order, want)
	}
	if d := sum.Tickets[0]; d.Group != "Ouvidoria" || d.Department != "Ouvidoria" || d.Protocol == "" {
		t.Errorf("row %+v", d)
	}
}
