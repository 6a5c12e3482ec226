package store_test

import (
	"errors"
	"slices"
	"testing"

	"balcao/app/store"
	"balcao/app/testutil"
)

func mustNode(t *testing.T, st *store.Store, n store.MenuNode) store.MenuNode {
	t.Helper()
	n, err := st.CreateMenuNode(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// shape lists the menu as "parent>title@position" in LoadMenu's order.
func shape(t *testing.T, st *store.Store) []string {
	t.Helper()
	nodes, err := st.LoadMenu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	title := map[int64]string{}
	for _, n := range nodes {
		title[n.ID] = n.Title
	}
	var out []string
	for _, n := range nodes {
		out = append(out, title[n.ParentID]+">"+n.Title+"@"+string(rune('0'+n.Position)))
	}
	return out
}

func TestMenuNodes(t *testing.T) {
	st := testutil.NewStore(t)
	if nodes, err := st.LoadMenu(ctx); err != nil || len(nodes) != 0 {
		t.Fatalf("empty menu: %v, %v", nodes, err)
	}
	root := mustNode(t, st, store.MenuNode{Title: "Menu", Action: store.MenuActionMenu})
	if root.Config != "{}" || root.Position != 0 {
		t.Errorf("root %+v", root)
	}
	if _, err := st.CreateMenuNode(ctx, store.MenuNode{Title: "Outro menu", Action: store.MenuActionMenu}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second root: %v, want ErrConflict", err)
	}
	agua := mustNode(t, st, store.MenuNode{ParentID: root.ID, Title: "Água", Action: store.MenuActionMenu, Keywords: "agua, saae"})
	ouv := mustNode(t, st, store.MenuNode{ParentID: root.ID, Title: "Ouvidoria", Action: store.MenuActionMenu})
	proto := mustNode(t, st, store.MenuNode{ParentID: root.ID, Title: "Protocolo", Action: store.MenuActionLookup})
	via := mustNode(t, st, store.MenuNode{ParentID: agua.ID, Title: "Segunda via", Action: store.MenuActionEnd})
	if agua.Position != 0 || ouv.Position != 1 || proto.Position != 2 || via.Position != 0 {
		t.Errorf("positions %d %d %d %d", agua.Position, ouv.Position, proto.Position, via.Position)
	}
	for _, bad := range []store.MenuNode{
		{ParentID: 999, Title: "Órfão", Action: store.MenuActionEnd},
		{ParentID: root.ID, Title: "Grupo?", Action: store.MenuActionHandoff, GroupID: 999},
		{ParentID: root.ID, Title: "Artigo?", Action: store.MenuActionArticle, ArticleID: 999},
	} {
		if _, err := st.CreateMenuNode(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("create %q: %v, want ErrNotFound", bad.Title, err)
		}
	}
	for _, bad := range []store.MenuNode{
		{ParentID: root.ID, Title: "Ação?", Action: "dance"},
		{ParentID: root.ID, Title: "Config?", Action: store.MenuActionEnd, Config: "{not json"},
		{ParentID: root.ID, Title: "  ", Action: store.MenuActionEnd},
	} {
		if _, err := st.CreateMenuNode(ctx, bad); err == nil {
			t.Errorf("create %+v succeeded", bad)
		}
	}

	via.Title, via.Message, via.Config = "2ª via", "**Olá**", `{"ticket_kind":"informacao"}`
	if err := st.UpdateMenuNode(ctx, via); err != nil {
		t.Fatal(err)
	}
	if got, err := st.MenuNodeByID(ctx, via.ID); err != nil || got.Title != "2ª via" || got.Message != "**Olá**" ||
		got.Config != `{"ticket_kind":"informacao"}` || got.ParentID != agua.ID {
		t.Errorf("after update %+v, %v", got, err)
	}
	if err := st.UpdateMenuNode(ctx, store.MenuNode{ID: 999, Title: "x", Action: store.MenuActionEnd}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	if _, err := st.MenuNodeByID(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing node: %v", err)
	}

	want := []string{">Menu@0", "Menu>Água@0", "Menu>Ouvidoria@1", "Menu>Protocolo@2", "Água>2ª via@0"}
	if got := shape(t, st); !slices.Equal(got, want) {
		t.Errorf("menu\n got %v\nwant %v", got, want)
	}

	// Reorder among siblings, then move under another parent.
	if err := st.MoveMenuNode(ctx, proto.ID, root.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.MoveMenuNode(ctx, ouv.ID, agua.ID, 99); err != nil {
		t.Fatal(err)
	}
	want = []string{">Menu@0", "Menu>Protocolo@0", "Menu>Água@1", "Água>2ª via@0", "Água>Ouvidoria@1"}
	if got := shape(t, st); !slices.Equal(got, want) {
		t.Errorf("after moves\n got %v\nwant %v", got, want)
	}
	for _, c := range []struct {
		id, parent int64
		want       error
	}{
		{agua.ID, agua.ID, store.ErrConflict}, // under itself
		{agua.ID, ouv.ID, store.ErrConflict},  // under its own child
		{root.ID, agua.ID, store.ErrConflict}, // the root stays the root
		{agua.ID, 0, store.ErrConflict},       // nothing becomes a second root
		{999, root.ID, store.ErrNotFound},
	} {
		if err := st.MoveMenuNode(ctx, c.id, c.parent, 0); !errors.Is(err, c.want) {
			t.Errorf("move %d under %d: %v, want %v", c.id, c.parent, err, c.want)
		}
	}
	if err := st.MoveMenuNode(ctx, proto.ID, 999, 0); err == nil {
		t.Error("move under a missing parent succeeded")
	}

	// Deleting a node takes its subtree and closes the gap.
	if err := st.DeleteMenuNode(ctx, proto.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteMenuNode(ctx, agua.ID); err != nil {
		t.Fatal(err)
	}
	if got := shape(t, st); !slices.Equal(got, []string{">Menu@0"}) {
		t.Errorf("after deletes %v", got)
	}
	if err := st.DeleteMenuNode(ctx, agua.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestReplaceMenu(t *testing.T) {
	st := testutil.NewStore(t)
	mustNode(t, st, store.MenuNode{Title: "Velho", Action: store.MenuActionMenu})
	tree := store.MenuTree{Node: store.MenuNode{Title: "Menu", Action: store.MenuActionMenu}, Children: []store.MenuTree{
		{Node: store.MenuNode{Title: "A", Action: store.MenuActionMenu}, Children: []store.MenuTree{
			{Node: store.MenuNode{Title: "A1", Action: store.MenuActionEnd}},
			{Node: store.MenuNode{Title: "A2", Action: store.MenuActionEnd}},
		}},
		{Node: store.MenuNode{Title: "B", Action: store.MenuActionLookup}},
	}}
	rootID, err := st.ReplaceMenu(ctx, tree)
	if err != nil || rootID == 0 {
		t.Fatal(rootID, err)
	}
	want := []string{">Menu@0", "Menu>A@0", "Menu>B@1", "A>A1@0", "A>A2@1"}
	if got := shape(t, st); !slices.Equal(got, want) {
		t.Errorf("replaced menu\n got %v\nwant %v", got, want)
	}
	// A bad reference leaves the old menu in place.
	tree.Children = append(tree.Children, store.MenuTree{Node: store.MenuNode{Title: "C", Action: store.MenuActionHandoff, GroupID: 42}})
	if _, err := st.ReplaceMenu(ctx, tree); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("replace with an unknown group: %v, want ErrNotFound", err)
	}
	if got := shape(t, st); !slices.Equal(got, want) {
		t.Errorf("failed replace changed the menu: %v", got)
	}
}

func TestGroupUsedByMenuCannotBeDeleted(t *testing.T) {
	st := testutil.NewStore(t)
	dep := mustDepartment(t, st, "Obras")
	g, err := st.CreateGroup(ctx, store.Group{Name: "Iluminação", DepartmentID: dep.ID, Level: store.LevelN3, MaxPerAgent: 3, Hours: officeHours()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := mustNode(t, st, store.MenuNode{Title: "Menu", Action: store.MenuActionMenu})
	mustNode(t, st, store.MenuNode{ParentID: root.ID, Title: "Luz", Action: store.MenuActionHandoff, GroupID: g.ID})
	if err := st.DeleteGroup(ctx, g.ID); !errors.Is(err, store.ErrInUse) {
		t.Errorf("delete a group the menu hands off to: %v, want ErrInUse", err)
	}
}

// mustContact stores a contact the way the webhook does, with a ticket.
func mustContact(t *testing.T, st *store.Store, waID string) (contactID, ticketID int64) {
	t.Helper()
	if err := st.W.QueryRow(`INSERT INTO contacts (wa_id, profile_name, created_at, updated_at) VALUES (?, 'Maria', 1, 1) RETURNING id`, waID).Scan(&contactID); err != nil {
		t.Fatal(err)
	}
	if err := st.W.QueryRow(`INSERT INTO tickets (contact_id, status, created_at, updated_at) VALUES (?, 'novo', 1, 1) RETURNING id`, contactID).Scan(&ticketID); err != nil {
		t.Fatal(err)
	}
	return contactID, ticketID
}

func TestBotSessions(t *testing.T) {
	st := testutil.NewStore(t)
	contact, _ := mustContact(t, st, "5517988887777")
	if _, err := st.BotSession(ctx, contact); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no session yet: %v", err)
	}
	if err := st.SaveBotSession(ctx, contact, `{"node":1,"mode":"menu"}`); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveBotSession(ctx, contact, `{"node":2,"mode":"menu"}`); err != nil {
		t.Fatal(err)
	}
	got, err := st.BotSession(ctx, contact)
	if err != nil || got.State != `{"node":2,"mode":"menu"}` || got.UpdatedAt == 0 {
		t.Errorf("BotSession = %+v, %v", got, err)
	}
	if err := st.SaveBotSession(ctx, contact, `not json`); err == nil {
		t.Error("a state that is not JSON was saved")
	}
	if err := st.SaveBotSession(ctx, 999, `{}`); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session of a missing contact: %v", err)
	}
	if n, err := st.DeleteBotSessionsBefore(ctx, got.UpdatedAt); err != nil || n != 0 {
		t.Errorf("nothing older: %d, %v", n, err)
	}
	if n, err := st.DeleteBotSessionsBefore(ctx, got.UpdatedAt+1); err != nil || n != 1 {
		t.Errorf("delete old sessions: %d, %v", n, err)
	}
	if err := st.SaveBotSession(ctx, contact, `{}`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // deleting what is not there is fine
		if err := st.DeleteBotSession(ctx, contact); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.BotSession(ctx, contact); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

func TestContactAnswers(t *testing.T) {
	st := testutil.NewStore(t)
	contact, ticket := mustContact(t, st, "5517988887777")
	root := mustNode(t, st, store.MenuNode{Title: "Menu", Action: store.MenuActionMenu})
	answers := []store.ContactAnswer{
		{ContactID: contact, NodeID: root.ID, Key: "cpf", Label: "CPF", Value: "529.982.247-25"},
		{ContactID: contact, TicketID: ticket, NodeID: root.ID, Key: "descricao", Label: "Descreva", Value: "Buraco na rua"},
		{ContactID: contact, TicketID: ticket, Key: "foto", Value: "[foto]", MediaID: 7},
	}
	if err := st.AddContactAnswers(ctx, answers); err != nil {
		t.Fatal(err)
	}
	all, err := st.ContactAnswers(ctx, contact)
	if err != nil || len(all) != 3 || all[0].Key != "cpf" || all[0].TicketID != 0 || all[2].MediaID != 7 || all[0].CreatedAt == 0 {
		t.Errorf("ContactAnswers = %+v, %v", all, err)
	}
	of, err := st.TicketAnswers(ctx, ticket)
	if err != nil || len(of) != 2 || of[0].Value != "Buraco na rua" || of[1].NodeID != 0 {
		t.Errorf("TicketAnswers = %+v, %v", of, err)
	}
	// One bad answer stores none of the batch.
	bad := []store.ContactAnswer{{ContactID: contact, Key: "ok", Value: "1"}, {ContactID: contact, TicketID: 999, Key: "x"}}
	if err := st.AddContactAnswers(ctx, bad); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("answer for a missing ticket: %v", err)
	}
	if all, _ := st.ContactAnswers(ctx, contact); len(all) != 3 {
		t.Errorf("failed batch left %d answers", len(all))
	}
	// Deleting the menu keeps the answers.
	if err := st.DeleteMenuNode(ctx, root.ID); err != nil {
		t.Fatal(err)
	}
	if all, _ := st.ContactAnswers(ctx, contact); len(all) != 3 || all[0].NodeID != 0 {
		t.Errorf("answers after the menu went: %+v", all)
	}
}
