package kb_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
	"balcao/app/kb"
	"balcao/app/store"
	"balcao/app/testutil"
)

var now = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)

// tricky is an article whose answer has what could break the Markdown form.
var tricky = store.Article{Public: false, Active: true, Theme: "Teste & <tags>", Category: `Aspas "duplas"`,
	Question: "Pergunta: com dois pontos?", Keywords: "a, b",
	Answer: "Título\n---\n\nAntes\n\n---\n\npergunta: isto é resposta\n\n```\n---\n```\n\nFim"}

func sameContent(t *testing.T, got, want []store.Article) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d articles, want %d", len(got), len(want))
	}
	for i := range want {
		w := want[i]
		g := got[i]
		if g.Question != w.Question || g.Answer != strings.TrimSpace(w.Answer) || g.Theme != w.Theme || g.Category != w.Category ||
			g.Keywords != w.Keywords || g.Public != w.Public || g.Active != w.Active {
			t.Errorf("article %d\n got %+v\nwant %+v", i+1, g, w)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	want := append(bot.DefaultArticles(), tricky)
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
		read  func(*bytes.Buffer) ([]store.Article, error)
	}{
		{"json", func(b *bytes.Buffer) error { return kb.WriteJSON(b, want, now) }, func(b *bytes.Buffer) ([]store.Article, error) { return kb.ReadJSON(b) }},
		{"markdown", func(b *bytes.Buffer) error { return kb.WriteMarkdown(b, want, now) }, func(b *bytes.Buffer) ([]store.Article, error) { return kb.ReadMarkdown(b) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf); err != nil {
				t.Fatal(err)
			}
			text := buf.String()
			got, err := c.read(&buf)
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			sameContent(t, got, want)
		})
	}
}

func TestMarkdownShape(t *testing.T) {
	var buf bytes.Buffer
	if err := kb.WriteMarkdown(&buf, []store.Article{tricky}, now); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"<!-- balcao-kb v1, exportada em 2026-03-10T14:00:00Z.",
		"---\npergunta: \"Pergunta: com dois pontos?\"\ntema: \"Teste & <tags>\"\ncategoria: \"Aspas \\\"duplas\\\"\"\n",
		"publico: nao\nativo: sim\n",
		"Título\n----\n", // a --- line of the answer becomes ----
	} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("missing %q in\n%s", w, buf.String())
		}
	}
}

func TestReadMarkdownByHand(t *testing.T) {
	src := `Notas livres antes do primeiro artigo são ignoradas.

---
pergunta: Qual o horário da feira livre?
tema: Abastecimento
palavras-chave: feira, horario
---
Aos **domingos**, das 6h às 12h.

---

Depois de uma linha horizontal, a resposta continua.
---
pergunta: "Onde fica o Paço?"
publico: não
---
Na praça central.
`
	got, err := kb.ReadMarkdown(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Article{
		{Question: "Qual o horário da feira livre?", Theme: "Abastecimento", Keywords: "feira, horario", Public: true, Active: true,
			Answer: "Aos **domingos**, das 6h às 12h.\n\n---\n\nDepois de uma linha horizontal, a resposta continua."},
		{Question: "Onde fica o Paço?", Public: false, Active: true, Answer: "Na praça central."},
	}
	sameContent(t, got, want)
}

func TestReadProblems(t *testing.T) {
	cases := []struct {
		name, src string
		markdown  bool
		want      []string
	}{
		{"not json", `{"format":`, false, []string{"não é um JSON válido"}},
		{"other format", `{"format":"outro","version":1,"articles":[]}`, false, []string{"não é uma base de conhecimento do balcao"}},
		{"future version", `{"format":"balcao-kb","version":9,"articles":[]}`, false, []string{"versão 9"}},
		{"bad articles", `{"format":"balcao-kb","version":1,"articles":[
			{"question":"","answer":"x"},
			{"question":"Tem resposta?","answer":"   "},
			{"question":"Igual?","answer":"a"},
			{"question":"igual ?","answer":"b"},
			{"question":"` + strings.Repeat("q", 301) + `","answer":"a"}]}`, false,
			[]string{"artigo 1: falta a pergunta", "artigo 2 (Tem resposta?): falta a resposta",
				"artigo 4 (igual ?): a mesma pergunta já está no artigo 3", "artigo 5", "passa de 300 caracteres"}},
		{"not utf-8", "\xff\xfe", false, []string{"UTF-8"}},
		{"markdown without articles", "só texto", true, []string{"nenhum artigo encontrado"}},
		{"markdown bad header", "---\npergunta: \"aberta\n---\nresposta", true, []string{"linha 2", "aspas mal fechadas"}},
		{"markdown unknown key", "---\npergunta: Q?\ncor: azul\npublico: talvez\n---\nR", true,
			[]string{"linha 3: chave desconhecida \"cor\"", "linha 4: o valor de \"publico\" deve ser sim ou não"}},
		{"markdown unclosed", "---\npergunta: Q?", true, []string{"não foi fechado"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.markdown {
				_, err = kb.ReadMarkdown(strings.NewReader(c.src))
			} else {
				_, err = kb.ReadJSON(strings.NewReader(c.src))
			}
			var inv *kb.InvalidError
			if !errors.As(err, &inv) || !errors.Is(err, kb.ErrInvalid) {
				t.Fatalf("error %v, want *InvalidError", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in %q", w, err)
				}
			}
		})
	}
}

// Export from one installation, import into another: same search results.
func TestExportImportBetweenInstallations(t *testing.T) {
	ctx := context.Background()
	from := testutil.NewStore(t)
	if err := bot.SeedDefaults(ctx, from, nil); err != nil {
		t.Fatal(err)
	}
	list, err := from.ListArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := kb.WriteMarkdown(&buf, list, now); err != nil {
		t.Fatal(err)
	}
	read, err := kb.ReadMarkdown(&buf)
	if err != nil {
		t.Fatal(err)
	}
	to := testutil.NewStore(t)
	r, err := to.ImportArticles(ctx, read, true)
	if err != nil || r.Created != len(list) {
		t.Fatalf("import %+v, %v", r, err)
	}
	a, _ := from.SearchArticles(ctx, "lampada queimada", 3)
	b, _ := to.SearchArticles(ctx, "lampada queimada", 3)
	if len(a) == 0 || len(b) != len(a) || a[0].Question != b[0].Question {
		t.Errorf("search differs after import: %+v vs %+v", a, b)
	}
	// Importing the same file again changes nothing but updates.
	if r, err := to.ImportArticles(ctx, read, true); err != nil || r.Updated != len(list) || r.Created+r.Deleted != 0 {
		t.Errorf("re-import %+v, %v", r, err)
	}
}
