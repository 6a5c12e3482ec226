package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"balcao/app/bot"
	"balcao/app/store"
	"balcao/app/testutil"
)

// Vocabulary of the synthetic menu and knowledge base.
var (
	benchThemes = []string{"Água e esgoto", "Tributos", "Saúde", "Educação", "Obras", "Trânsito", "Meio ambiente", "Assistência social"}
	benchTopics = []string{"alvará", "matrícula escolar", "vacina", "multa", "calçada", "buraco", "entulho", "cesta básica",
		"transporte escolar", "castração", "feira livre", "cemitério", "habite-se", "certidão negativa", "nota fiscal",
		"dengue", "creche", "iluminação", "praça", "ônibus", "táxi", "licença ambiental", "poda", "esgoto", "hidrômetro"}
	benchVerbs = []string{"pedir", "consultar", "renovar", "cancelar", "agendar", "emitir", "pagar", "contestar"}
	benchWords = strings.Fields(`prefeitura cidadão documento prazo protocolo atendimento secretaria setor
		endereço comprovante requerimento taxa desconto vencimento formulário internet presencial agência horário
		bairro rua avenida responsável cadastro análise resposta dias úteis solicitação serviço municipal`)
)

// benchMenu is a 201-node menu: 8 themes × 8 subjects × 2 leaves (an article
// and a form), plus the root.
func benchMenu(articleIDs []int64) []store.MenuNode {
	form := bot.Config{TicketKind: bot.KindSolicitacao, Fields: []bot.Field{
		{Key: "descricao", Label: "Descreva o pedido.", Type: bot.FieldText},
		{Key: "foto", Label: "Envie uma foto.", Type: bot.FieldMedia, Optional: true},
	}}.String()
	nodes := []store.MenuNode{{ID: 1, Title: "Menu principal", Action: store.MenuActionMenu, GroupID: 1,
		Message: "Como posso ajudar? **Escolha** uma opção:"}}
	next := int64(2)
	add := func(n store.MenuNode) int64 {
		n.ID = next
		next++
		nodes = append(nodes, n)
		return n.ID
	}
	a := 0
	for i, theme := range benchThemes {
		tid := add(store.MenuNode{ParentID: 1, Title: theme, Action: store.MenuActionMenu, GroupID: int64(i + 1),
			Message: "**" + theme + "** — escolha o assunto:", Keywords: strings.ToLower(theme)})
		for j := range 8 {
			topic := benchTopics[(i*8+j)%len(benchTopics)]
			title := fmt.Sprintf("%s %d", topic, i*8+j)
			sid := add(store.MenuNode{ParentID: tid, Title: title, Action: store.MenuActionMenu, Keywords: topic + ", " + benchVerbs[j]})
			add(store.MenuNode{ParentID: sid, Title: "Como " + benchVerbs[j], Action: store.MenuActionArticle, ArticleID: articleIDs[a%len(articleIDs)]})
			add(store.MenuNode{ParentID: sid, Title: "Registrar pedido", Action: store.MenuActionAsk, GroupID: int64(i + 1), Config: form})
			a++
		}
	}
	return nodes
}

// benchArticles are the default articles plus synthetic ones, n in all.
func benchArticles(n int) []store.Article {
	out := bot.DefaultArticles()
	for i := len(out); i < n; i++ {
		topic := benchTopics[i%len(benchTopics)]
		verb := benchVerbs[(i/len(benchTopics))%len(benchVerbs)]
		var answer strings.Builder
		for k := range 60 {
			answer.WriteString(benchWords[(i*7+k*3)%len(benchWords)] + " ")
			if k%12 == 11 {
				answer.WriteString("\n\n- **item** ")
			}
		}
		out = append(out, store.Article{Public: true, Active: true, Theme: benchThemes[i%len(benchThemes)],
			Category: topic, Question: fmt.Sprintf("Como %s %s (caso %d)?", verb, topic, i),
			Answer: answer.String(), Keywords: topic + ", " + verb})
	}
	for i := range out {
		out[i].ID = int64(i + 1)
		out[i].UpdatedAt = 1
	}
	return out
}

// benchCases are messages decided from a session, covering each kind of work.
func benchCases(m *bot.Menu) []struct {
	name string
	s    bot.Session
	in   bot.Input
} {
	ts := testStart.UnixMilli()
	theme := m.Root.Children[3]
	return []struct {
		name string
		s    bot.Session
		in   bot.Input
	}{
		{"new conversation", bot.Session{}, txt("oi")},
		{"number at a menu", bot.Session{Node: m.Root.ID, Mode: bot.ModeMenu, LastActivity: ts}, txt("4")},
		{"words of a deep option", bot.Session{Node: m.Root.ID, Mode: bot.ModeMenu, LastActivity: ts}, txt("quero agendar vacina")},
		{"free text to the KB", bot.Session{Node: theme.ID, Mode: bot.ModeMenu, LastActivity: ts}, txt("segunda via da conta de agua")},
		{"nothing found", bot.Session{Node: theme.ID, Mode: bot.ModeMenu, LastActivity: ts}, txt("xyzzy plugh quux")},
		{"article by tap", bot.Session{Node: theme.ID, Mode: bot.ModeMenu, LastActivity: ts},
			bot.Input{Type: bot.TypeInteractive, ReplyID: fmt.Sprintf("n:%d", theme.Children[0].Children[0].ID)}},
		{"form field", bot.Session{Node: theme.Children[0].Children[1].ID, Mode: bot.ModeField, LastActivity: ts},
			txt("A calçada em frente ao número 120 está quebrada há meses.")},
		{"4096-character text", bot.Session{Node: m.Root.ID, Mode: bot.ModeMenu, LastActivity: ts},
			txt(strings.Repeat("preciso de ajuda com a multa de trânsito ", 100)[:4096])},
	}
}

func benchEngine(b *testing.B, kb bot.KB, articles []store.Article) (*bot.Engine, *bot.Menu) {
	ids := make([]int64, len(articles))
	for i, a := range articles {
		ids[i] = a.ID
	}
	m, problems := bot.BuildMenu(benchMenu(ids))
	if len(problems) > 0 || m.Len() < 200 {
		b.Fatalf("bench menu: %d nodes, %v", m.Len(), problems)
	}
	return bot.New(m, bot.Options{KB: kb, Protocols: testProto, Groups: fakeGroups{}}), m
}

func runBench(b *testing.B, e *bot.Engine, m *bot.Menu) {
	for _, c := range benchCases(m) {
		b.Run(c.name, func(b *testing.B) {
			in := c.in
			in.Now = testStart.Add(60_000)
			if d := e.Decide(context.Background(), c.s, in); len(d.Replies) == 0 || len(d.Errs) > 0 {
				b.Fatalf("decision %+v", d)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Decide(context.Background(), c.s, in)
			}
		})
	}
}

// BenchmarkDecide: a 201-node menu and a 2,000-article knowledge base, with
// the in-memory KB and with the real SQLite FTS5 store.
func BenchmarkDecide(b *testing.B) {
	arts := benchArticles(2000)
	b.Run("memory", func(b *testing.B) {
		e, m := benchEngine(b, newMemKB(arts), arts)
		runBench(b, e, m)
	})
	b.Run("sqlite", func(b *testing.B) {
		st := testutil.NewStore(b)
		if _, err := st.ImportArticles(context.Background(), arts, false); err != nil {
			b.Fatal(err)
		}
		stored, err := st.ListArticles(context.Background())
		if err != nil || len(stored) != 2000 {
			b.Fatalf("%d articles, %v", len(stored), err)
		}
		e, m := benchEngine(b, st, stored)
		runBench(b, e, m)
	})
}
