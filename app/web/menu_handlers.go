package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"balcao/app/bot"
	"balcao/app/store"
	"balcao/views"
)

// maxNodeTitle bounds a menu option's title (the validation warns far
// earlier, where WhatsApp's lists cut it).
const maxNodeTitle = 100

// robo is the Robô page; ?no= opens a node in the editor.
func (s *Server) robo(w http.ResponseWriter, r *http.Request) error {
	selected, _ := strconv.ParseInt(r.URL.Query().Get("no"), 10, 64)
	v, err := s.roboView(r, selected, nil)
	if err != nil {
		return err
	}
	return views.RoboPage(s.page(r, "Robô", "robo"), v).Render(r.Context(), w)
}

// roboRefused shows the page again with status and a message about the
// action, or with the editor's form f and its errors.
func (s *Server) roboRefused(w http.ResponseWriter, r *http.Request, status int, selected int64, f *views.Form, msg string) error {
	v, err := s.roboView(r, selected, f)
	if err != nil {
		return err
	}
	v.Problem = msg
	w.WriteHeader(status)
	return views.RoboPage(s.page(r, "Robô", "robo"), v).Render(r.Context(), w)
}

// menuNodeSave saves the editor's form for node {id}.
func (s *Server) menuNodeSave(w http.ResponseWriter, r *http.Request) error {
	n, err := s.menuNodeFromPath(r)
	if err != nil {
		return err
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	s.readNodeForm(r.Context(), f, &n)
	if f.Valid() {
		err = s.store.UpdateMenuNode(r.Context(), n)
		if errors.Is(err, store.ErrNotFound) {
			f.Fail("article_id", "O artigo ou o grupo escolhido não existe mais.")
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		return s.roboRefused(w, r, http.StatusUnprocessableEntity, n.ID, f, "")
	}
	return s.menuChanged(w, r, "menu.update", n, "Opção “"+n.Title+"” salva.", n.ID)
}

// menuNodeAdd adds a child to node {id}.
func (s *Server) menuNodeAdd(w http.ResponseWriter, r *http.Request) error {
	parent, err := s.menuNodeFromPath(r)
	if err != nil {
		return err
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	n := store.MenuNode{ParentID: parent.ID, Title: f.Trimmed("title"), Action: f.Get("action")}
	switch {
	case n.Title == "" || utf8.RuneCountInString(n.Title) > maxNodeTitle:
		return s.roboRefused(w, r, http.StatusUnprocessableEntity, parent.ID, nil, "Informe o título da nova opção (até 100 caracteres).")
	case !slices.Contains(store.MenuActions, n.Action):
		return s.roboRefused(w, r, http.StatusUnprocessableEntity, parent.ID, nil, "Escolha a ação da nova opção.")
	case parent.Action != store.MenuActionMenu:
		return s.roboRefused(w, r, http.StatusUnprocessableEntity, parent.ID, nil,
			"Só uma opção que mostra opções pode ter opções dentro. Mude a ação de “"+parent.Title+"” para “Mostrar opções” antes.")
	}
	if n, err = s.store.CreateMenuNode(r.Context(), n); err != nil {
		return err
	}
	return s.menuChanged(w, r, "menu.create", n, "Opção “"+n.Title+"” adicionada. Complete a configuração abaixo.", n.ID)
}

// menuNodeMove moves node {id} up or down among its siblings (direcao), or
// to the end of another menu node's options (pai).
func (s *Server) menuNodeMove(w http.ResponseWriter, r *http.Request) error {
	n, err := s.menuNodeFromPath(r)
	if err != nil {
		return err
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	parent, index := n.ParentID, n.Position
	switch f.Get("direcao") {
	case "cima":
		index--
	case "baixo":
		index++
	default:
		parent, _ = strconv.ParseInt(f.Get("pai"), 10, 64)
		index = 1 << 30
		if p, err := s.store.MenuNodeByID(r.Context(), parent); err != nil || p.Action != store.MenuActionMenu {
			return s.roboRefused(w, r, http.StatusUnprocessableEntity, n.ID, nil, "Escolha uma opção que mostra opções para mover esta para dentro dela.")
		}
	}
	err = s.store.MoveMenuNode(r.Context(), n.ID, parent, index)
	if errors.Is(err, store.ErrConflict) {
		return s.roboRefused(w, r, http.StatusConflict, n.ID, nil, "A opção principal não se move, e uma opção não pode ir para dentro dela mesma.")
	}
	if err != nil {
		return err
	}
	return s.menuChanged(w, r, "menu.move", n, "Opção “"+n.Title+"” movida.", n.ID)
}

// menuNodeDelete removes node {id} and everything under it.
func (s *Server) menuNodeDelete(w http.ResponseWriter, r *http.Request) error {
	n, err := s.menuNodeFromPath(r)
	if err != nil {
		return err
	}
	if n.ParentID == 0 {
		return s.roboRefused(w, r, http.StatusConflict, n.ID, nil, "A opção principal não pode ser removida; remova ou troque as opções dentro dela.")
	}
	if err := s.store.DeleteMenuNode(r.Context(), n.ID); err != nil {
		return err
	}
	return s.menuChanged(w, r, "menu.delete", n, "Opção “"+n.Title+"” removida, com tudo o que estava dentro dela.", n.ParentID)
}

// menuRoot creates the root of an empty menu.
func (s *Server) menuRoot(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.CreateMenuNode(r.Context(), store.MenuNode{Title: "Menu principal", Action: store.MenuActionMenu,
		Message: "Como podemos ajudar? Escolha uma opção:"})
	if errors.Is(err, store.ErrConflict) {
		http.Redirect(w, r, "/robo", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	return s.menuChanged(w, r, "menu.create", n, "Menu principal criado. Adicione as opções.", n.ID)
}

// menuChanged records the change, gives the engine the new menu and shows
// node show.
func (s *Server) menuChanged(w http.ResponseWriter, r *http.Request, action string, n store.MenuNode, msg string, show int64) error {
	if err := s.store.Audit(r.Context(), currentUser(r).ID, action, "menu_node:"+strconv.FormatInt(n.ID, 10), n.Title); err != nil {
		return err
	}
	if err := s.reloadMenu(r.Context()); err != nil {
		return err
	}
	s.flash(r.Context(), msg)
	http.Redirect(w, r, views.RoboURL(show), http.StatusSeeOther)
	return nil
}

// reloadMenu rebuilds the menu from the store and gives it to the engine.
func (s *Server) reloadMenu(ctx context.Context) error {
	if s.bot == nil {
		return nil
	}
	_, err := s.bot.ReloadMenu(ctx, s.store)
	return err
}

func (s *Server) menuNodeFromPath(r *http.Request) (store.MenuNode, error) {
	id, err := pathID(r)
	if err != nil {
		return store.MenuNode{}, err
	}
	return s.store.MenuNodeByID(r.Context(), id)
}

// readNodeForm checks the editor's form and copies it into n.
func (s *Server) readNodeForm(ctx context.Context, f *views.Form, n *store.MenuNode) {
	n.Title, n.Message, n.Keywords = f.Trimmed("title"), strings.TrimSpace(f.Get("message")), f.Trimmed("keywords")
	n.Action, n.ArticleID, n.GroupID = f.Get("action"), 0, 0
	switch l := utf8.RuneCountInString(n.Title); {
	case l == 0:
		f.Fail("title", "Informe o título da opção.")
	case l > maxNodeTitle:
		f.Fail("title", "O título pode ter no máximo 100 caracteres.")
	}
	if !slices.Contains(store.MenuActions, n.Action) {
		f.Fail("action", "Escolha uma ação.")
	}
	var cfg bot.Config
	if n.Action == store.MenuActionArticle {
		n.ArticleID, _ = strconv.ParseInt(f.Get("article_id"), 10, 64)
		if _, err := s.store.ArticleByID(ctx, n.ArticleID); err != nil {
			f.Fail("article_id", "Escolha o artigo da resposta.")
		}
	}
	if slices.Contains([]string{store.MenuActionMenu, store.MenuActionAsk, store.MenuActionHandoff}, n.Action) && f.Get("group_id") != "" {
		n.GroupID, _ = strconv.ParseInt(f.Get("group_id"), 10, 64)
		if _, err := s.store.GroupByID(ctx, n.GroupID); err != nil {
			f.Fail("group_id", "Escolha um grupo de atendimento que existe.")
		}
	}
	if n.Action == store.MenuActionAsk || n.Action == store.MenuActionHandoff {
		cfg.TicketKind = f.Get("ticket_kind")
		if cfg.TicketKind != "" && !slices.Contains(bot.Kinds, cfg.TicketKind) {
			f.Fail("ticket_kind", "Escolha um tipo de protocolo da lista.")
		}
	}
	if n.Action == store.MenuActionAsk {
		cfg.OfferAnonymity = f.Get("offer_anonymity") == "1"
		cfg.Done = strings.TrimSpace(f.Get("done"))
		cfg.Fields = readFields(f)
	}
	n.Config = cfg.String()
}

// readFields reads the rows of an ask node's fields, skipping blank rows.
func readFields(f *views.Form) []bot.Field {
	at := func(name string, i int) string {
		if vs := f.Values[name]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	var out []bot.Field
	keys := map[string]bool{}
	for i := range f.Values["field_key"] {
		fd := bot.Field{Key: at("field_key", i), Label: at("field_label", i), Type: bot.FieldType(at("field_type", i)),
			Optional: at("field_required", i) == "0"}
		if fd.Key == "" && fd.Label == "" {
			continue
		}
		for _, c := range strings.Split(at("field_choices", i), ",") {
			if c = strings.TrimSpace(c); c != "" {
				fd.Options = append(fd.Options, c)
			}
		}
		switch {
		case fd.Key == "" || fd.Label == "":
			f.Fail("fields", "Cada dado precisa de uma chave e de uma pergunta.")
		case keys[fd.Key]:
			f.Fail("fields", "A chave “"+fd.Key+"” aparece duas vezes.")
		case !slices.Contains(bot.FieldTypes, fd.Type):
			f.Fail("fields", "Escolha o tipo de cada dado.")
		case fd.Type == bot.FieldChoice && len(fd.Options) < 2:
			f.Fail("fields", "O dado “"+fd.Key+"” é uma escolha: informe ao menos duas opções, separadas por vírgula.")
		}
		keys[fd.Key] = true
		out = append(out, fd)
	}
	if len(out) == 0 {
		f.Fail("fields", "Informe ao menos um dado para pedir.")
	}
	return out
}

// nodeForm fills the editor's form with n.
func nodeForm(n store.MenuNode) *views.Form {
	f := views.NewForm()
	f.Values.Set("title", n.Title)
	f.Values.Set("message", n.Message)
	f.Values.Set("keywords", n.Keywords)
	f.Values.Set("action", n.Action)
	if n.ArticleID != 0 {
		f.Values.Set("article_id", strconv.FormatInt(n.ArticleID, 10))
	}
	if n.GroupID != 0 {
		f.Values.Set("group_id", strconv.FormatInt(n.GroupID, 10))
	}
	cfg, _ := bot.ParseConfig(n.Config)
	f.Values.Set("ticket_kind", cfg.TicketKind)
	f.Values.Set("done", cfg.Done)
	if cfg.OfferAnonymity {
		f.Values.Set("offer_anonymity", "1")
	}
	for _, fd := range cfg.Fields {
		required := "1"
		if fd.Optional {
			required = "0"
		}
		f.Values.Add("field_key", fd.Key)
		f.Values.Add("field_label", fd.Label)
		f.Values.Add("field_type", string(fd.Type))
		f.Values.Add("field_required", required)
		f.Values.Add("field_choices", strings.Join(fd.Options, ", "))
	}
	return f
}
