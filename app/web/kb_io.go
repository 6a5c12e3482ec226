package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"balcao/app/kb"
	"balcao/app/store"
	"balcao/views"
)

// kbExport downloads the whole knowledge base as one JSON or Markdown file.
func (s *Server) kbExport(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.ListArticles(r.Context())
	if err != nil {
		return err
	}
	now := time.Now()
	var buf bytes.Buffer
	name := "base-de-conhecimento-" + now.Format("2006-01-02")
	switch r.URL.Query().Get("formato") {
	case "markdown", "md":
		err = kb.WriteMarkdown(&buf, list, now)
		name += ".md"
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	case "", "json":
		err = kb.WriteJSON(&buf, list, now)
		name += ".json"
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	default:
		return errStatus(http.StatusBadRequest, "Formato desconhecido: use json ou markdown.")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// kbImport reads an uploaded file and makes it the knowledge base; a file
// with problems is refused whole, listing every problem.
func (s *Server) kbImport(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return errStatus(http.StatusBadRequest, "Envie o arquivo pelo formulário de importação.")
	}
	file, fh, err := r.FormFile("arquivo")
	if err != nil {
		return s.kbImportRefused(w, r, []string{"Escolha um arquivo .json ou .md para importar."})
	}
	defer file.Close()
	var list []store.Article
	switch strings.ToLower(path.Ext(fh.Filename)) {
	case ".md", ".markdown", ".txt":
		list, err = kb.ReadMarkdown(file)
	default:
		list, err = kb.ReadJSON(file)
	}
	var invalid *kb.InvalidError
	if errors.As(err, &invalid) {
		return s.kbImportRefused(w, r, invalid.Problems)
	}
	if err != nil {
		return err
	}
	res, err := s.store.ImportArticles(r.Context(), list, r.PostFormValue("substituir") == "1")
	if errors.Is(err, store.ErrInUse) {
		return s.kbImportRefused(w, r, []string{"Um artigo usado por uma opção do robô não está no arquivo; importe sem “substituir” ou troque a opção antes."})
	}
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("%s: %d criados, %d atualizados, %d excluídos", fh.Filename, res.Created, res.Updated, res.Deleted)
	if err := s.store.Audit(r.Context(), currentUser(r).ID, "article.import", "articles", detail); err != nil {
		return err
	}
	s.flash(r.Context(), fmt.Sprintf("Base importada: %d artigos novos, %d atualizados, %d excluídos.", res.Created, res.Updated, res.Deleted))
	http.Redirect(w, r, "/conhecimento", http.StatusSeeOther)
	return nil
}

// kbImportRefused shows the list page with what is wrong with the file.
func (s *Server) kbImportRefused(w http.ResponseWriter, r *http.Request, problems []string) error {
	v, err := s.kbListView(r, views.KBFilter{})
	if err != nil {
		return err
	}
	v.ImportProblems = problems
	w.WriteHeader(http.StatusUnprocessableEntity)
	return views.KBPage(s.page(r, "Base de conhecimento", "conhecimento"), v).Render(r.Context(), w)
}
