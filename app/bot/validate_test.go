package bot_test

import (
	"slices"
	"strings"
	"testing"

	"balcao/app/bot"
	"balcao/app/store"
)

func knownFixture(arts []store.Article) bot.Known {
	k := bot.Known{Articles: map[int64]store.Article{}, Groups: map[int64]bool{}}
	for _, a := range arts {
		k.Articles[a.ID] = a
	}
	for _, id := range testGroups {
		k.Groups[id] = true
	}
	return k
}

func TestDefaultMenuIsValid(t *testing.T) {
	nodes, arts := defaultFixture()
	if problems := bot.Validate(nodes, knownFixture(arts)); len(problems) > 0 {
		t.Errorf("default menu has problems: %v", problems)
	}
	m, _ := bot.BuildMenu(nodes)
	if m.Len() != len(nodes) {
		t.Errorf("menu has %d nodes, want %d", m.Len(), len(nodes))
	}
	// Every option of the default menu fits an interactive list row.
	for _, n := range nodes[1:] {
		if len([]rune(n.Title)) > 24 {
			t.Errorf("title %q is longer than a list row allows", n.Title)
		}
	}
}

func TestValidateFindsProblems(t *testing.T) {
	_, arts := defaultFixture()
	known := knownFixture(arts)
	inactive := arts[0]
	inactive.Active = false
	known.Articles[99] = inactive
	ask := func(c bot.Config) string { return c.String() }
	nodes := []store.MenuNode{
		{ID: 1, Title: "Menu", Action: store.MenuActionMenu, GroupID: 1},
		{ID: 2, ParentID: 1, Title: "Vazio", Action: store.MenuActionMenu},
		{ID: 3, ParentID: 1, Title: "Sem artigo", Action: store.MenuActionArticle},
		{ID: 4, ParentID: 1, Title: "Artigo apagado", Action: store.MenuActionArticle, ArticleID: 500},
		{ID: 5, ParentID: 1, Title: "Artigo inativo", Action: store.MenuActionArticle, ArticleID: 99},
		{ID: 6, ParentID: 1, Title: "Grupo apagado", Action: store.MenuActionHandoff, GroupID: 77},
		{ID: 7, ParentID: 1, Title: "Sem grupo", Action: store.MenuActionHandoff},
		{ID: 8, ParentID: 1, Title: "Formulário vazio", Action: store.MenuActionAsk, GroupID: 1},
		{ID: 9, ParentID: 1, Title: "Campos ruins", Action: store.MenuActionAsk, Config: ask(bot.Config{TicketKind: "festa", Fields: []bot.Field{
			{Key: "a", Label: "A", Type: "telepatia"},
			{Key: "a", Label: "A de novo", Type: bot.FieldText},
			{Key: "", Label: "", Type: bot.FieldText},
			{Key: "c", Label: "Escolha", Type: bot.FieldChoice, Options: []string{"só uma"}},
		}})},
		{ID: 10, ParentID: 1, Title: "Fim com filhos", Action: store.MenuActionEnd},
		{ID: 11, ParentID: 10, Title: "Escondido", Action: store.MenuActionEnd},
		{ID: 12, ParentID: 1, Title: "Um título comprido demais para lista", Action: store.MenuActionLookup},
		{ID: 13, ParentID: 1, Title: "vazio", Action: store.MenuActionEnd},
		{ID: 14, ParentID: 1, Title: "Config quebrada", Action: store.MenuActionEnd, Config: "{oops"},
		{ID: 15, ParentID: 1, Title: "Ação estranha", Action: "dance"},
		// A cycle and an orphan, unreachable from the root.
		{ID: 20, ParentID: 21, Title: "Ciclo A", Action: store.MenuActionMenu},
		{ID: 21, ParentID: 20, Title: "Ciclo B", Action: store.MenuActionMenu},
		{ID: 22, ParentID: 404, Title: "Órfão", Action: store.MenuActionEnd},
		{ID: 23, Title: "Segunda raiz", Action: store.MenuActionMenu},
	}
	got := map[string][]string{}
	for _, p := range bot.Validate(nodes, known) {
		got[p.Title] = append(got[p.Title], string(p.Severity)+": "+p.Message)
	}
	want := map[string]string{
		"Vazio":                                "erro: mostra opções, mas não tem nenhuma sub-opção",
		"Sem artigo":                           "erro: responde com um artigo, mas nenhum artigo foi escolhido",
		"Artigo apagado":                       "erro: o artigo escolhido não existe mais",
		"Artigo inativo":                       "erro: o artigo escolhido está inativo",
		"Grupo apagado":                        "erro: o grupo de atendimento escolhido não existe mais",
		"Sem grupo":                            "aviso: abre atendimento, mas nenhum grupo foi escolhido",
		"Formulário vazio":                     "erro: pede dados, mas não tem nenhum campo",
		"Campos ruins":                         "erro: um campo tem um tipo desconhecido|erro: dois campos usam a mesma chave|erro: um campo está sem chave|erro: um campo de escolha precisa de pelo menos duas opções|erro: o tipo de atendimento é desconhecido",
		"Fim com filhos":                       "erro: tem sub-opções, mas sua ação não mostra opções",
		"Um título comprido demais para lista": "aviso: o título tem mais de 24 caracteres",
		"Menu":                                 "aviso: duas sub-opções têm o mesmo título",
		"Config quebrada":                      "erro: a configuração da ação não pôde ser lida",
		"Ação estranha":                        "erro: a ação é desconhecida",
		"Ciclo A":                              "erro: faz parte de um ciclo",
		"Ciclo B":                              "erro: faz parte de um ciclo",
		"Órfão":                                "erro: não é alcançável a partir do menu principal",
		"Segunda raiz":                         "erro: há mais de um menu principal",
	}
	for title, msgs := range want {
		for _, msg := range strings.Split(msgs, "|") {
			if !slices.ContainsFunc(got[title], func(s string) bool { return strings.HasPrefix(s, msg) }) {
				t.Errorf("%q: missing %q in %q", title, msg, got[title])
			}
		}
	}
	if len(got["Escondido"]) != 0 {
		t.Errorf("child of a leaf reported on its own: %v", got["Escondido"])
	}
	// The problem reads as one pt-BR line for the panel.
	p := bot.Validate(nodes, known)[0]
	if s := p.String(); !strings.HasPrefix(s, "«") {
		t.Errorf("Problem.String() = %q", s)
	}
}

func TestValidateWholeMenu(t *testing.T) {
	if p := bot.Validate(nil, bot.Known{}); len(p) != 0 {
		t.Errorf("empty menu: %v", p)
	}
	p := bot.Validate([]store.MenuNode{{ID: 1, Title: "Raiz", Action: store.MenuActionEnd}}, bot.Known{})
	if len(p) < 2 || p[0].Message != "o menu principal precisa mostrar opções" {
		t.Errorf("root that is not a menu: %v", p)
	}
	nodes := []store.MenuNode{
		{ID: 1, Title: "Menu", Action: store.MenuActionMenu},
		{ID: 2, ParentID: 1, Title: "Fim", Action: store.MenuActionEnd},
	}
	p = bot.Validate(nodes, bot.Known{})
	if len(p) != 1 || p[0].NodeID != 0 || p[0].Severity != bot.SevWarning || !strings.Contains(p[0].Message, "falar com um atendente") {
		t.Errorf("menu without a human group: %v", p)
	}
}
