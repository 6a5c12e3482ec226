package web_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"balcao/app/config"
	"balcao/app/hours"
	"balcao/app/live"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/web"
)

// painelFixture is a team with known timestamps on Monday 23/11/2026; the
// clock stops at 14:00 in São Paulo. Every figure the panel shows is worked
// out by hand next to the rows that make it.
type painelFixture struct {
	st    *store.Store
	clock time.Time
}

// spAt is hh:mm today (dayOffset -1: yesterday) in São Paulo.
func spAt(dayOffset, hh, mm int) time.Time {
	return time.Date(2026, 11, 23+dayOffset, hh, mm, 0, 0, hours.SaoPaulo())
}

func (f *painelFixture) at(t time.Time) { f.clock = t }

func (f *painelFixture) ticket(t *testing.T, waID string, bt store.BulkTicket) int64 {
	t.Helper()
	if bt.Subject == "" {
		bt.Subject = "Atendimento"
	}
	if n := len(bt.Messages); n > 0 && bt.LastMessageAt == 0 {
		bt.LastMessageAt = bt.Messages[n-1].CreatedAt
	}
	ids, err := f.st.InsertBulk(ctx, []store.BulkContact{{WaID: waID, ProfileName: "Cidadão " + waID, CreatedAt: bt.CreatedAt}}, []store.BulkTicket{bt})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

// move changes a ticket's status (and holder) at clock time when, as the panel does.
func (f *painelFixture) move(t *testing.T, when time.Time, id int64, from, to string, holder int64) {
	t.Helper()
	f.at(when)
	err := f.st.TransitionTicket(ctx, store.Transition{TicketID: id, From: from, To: to, SetAssignee: to != store.TicketClosed, AssigneeID: holder})
	if err != nil {
		t.Fatalf("ticket %d %s → %s: %v", id, from, to, err)
	}
}

func msg(out bool, at time.Time) store.BulkMessage {
	return store.BulkMessage{Out: out, Body: "mensagem", CreatedAt: at.UnixMilli()}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func TestPainelFiguresFromAHandComputedFixture(t *testing.T) {
	st := testutil.NewStore(t)
	f := &painelFixture{st: st}
	st.SetClock(func() time.Time { return f.clock })
	f.at(spAt(-1, 8, 0))

	ana := testutil.AddUser(t, st, store.RoleAgent, "ana@example.com", "senha-de-teste-123")
	bruno := testutil.AddUser(t, st, store.RoleAgent, "bruno@example.com", "senha-de-teste-123")
	carla := testutil.AddUser(t, st, store.RoleAgent, "carla@example.com", "senha-de-teste-123")
	testutil.AddUser(t, st, store.RoleSupervisor, "supervisora@example.com", "senha-de-teste-123")
	dept, err := st.CreateDepartment(ctx, store.Department{Name: "Serviços"})
	if err != nil {
		t.Fatal(err)
	}
	agua, err := st.CreateGroup(ctx, store.Group{Name: "Água", DepartmentID: dept.ID, Level: store.LevelN1, MaxPerAgent: 5}, []int64{ana.ID, bruno.ID})
	if err != nil {
		t.Fatal(err)
	}
	luz, err := st.CreateGroup(ctx, store.Group{Name: "Iluminação", DepartmentID: dept.ID, Level: store.LevelN1, MaxPerAgent: 5}, []int64{carla.ID})
	if err != nil {
		t.Fatal(err)
	}

	// Ana, online since 07:00.
	f.at(spAt(0, 7, 0))
	if err := st.SetUserStatus(ctx, ana.ID, store.StatusOnline, ""); err != nil {
		t.Fatal(err)
	}
	// T3: closed yesterday: not "today".
	t3 := f.ticket(t, "5514000000003", store.BulkTicket{Status: store.TicketQueued, GroupID: agua.ID, CreatedAt: ms(spAt(-1, 20, 0)),
		Messages: []store.BulkMessage{msg(false, spAt(-1, 20, 0))}})
	f.move(t, spAt(-1, 20, 10), t3, store.TicketQueued, store.TicketInService, ana.ID)
	f.move(t, spAt(-1, 23, 0), t3, store.TicketInService, store.TicketClosed, 0)
	// T7: closed today at 08:00 holding Ana, with no assignment on record:
	// finished today, but out of the TMA.
	f.ticket(t, "5514000000007", store.BulkTicket{Status: store.TicketClosed, GroupID: agua.ID, AssigneeID: ana.ID,
		CreatedAt: ms(spAt(0, 7, 30)), ClosedAt: ms(spAt(0, 8, 0)), Messages: []store.BulkMessage{msg(false, spAt(0, 7, 30))}})
	// T1: given to Ana at 09:10, closed 09:40: 30 min.
	t1 := f.ticket(t, "5514000000001", store.BulkTicket{Status: store.TicketQueued, GroupID: agua.ID, CreatedAt: ms(spAt(0, 9, 0)),
		Messages: []store.BulkMessage{msg(false, spAt(0, 9, 0))}})
	f.move(t, spAt(0, 9, 10), t1, store.TicketQueued, store.TicketInService, ana.ID)
	f.move(t, spAt(0, 9, 40), t1, store.TicketInService, store.TicketClosed, 0)
	// T2: Bruno 10:05, back to the queue 10:15, Ana 10:20, closed 11:50:
	// 90 min for Ana (from her assignment, not Bruno's).
	t2 := f.ticket(t, "5514000000002", store.BulkTicket{Status: store.TicketQueued, GroupID: agua.ID, CreatedAt: ms(spAt(0, 10, 0)),
		Messages: []store.BulkMessage{msg(false, spAt(0, 10, 0))}})
	f.move(t, spAt(0, 10, 5), t2, store.TicketQueued, store.TicketInService, bruno.ID)
	f.move(t, spAt(0, 10, 15), t2, store.TicketInService, store.TicketQueued, 0)
	f.move(t, spAt(0, 10, 20), t2, store.TicketQueued, store.TicketInService, ana.ID)
	f.move(t, spAt(0, 11, 50), t2, store.TicketInService, store.TicketClosed, 0)
	// Ana's TMA: (30 + 90) / 2 = 60 min; finished today: T7, T1, T2 = 3.

	// T4: Ana in service, the citizen wrote last (13:30): pending; overdue
	// (resolution due 13:00).
	t4 := f.ticket(t, "5514000000004", store.BulkTicket{Status: store.TicketInService, GroupID: agua.ID, AssigneeID: ana.ID,
		CreatedAt: ms(spAt(0, 13, 0)), Messages: []store.BulkMessage{msg(false, spAt(0, 13, 0)), msg(true, spAt(0, 13, 10)), msg(false, spAt(0, 13, 30))}})
	// T5: Ana in service, she wrote last (12:30): not pending; first response
	// due 11:00 but given at 11:30: not overdue.
	t5 := f.ticket(t, "5514000000005", store.BulkTicket{Status: store.TicketInService, GroupID: agua.ID, AssigneeID: ana.ID,
		CreatedAt: ms(spAt(0, 12, 0)), Messages: []store.BulkMessage{msg(false, spAt(0, 12, 0)), msg(true, spAt(0, 12, 30))}})
	// T6: Ana waits for the citizen (not her turn, though the citizen's
	// message is last); the department's term ended 12:00: overdue.
	t6 := f.ticket(t, "5514000000006", store.BulkTicket{Status: store.TicketWaitingCit, GroupID: agua.ID, AssigneeID: ana.ID,
		CreatedAt: ms(spAt(0, 11, 0)), Messages: []store.BulkMessage{msg(false, spAt(0, 11, 0))}})
	// Ana: in service 2 (T4, T5), pending 1 (T4), last message 13:30 → 30 min ago.

	// Bruno, paused for lunch at 13:48 → 12 min at 14:00; T8 in service,
	// the citizen's 13:55 message waiting: pending; due 13:00 but its clock
	// is paused: not overdue.
	t8 := f.ticket(t, "5514000000008", store.BulkTicket{Status: store.TicketInService, GroupID: agua.ID, AssigneeID: bruno.ID,
		CreatedAt: ms(spAt(0, 13, 40)), Messages: []store.BulkMessage{msg(false, spAt(0, 13, 40)), msg(true, spAt(0, 13, 45)), msg(false, spAt(0, 13, 55))}})
	f.at(spAt(0, 13, 48))
	if err := st.SetUserStatus(ctx, bruno.ID, store.StatusPaused, "Almoço"); err != nil {
		t.Fatal(err)
	}

	// Água's queue: T10 opened 12:00, taken by Carla and returned to the
	// queue at 13:50 (waiting since 13:50); T9 opened 13:20 and never taken:
	// the longest wait is T9's, 40 min, though T10 is older.
	t10 := f.ticket(t, "5514000000010", store.BulkTicket{Status: store.TicketQueued, GroupID: agua.ID, CreatedAt: ms(spAt(0, 12, 0)),
		Messages: []store.BulkMessage{msg(false, spAt(0, 12, 0))}})
	f.move(t, spAt(0, 13, 0), t10, store.TicketQueued, store.TicketInService, carla.ID)
	f.move(t, spAt(0, 13, 50), t10, store.TicketInService, store.TicketQueued, 0)
	f.ticket(t, "5514000000009", store.BulkTicket{Status: store.TicketQueued, GroupID: agua.ID, CreatedAt: ms(spAt(0, 13, 20)),
		Messages: []store.BulkMessage{msg(false, spAt(0, 13, 20))}})
	// Iluminação: T11, a demand recorded at 08:00 nobody took: 6 h 00 min;
	// due tomorrow: not overdue. T12 closed, due 10:00: closed tickets are
	// never overdue.
	t11 := f.ticket(t, "5514000000011", store.BulkTicket{Status: store.TicketNew, GroupID: luz.ID, Kind: "solicitacao",
		CreatedAt: ms(spAt(0, 8, 0)), Messages: []store.BulkMessage{msg(false, spAt(0, 8, 0))}})
	t12 := f.ticket(t, "5514000000012", store.BulkTicket{Status: store.TicketClosed, GroupID: luz.ID, CreatedAt: ms(spAt(0, 7, 0)),
		ClosedAt: ms(spAt(0, 9, 0)), Messages: []store.BulkMessage{msg(false, spAt(0, 7, 0))}})
	// A chat without a group waiting since 13:59: 1 min.
	f.ticket(t, "5514000000013", store.BulkTicket{Status: store.TicketQueued, CreatedAt: ms(spAt(0, 13, 59)),
		Messages: []store.BulkMessage{msg(false, spAt(0, 13, 59))}})

	// Deadlines, as the deadline code writes them.
	for _, u := range []struct {
		sql string
		arg []any
	}{
		{`UPDATE tickets SET due_at = ? WHERE id = ?`, []any{ms(spAt(0, 13, 0)), t4}},
		{`UPDATE tickets SET response_due_at = ?, first_response_at = ? WHERE id = ?`, []any{ms(spAt(0, 11, 0)), ms(spAt(0, 11, 30)), t5}},
		{`UPDATE tickets SET dept_due_at = ? WHERE id = ?`, []any{ms(spAt(0, 12, 0)), t6}},
		{`UPDATE tickets SET due_at = ?, paused_at = ? WHERE id = ?`, []any{ms(spAt(0, 13, 0)), ms(spAt(0, 12, 0)), t8}},
		{`UPDATE tickets SET due_at = ? WHERE id = ?`, []any{ms(spAt(1, 12, 0)), t11}},
		{`UPDATE tickets SET due_at = ? WHERE id = ?`, []any{ms(spAt(0, 10, 0)), t12}},
	} {
		if _, err := st.W.Exec(u.sql, u.arg...); err != nil {
			t.Fatal(err)
		}
	}

	f.at(spAt(0, 14, 0))
	_, c := testutil.NewServer(t, st)
	c.Login("supervisora@example.com", "senha-de-teste-123")
	for _, path := range []string{"/painel", "/painel/dados"} {
		res := c.Get(path)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, res.Status)
		}
		if !strings.Contains(res.Body, "Atualizado às 14:00:00") {
			t.Errorf("%s: no 'Atualizado às 14:00:00'", path)
		}
		clerks := tableRows(t, res.Body, "painel-atendentes")
		wantClerks := [][]string{
			{"ana", "Disponível", "2", "1", "3", "1 h 00 min", "30 min"},
			{"bruno", "Pausado Almoço · há 12 min", "1", "1", "0", "—", "5 min"},
			{"carla", "Offline", "0", "0", "0", "—", "—"},
		}
		assertRows(t, path+" clerks", clerks, wantClerks)
		groups := tableRows(t, res.Body, "painel-grupos")
		wantGroups := [][]string{
			// Água: online Ana (Bruno paused); in service T4, T5, T8; overdue T4, T6.
			{"Água", "2", "40 min", "1", "3", "2"},
			{"Iluminação", "1", "6 h 00 min", "0", "0", "0"},
			{"Sem grupo", "1", "1 min", "0", "0", "0"},
		}
		assertRows(t, path+" groups", groups, wantGroups)
	}
}

// tableRows returns the text of each cell of the body rows of the table with id.
func tableRows(t *testing.T, body, id string) [][]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var table *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				table = n
			}
		}
		for c := n.FirstChild; c != nil && table == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if table == nil {
		t.Fatalf("no table #%s in:\n%s", id, body)
	}
	var rows [][]string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" {
			var cells []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, strings.Join(strings.Fields(text(c)), " "))
				}
			}
			rows = append(rows, cells)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(table)
	return rows
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data + " "
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

func assertRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n%q", what, len(got), len(want), got)
		return
	}
	for i := range want {
		if strings.Join(got[i], " | ") != strings.Join(want[i], " | ") {
			t.Errorf("%s row %d:\n got  %q\n want %q", what, i, got[i], want[i])
		}
	}
}

// Only those who supervise see the panel; clerks get 403 on every part.
func TestPainelIsForSupervisors(t *testing.T) {
	st := testutil.NewStore(t)
	ts, _ := testutil.NewServer(t, st)
	cases := []struct {
		role string
		want int
	}{
		{store.RoleAgent, http.StatusForbidden},
		{store.RoleSupervisor, http.StatusOK},
		{store.RoleOuvidor, http.StatusOK},
		{store.RoleAdmin, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			email := tc.role + "@example.com"
			testutil.AddUser(t, st, tc.role, email, "senha-de-teste-123")
			c := testutil.NewClient(t, ts)
			c.Login(email, "senha-de-teste-123")
			for _, path := range []string{"/painel", "/painel/dados"} {
				if res := c.Get(path); res.Status != tc.want {
					t.Errorf("%s: %d, want %d", path, res.Status, tc.want)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/painel/eventos", nil)
			res, err := c.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("/painel/eventos: %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
	if res := testutil.NewClient(t, ts).Get("/painel"); !strings.HasSuffix(res.URL.Path, "/entrar") {
		t.Errorf("without a session: landed on %s, want the login page", res.URL)
	}
}

// Any change of a queue or a conversation reaches an open panel as one
// "painel" event, however many arrive at once.
func TestPainelEventsTurnChangesIntoOneEvent(t *testing.T) {
	st := testutil.NewStore(t)
	hub := live.NewHub()
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Log: testutil.Logger(t), Static: testutil.StaticFS(),
		Migrations: testutil.MigrationsFS(), Live: hub})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() { srv.BeginShutdown(); ts.Close(); srv.Close() }()
	testutil.AddUser(t, st, store.RoleSupervisor, "sup@example.com", "senha-de-teste-123")
	c := testutil.NewClient(t, ts)
	c.Login("sup@example.com", "senha-de-teste-123")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/painel/eventos", nil)
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	lines := bufio.NewScanner(res.Body)
	next := func() string {
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, "event: ") {
				return strings.TrimPrefix(l, "event: ")
			}
		}
		t.Fatalf("stream ended: %v", lines.Err())
		return ""
	}
	for hub.Subscribers() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	hub.Publish("fone-5514999", live.TicketEvent(7), live.EventQueue, live.TicketEvent(8))
	if got := next(); got != "painel" {
		t.Fatalf("event %q, want painel", got)
	}
	hub.Publish(live.EventQueue)
	if got := next(); got != "painel" {
		t.Fatalf("event %q, want painel", got)
	}
}
