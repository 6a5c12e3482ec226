package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"balcao/app/bot"
	"balcao/app/config"
	"balcao/app/store"
	"balcao/app/testutil"
	"balcao/app/web"
)

// menuEnv is a supervisor logged in over the default menu and knowledge base.
type menuEnv struct {
	adminEnv
	sup *testutil.Client
}

func newMenuEnv(t *testing.T) menuEnv {
	t.Helper()
	e := newAdminEnv(t)
	_, grp := e.fixture(t)
	if err := bot.SeedDefaults(ctx, e.st, map[string]int64{bot.GroupGeneral: grp}); err != nil {
		t.Fatal(err)
	}
	return menuEnv{adminEnv: e, sup: e.as(t, store.RoleSupervisor, "sup@valeverde.example")}
}

// node finds the node titled title (the first in menu order).
func (e menuEnv) node(t *testing.T, title string) store.MenuNode {
	t.Helper()
	nodes, err := e.st.LoadMenu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Title == title {
			return n
		}
	}
	t.Fatalf("no menu node %q", title)
	return store.MenuNode{}
}

// children lists the titles under parent, in order.
func (e menuEnv) children(t *testing.T, parent int64) []string {
	t.Helper()
	nodes, _ := e.st.LoadMenu(ctx)
	var out []string
	for _, n := range nodes {
		if n.ParentID == parent {
			out = append(out, n.Title)
		}
	}
	return out
}

// menuDigest is the whole menu, to tell whether anything was written.
func menuDigest(t *testing.T, st *store.Store) string {
	t.Helper()
	var s string
	err := st.R.QueryRow(`SELECT coalesce(group_concat(id || ':' || coalesce(parent_id, 0) || ':' || position || title || message || action || coalesce(article_id, 0) || coalesce(group_id, 0) || config || keywords, '|'), '') FROM menu_nodes`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoboPage(t *testing.T) {
	e := newMenuEnv(t)
	water := e.node(t, "Água e esgoto")
	res := e.sup.Get("/robo?no=" + id(water.ID))
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	body := html.UnescapeString(res.Body)
	for _, want := range []string{`id="menu"`, "Segunda via da conta", "Testar o robô", `id="previa-no"`,
		"Água e esgoto* — escolha o assunto:", "Como texto numerado", "*1* - Segunda via da conta", `id="problemas"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	clerk := e.as(t, store.RoleAgent, "clerk@valeverde.example")
	before := menuDigest(t, e.st)
	if res := clerk.Get("/robo"); res.Status != http.StatusForbidden {
		t.Errorf("clerk GET /robo: %d", res.Status)
	}
	for _, path := range []string{"/robo/no/" + id(water.ID), "/robo/no/" + id(water.ID) + "/filho", "/robo/no/" + id(water.ID) + "/mover",
		"/robo/no/" + id(water.ID) + "/excluir", "/robo/testar", "/robo/raiz"} {
		if res := clerk.PostForm(path, url.Values{"title": {"x"}, "action": {"end"}, "direcao": {"baixo"}, "texto": {"oi"}}); res.Status != http.StatusForbidden {
			t.Errorf("clerk POST %s: %d", path, res.Status)
		}
		if res := e.sup.Post(path, url.Values{"title": {"x"}, "action": {"end"}, "csrf_token": {"forjado"}}); res.Status != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF token: %d", path, res.Status)
		}
	}
	if menuDigest(t, e.st) != before {
		t.Error("a refused request changed the menu")
	}
}

func TestRoboEditNode(t *testing.T) {
	cases := []struct {
		name   string
		node   string
		form   url.Values
		status int
		field  string
		msg    string
		check  func(t *testing.T, n store.MenuNode)
	}{
		{"rename a menu", "Água e esgoto", url.Values{"title": {"Água"}, "message": {"Escolha:"}, "action": {"menu"}}, http.StatusOK, "", "",
			func(t *testing.T, n store.MenuNode) {
				if n.Title != "Água" || n.Message != "Escolha:" {
					t.Errorf("saved %+v", n)
				}
			}},
		{"ask with fields", "Religação", url.Values{"title": {"Religação"}, "action": {"ask"}, "ticket_kind": {"solicitacao"},
			"field_key": {"cpf", "turno", ""}, "field_label": {"Seu CPF", "Melhor turno", ""}, "field_type": {"cpf", "choice", "text"},
			"field_required": {"1", "0", "1"}, "field_choices": {"", "manhã, tarde", ""}}, http.StatusOK, "", "",
			func(t *testing.T, n store.MenuNode) {
				cfg, _ := bot.ParseConfig(n.Config)
				if n.Action != "ask" || n.ArticleID != 0 || cfg.TicketKind != "solicitacao" || len(cfg.Fields) != 2 ||
					cfg.Fields[1].Type != bot.FieldChoice || !cfg.Fields[1].Optional || len(cfg.Fields[1].Options) != 2 {
					t.Errorf("saved %+v %+v", n, cfg)
				}
			}},
		{"no title", "Religação", url.Values{"title": {" "}, "action": {"end"}}, http.StatusUnprocessableEntity, "title", "Informe o título", nil},
		{"unknown action", "Religação", url.Values{"title": {"Religação"}, "action": {"voar"}}, http.StatusUnprocessableEntity, "action", "Escolha uma ação", nil},
		{"article missing", "Religação", url.Values{"title": {"Religação"}, "action": {"article"}, "article_id": {"999"}}, http.StatusUnprocessableEntity, "article_id", "Escolha o artigo", nil},
		{"group missing", "Religação", url.Values{"title": {"Religação"}, "action": {"handoff"}, "group_id": {"999"}}, http.StatusUnprocessableEntity, "group_id", "grupo", nil},
		{"bad kind", "Religação", url.Values{"title": {"Religação"}, "action": {"handoff"}, "ticket_kind": {"festa"}}, http.StatusUnprocessableEntity, "ticket_kind", "tipo de protocolo", nil},
		{"ask without fields", "Religação", url.Values{"title": {"Religação"}, "action": {"ask"}}, http.StatusUnprocessableEntity, "fields", "ao menos um dado", nil},
		{"choice without options", "Religação", url.Values{"title": {"Religação"}, "action": {"ask"}, "field_key": {"t"}, "field_label": {"Turno"},
			"field_type": {"choice"}, "field_choices": {"manhã"}}, http.StatusUnprocessableEntity, "fields", "duas opções", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newMenuEnv(t)
			n := e.node(t, c.node)
			before := menuDigest(t, e.st)
			res := e.sup.PostForm("/robo/no/"+id(n.ID), c.form)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d; errors %v", res.Status, c.status, res.FieldErrors())
			}
			if c.field != "" {
				if got := res.FieldError(c.field); !strings.Contains(got, c.msg) {
					t.Errorf("error next to %s = %q, want %q (all %v)", c.field, got, c.msg, res.FieldErrors())
				}
				if menuDigest(t, e.st) != before {
					t.Error("a refused form changed the menu")
				}
				return
			}
			if !strings.Contains(res.Flash(), "salva") {
				t.Errorf("flash %q", res.Flash())
			}
			saved, _ := e.st.MenuNodeByID(ctx, n.ID)
			c.check(t, saved)
		})
	}
}

func TestRoboAddMoveRemove(t *testing.T) {
	e := newMenuEnv(t)
	water := e.node(t, "Água e esgoto")
	first := e.children(t, water.ID)

	// Add: a new last option, shown at once in the validation (a menu with no options).
	res := e.sup.PostForm("/robo/no/"+id(water.ID)+"/filho", url.Values{"title": {"Outros assuntos"}, "action": {"menu"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Flash(), "adicionada") {
		t.Fatalf("add: status %d flash %q", res.Status, res.Flash())
	}
	if got := e.children(t, water.ID); got[len(got)-1] != "Outros assuntos" {
		t.Errorf("children after add %v", got)
	}
	if body := html.UnescapeString(res.Body); !strings.Contains(body, "«Outros assuntos»") {
		t.Error("the new menu without options is not among the problems")
	}
	// Adding under an option that does not show options is refused.
	art := e.node(t, "Religação")
	if res := e.sup.PostForm("/robo/no/"+id(art.ID)+"/filho", url.Values{"title": {"X"}, "action": {"end"}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("add under an article: %d", res.Status)
	}
	if res := e.sup.PostForm("/robo/no/"+id(water.ID)+"/filho", url.Values{"title": {""}, "action": {"end"}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("add without a title: %d", res.Status)
	}

	// Move up and down.
	second := e.node(t, first[1])
	e.sup.PostForm("/robo/no/"+id(second.ID)+"/mover", url.Values{"direcao": {"cima"}})
	if got := e.children(t, water.ID); got[0] != first[1] || got[1] != first[0] {
		t.Errorf("after moving up: %v", got)
	}
	e.sup.PostForm("/robo/no/"+id(second.ID)+"/mover", url.Values{"direcao": {"baixo"}})
	if got := e.children(t, water.ID); got[0] != first[0] || got[1] != first[1] {
		t.Errorf("after moving down: %v", got)
	}
	// Move under another menu node; not under itself or an article.
	other := e.node(t, "Outros assuntos")
	if res := e.sup.PostForm("/robo/no/"+id(second.ID)+"/mover", url.Values{"pai": {id(other.ID)}}); res.Status != http.StatusOK {
		t.Errorf("move under: %d", res.Status)
	}
	if got := e.children(t, other.ID); len(got) != 1 || got[0] != first[1] {
		t.Errorf("under Outros assuntos: %v", got)
	}
	before := menuDigest(t, e.st)
	if res := e.sup.PostForm("/robo/no/"+id(water.ID)+"/mover", url.Values{"pai": {id(other.ID)}}); res.Status != http.StatusConflict {
		t.Errorf("move under its own descendant: %d", res.Status)
	}
	if res := e.sup.PostForm("/robo/no/"+id(water.ID)+"/mover", url.Values{"pai": {id(art.ID)}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("move under an article: %d", res.Status)
	}
	if menuDigest(t, e.st) != before {
		t.Error("a refused move changed the menu")
	}

	// Remove the subtree; the root stays.
	if res := e.sup.PostForm("/robo/no/"+id(other.ID)+"/excluir", nil); res.Status != http.StatusOK || !strings.Contains(res.Flash(), "removida") {
		t.Errorf("remove: %d %q", res.Status, res.Flash())
	}
	if _, err := e.st.MenuNodeByID(ctx, second.ID); err == nil {
		t.Error("the removed option's children are still there")
	}
	root := e.node(t, "Menu principal")
	if res := e.sup.PostForm("/robo/no/"+id(root.ID)+"/excluir", nil); res.Status != http.StatusConflict {
		t.Errorf("remove the root: %d", res.Status)
	}
}

// The test box answers as the engine does, keeps its conversation in the
// panel session, and writes nothing.
func TestRoboTestBox(t *testing.T) {
	e := newMenuEnv(t)
	var msgs int
	count := func() int {
		var n int
		_ = e.st.R.QueryRow(`SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM tickets) + (SELECT count(*) FROM bot_sessions)`).Scan(&n)
		return n
	}
	msgs = count()
	bill := e.node(t, "Segunda via da conta")
	steps := []struct {
		name string
		form url.Values
		want []string
	}{
		{"greeting", url.Values{"texto": {"oi"}}, []string{"Como posso ajudar", "Água e esgoto"}},
		{"1 enters the first option", url.Values{"texto": {"1"}}, []string{"escolha o assunto", "Segunda via da conta"}},
		{"tap an article", url.Values{"opcao": {"n:" + id(bill.ID)}, "texto": {"Segunda via da conta"}}, []string{"Isso resolveu?"}},
		{"feedback is a note", url.Values{"texto": {"1"}}, []string{"Contaria “sim”"}},
		{"restart", nil, nil},
	}
	for _, s := range steps {
		path := "/robo/testar"
		if s.form == nil {
			path = "/robo/testar/reiniciar"
		}
		body, status := testBox(t, e.sup, path, s.form)
		if status != http.StatusOK || !strings.Contains(body, `id="testar"`) || strings.Contains(body, "<html") {
			t.Fatalf("%s: status %d, not the box fragment", s.name, status)
		}
		last := body
		if i := strings.LastIndex(body, `class="wa-bubble mine"`); i >= 0 {
			last = body[i:]
		}
		for _, w := range s.want {
			if !strings.Contains(last, w) {
				t.Errorf("%s: the last turn lacks %q:\n%s", s.name, w, last)
			}
		}
		if s.form == nil && strings.Contains(body, "wa-bubble mine") {
			t.Error("restart kept the conversation")
		}
	}
	if count() != msgs {
		t.Error("the test box stored messages, tickets or bot sessions")
	}
	a, _ := e.st.ArticleByID(ctx, bill.ArticleID)
	if a.HelpfulYes != 0 {
		t.Error("the test box counted feedback")
	}
}

// Every edit on Robô reaches the running engine at once.
func TestRoboEditReachesTheEngine(t *testing.T) {
	st := testutil.NewStore(t)
	if err := bot.SeedDefaults(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	menu, _, err := bot.LoadMenu(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	engine := bot.New(menu, bot.Options{KB: st})
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Log: testutil.Logger(t), Static: testutil.StaticFS(),
		Migrations: testutil.MigrationsFS(), Bot: engine})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	testutil.AddUser(t, st, store.RoleSupervisor, "sup@valeverde.example", password)
	c := testutil.NewClient(t, ts)
	c.Login("sup@valeverde.example", password)

	root := engine.Menu().Root
	res := c.PostForm("/robo/no/"+id(root.Children[0].ID), url.Values{"title": {"Água, esgoto e saneamento"}, "action": {"menu"}})
	if res.Status != http.StatusOK {
		t.Fatalf("save: %d %v", res.Status, res.FieldErrors())
	}
	if got := engine.Menu().Root.Children[0].Title; got != "Água, esgoto e saneamento" {
		t.Errorf("the engine still has %q", got)
	}
	res = c.PostForm("/robo/no/"+id(root.ID)+"/filho", url.Values{"title": {"Tchau"}, "action": {"end"}})
	if res.Status != http.StatusOK {
		t.Fatalf("add: %d", res.Status)
	}
	kids := engine.Menu().Root.Children
	if kids[len(kids)-1].Title != "Tchau" {
		t.Errorf("the engine does not have the new option")
	}
}

// testBox posts form to the test box as htmx does and returns the fragment.
func testBox(t *testing.T, c *testutil.Client, path string, form url.Values) (string, int) {
	t.Helper()
	req := url.Values{"csrf_token": {c.CSRFToken()}}
	for k, v := range form {
		req[k] = v
	}
	hreq, _ := http.NewRequest(http.MethodPost, c.BaseURL+path, strings.NewReader(req.Encode()))
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hreq.Header.Set("HX-Request", "true")
	res, err := c.HTTP.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return html.UnescapeString(string(raw)), res.StatusCode
}

// A protocol typed in the test box is answered as its own citizen would see
// it on WhatsApp; an anonymous one stays hidden.
func TestRoboTestBoxLooksProtocolsUp(t *testing.T) {
	e := newMenuEnv(t)
	var contact int64
	if err := e.st.W.QueryRow(`INSERT INTO contacts (wa_id, profile_name, created_at, updated_at) VALUES ('5517999990000', 'Maria', 1, 1) RETURNING id`).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	open, err := e.st.OpenTicket(ctx, store.NewTicket{ContactID: contact, Kind: bot.KindReclamacao, Subject: "Ouvidoria › Reclamação"})
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := e.st.OpenTicket(ctx, store.NewTicket{ContactID: contact, Kind: bot.KindDenuncia, Subject: "Ouvidoria › Denúncia", Identity: store.IdentityAnonima})
	if err != nil {
		t.Fatal(err)
	}
	testBox(t, e.sup, "/robo/testar", url.Values{"texto": {"oi"}})
	body, _ := testBox(t, e.sup, "/robo/testar", url.Values{"texto": {open.Protocol}})
	if last := body[strings.LastIndex(body, "wa-bubble mine"):]; !strings.Contains(last, bot.StatusLabel(store.TicketQueued)) {
		t.Errorf("the lookup does not show the ticket's status:\n%s", last)
	}
	testBox(t, e.sup, "/robo/testar/reiniciar", nil)
	testBox(t, e.sup, "/robo/testar", url.Values{"texto": {"oi"}})
	body, _ = testBox(t, e.sup, "/robo/testar", url.Values{"texto": {hidden.Protocol}})
	if last := body[strings.LastIndex(body, "wa-bubble mine"):]; strings.Contains(last, "Denúncia") || strings.Contains(last, bot.StatusLabel(store.TicketQueued)) {
		t.Errorf("the anonymous ticket shows:\n%s", last)
	}
}
