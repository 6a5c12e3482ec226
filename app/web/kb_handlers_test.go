package web_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"balcao/app/bot"
	"balcao/app/kb"
	"balcao/app/store"
	"balcao/app/testutil"
)

// articleCount is how many articles the store holds.
func articleCount(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.R.QueryRow(`SELECT count(*) FROM articles`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// kbDigest is every article's content, to tell whether anything was written.
func kbDigest(t *testing.T, st *store.Store) string {
	t.Helper()
	var s string
	err := st.R.QueryRow(`SELECT coalesce(group_concat(id || question || answer || theme || category || keywords || public || active || updated_at, '|'), '') FROM articles`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addArticle(t *testing.T, st *store.Store, question, answer string) store.Article {
	t.Helper()
	a, err := st.CreateArticle(ctx, store.Article{Question: question, Answer: answer, Theme: "Água e esgoto",
		Category: "Contas", Keywords: "segunda via, boleto", Public: true, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestKBSave(t *testing.T) {
	long := strings.Repeat("á", 301)
	valid := url.Values{"question": {"Como tiro a segunda via da conta de água?"}, "answer": {"Acesse *o site* ou venha ao SAAE."},
		"theme": {"Água e esgoto"}, "category": {"Contas"}, "keywords": {"segunda via, boleto"}, "public": {"1"}, "active": {"1"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range valid {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	cases := []struct {
		name   string
		edit   bool
		form   url.Values
		status int
		field  string
		msg    string
	}{
		{"create", false, valid, http.StatusOK, "", ""},
		{"update", true, valid, http.StatusOK, "", ""},
		{"no question", false, with("question", "  "), http.StatusUnprocessableEntity, "question", "Escreva a pergunta."},
		{"long question", true, with("question", long), http.StatusUnprocessableEntity, "question", "no máximo 300"},
		{"no answer", false, with("answer", "\n"), http.StatusUnprocessableEntity, "answer", "Escreva a resposta."},
		{"long theme", false, with("theme", strings.Repeat("x", 101)), http.StatusUnprocessableEntity, "theme", "no máximo 100"},
		{"long category", true, with("category", strings.Repeat("x", 101)), http.StatusUnprocessableEntity, "category", "no máximo 100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newAdminEnv(t)
			old := addArticle(t, e.st, "Pergunta antiga?", "Resposta antiga.")
			before := kbDigest(t, e.st)
			path := "/conhecimento"
			if c.edit {
				path = "/conhecimento/" + id(old.ID)
			}
			res := e.c.PostForm(path, c.form)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d; errors %v", res.Status, c.status, res.FieldErrors())
			}
			if c.field != "" {
				if got := res.FieldError(c.field); !strings.Contains(got, c.msg) {
					t.Errorf("error next to %s = %q, want %q (all %v)", c.field, got, c.msg, res.FieldErrors())
				}
				if len(res.FieldErrors()) != 1 {
					t.Errorf("errors %v, want only %s", res.FieldErrors(), c.field)
				}
				if after := kbDigest(t, e.st); after != before {
					t.Errorf("articles changed on a refused form")
				}
				return
			}
			if res.URL.Path != "/conhecimento" || !strings.Contains(res.Flash(), "salvo") {
				t.Errorf("landed on %s with flash %q", res.URL.Path, res.Flash())
			}
			list, _ := e.st.ListArticles(ctx)
			want := 2
			if c.edit {
				want = 1
			}
			if len(list) != want {
				t.Fatalf("%d articles, want %d", len(list), want)
			}
			found := false
			for _, a := range list {
				if a.Question == valid.Get("question") && a.Answer == valid.Get("answer") && a.Public && a.Active && a.Theme == "Água e esgoto" {
					found = true
				}
			}
			if !found {
				t.Errorf("saved article not found in %+v", list)
			}
		})
	}
}

func TestKBListSearchAndFeedback(t *testing.T) {
	e := newAdminEnv(t)
	good := addArticle(t, e.st, "Como tiro a segunda via da conta de água?", "No site.")
	bad := addArticle(t, e.st, "Como peço religação de água?", "Pague e peça.")
	draft, _ := e.st.CreateArticle(ctx, store.Article{Question: "Rascunho sobre iluminação", Answer: "x", Theme: "Iluminação"})
	for range 3 {
		_ = e.st.RecordArticleFeedback(ctx, good.ID, true)
		_ = e.st.RecordArticleFeedback(ctx, bad.ID, false)
	}
	_ = e.st.RecordArticleFeedback(ctx, bad.ID, true)

	cases := []struct {
		name     string
		query    string
		want     []string // questions in order
		notWant  []string
		contains string
	}{
		{"all", "", []string{bad.Question, good.Question, draft.Question}, nil, "Resolveu: sim 1 / não 3"},
		{"search", "?q=religacao", []string{bad.Question}, []string{good.Question}, ""},
		{"search finds drafts", "?q=iluminacao", []string{draft.Question}, []string{good.Question}, ""},
		{"theme", "?tema=Ilumina%C3%A7%C3%A3o", []string{draft.Question}, []string{good.Question}, ""},
		{"inactive", "?ativo=nao", []string{draft.Question}, []string{bad.Question}, ""},
		{"worst first", "?ordem=piores", []string{bad.Question, good.Question, draft.Question}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.c.Get("/conhecimento" + c.query)
			if res.Status != http.StatusOK {
				t.Fatalf("status %d", res.Status)
			}
			body := html.UnescapeString(res.Body)
			at := 0
			for _, q := range c.want {
				i := strings.Index(body[at:], ">"+q+"<")
				if i < 0 {
					t.Fatalf("%q missing or out of order", q)
				}
				at += i
			}
			for _, q := range c.notWant {
				if strings.Contains(body, ">"+q+"<") {
					t.Errorf("%q listed", q)
				}
			}
			if !strings.Contains(body, c.contains) {
				t.Errorf("page lacks %q", c.contains)
			}
		})
	}
}

// The preview renders Markdown for the panel without letting HTML or scripts
// through, and shows the WhatsApp text beside it.
func TestKBPreviewEscapes(t *testing.T) {
	e := newAdminEnv(t)
	md := "**Atenção**: <script>alert(1)</script> <img src=x onerror=alert(2)> [clique](javascript:alert(3))"
	res := e.c.PostForm("/conhecimento/previa", url.Values{"answer": {md}})
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	panel, _, _ := strings.Cut(res.Body, "Prévia no WhatsApp")
	for _, bad := range []string{"<script", "onerror", "javascript:", "<img"} {
		if strings.Contains(panel, bad) {
			t.Errorf("preview lets %q through: %s", bad, res.Body)
		}
	}
	if !strings.Contains(res.Body, "<strong>Atenção</strong>") {
		t.Errorf("no bold in the panel preview: %s", res.Body)
	}
	if !strings.Contains(res.Body, `id="previa-whatsapp">*Atenção*`) {
		t.Errorf("no WhatsApp bold in the preview: %s", res.Body)
	}
	if strings.Contains(res.Body, "<html") {
		t.Error("the preview is a fragment, not a page")
	}
}

func TestKBDelete(t *testing.T) {
	e := newAdminEnv(t)
	free := addArticle(t, e.st, "Livre?", "Sim.")
	used := addArticle(t, e.st, "Usado?", "Sim.")
	if _, err := e.st.ReplaceMenu(ctx, store.MenuTree{Node: store.MenuNode{Title: "Início", Action: store.MenuActionMenu},
		Children: []store.MenuTree{{Node: store.MenuNode{Title: "Usado", Action: store.MenuActionArticle, ArticleID: used.ID}}}}); err != nil {
		t.Fatal(err)
	}
	res := e.c.PostForm("/conhecimento/"+id(used.ID)+"/excluir", nil)
	if res.Status != http.StatusConflict || !strings.Contains(html.UnescapeString(res.Body), "resposta de uma opção do robô") {
		t.Errorf("deleting a used article: status %d", res.Status)
	}
	res = e.c.PostForm("/conhecimento/"+id(free.ID)+"/excluir", nil)
	if res.Status != http.StatusOK || !strings.Contains(res.Flash(), "excluído") {
		t.Errorf("deleting a free article: status %d flash %q", res.Status, res.Flash())
	}
	if n := articleCount(t, e.st); n != 1 {
		t.Errorf("%d articles left, want 1", n)
	}
}

// postFile uploads content as field arquivo named name (no file when name
// is ""), with the CSRF token.
func postFile(t *testing.T, c *testutil.Client, path, name, content string, extra url.Values) testutil.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", c.CSRFToken())
	for k, vs := range extra {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("arquivo", name)
		_, _ = io.WriteString(fw, content)
	}
	_ = mw.Close()
	res, err := c.HTTP.Post(c.BaseURL+path, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return testutil.Response{Status: res.StatusCode, Header: res.Header, Body: string(b), URL: res.Request.URL}
}

func TestKBImport(t *testing.T) {
	var good bytes.Buffer
	if err := kb.WriteJSON(&good, bot.DefaultArticles(), time.Now()); err != nil {
		t.Fatal(err)
	}
	badJSON := `{"format":"balcao-kb","version":1,"articles":[{"question":"","answer":"x"},{"question":"Sem resposta?","answer":""}]}`
	cases := []struct {
		name, file, content string
		status              int
		want                []string
	}{
		{"json", "base.json", good.String(), http.StatusOK, []string{"Base importada"}},
		{"problems listed", "base.json", badJSON, http.StatusUnprocessableEntity, []string{"artigo 1: falta a pergunta", "artigo 2 (Sem resposta?): falta a resposta", "nada foi alterado"}},
		{"not json", "base.json", "isto não é json", http.StatusUnprocessableEntity, []string{"nada foi alterado"}},
		{"no file", "", "", http.StatusUnprocessableEntity, []string{"Escolha um arquivo"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newAdminEnv(t)
			addArticle(t, e.st, "Já existe?", "Sim.")
			before := kbDigest(t, e.st)
			res := postFile(t, e.c, "/conhecimento/importar", c.file, c.content, nil)
			if res.Status != c.status {
				t.Fatalf("status %d, want %d: %s", res.Status, c.status, res.Body)
			}
			body := html.UnescapeString(res.Body)
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if c.status != http.StatusOK {
				if kbDigest(t, e.st) != before {
					t.Error("a refused import wrote articles")
				}
				return
			}
			if n := articleCount(t, e.st); n != len(bot.DefaultArticles())+1 {
				t.Errorf("%d articles after import, want %d", n, len(bot.DefaultArticles())+1)
			}
		})
	}
}

// What one installation exports, another imports to the same content, in
// both formats.
func TestKBExportImportRoundTrip(t *testing.T) {
	for _, format := range []string{"json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			from := newAdminEnv(t)
			if _, err := from.st.ImportArticles(ctx, bot.DefaultArticles(), false); err != nil {
				t.Fatal(err)
			}
			addArticle(t, from.st, "Tem *Markdown* <b>e</b> \"aspas\"?", "- um\n- dois\n\n```\ncódigo\n```")
			res := from.c.Get("/conhecimento/exportar?formato=" + format)
			if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("export: status %d, disposition %q", res.Status, res.Header.Get("Content-Disposition"))
			}
			to := newAdminEnv(t)
			name := map[string]string{"json": "base.json", "markdown": "base.md"}[format]
			if res := postFile(t, to.c, "/conhecimento/importar", name, res.Body, nil); res.Status != http.StatusOK {
				t.Fatalf("import: status %d: %s", res.Status, res.Body)
			}
			a, _ := from.st.ListArticles(ctx)
			b, _ := to.st.ListArticles(ctx)
			if len(a) != len(b) {
				t.Fatalf("%d articles exported, %d imported", len(a), len(b))
			}
			for i := range a {
				if a[i].Question != b[i].Question || a[i].Answer != b[i].Answer || a[i].Theme != b[i].Theme ||
					a[i].Category != b[i].Category || a[i].Keywords != b[i].Keywords || a[i].Public != b[i].Public || a[i].Active != b[i].Active {
					t.Errorf("article %d differs:\n%+v\n%+v", i, a[i], b[i])
				}
			}
		})
	}
}

// Clerks read and search the base; only supervisors and admins change it.
func TestKBClerkReadsOnly(t *testing.T) {
	e := newAdminEnv(t)
	a := addArticle(t, e.st, "Como tiro a segunda via?", "No *site*.")
	clerk := e.as(t, store.RoleAgent, "clerk@valeverde.example")
	for _, path := range []string{"/conhecimento", "/conhecimento?q=segunda", "/conhecimento/" + id(a.ID), "/conhecimento/exportar"} {
		if res := clerk.Get(path); res.Status != http.StatusOK {
			t.Errorf("clerk GET %s: %d", path, res.Status)
		}
	}
	if res := clerk.Get("/conhecimento/" + id(a.ID)); strings.Contains(res.Body, `name="question"`) || !strings.Contains(res.Body, "<em>site</em>") {
		t.Error("clerk sees an edit form, or not the rendered answer")
	}
	if res := clerk.Get("/conhecimento/novo"); res.Status != http.StatusForbidden {
		t.Errorf("clerk GET novo: %d", res.Status)
	}
	before := kbDigest(t, e.st)
	form := url.Values{"question": {"Invasão?"}, "answer": {"x"}}
	for _, path := range []string{"/conhecimento", "/conhecimento/" + id(a.ID), "/conhecimento/" + id(a.ID) + "/excluir", "/conhecimento/previa"} {
		if res := clerk.PostForm(path, form); res.Status != http.StatusForbidden {
			t.Errorf("clerk POST %s: %d, want 403", path, res.Status)
		}
	}
	if res := postFile(t, clerk, "/conhecimento/importar", "base.json", `{}`, nil); res.Status != http.StatusForbidden {
		t.Errorf("clerk import: %d, want 403", res.Status)
	}
	if kbDigest(t, e.st) != before {
		t.Error("a clerk changed the base")
	}
}

// Every POST of the base refuses a request without the session's token.
func TestKBCSRF(t *testing.T) {
	e := newAdminEnv(t)
	a := addArticle(t, e.st, "Pergunta?", "Resposta.")
	before := kbDigest(t, e.st)
	for _, path := range []string{"/conhecimento", "/conhecimento/" + id(a.ID), "/conhecimento/" + id(a.ID) + "/excluir",
		"/conhecimento/previa", "/conhecimento/importar"} {
		res := e.c.Post(path, url.Values{"question": {"x"}, "answer": {"y"}, "csrf_token": {"errado"}})
		if res.Status != http.StatusForbidden {
			t.Errorf("POST %s without token: %d, want 403", path, res.Status)
		}
	}
	if kbDigest(t, e.st) != before {
		t.Error("a forged request changed the base")
	}
}
