package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"balcao/app/kb"
	"balcao/app/markdown"
	"balcao/app/store"
	"balcao/app/words"
	"balcao/views"
)

// maxSearchHits bounds the articles a search in the panel lists.
const maxSearchHits = 200

func (s *Server) kbList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := views.KBFilter{Q: strings.TrimSpace(q.Get("q")), Theme: q.Get("tema"), Category: q.Get("categoria"),
		Active: q.Get("ativo"), Sort: q.Get("ordem")}
	v, err := s.kbListView(r, f)
	if err != nil {
		return err
	}
	return views.KBPage(s.page(r, "Base de conhecimento", "conhecimento"), v).Render(r.Context(), w)
}

// kbListView reads the articles that pass f, in f's order.
func (s *Server) kbListView(r *http.Request, f views.KBFilter) (views.KBList, error) {
	all, err := s.store.ListArticles(r.Context())
	if err != nil {
		return views.KBList{}, err
	}
	v := views.KBList{Filter: f, Total: len(all), CanEdit: canEditKB(r)}
	for _, a := range all {
		if a.Theme != "" && !slices.Contains(v.Themes, a.Theme) {
			v.Themes = append(v.Themes, a.Theme)
		}
		if a.Category != "" && !slices.Contains(v.Categories, a.Category) {
			v.Categories = append(v.Categories, a.Category)
		}
	}
	slices.Sort(v.Themes)
	slices.Sort(v.Categories)
	list := all
	if f.Q != "" {
		if list, err = s.searchPanel(r, f.Q, all); err != nil {
			return v, err
		}
	}
	for _, a := range list {
		if (f.Theme == "" || a.Theme == f.Theme) && (f.Category == "" || a.Category == f.Category) &&
			(f.Active == "" || a.Active == (f.Active == "sim")) {
			v.Articles = append(v.Articles, a)
		}
	}
	if f.Sort == "piores" {
		slices.SortStableFunc(v.Articles, func(a, b store.Article) int { return worseFirst(a, b) })
	}
	return v, nil
}

// searchPanel finds text among all: the bot's search first (best first;
// public, active articles), then any other article whose question or
// keywords contain the words, so curators find drafts too.
func (s *Server) searchPanel(r *http.Request, text string, all []store.Article) ([]store.Article, error) {
	hits, err := s.store.SearchArticles(r.Context(), text, maxSearchHits)
	if err != nil {
		return nil, err
	}
	byID := map[int64]store.Article{}
	for _, a := range all {
		byID[a.ID] = a
	}
	var out []store.Article
	seen := map[int64]bool{}
	for _, h := range hits {
		if a, ok := byID[h.ID]; ok {
			out = append(out, a)
			seen[a.ID] = true
		}
	}
	needle := strings.Join(words.Tokens(text), " ")
	for _, a := range all {
		hay := strings.Join(words.Tokens(a.Question+" "+a.Keywords), " ")
		if !seen[a.ID] && needle != "" && strings.Contains(hay, needle) {
			out = append(out, a)
		}
	}
	return out, nil
}

// worseFirst orders articles by their share of "não" answers, most first;
// articles nobody rated come last.
func worseFirst(a, b store.Article) int {
	ra, rb := failRate(a), failRate(b)
	switch {
	case ra > rb:
		return -1
	case ra < rb:
		return 1
	}
	return b.HelpfulNo - a.HelpfulNo
}

func failRate(a store.Article) float64 {
	n := a.HelpfulYes + a.HelpfulNo
	if n == 0 {
		return -1
	}
	return float64(a.HelpfulNo) / float64(n)
}

// canEditKB reports whether the user may change the knowledge base.
func canEditKB(r *http.Request) bool {
	return actor(r).Supervises()
}

func (s *Server) kbNew(w http.ResponseWriter, r *http.Request) error {
	f := views.NewForm()
	f.Values.Set("public", "1")
	f.Values.Set("active", "1")
	return views.KBFormPage(s.page(r, "Novo artigo", "conhecimento"), f, 0, "", preview("")).Render(r.Context(), w)
}

// kbShow is the article's edit form for curators and a read-only page for clerks.
func (s *Server) kbShow(w http.ResponseWriter, r *http.Request) error {
	a, err := s.articleFromPath(r)
	if err != nil {
		return err
	}
	if !canEditKB(r) {
		return views.KBArticlePage(s.page(r, a.Question, "conhecimento"), a, preview(a.Answer)).Render(r.Context(), w)
	}
	return views.KBFormPage(s.page(r, "Editar artigo", "conhecimento"), articleForm(a), a.ID, "", preview(a.Answer)).Render(r.Context(), w)
}

// kbSave creates (no {id} in the path) or updates an article.
func (s *Server) kbSave(w http.ResponseWriter, r *http.Request) error {
	var a store.Article
	title := "Novo artigo"
	if r.PathValue("id") != "" {
		var err error
		if a, err = s.articleFromPath(r); err != nil {
			return err
		}
		title = "Editar artigo"
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	a.Question = strings.Join(strings.Fields(f.Get("question")), " ")
	a.Answer = strings.TrimSpace(strings.ReplaceAll(f.Get("answer"), "\r\n", "\n"))
	a.Theme, a.Category, a.Keywords = f.Trimmed("theme"), f.Trimmed("category"), f.Trimmed("keywords")
	a.Public, a.Active = f.Get("public") == "1", f.Get("active") == "1"
	validateArticle(f, a)
	if !f.Valid() {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.KBFormPage(s.page(r, title, "conhecimento"), f, a.ID, "", preview(a.Answer)).Render(r.Context(), w)
	}
	action := "article.update"
	if a.ID == 0 {
		action = "article.create"
		a, err = s.store.CreateArticle(r.Context(), a)
	} else {
		err = s.store.UpdateArticle(r.Context(), a)
	}
	if err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, action, articleSubject(a.ID), a.Question); err != nil {
		return err
	}
	s.flash(r.Context(), "Artigo “"+a.Question+"” salvo.")
	http.Redirect(w, r, "/conhecimento", http.StatusSeeOther)
	return nil
}

// validateArticle checks an article with the limits of an imported file.
func validateArticle(f *views.Form, a store.Article) {
	switch n := utf8.RuneCountInString(a.Question); {
	case n == 0:
		f.Fail("question", "Escreva a pergunta.")
	case n > kb.MaxQuestion:
		f.Fail("question", "A pergunta pode ter no máximo 300 caracteres.")
	}
	switch n := utf8.RuneCountInString(a.Answer); {
	case n == 0:
		f.Fail("answer", "Escreva a resposta.")
	case n > kb.MaxAnswer:
		f.Fail("answer", "A resposta pode ter no máximo 20.000 caracteres.")
	}
	if utf8.RuneCountInString(a.Theme) > kb.MaxLabel {
		f.Fail("theme", "O tema pode ter no máximo 100 caracteres.")
	}
	if utf8.RuneCountInString(a.Category) > kb.MaxLabel {
		f.Fail("category", "A categoria pode ter no máximo 100 caracteres.")
	}
	if utf8.RuneCountInString(a.Keywords) > kb.MaxKeywords {
		f.Fail("keywords", "As palavras-chave podem ter no máximo 1.000 caracteres.")
	}
}

func (s *Server) kbDelete(w http.ResponseWriter, r *http.Request) error {
	a, err := s.articleFromPath(r)
	if err != nil {
		return err
	}
	err = s.store.DeleteArticle(r.Context(), a.ID)
	if errors.Is(err, store.ErrInUse) {
		w.WriteHeader(http.StatusConflict)
		msg := "Este artigo é a resposta de uma opção do robô e não pode ser excluído. Troque o artigo dessa opção em Robô, ou desative o artigo."
		return views.KBFormPage(s.page(r, "Editar artigo", "conhecimento"), articleForm(a), a.ID, msg, preview(a.Answer)).Render(r.Context(), w)
	}
	if err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "article.delete", articleSubject(a.ID), a.Question); err != nil {
		return err
	}
	s.flash(r.Context(), "Artigo “"+a.Question+"” excluído.")
	http.Redirect(w, r, "/conhecimento", http.StatusSeeOther)
	return nil
}

// kbPreview renders the posted answer as the panel and WhatsApp show it.
func (s *Server) kbPreview(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	return views.KBPreview(preview(f.Get("answer"))).Render(r.Context(), w)
}

func preview(md string) views.KBPreviewView {
	return views.KBPreviewView{HTML: markdown.HTML(md), WhatsApp: markdown.WhatsApp(md)}
}

func (s *Server) articleFromPath(r *http.Request) (store.Article, error) {
	id, err := pathID(r)
	if err != nil {
		return store.Article{}, err
	}
	return s.store.ArticleByID(r.Context(), id)
}

func articleForm(a store.Article) *views.Form {
	f := views.NewForm()
	f.Values.Set("question", a.Question)
	f.Values.Set("answer", a.Answer)
	f.Values.Set("theme", a.Theme)
	f.Values.Set("category", a.Category)
	f.Values.Set("keywords", a.Keywords)
	if a.Public {
		f.Values.Set("public", "1")
	}
	if a.Active {
		f.Values.Set("active", "1")
	}
	return f
}

func articleSubject(id int64) string { return "article:" + strconv.FormatInt(id, 10) }
