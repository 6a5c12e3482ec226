package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"balcao/app/chat"
	"balcao/app/live"
	"balcao/app/store"
	"balcao/views"
)

// listLimit bounds each Atendimentos list.
const listLimit = 200

// maxUploadBytes bounds a multipart request (the largest attachment plus the form).
const maxUploadBytes = chat.MaxDocumentBytes + 1<<20

// fragmentHeader marks an error answer that still carries a fragment to show;
// static/chat.js lets htmx swap it in although the status is 4xx.
const fragmentHeader = "X-Balcao-Fragment"

func actor(r *http.Request) chat.Actor {
	u := currentUser(r)
	return chat.Actor{ID: u.ID, Role: u.Role}
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// chatError turns a chat failure into a status and a pt-BR message.
func chatError(err error, c store.Conversation) (int, string, bool) {
	switch {
	case errors.Is(err, chat.ErrNotAllowed):
		return http.StatusForbidden, "Só quem está com este atendimento (ou um supervisor) pode responder, reenviar ou finalizar.", true
	case errors.Is(err, chat.ErrWindowClosed):
		return http.StatusConflict, "A janela de 24 horas está fechada: o cidadão não escreve há mais de 24 horas, e o WhatsApp só aceita um modelo aprovado. Use o botão do modelo abaixo.", true
	case errors.Is(err, store.ErrTicketTaken):
		who := c.AssigneeName
		if who == "" {
			who = "outra pessoa"
		}
		return http.StatusConflict, "Este atendimento já foi assumido por " + who + ".", true
	case errors.Is(err, store.ErrTicketClosed):
		return http.StatusConflict, "Este atendimento já foi encerrado.", true
	case errors.Is(err, chat.ErrEmpty):
		return http.StatusUnprocessableEntity, "Escreva uma mensagem ou anexe um arquivo.", true
	case errors.Is(err, chat.ErrTooLong):
		return http.StatusUnprocessableEntity, "Texto longo demais: o WhatsApp aceita até 4.096 caracteres numa mensagem e 1.024 na legenda de um arquivo.", true
	case errors.Is(err, chat.ErrMediaType):
		return http.StatusUnsupportedMediaType, "Anexe uma foto (JPEG ou PNG) ou um documento PDF.", true
	case errors.Is(err, chat.ErrMediaSize):
		return http.StatusRequestEntityTooLarge, "Arquivo grande demais: fotos até 5 MB, PDFs até 16 MB.", true
	case errors.Is(err, chat.ErrNoCitizen):
		return http.StatusConflict, "Manifestação anônima: ela não guarda quem a enviou, então não há a quem responder. Registre o andamento em notas internas.", true
	case errors.Is(err, chat.ErrNoTemplate):
		return http.StatusConflict, "Nenhum modelo aprovado configurado (BALCAO_WA_TEMPLATE): avise o administrador.", true
	}
	return workflowError(err)
}

// atendimentos is the page of the two lists.
func (s *Server) atendimentos(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.convLists(r)
	if err != nil {
		return err
	}
	me := agentStatus(currentUser(r))
	return views.AtendimentosPage(s.page(r, "Atendimentos", "atendimentos"), me, lists).Render(r.Context(), w)
}

// atendimentosLists is the live fragment of the two lists.
func (s *Server) atendimentosLists(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.convLists(r)
	if err != nil {
		return err
	}
	return views.ConvListsFragment(views.Page{CSRF: s.csrfToken(r)}, lists).Render(r.Context(), w)
}

func (s *Server) convLists(r *http.Request) (views.ConvLists, error) {
	a := actor(r)
	waiting, err := s.store.WaitingConversations(r.Context(), a.ID, a.Supervises(), listLimit)
	if err != nil {
		return views.ConvLists{}, err
	}
	mine, err := s.store.AssignedConversations(r.Context(), currentUser(r).ID, listLimit)
	if err != nil {
		return views.ConvLists{}, err
	}
	now := time.Now()
	lists := views.ConvLists{Waiting: convItems(waiting, now), Mine: convItems(mine, now)}
	if a.Supervises() {
		if lists.Team, err = s.team(r.Context(), now); err != nil {
			return views.ConvLists{}, err
		}
	}
	return lists, nil
}

// atendimentosEvents streams "fila" and, with ?ticket=N, that conversation's events.
func (s *Server) atendimentosEvents(w http.ResponseWriter, r *http.Request) error {
	ticket := ""
	if id, err := strconv.ParseInt(r.URL.Query().Get("ticket"), 10, 64); err == nil && id > 0 {
		ticket = live.TicketEvent(id)
	}
	sub := s.live.Subscribe(func(name string) bool { return name == live.EventQueue || name == ticket })
	go s.keepSeen(r.Context(), currentUser(r).ID)
	return s.streamHub(w, r, sub)
}

// openChat loads the conversation for the viewer (marking it read when the viewer holds it).
func (s *Server) openChat(r *http.Request) (views.ChatView, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return views.ChatView{}, err
	}
	a := actor(r)
	c, msgs, err := s.chat.Open(r.Context(), a, id)
	if err != nil {
		return views.ChatView{}, err
	}
	return s.chatView(r.Context(), a, c, msgs)
}

// conversation is the page of one conversation.
func (s *Server) conversation(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openChat(r)
	if err != nil {
		return err
	}
	return views.ChatPage(s.page(r, v.Name, "atendimentos"), v).Render(r.Context(), w)
}

// conversationMessages is the live fragment of the history.
func (s *Server) conversationMessages(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openChat(r)
	if err != nil {
		return err
	}
	return views.ChatMessages(views.Page{CSRF: s.csrfToken(r)}, v).Render(r.Context(), w)
}

// conversationActions redraws the actions only when their state changed, so a
// draft is not wiped by every live refresh.
func (s *Server) conversationActions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := s.store.ConversationByTicket(r.Context(), id)
	if err != nil {
		return err
	}
	v, err := s.chatView(r.Context(), actor(r), c, nil)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("estado") == v.StateKey {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return views.ChatActions(views.Page{CSRF: s.csrfToken(r)}, v).Render(r.Context(), w)
}

// chatAction runs one clerk action and answers: for htmx the actions
// fragment (with the error when refused), otherwise a redirect to the
// conversation or the page with the error.
func (s *Server) chatAction(do func(r *http.Request, a chat.Actor, ticketID int64) (notice string, err error)) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		a := actor(r)
		notice, actErr := do(r, a, id)
		c, msgs, err := s.chat.Open(r.Context(), a, id)
		if err != nil {
			return err
		}
		status, msg, known := chatError(actErr, c)
		if actErr != nil && !known {
			return actErr
		}
		if actErr == nil && !isHTMX(r) {
			target := "/atendimentos/" + strconv.FormatInt(id, 10)
			if strings.HasSuffix(r.URL.Path, "/finalizar") {
				target = "/atendimentos"
			}
			s.flash(r.Context(), notice)
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		v, err := s.chatView(r.Context(), a, c, msgs)
		if err != nil {
			return err
		}
		v.Error, v.Notice = msg, notice
		if actErr != nil {
			v.Notice = ""
			v.Text, v.Resolution = r.PostFormValue("texto"), r.PostFormValue("resolucao")
			if status == http.StatusUnprocessableEntity {
				keepExtensionForm(r, &v)
			}
			if errors.Is(actErr, chat.ErrNoResolution) {
				v.Error, v.ResolutionError = "", msg
			}
		}
		if !isHTMX(r) {
			w.WriteHeader(status)
			return views.ChatPage(s.page(r, v.Name, "atendimentos"), v).Render(r.Context(), w)
		}
		w.Header().Set("HX-Trigger", "mensagens")
		if actErr != nil {
			w.Header().Set(fragmentHeader, "1")
			w.WriteHeader(status)
		}
		return views.ChatActions(views.Page{CSRF: s.csrfToken(r)}, v).Render(r.Context(), w)
	}
}

func (s *Server) assume(r *http.Request, a chat.Actor, id int64) (string, error) {
	return "Atendimento assumido. Você já pode responder.", s.chat.Assume(r.Context(), a, id)
}

// finish closes the conversation with the resolution written (field "resolucao").
func (s *Server) finish(r *http.Request, a chat.Actor, id int64) (string, error) {
	return "Atendimento finalizado.", s.chat.Finish(r.Context(), a, id, r.PostFormValue("resolucao"))
}

func (s *Server) sendTemplate(r *http.Request, a chat.Actor, id int64) (string, error) {
	return "Modelo enviado. Quando o cidadão responder, a conversa pode continuar.", s.chat.SendTemplate(r.Context(), a, id)
}

func (s *Server) resend(r *http.Request, a chat.Actor, id int64) (string, error) {
	msgID, err := pathInt(r, "msg")
	if err != nil {
		return "", err
	}
	return "Mensagem posta de novo na fila de envio.", s.chat.Resend(r.Context(), a, id, msgID)
}

// reply sends the text, or the attached photo/PDF with the text as its caption.
func (s *Server) reply(r *http.Request, a chat.Actor, id int64) (string, error) {
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/")
	if multipart {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return "", chat.ErrMediaSize
			}
			return "", errStatus(http.StatusBadRequest, "Formulário inválido.")
		}
		defer r.MultipartForm.RemoveAll()
	}
	text := r.PostFormValue("texto")
	if !multipart {
		return s.replyText(r, a, id, text)
	}
	f, fh, err := r.FormFile("arquivo")
	switch {
	case errors.Is(err, http.ErrMissingFile):
		return s.replyText(r, a, id, text)
	case err != nil:
		return "", errStatus(http.StatusBadRequest, "Não foi possível ler o arquivo anexado.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, chat.MaxDocumentBytes+1))
	if err != nil {
		return "", fmt.Errorf("read attachment: %w", err)
	}
	// The type is what the bytes are, not what the browser claims.
	mime := http.DetectContentType(data)
	return "", s.chat.ReplyMedia(r.Context(), a, id, mime, attachmentName(fh.Filename, mime), data, text)
}

// replyText sends a text answer: as text inside the 24-hour window; outside
// it the template tells the citizen an answer waits, and the text goes as
// soon as they write.
func (s *Server) replyText(r *http.Request, a chat.Actor, id int64, text string) (string, error) {
	templated, err := s.chat.PublicReply(r.Context(), a, id, text)
	if templated && err == nil {
		return "Resposta guardada: o cidadão recebeu o modelo avisando que há uma resposta e vai lê-la assim que escrever.", nil
	}
	return "", err
}

// attachmentName keeps the base of an uploaded file's name, printable and short.
func attachmentName(name, mime string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, name)
	name = clipRunes(name, 120)
	if name == "" || name == "." || name == "/" {
		name = "arquivo"
		if mime == "application/pdf" {
			name += ".pdf"
		}
	}
	return name
}
