package demo_test

import (
	"context"
	"testing"

	"balcao/app/bot"
	"balcao/app/demo"
	"balcao/app/store"
	"balcao/app/testutil"
)

// The demo talks with the default menu, every node of it handing work to a
// demo group, and seeding twice changes nothing.
func TestSeedGivesTheBotTheDefaultMenu(t *testing.T) {
	ctx := context.Background()
	st := testutil.NewStore(t)
	for range 2 {
		if _, err := demo.Seed(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	m, problems, err := bot.LoadMenu(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if p.Severity == bot.SevError {
			t.Errorf("menu problem: %+v", p)
		}
	}
	if m.Root == nil || len(m.Root.Children) < 5 {
		t.Fatalf("menu %+v", m.Root)
	}
	nodes, _ := st.LoadMenu(ctx)
	articles, _ := st.ListArticles(ctx)
	if len(articles) != len(bot.DefaultArticles()) {
		t.Errorf("%d articles, want %d", len(articles), len(bot.DefaultArticles()))
	}
	for _, n := range nodes {
		if (n.Action == store.MenuActionHandoff || n.Action == store.MenuActionAsk) && n.GroupID == 0 {
			t.Errorf("node %q hands work to no group", n.Title)
		}
	}
}
