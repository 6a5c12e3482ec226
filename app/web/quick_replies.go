package web

import (
	"errors"
	"net/http"
	"strconv"

	"balcao/app/chat"
	"balcao/app/store"
	"balcao/views"
)

// quickReplyProblem is the pt-BR reason a quick reply was refused.
func quickReplyProblem(err error) (string, bool) {
	switch {
	case errors.Is(err, chat.ErrQuickReplyTitle):
		return "Dê um título de até 80 caracteres.", true
	case errors.Is(err, chat.ErrEmpty):
		return "Escreva o texto da resposta.", true
	case errors.Is(err, chat.ErrTooLong):
		return "Texto longo demais: o WhatsApp aceita até 4.096 caracteres.", true
	case errors.Is(err, chat.ErrPlaceholder):
		return "Só as variáveis {nome} e {protocolo} existem; confira o que está entre chaves.", true
	case errors.Is(err, store.ErrNotFound):
		return "Grupo não encontrado.", true
	}
	return "", false
}

// quickRepliesView builds the page with form f (nil: empty).
func (s *Server) quickRepliesView(r *http.Request, f *views.Form, editID int64, problem string) (views.QuickRepliesView, error) {
	list, err := s.store.ListQuickReplies(r.Context())
	if err != nil {
		return views.QuickRepliesView{}, err
	}
	groups, err := s.store.ListGroups(r.Context())
	if err != nil {
		return views.QuickRepliesView{}, err
	}
	if f == nil {
		f = views.NewForm()
	}
	v := views.QuickRepliesView{Form: f, EditID: editID, Problem: problem}
	for _, q := range list {
		group := q.GroupName
		if q.GroupID == 0 {
			group = "Todos os grupos"
		}
		v.List = append(v.List, views.QuickReplyItem{ID: q.ID, Title: q.Title, Body: q.Body, Group: group})
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, views.Option{Value: strconv.FormatInt(g.ID, 10), Label: g.Name})
	}
	return v, nil
}

// quickReplies is the list with an empty form, or (with {id}) the one to edit.
func (s *Server) quickReplies(w http.ResponseWriter, r *http.Request) error {
	f := views.NewForm()
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathInt(r, "id"); err != nil {
			return err
		}
		q, err := s.store.QuickReplyByID(r.Context(), id)
		if err != nil {
			return err
		}
		f.Values.Set("titulo", q.Title)
		f.Values.Set("grupo", strconv.FormatInt(q.GroupID, 10))
		f.Values.Set("texto", q.Body)
	}
	v, err := s.quickRepliesView(r, f, id, "")
	if err != nil {
		return err
	}
	return views.QuickRepliesPage(s.page(r, "Respostas prontas", "atendimentos"), v).Render(r.Context(), w)
}

// quickReplySave creates or (with {id}) updates a quick reply.
func (s *Server) quickReplySave(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathInt(r, "id"); err != nil {
			return err
		}
		if _, err := s.store.QuickReplyByID(r.Context(), id); err != nil {
			return err
		}
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	group, _ := strconv.ParseInt(f.Get("grupo"), 10, 64)
	_, err = s.chat.SaveQuickReply(r.Context(), actor(r), store.QuickReply{ID: id, GroupID: group,
		Title: f.Get("titulo"), Body: f.Get("texto")})
	if problem, ok := quickReplyProblem(err); ok {
		v, verr := s.quickRepliesView(r, f, id, problem)
		if verr != nil {
			return verr
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		return views.QuickRepliesPage(s.page(r, "Respostas prontas", "atendimentos"), v).Render(r.Context(), w)
	}
	if err != nil {
		return err
	}
	s.flash(r.Context(), "Resposta pronta salva.")
	http.Redirect(w, r, "/respostas-prontas", http.StatusSeeOther)
	return nil
}

// quickReplyDelete removes a quick reply.
func (s *Server) quickReplyDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeleteQuickReply(r.Context(), id); err != nil {
		return err
	}
	s.flash(r.Context(), "Resposta pronta excluída.")
	http.Redirect(w, r, "/respostas-prontas", http.StatusSeeOther)
	return nil
}
