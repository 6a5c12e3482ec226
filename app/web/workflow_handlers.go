package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"balcao/app/chat"
	"balcao/app/store"
	"balcao/views"
)

// workflowError turns a workflow failure into a status and a pt-BR message.
func workflowError(err error) (int, string, bool) {
	switch {
	case errors.Is(err, chat.ErrNotMember):
		return http.StatusForbidden, "Este atendimento está na fila de um grupo do qual você não faz parte: só os membros do grupo (ou um supervisor) podem atuar nele.", true
	case errors.Is(err, store.ErrStatusConflict):
		return http.StatusConflict, "Outra pessoa mudou a situação deste atendimento enquanto você decidia; nada foi alterado. Veja a situação atual e tente de novo.", true
	case errors.Is(err, chat.ErrBadTransition):
		return http.StatusUnprocessableEntity, "Esta mudança de situação não é permitida a partir da situação atual do atendimento.", true
	case errors.Is(err, chat.ErrNoResolution):
		return http.StatusUnprocessableEntity, "Escreva a resolução: o que foi feito para atender a demanda. Ela é enviada ao cidadão e é obrigatória para manifestações e pedidos de informação.", true
	case errors.Is(err, chat.ErrNoReason):
		return http.StatusUnprocessableEntity, "Informe o motivo.", true
	case errors.Is(err, chat.ErrBadStatus):
		return http.StatusUnprocessableEntity, "Situação de atendente desconhecida: escolha disponível, pausado ou offline.", true
	case errors.Is(err, chat.ErrNoJustification):
		return http.StatusUnprocessableEntity, "Escreva a justificativa da prorrogação: ela fica registrada no histórico.", true
	case errors.Is(err, chat.ErrJustificationTooLong):
		return http.StatusUnprocessableEntity, "Justificativa longa demais: até 2.000 caracteres.", true
	case errors.Is(err, store.ErrAlreadyExtended):
		return http.StatusUnprocessableEntity, "Este prazo já foi prorrogado uma vez; não se pode prorrogá-lo de novo.", true
	case errors.Is(err, store.ErrNoExtension):
		return http.StatusUnprocessableEntity, "Este prazo não pode ser prorrogado: só o prazo legal das manifestações da ouvidoria (mais 30 dias), o dos pedidos de informação (mais 10 dias) e o prazo interno da secretaria (mais 20 dias) admitem prorrogação.", true
	case errors.Is(err, store.ErrNotFound):
		return http.StatusUnprocessableEntity, "Grupo ou atendente não encontrado.", true
	}
	return 0, "", false
}

// changeStatus moves the ticket to the status asked, based on the status the
// clerk saw (field "de"), with an optional comment (and, to close it, the
// resolution).
func (s *Server) changeStatus(r *http.Request, a chat.Actor, id int64) (string, error) {
	to := r.PostFormValue("situacao")
	err := s.chat.ChangeStatus(r.Context(), a, id, chat.StatusChange{
		From: r.PostFormValue("de"), To: to, Comment: r.PostFormValue("comentario"), Public: r.PostFormValue("publico") != "",
		Resolution: r.PostFormValue("resolucao"),
	})
	return "Situação alterada para “" + ticketStatusLabels[to] + "”.", err
}

// forward sends the ticket to another group's queue with a reason.
func (s *Server) forward(r *http.Request, a chat.Actor, id int64) (string, error) {
	group, err := strconv.ParseInt(r.PostFormValue("grupo"), 10, 64)
	if err != nil || group <= 0 {
		return "", chat.ErrBadTransition
	}
	if err := s.chat.Forward(r.Context(), a, id, group, r.PostFormValue("motivo")); err != nil {
		return "", err
	}
	c, err := s.store.ConversationByTicket(r.Context(), id)
	if err != nil {
		return "", err
	}
	if store.Protected(c.Identity) {
		// Everyone but an ouvidor sees a protected ticket masked: the
		// receiving group gets the manifestation without the identity.
		return msgForwardedProtected, nil
	}
	return "Atendimento encaminhado.", nil
}

// msgForwardedProtected confirms the forward of a sigilosa or anônima ticket.
const msgForwardedProtected = "Atendimento encaminhado. Manifestação com identidade protegida: " +
	"o grupo de destino recebe uma cópia sem a identidade do manifestante (nome, telefone e dados pessoais ocultos)."

// reassign gives the ticket to another clerk (supervisors).
func (s *Server) reassign(r *http.Request, a chat.Actor, id int64) (string, error) {
	user, err := strconv.ParseInt(r.PostFormValue("atendente"), 10, 64)
	if err != nil || user <= 0 {
		return "", store.ErrNotFound
	}
	// The holder the supervisor saw ("de_atendente", 0: nobody) guards against a transfer made meanwhile.
	from, err := strconv.ParseInt(r.PostFormValue("de_atendente"), 10, 64)
	if err != nil || from < 0 {
		return "", errStatus(http.StatusBadRequest, "Formulário inválido.")
	}
	return "Atendimento transferido.", s.chat.Reassign(r.Context(), a, id, from, user)
}

// priority sets the ticket's priority in its queue.
func (s *Server) priority(r *http.Request, a chat.Actor, id int64) (string, error) {
	p, err := strconv.Atoi(r.PostFormValue("prioridade"))
	if err != nil {
		return "", chat.ErrBadTransition
	}
	return "Prioridade alterada para " + priorityLabels[p] + ".", s.chat.SetPriority(r.Context(), a, id, p)
}

// extendDeadline extends, once, the ticket's legal or department deadline
// (field "prazo") with a written justification.
func (s *Server) extendDeadline(r *http.Request, a chat.Actor, id int64) (string, error) {
	err := s.chat.ExtendDeadline(r.Context(), a, id, r.PostFormValue("prazo"), r.PostFormValue("justificativa"))
	return "Prazo prorrogado; a justificativa ficou no histórico.", err
}

// keepExtensionForm puts a refused extension's error next to its field and
// keeps what was written, when that form is on the screen (otherwise the
// error stays above the actions).
func keepExtensionForm(r *http.Request, v *views.ChatView) {
	which := r.PostFormValue("prazo")
	for _, d := range v.Deadlines.Items {
		if which != "" && d.Which == which {
			v.Deadlines.Which, v.Deadlines.Error, v.Deadlines.Justification = which, v.Error, r.PostFormValue("justificativa")
			v.Error = ""
		}
	}
}

// note records an internal note.
func (s *Server) note(r *http.Request, a chat.Actor, id int64) (string, error) {
	return "Nota interna registrada: só a equipe a vê.", s.chat.AddNote(r.Context(), a, id, r.PostFormValue("nota"))
}

// agentStatus changes the clerk's own status and goes back to where it was asked.
func (s *Server) agentStatus(w http.ResponseWriter, r *http.Request) error {
	err := s.chat.SetAgentStatus(r.Context(), actor(r), r.PostFormValue("situacao"), r.PostFormValue("motivo"))
	if status, msg, ok := workflowError(err); ok {
		return errStatus(status, msg)
	}
	if err != nil {
		return err
	}
	s.flash(r.Context(), "Sua situação foi alterada.")
	http.Redirect(w, r, "/atendimentos", http.StatusSeeOther)
	return nil
}

// seenEvery is how often a clerk's presence is recorded while the panel is open.
const seenEvery = time.Minute

// touch records that u has the panel open (at most once per seenEvery): 15
// minutes without it sets the clerk offline (chat.Service.Sweep).
func (s *Server) touch(ctx context.Context, u store.User) {
	if time.Since(time.UnixMilli(u.LastSeenAt)) < seenEvery {
		return
	}
	if err := s.store.TouchUser(ctx, u.ID); err != nil && ctx.Err() == nil {
		s.log.Warn("recording a clerk's presence", "user", u.ID, "err", err)
	}
}

// keepSeen records the clerk's presence while their event stream is open.
func (s *Server) keepSeen(ctx context.Context, userID int64) {
	tick := time.NewTicker(seenEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.store.TouchUser(ctx, userID); err != nil && ctx.Err() == nil {
				s.log.Warn("recording a clerk's presence", "user", userID, "err", err)
			}
		}
	}
}
