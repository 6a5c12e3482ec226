package report_test

import (
	"cmp"
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"balcao/app/chat"
	"balcao/app/hours"
	"balcao/app/report"
	"balcao/app/store"
	"balcao/app/testutil"
)

var ctx = context.Background()

// fixture is a hand-computed day and a half of a small city hall: every
// figure the tests expect was worked out by hand from these timestamps.
type fixture struct {
	st            *store.Store
	clock         time.Time
	a, b          store.User
	d1, d2        store.Department
	g1, g2        store.Group
	t             map[string]int64
	monday, today time.Time
}

// at is the city's time on Monday 2 March 2026 (day 0) or the day after.
func at(day, h, m int) time.Time {
	return time.Date(2026, 3, 2+day, h, m, 0, 0, hours.SaoPaulo())
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := testutil.NewStore(t)
	fx := &fixture{st: st, t: map[string]int64{}, monday: at(0, 0, 0)}
	st.SetClock(func() time.Time { return fx.clock })
	fx.clock = at(0, 8, 0)
	var err error
	fx.a = testutil.AddUser(t, st, store.RoleAgent, "ana@prefeitura.test", "senha-longa-123")
	fx.b = testutil.AddUser(t, st, store.RoleAgent, "bruno@prefeitura.test", "senha-longa-123")
	if fx.d1, err = st.CreateDepartment(ctx, store.Department{Name: "Obras"}); err != nil {
		t.Fatal(err)
	}
	if fx.d2, err = st.CreateDepartment(ctx, store.Department{Name: "Ouvidoria"}); err != nil {
		t.Fatal(err)
	}
	if fx.g1, err = st.CreateGroup(ctx, store.Group{Name: "Obras — Buracos", DepartmentID: fx.d1.ID, Level: store.LevelN1, MaxPerAgent: 5},
		[]int64{fx.a.ID, fx.b.ID}); err != nil {
		t.Fatal(err)
	}
	if fx.g2, err = st.CreateGroup(ctx, store.Group{Name: "Ouvidoria — Geral", DepartmentID: fx.d2.ID, Level: store.LevelN1, MaxPerAgent: 5},
		[]int64{fx.a.ID, fx.b.ID}); err != nil {
		t.Fatal(err)
	}
	contacts, err := st.InsertContacts(ctx, []store.BulkContact{{WaID: "5514999990001", ProfileName: "Maria", CreatedAt: fx.clock.UnixMilli()}})
	if err != nil {
		t.Fatal(err)
	}
	// Bot talk on Monday: a contact the bot helped alone, and Maria, whose
	// tickets of the day count as handed to a person.
	talker, err := st.InsertContacts(ctx, []store.BulkContact{{WaID: "5514999990002", ProfileName: "José", CreatedAt: fx.clock.UnixMilli()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InsertBulkBotTalk(ctx, []store.BulkBotTalk{
		{ContactID: talker[0], Messages: []store.BulkMessage{{Body: "1", CreatedAt: at(0, 7, 0).UnixMilli()}, {Body: "2", CreatedAt: at(0, 23, 59).UnixMilli()}}},
		{ContactID: contacts[0], Messages: []store.BulkMessage{{Body: "oi", CreatedAt: at(0, 7, 30).UnixMilli()}}},
	}); err != nil {
		t.Fatal(err)
	}
	open := func(name string, when time.Time, g int64, kind string) {
		fx.clock = when
		o, err := st.OpenTicket(ctx, store.NewTicket{ContactID: contacts[0], Status: store.TicketQueued, GroupID: g, Kind: kind,
			Subject: "Serviços › " + name})
		if err != nil {
			t.Fatal(err)
		}
		fx.t[name] = o.ID
	}
	move := func(name string, when time.Time, from, to string, setHolder bool, holder int64) {
		fx.clock = when
		if err := st.TransitionTicket(ctx, store.Transition{TicketID: fx.t[name], From: from, To: to, SetAssignee: setHolder,
			AssigneeID: holder, UserID: holder}); err != nil {
			t.Fatal(name, err)
		}
	}
	exec := func(q string, args ...any) {
		if _, err := st.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	deadlines := func(name string, firstResponse, responseDue, due time.Time) {
		ms := func(t time.Time) any {
			if t.IsZero() {
				return nil
			}
			return t.UnixMilli()
		}
		exec(`UPDATE tickets SET first_response_at = ?, response_due_at = ?, due_at = ? WHERE id = ?`,
			ms(firstResponse), ms(responseDue), ms(due), fx.t[name])
	}
	survey := func(name string, score int, user, group int64) {
		exec(`INSERT INTO survey_answers (ticket_id, score, user_id, group_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			fx.t[name], score, user, group, fx.clock.UnixMilli())
	}
	const (
		q, s, c, r = store.TicketQueued, store.TicketInService, store.TicketClosed, store.TicketReopened
	)
	// T1: waits 12 min, answered in 15, held by Ana from 09:12 to 10:00.
	open("T1", at(0, 9, 0), fx.g1.ID, "reclamacao")
	move("T1", at(0, 9, 12), q, s, true, fx.a.ID)
	deadlines("T1", at(0, 9, 15), at(0, 9, 30), at(0, 12, 0))
	move("T1", at(0, 10, 0), s, c, false, 0)
	survey("T1", 5, fx.a.ID, fx.g1.ID)
	// T2: Ana takes it after 60 min, Bruno gets it at 11:00 and closes at 13:00; both deadlines missed.
	open("T2", at(0, 9, 30), fx.g1.ID, "solicitacao")
	move("T2", at(0, 10, 30), q, s, true, fx.a.ID)
	move("T2", at(0, 11, 0), s, s, true, fx.b.ID)
	deadlines("T2", at(0, 10, 40), at(0, 10, 0), at(0, 12, 0))
	move("T2", at(0, 13, 0), s, c, false, 0)
	survey("T2", 3, fx.b.ID, fx.g1.ID)
	// T3: closed from the queue, nobody ever took it: abandoned; its first response is late.
	open("T3", at(0, 10, 0), fx.g2.ID, "denuncia")
	deadlines("T3", time.Time{}, at(0, 10, 20), time.Time{})
	move("T3", at(0, 10, 30), q, c, false, 0)
	// T4: Bruno 11:05–11:20, reopened at 11:40, Ana from 12:00 to 12:30.
	open("T4", at(0, 11, 0), fx.g2.ID, "")
	move("T4", at(0, 11, 5), q, s, true, fx.b.ID)
	deadlines("T4", at(0, 11, 6), time.Time{}, time.Time{})
	move("T4", at(0, 11, 20), s, c, false, 0)
	move("T4", at(0, 11, 40), c, r, true, 0)
	move("T4", at(0, 12, 0), r, s, true, fx.a.ID)
	move("T4", at(0, 12, 30), s, c, false, 0)
	// T5: still in the queue; its first response is not due yet.
	open("T5", at(0, 14, 0), fx.g1.ID, "reclamacao")
	deadlines("T5", time.Time{}, at(2, 9, 0), time.Time{})
	// T6: Tuesday, Ana 08:10–09:00, within its term.
	open("T6", at(1, 8, 0), fx.g1.ID, "solicitacao")
	deadlines("T6", time.Time{}, time.Time{}, at(1, 12, 0))
	move("T6", at(1, 8, 10), q, s, true, fx.a.ID)
	move("T6", at(1, 9, 0), s, c, false, 0)
	fx.clock = at(1, 15, 0)
	return fx
}

func min_(n int) int64 { return int64(n) * 60_000 }

func (fx *fixture) report(t *testing.T, f report.Filter) report.Report {
	t.Helper()
	if f.From == 0 {
		f.From, f.To = fx.monday.UnixMilli(), fx.monday.AddDate(0, 0, 2).UnixMilli()
	}
	svc := &report.Service{Store: fx.st}
	r, err := svc.Report(ctx, chat.Actor{ID: 1, Role: store.RoleSupervisor}, f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportFixtureEveryMetric(t *testing.T) {
	fx := newFixture(t)
	r := fx.report(t, report.Filter{})
	if r.Opened != 6 || r.Closed != 5 {
		t.Errorf("opened %d closed %d, want 6 and 5", r.Opened, r.Closed)
	}
	stats := map[string][2]report.Stats{
		// first response: 15, 70, 6 min → mean 30 min 20 s, median 15, p90 70
		"first response": {r.FirstResponse, {N: 3, Mean: 1820_000, Median: min_(15), P90: min_(70)}},
		// queue wait: 12, 60, 5, 10 → mean 21 min 45 s, median 10, p90 60
		"queue wait": {r.QueueWait, {N: 4, Mean: 1305_000, Median: min_(10), P90: min_(60)}},
		// TMA: 48 (T1), 120 (T2, Bruno from 11:00), 30 (T4, Ana after the reopening), 50 (T6)
		"handling": {r.Handling, {N: 4, Mean: min_(62), Median: min_(48), P90: min_(120)}},
		// resolution: 60, 210, 30, 90, 60
		"resolution": {r.Resolution, {N: 5, Mean: min_(90), Median: min_(60), P90: min_(210)}},
	}
	for name, s := range stats {
		if s[0] != s[1] {
			t.Errorf("%s: %+v, want %+v", name, s[0], s[1])
		}
	}
	if r.BotOnly != 1 || r.HandedOff != 6 {
		t.Errorf("bot alone %d, handed off %d, want 1 and 6", r.BotOnly, r.HandedOff)
	}
	if r.Reopened != 1 || r.Abandoned != 1 {
		t.Errorf("reopened %d abandoned %d, want 1 and 1", r.Reopened, r.Abandoned)
	}
	wantSLA := []report.SLARow{
		{Group: "Obras — Buracos", ResolutionMet: 2, ResolutionMissed: 1, ResponseMet: 1, ResponseMissed: 1, ResponsePending: 1},
		{Group: "Ouvidoria — Geral", ResponseMissed: 1},
	}
	if !reflect.DeepEqual(r.SLA, wantSLA) {
		t.Errorf("SLA %+v, want %+v", r.SLA, wantSLA)
	}
	wantUsers := []report.CSATRow{{Label: fx.a.Name, Scores: [5]int{0, 0, 0, 0, 1}, N: 1, Mean: 500},
		{Label: fx.b.Name, Scores: [5]int{0, 0, 1, 0, 0}, N: 1, Mean: 300}}
	if !reflect.DeepEqual(r.CSATByUser, wantUsers) {
		t.Errorf("CSAT by clerk %+v, want %+v", r.CSATByUser, wantUsers)
	}
	wantGroups := []report.CSATRow{{Label: "Obras — Buracos", Scores: [5]int{0, 0, 1, 0, 1}, N: 2, Mean: 400}}
	if !reflect.DeepEqual(r.CSATByGroup, wantGroups) {
		t.Errorf("CSAT by group %+v, want %+v", r.CSATByGroup, wantGroups)
	}
	if len(r.Days) != 2 || r.Days[0].Opened != 5 || r.Days[0].Closed != 4 || r.Days[1].Opened != 1 || r.Days[1].Closed != 1 {
		t.Errorf("days %+v", r.Days)
	}
	heat := map[[2]int]int{{0, 9}: 2, {0, 10}: 1, {0, 11}: 1, {0, 14}: 1, {1, 8}: 1}
	for wd := range 7 {
		for h := range 24 {
			if r.Heat[wd][h] != heat[[2]int{wd, h}] {
				t.Errorf("heat %s %dh = %d, want %d", report.Weekdays[wd], h, r.Heat[wd][h], heat[[2]int{wd, h}])
			}
		}
	}
	wantKinds := []report.Count{{Label: "Solicitação", Opened: 2, Closed: 2}, {Label: "Reclamação", Opened: 2, Closed: 1},
		{Label: "Conversa (sem tipo)", Opened: 1, Closed: 1}, {Label: "Denúncia", Opened: 1, Closed: 1}}
	if !reflect.DeepEqual(r.ByKind, wantKinds) {
		t.Errorf("by kind %+v, want %+v", r.ByKind, wantKinds)
	}
	wantDeps := []report.Count{{Label: "Obras", Opened: 4, Closed: 3}, {Label: "Ouvidoria", Opened: 2, Closed: 2}}
	if !reflect.DeepEqual(r.ByDepartment, wantDeps) {
		t.Errorf("by department %+v, want %+v", r.ByDepartment, wantDeps)
	}
}

func TestReportFilters(t *testing.T) {
	fx := newFixture(t)
	cases := []struct {
		name           string
		f              report.Filter
		opened, closed int
		tma            report.Stats
	}{
		{"clerk Ana", report.Filter{UserID: fx.a.ID}, 3, 3, report.Stats{N: 3, Mean: min_(128) / 3, Median: min_(48), P90: min_(50)}},
		{"clerk Bruno", report.Filter{UserID: fx.b.ID}, 1, 1, report.Stats{N: 1, Mean: min_(120), Median: min_(120), P90: min_(120)}},
		{"group", report.Filter{GroupID: fx.g2.ID}, 2, 2, report.Stats{N: 1, Mean: min_(30), Median: min_(30), P90: min_(30)}},
		{"department", report.Filter{DepartmentID: fx.d1.ID}, 4, 3, report.Stats{N: 3, Mean: min_(218) / 3, Median: min_(50), P90: min_(120)}},
		{"kind", report.Filter{Kind: "solicitacao"}, 2, 2, report.Stats{N: 2, Mean: min_(85), Median: min_(50), P90: min_(120)}},
		{"no kind", report.Filter{Kind: report.KindNone}, 1, 1, report.Stats{N: 1, Mean: min_(30), Median: min_(30), P90: min_(30)}},
		{"Tuesday only", report.Filter{From: at(1, 0, 0).UnixMilli(), To: at(2, 0, 0).UnixMilli()}, 1, 1,
			report.Stats{N: 1, Mean: min_(50), Median: min_(50), P90: min_(50)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := fx.report(t, c.f)
			if r.Opened != c.opened || r.Closed != c.closed || r.Handling != c.tma {
				t.Errorf("opened %d closed %d TMA %+v, want %d, %d, %+v", r.Opened, r.Closed, r.Handling, c.opened, c.closed, c.tma)
			}
		})
	}
}

// TestDailyRowsMatchDirect: the daily rows give exactly the direct facts,
// also after changes to tickets of days already built.
func TestDailyRowsMatchDirect(t *testing.T) {
	fx := newFixture(t)
	check := func(label string) {
		t.Helper()
		from, to := fx.monday.AddDate(0, 0, -1).UnixMilli(), fx.monday.AddDate(0, 0, 3).UnixMilli()
		p1, err := fx.st.ReportFacts(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := fx.st.DirectReportFacts(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		// the daily rows come day by day, the direct query by id
		o1, c1, o2, c2 := p1.Opened, p1.Closed, p2.Opened, p2.Closed
		for _, l := range [][]store.ReportFact{o1, o2, c1, c2} {
			slices.SortFunc(l, func(a, b store.ReportFact) int { return cmp.Compare(a.ID, b.ID) })
		}
		if p1.BotOnly != 1 || p2.BotOnly != 1 {
			t.Errorf("%s: bot alone %d (daily) and %d (direct), want 1", label, p1.BotOnly, p2.BotOnly)
		}
		if len(o1) != 6 || !reflect.DeepEqual(o1, o2) || !reflect.DeepEqual(c1, c2) {
			t.Errorf("%s: daily rows differ from the tickets:\n%+v\n%+v\n%+v\n%+v", label, o1, o2, c1, c2)
		}
	}
	check("first build")
	// Monday's T5 is taken and closed on Wednesday: Monday's row and Wednesday's change.
	fx.clock = at(2, 9, 0)
	if err := fx.st.TransitionTicket(ctx, store.Transition{TicketID: fx.t["T5"], From: store.TicketQueued, To: store.TicketInService,
		SetAssignee: true, AssigneeID: fx.b.ID, UserID: fx.b.ID}); err != nil {
		t.Fatal(err)
	}
	check("after an assignment")
	fx.clock = at(2, 9, 45)
	if err := fx.st.TransitionTicket(ctx, store.Transition{TicketID: fx.t["T5"], From: store.TicketInService, To: store.TicketClosed}); err != nil {
		t.Fatal(err)
	}
	check("after a close")
	if _, err := fx.st.W.ExecContext(ctx, `INSERT INTO survey_answers (ticket_id, score, created_at) VALUES (?, 4, 1)`, fx.t["T5"]); err != nil {
		t.Fatal(err)
	}
	check("after a survey answer")
	r := fx.report(t, report.Filter{From: fx.monday.UnixMilli(), To: fx.monday.AddDate(0, 0, 3).UnixMilli()})
	if r.Closed != 6 || r.Handling.N != 5 || r.Handling.P90 != min_(120) {
		t.Errorf("after T5 closed: closed %d, TMA %+v", r.Closed, r.Handling)
	}
	n, err := fx.st.RefreshReportDays(ctx)
	if err != nil || n != 0 {
		t.Errorf("nothing changed, yet %d days rebuilt (%v)", n, err)
	}
}

func TestClerkMayNotReadReports(t *testing.T) {
	fx := newFixture(t)
	svc := &report.Service{Store: fx.st}
	if _, err := svc.Report(ctx, chat.Actor{ID: fx.a.ID, Role: store.RoleAgent}, report.Filter{}); err != report.ErrNotAllowed {
		t.Errorf("clerk got %v, want ErrNotAllowed", err)
	}
}

func TestAnnualReport(t *testing.T) {
	fx := newFixture(t)
	svc := &report.Service{Store: fx.st}
	a, err := svc.Annual(ctx, chat.Actor{ID: 1, Role: store.RoleAdmin}, 2026)
	if err != nil {
		t.Fatal(err)
	}
	// T4, a chat without a kind, is no manifestation: only counted.
	if a.Total != 5 || a.Closed != 4 || a.Reopened != 0 || a.Abandoned != 1 || a.Chats != 1 {
		t.Errorf("annual totals %+v", a)
	}
	wantStatus := []report.Count{{Label: "Encerrado", Opened: 4}, {Label: "Em fila", Opened: 1}}
	if !reflect.DeepEqual(a.ByStatus, wantStatus) {
		t.Errorf("by status %+v", a.ByStatus)
	}
	// resolution of T1, T2, T3, T6: 60, 210, 30, 60 min
	if a.Resolution != (report.Stats{N: 4, Mean: min_(90), Median: min_(60), P90: min_(210)}) {
		t.Errorf("resolution %+v", a.Resolution)
	}
	// every subject starts with "Serviços": the most frequent word
	if len(a.Words) == 0 || a.Words[0].Label != "serviços" || a.Words[0].Opened != 5 {
		t.Errorf("words %+v", a.Words)
	}
	if a.CSAT.N != 2 || a.CSAT.Mean != 400 {
		t.Errorf("CSAT %+v", a.CSAT)
	}
	empty, err := svc.Annual(ctx, chat.Actor{ID: 1, Role: store.RoleAdmin}, 2025)
	if err != nil || empty.Total != 0 {
		t.Errorf("2025: %+v %v", empty, err)
	}
}

func TestFormats(t *testing.T) {
	cases := map[string]string{
		report.Int(0): "0", report.Int(999): "999", report.Int(1234): "1.234", report.Int(1234567): "1.234.567", report.Int(-1234): "-1.234",
		report.Decimal(1234.5, 1): "1.234,5", report.Decimal(0.25, 2): "0,25", report.Decimal(4, 2): "4,00",
		report.Duration(45_000): "45 s", report.Duration(1820_000): "30 min 20 s", report.Duration(min_(125)): "2 h 05 min",
		report.Duration(min_(60 * 50)): "2 d 2 h",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestSummarizeMatchesSorting: the selection gives the nearest-rank
// percentiles a sort would, on random, sorted, reversed and constant data.
func TestSummarizeMatchesSorting(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 5, 10, 11, 99, 100, 101, 1000, 4097} {
		for shape := range 4 {
			v := make([]int64, n)
			for i := range v {
				switch shape {
				case 0:
					v[i] = rnd.Int64N(1000)
				case 1:
					v[i] = int64(i)
				case 2:
					v[i] = int64(n - i)
				case 3:
					v[i] = 7
				}
			}
			sorted := slices.Clone(v)
			slices.Sort(sorted)
			got := report.Summarize(v)
			m, p := sorted[(50*n+99)/100-1], sorted[(90*n+99)/100-1]
			if got.Median != m || got.P90 != p || got.N != n {
				t.Errorf("n=%d shape %d: %+v, want median %d p90 %d", n, shape, got, m, p)
			}
		}
	}
}

// TestCalendarTimeThroughPausesAndNights: times are calendar time — a wait
// for the citizen stays inside the TMA, and a night in the queue counts in
// full — as the page's definitions say.
func TestCalendarTimeThroughPausesAndNights(t *testing.T) {
	fx := newFixture(t)
	contacts, err := fx.st.InsertContacts(ctx, []store.BulkContact{{WaID: "5514999990003", CreatedAt: 1}})
	if err != nil {
		t.Fatal(err)
	}
	open := func(when time.Time, g int64, kind string) int64 {
		fx.clock = when
		o, err := fx.st.OpenTicket(ctx, store.NewTicket{ContactID: contacts[0], Status: store.TicketQueued, GroupID: g, Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	move := func(id int64, when time.Time, from, to string, holder int64) {
		fx.clock = when
		tr := store.Transition{TicketID: id, From: from, To: to, UserID: holder}
		if holder != 0 {
			tr.SetAssignee, tr.AssigneeID = true, holder
		}
		if err := fx.st.TransitionTicket(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	// Elogio: Ana 13:05, waits for the citizen 13:10–14:10, closes 14:30.
	e := open(at(0, 13, 0), fx.g1.ID, "elogio")
	move(e, at(0, 13, 5), store.TicketQueued, store.TicketInService, fx.a.ID)
	move(e, at(0, 13, 10), store.TicketInService, store.TicketWaitingCit, 0)
	move(e, at(0, 14, 10), store.TicketWaitingCit, store.TicketInService, 0)
	move(e, at(0, 14, 30), store.TicketInService, store.TicketClosed, 0)
	// Sugestão: opened Monday 16:50, the night in the queue, Bruno Tuesday 08:05–08:35.
	s := open(at(0, 16, 50), fx.g2.ID, "sugestao")
	move(s, at(1, 8, 5), store.TicketQueued, store.TicketInService, fx.b.ID)
	move(s, at(1, 8, 35), store.TicketInService, store.TicketClosed, 0)
	fx.clock = at(1, 15, 0)

	cases := []struct {
		kind                  string
		wait, tma, resolution int64
	}{
		{"elogio", min_(5), min_(85), min_(90)},
		{"sugestao", min_(915), min_(30), min_(945)},
	}
	for _, c := range cases {
		r := fx.report(t, report.Filter{Kind: c.kind})
		if r.QueueWait.Mean != c.wait || r.Handling.Mean != c.tma || r.Resolution.Mean != c.resolution || r.Handling.N != 1 {
			t.Errorf("%s: wait %+v, TMA %+v, resolution %+v; want %d, %d, %d ms", c.kind, r.QueueWait, r.Handling, r.Resolution,
				c.wait, c.tma, c.resolution)
		}
	}
}

// TestCSV: byte order mark, separator, quoting, and text that would run as
// a spreadsheet formula kept as text.
func TestCSV(t *testing.T) {
	tb := report.Table{Header: []string{"Assunto", "Protocolos"}, Rows: [][]report.Cell{
		{{Text: `=HYPERLINK("x")`, CSV: `=HYPERLINK("x")`}, {Text: "1.234", CSV: "1234", Num: true}},
		{{Text: "Água; esgoto", CSV: "Água; esgoto"}, {Text: "2", CSV: "2", Num: true}},
	}}
	var b strings.Builder
	if err := report.WriteCSV(&b, tb, ';'); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFAssunto;Protocolos\r\n\"'=HYPERLINK(\"\"x\"\")\";1234\r\n\"Água; esgoto\";2\r\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
