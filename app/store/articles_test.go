package store_test

import (
	"errors"
	"slices"
	"testing"

	"balcao/app/bot"
	"balcao/app/store"
	"balcao/app/testutil"
)

func mustArticle(t *testing.T, st *store.Store, a store.Article) store.Article {
	t.Helper()
	a, err := st.CreateArticle(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestArticles(t *testing.T) {
	st := testutil.NewStore(t)
	a := mustArticle(t, st, store.Article{Public: true, Active: true, Theme: "Tributos", Category: "IPTU",
		Question: "Como emitir o IPTU?", Answer: "No **site**.", Keywords: "iptu, imposto"})
	b := mustArticle(t, st, store.Article{Public: false, Active: true, Theme: "Água e esgoto", Category: "Corte",
		Question: "Procedimento interno de corte", Answer: "Só para atendentes."})
	if a.ID == 0 || a.CreatedAt == 0 || a.UpdatedAt != a.CreatedAt {
		t.Errorf("created %+v", a)
	}
	got, err := st.ArticleByID(ctx, a.ID)
	if err != nil || got != a {
		t.Errorf("ArticleByID = %+v, %v; want %+v", got, err, a)
	}
	if _, err := st.ArticleByID(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing article: %v", err)
	}
	// Água sorts before Tributos (accents folded, as a reader expects).
	list, err := st.ListArticles(ctx)
	if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Errorf("ListArticles = %+v, %v", list, err)
	}
	a.Question, a.Active = "Como emitir a segunda via do IPTU?", false
	if err := st.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ArticleByID(ctx, a.ID); got.Question != a.Question || got.Active {
		t.Errorf("after update %+v", got)
	}
	if err := st.UpdateArticle(ctx, store.Article{ID: 999, Question: "x", Answer: "y"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	if _, err := st.CreateArticle(ctx, store.Article{Question: " ", Answer: "x"}); err == nil {
		t.Error("article without a question was stored")
	}

	for _, helpful := range []bool{true, true, false} {
		if err := st.RecordArticleFeedback(ctx, a.ID, helpful); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := st.ArticleByID(ctx, a.ID); got.HelpfulYes != 2 || got.HelpfulNo != 1 {
		t.Errorf("feedback counters %d/%d, want 2/1", got.HelpfulYes, got.HelpfulNo)
	}
	if err := st.RecordArticleFeedback(ctx, 999, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("feedback on a missing article: %v", err)
	}

	if err := st.DeleteArticle(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteArticle(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestDeleteArticleUsedByMenu(t *testing.T) {
	st := testutil.NewStore(t)
	a := mustArticle(t, st, store.Article{Public: true, Active: true, Question: "Q?", Answer: "A."})
	root := mustNode(t, st, store.MenuNode{Title: "Menu", Action: store.MenuActionMenu})
	mustNode(t, st, store.MenuNode{ParentID: root.ID, Title: "Q", Action: store.MenuActionArticle, ArticleID: a.ID})
	if err := st.DeleteArticle(ctx, a.ID); !errors.Is(err, store.ErrInUse) {
		t.Errorf("delete an article the menu shows: %v, want ErrInUse", err)
	}
}

// seededArticles stores the default knowledge base and returns the id of
// each default article by its question.
func seededArticles(t testing.TB, st *store.Store) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, a := range bot.DefaultArticles() {
		a, err := st.CreateArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		ids[a.Question] = a.ID
	}
	return ids
}

func TestSearchArticlesRanksTheRightArticle(t *testing.T) {
	st := testutil.NewStore(t)
	ids := seededArticles(t, st)
	cases := []struct {
		query, want string
	}{
		{"segunda via agua", "Como tirar a segunda via da conta de água?"},
		{"segunda via da água", "Como tirar a segunda via da conta de água?"},
		{"Quero a 2ª via da minha conta de água!", "Como tirar a segunda via da conta de água?"},
		{"lampada queimada", "Como pedir o conserto de lâmpada queimada ou poste apagado?"},
		{"LÂMPADAS QUEIMADAS", "Como pedir o conserto de lâmpada queimada ou poste apagado?"},
		{"poste apagado na minha rua", "Como pedir o conserto de lâmpada queimada ou poste apagado?"},
		{"vazamento na rua", "O que fazer quando há vazamento de água na rua?"},
		{"cano estourado", "O que fazer quando há vazamento de água na rua?"},
		{"religacao", "Minha água foi cortada. Como pedir a religação?"},
		{"segunda via iptu", "Como emitir a segunda via do IPTU?"},
		{"denuncia anonima", "Posso fazer uma denúncia anônima?"},
		{"prazo da ouvidoria", "Qual é o prazo de resposta da Ouvidoria?"},
		{"agendar consulta no posto", "Como agendar consulta na Unidade Básica de Saúde (UBS)?"},
		{"poda de arvore", "Como pedir a poda ou a remoção de uma árvore?"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			hits, err := st.SearchArticles(ctx, c.query, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].ID != ids[c.want] {
				t.Errorf("SearchArticles(%q) = %+v, want %q first", c.query, hits, c.want)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("hits not best first: %+v", hits)
				}
			}
		})
	}
}

func TestSearchArticlesEdgeCases(t *testing.T) {
	st := testutil.NewStore(t)
	ids := seededArticles(t, st)
	for _, q := range []string{"", "quero a minha", "😀👍", "xyzzy", `"`, `* OR AND NOT NEAR( ) : ^ -x +y`, "a"} {
		hits, err := st.SearchArticles(ctx, q, 3)
		if err != nil || len(hits) != 0 {
			t.Errorf("SearchArticles(%q) = %+v, %v; want nothing", q, hits, err)
		}
	}
	// FTS syntax in a real question is only words.
	if hits, err := st.SearchArticles(ctx, `lampada" OR "x* NEAR(queimada)`, 3); err != nil || len(hits) == 0 {
		t.Errorf("query with FTS syntax: %+v, %v", hits, err)
	}
	// A 4,096-character message is searched by its first words, quickly.
	long := "vazamento na rua "
	for len(long) < 4096 {
		long += "blá "
	}
	if hits, err := st.SearchArticles(ctx, long, 3); err != nil || len(hits) == 0 || hits[0].ID != ids["O que fazer quando há vazamento de água na rua?"] {
		t.Errorf("long message: %+v, %v", hits, err)
	}
	if hits, _ := st.SearchArticles(ctx, "lampada", 0); len(hits) != 0 {
		t.Errorf("limit 0: %+v", hits)
	}

	// Inactive and non-public articles are not offered; edits are indexed at once.
	id := ids["Como pedir o conserto de lâmpada queimada ou poste apagado?"]
	a, _ := st.ArticleByID(ctx, id)
	a.Active = false
	if err := st.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if hits, _ := st.SearchArticles(ctx, "lampada queimada", 3); slices.ContainsFunc(hits, func(h store.ArticleHit) bool { return h.ID == id }) {
		t.Errorf("inactive article offered: %+v", hits)
	}
	a.Active, a.Public, a.Keywords = true, true, "girafa"
	if err := st.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if hits, _ := st.SearchArticles(ctx, "girafas", 3); len(hits) != 1 || hits[0].ID != id {
		t.Errorf("new keyword not indexed: %+v", hits)
	}
	if err := st.RecordArticleFeedback(ctx, id, true); err != nil { // does not touch the index
		t.Fatal(err)
	}
	if err := st.DeleteArticle(ctx, id); err != nil {
		t.Fatal(err)
	}
	if hits, _ := st.SearchArticles(ctx, "girafa", 3); len(hits) != 0 {
		t.Errorf("deleted article still found: %+v", hits)
	}
	var n int
	if err := st.R.QueryRow(`SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'girafa'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("index still has the deleted article: %d, %v", n, err)
	}
	if err := st.R.QueryRow(`SELECT count(*) FROM articles_fts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ids)-1 {
		t.Errorf("index rows %d, want %d", n, len(ids)-1)
	}
}

func TestSearchExpressions(t *testing.T) {
	cases := []struct{ text, all, some string }{
		{"segunda via agua", `"segund"* AND "via"* AND "agua"*`,
			`("segund"* AND "via"*) OR ("segund"* AND "agua"*) OR ("via"* AND "agua"*)`},
		{"lâmpadas queimadas", `"lampad"* AND "queimad"*`, `"lampad"* OR "queimad"*`},
		{"iptu", `"iptu"*`, ""},
		{"2 via", `"2" AND "via"*`, `"2" OR "via"*`},
		{`x" OR 1=1 --`, `"or" AND "1"`, `"or" OR "1"`},
		{"de que a o minha", "", ""},
	}
	for _, c := range cases {
		all, some := store.SearchExpressions(c.text)
		if all != c.all || some != c.some {
			t.Errorf("SearchExpressions(%q) = %q, %q; want %q, %q", c.text, all, some, c.all, c.some)
		}
	}
}

func TestImportArticles(t *testing.T) {
	st := testutil.NewStore(t)
	keep := mustArticle(t, st, store.Article{Public: true, Active: true, Question: "Como emitir o IPTU?", Answer: "Antiga."})
	drop := mustArticle(t, st, store.Article{Public: true, Active: true, Question: "Pergunta velha?", Answer: "Velha."})
	if err := st.RecordArticleFeedback(ctx, keep.ID, true); err != nil {
		t.Fatal(err)
	}
	file := []store.Article{
		{Public: true, Active: true, Question: "como EMITIR o  iptu?", Answer: "Nova.", Theme: "Tributos"},
		{Public: true, Active: true, Question: "Pergunta nova?", Answer: "Nova."},
	}
	r, err := st.ImportArticles(ctx, file, false)
	if err != nil || r != (store.ImportResult{Created: 1, Updated: 1}) {
		t.Fatalf("merge import = %+v, %v", r, err)
	}
	got, _ := st.ArticleByID(ctx, keep.ID)
	if got.Answer != "Nova." || got.Theme != "Tributos" || got.HelpfulYes != 1 {
		t.Errorf("matched article after import: %+v (counters must stay)", got)
	}
	if _, err := st.ArticleByID(ctx, drop.ID); err != nil {
		t.Errorf("merge deleted an article: %v", err)
	}
	if hits, _ := st.SearchArticles(ctx, "pergunta nova", 3); len(hits) != 1 {
		t.Errorf("imported article not searchable: %+v", hits)
	}

	// Replace: the article absent from the file goes, unless the menu uses it.
	root := mustNode(t, st, store.MenuNode{Title: "Menu", Action: store.MenuActionMenu})
	used := mustNode(t, st, store.MenuNode{ParentID: root.ID, Title: "Velha", Action: store.MenuActionArticle, ArticleID: drop.ID})
	if _, err := st.ImportArticles(ctx, file, true); !errors.Is(err, store.ErrInUse) {
		t.Errorf("replace dropping an article the menu uses: %v, want ErrInUse", err)
	}
	if list, _ := st.ListArticles(ctx); len(list) != 3 {
		t.Errorf("failed import changed the base: %d articles", len(list))
	}
	if err := st.DeleteMenuNode(ctx, used.ID); err != nil {
		t.Fatal(err)
	}
	r, err = st.ImportArticles(ctx, file, true)
	if err != nil || r != (store.ImportResult{Updated: 2, Deleted: 1}) {
		t.Errorf("replace import = %+v, %v", r, err)
	}
	// A row the schema refuses fails the whole import.
	bad := append(slices.Clone(file), store.Article{Question: "Sem resposta?", Answer: ""})
	if _, err := st.ImportArticles(ctx, bad, true); err == nil {
		t.Error("import with an empty answer succeeded")
	}
	if list, _ := st.ListArticles(ctx); len(list) != 2 {
		t.Errorf("failed import left %d articles, want 2", len(list))
	}
}
