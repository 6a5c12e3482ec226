package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/testutil"
)

var ctx = context.Background()

// seededStore is a database with the demo's groups and the default menu and
// knowledge base, as `balcao demo` will have them.
func seededStore(t testing.TB) (*store.Store, map[string]int64) {
	t.Helper()
	st := testutil.NewStore(t)
	dep, err := st.CreateDepartment(ctx, store.Department{Name: "Prefeitura"})
	if err != nil {
		t.Fatal(err)
	}
	office := hours.WeekdaysFrom(hours.Interval{Open: 8 * 60, Close: 17 * 60})
	office[time.Saturday] = []hours.Interval{{Open: 8 * 60, Close: 12 * 60}}
	groups := map[string]int64{}
	for name := range testGroups {
		g, err := st.CreateGroup(ctx, store.Group{Name: name, DepartmentID: dep.ID, Level: store.LevelN1, MaxPerAgent: 5, Hours: office}, nil)
		if err != nil {
			t.Fatal(err)
		}
		groups[name] = g.ID
	}
	if err := bot.SeedDefaults(ctx, st, groups); err != nil {
		t.Fatal(err)
	}
	return st, groups
}

func storeEngine(t testing.TB, st *store.Store) *bot.Engine {
	t.Helper()
	nodes, err := st.LoadMenu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, problems := bot.BuildMenu(nodes)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return bot.New(m, bot.Options{KB: st, Protocols: testProto, Groups: bot.StoreGroups{Source: st}, OrgName: "Prefeitura de Vale Verde"})
}

func TestSeedDefaults(t *testing.T) {
	st, groups := seededStore(t)
	nodes, err := st.LoadMenu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := st.ListArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != len(bot.DefaultArticles()) || len(arts) < 15 {
		t.Errorf("%d articles seeded", len(arts))
	}
	known := bot.Known{Articles: map[int64]store.Article{}, Groups: map[int64]bool{}}
	for _, a := range arts {
		known.Articles[a.ID] = a
	}
	for _, id := range groups {
		known.Groups[id] = true
	}
	if problems := bot.Validate(nodes, known); len(problems) > 0 {
		t.Errorf("seeded menu: %v", problems)
	}
	// Seeding again changes nothing.
	if err := bot.SeedDefaults(ctx, st, groups); err != nil {
		t.Fatal(err)
	}
	again, _ := st.LoadMenu(ctx)
	arts2, _ := st.ListArticles(ctx)
	if len(again) != len(nodes) || len(arts2) != len(arts) {
		t.Errorf("second seed: %d nodes, %d articles", len(again), len(arts2))
	}

	// Without groups the menu is still written, and validation says so.
	st2 := testutil.NewStore(t)
	if err := bot.SeedDefaults(ctx, st2, nil); err != nil {
		t.Fatal(err)
	}
	nodes2, _ := st2.LoadMenu(ctx)
	if problems := bot.Validate(nodes2, bot.Known{}); len(problems) == 0 {
		t.Error("a menu with no groups validated clean")
	}
}

// The same conversations as the "done means", over the real store:
// FTS search, articles from SQLite, business hours of real groups.
func TestConversationOverTheStore(t *testing.T) {
	st, _ := seededStore(t)
	e := storeEngine(t, st)
	c := newConvo(t, e)
	c.now = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC) // Tuesday 11:00 in São Paulo: open

	steps := []step{
		{in: txt("oi"), want: []string{rootMenu}},
		{in: tap("Água e esgoto")},
		{in: tap("Segunda via da conta"), want: []string{articleWater}},
		{in: tap("Sim"), effects: []string{"ArticleFeedback", "EndConversation"}},
		{in: txt("lampada queimada"), want: []string{"Onde fica o poste?"}},
		{in: txt("menu")},
		{in: txt("como faço pra parcelar a conta atrasada"), want: []string{"Como consultar e parcelar débitos da conta de água?"}},
		{in: txt("menu")},
		{in: txt("vazamento na rua"), want: []string{"Onde está o vazamento?"}},
	}
	for i, s := range steps {
		d := c.send(s.in)
		text := transcript(d)
		for _, w := range s.want {
			if !strings.Contains(text, w) {
				t.Fatalf("step %d (%q): missing %q in\n%s", i+1, s.in.Text, w, text)
			}
		}
	}

	// Hand-off on Saturday night: closed, with the hours and the next opening.
	c.s = bot.Session{}
	c.now = time.Date(2026, 3, 14, 23, 30, 0, 0, time.UTC) // Saturday 20:30 in São Paulo
	c.send(txt("oi"))
	d := c.send(tap("Falar com atendente"))
	text := transcript(d)
	for _, w := range []string{"fora do horário", "segunda a sexta, das 08:00 às 17:00; sábado, das 08:00 às 12:00",
		"Voltamos na segunda-feira às 08:00"} {
		if !strings.Contains(text, w) {
			t.Errorf("closed hand-off: missing %q in\n%s", w, text)
		}
	}
}

func TestDescribeWeek(t *testing.T) {
	iv := func(a, b int) hours.Interval {
		return hours.Interval{Open: hours.Clock(a * 60), Close: hours.Clock(b * 60)}
	}
	var split hours.Week
	split[time.Monday] = []hours.Interval{iv(8, 12), iv(13, 17)}
	split[time.Tuesday] = []hours.Interval{iv(8, 12), iv(13, 17)}
	split[time.Thursday] = []hours.Interval{iv(8, 12)}
	split[time.Sunday] = []hours.Interval{iv(9, 13)}
	cases := []struct {
		w    hours.Week
		want string
	}{
		{hours.WeekdaysFrom(iv(8, 17)), "segunda a sexta, das 08:00 às 17:00"},
		{split, "segunda e terça, das 08:00 às 12:00 e das 13:00 às 17:00; quinta, das 08:00 às 12:00; domingo, das 09:00 às 13:00"},
		{hours.Week{}, ""},
	}
	for _, c := range cases {
		if got := bot.DescribeWeek(c.w); got != c.want {
			t.Errorf("DescribeWeek = %q, want %q", got, c.want)
		}
	}
}

func TestWeekHours(t *testing.T) {
	office := hours.WeekdaysFrom(hours.Interval{Open: 8 * 60, Close: 17 * 60})
	sp := hours.SaoPaulo()
	cases := []struct {
		at   time.Time
		open bool
		next string
	}{
		{time.Date(2026, 3, 10, 11, 0, 0, 0, sp), true, ""},
		{time.Date(2026, 3, 10, 7, 0, 0, 0, sp), false, "hoje às 08:00"},
		{time.Date(2026, 3, 10, 18, 0, 0, 0, sp), false, "amanhã às 08:00"},
		{time.Date(2026, 3, 13, 18, 0, 0, 0, sp), false, "na segunda-feira às 08:00"},
	}
	for _, c := range cases {
		gh := bot.WeekHours(office, c.at)
		if gh.Open != c.open || gh.Next != c.next || gh.Hours != "segunda a sexta, das 08:00 às 17:00" {
			t.Errorf("WeekHours at %v = %+v", c.at, gh)
		}
	}
	var weekend hours.Week
	weekend[time.Saturday] = []hours.Interval{{Open: 9 * 60, Close: 12 * 60}}
	if gh := bot.WeekHours(weekend, time.Date(2026, 3, 10, 11, 0, 0, 0, sp)); gh.Next != "no sábado às 09:00" {
		t.Errorf("next on a weekend day: %+v", gh)
	}
	if gh := bot.WeekHours(hours.Week{}, time.Now()); !gh.Open {
		t.Errorf("a group without hours should count as open: %+v", gh)
	}
}
