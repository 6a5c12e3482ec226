package web

import (
	"context"
	"strconv"
	"time"

	"balcao/app/chat"
	"balcao/app/store"
	"balcao/views"
)

// Everything a clerk reads in this file is pt-BR.

var agentStatusLabels = map[string]string{
	store.StatusOnline:  "Disponível",
	store.StatusPaused:  "Pausado",
	store.StatusOffline: "Offline",
}

var priorityLabels = map[int]string{chat.PriorityNormal: "normal", chat.PriorityHigh: "alta", chat.PriorityUrgent: "urgente"}

// agentStatus is the viewer's status for the status control.
func agentStatus(u store.User) views.AgentStatus {
	return views.AgentStatus{Status: u.Status, Label: agentStatusLabels[u.Status], Reason: u.PauseReason}
}

// team lists the clerks with their status, for supervisors.
func (s *Server) team(ctx context.Context, now time.Time) ([]views.TeamMember, error) {
	loads, err := s.store.AgentLoads(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]views.TeamMember, 0, len(loads))
	for _, a := range loads {
		m := views.TeamMember{Name: a.Name, Status: a.Status, StatusLabel: agentStatusLabels[a.Status], Open: a.Open}
		if a.Status == store.StatusPaused {
			m.Reason = a.PauseReason
		}
		if a.StatusAt > 0 {
			m.Since = clockLabel(a.StatusAt, now)
		}
		out = append(out, m)
	}
	return out, nil
}

// withWorkflow adds to v what the viewer may do with the ticket's workflow
// and the ticket's recorded history.
func (s *Server) withWorkflow(ctx context.Context, a chat.Actor, c store.Conversation, changes []store.TicketChange, v *views.ChatView) error {
	v.Status, v.HolderID = c.Status, strconv.FormatInt(c.AssigneeID, 10)
	if a.Holds(c) && c.Status != store.TicketClosed {
		v.Priority = strconv.Itoa(c.Priority)
		for _, p := range []int{chat.PriorityNormal, chat.PriorityHigh, chat.PriorityUrgent} {
			v.Priorities = append(v.Priorities, views.Option{Value: strconv.Itoa(p), Label: priorityLabels[p]})
		}
	}
	if a.Holds(c) && c.Status != store.TicketClosed {
		quick, err := s.chat.QuickRepliesFor(ctx, c)
		if err != nil {
			return err
		}
		for _, q := range quick {
			v.QuickReplies = append(v.QuickReplies, views.Option{Value: q.Body, Label: q.Title})
		}
	}
	groups, err := s.store.ListGroups(ctx)
	if err != nil {
		return err
	}
	if a.Holds(c) {
		for _, st := range chat.NextStatuses(c.Status) {
			v.NextStatuses = append(v.NextStatuses, views.Option{Value: st, Label: ticketStatusLabels[st]})
		}
		if chat.Allowed(c.Status, store.TicketForwarded) {
			for _, g := range groups {
				if g.ID != c.GroupID {
					v.Groups = append(v.Groups, views.Option{Value: strconv.FormatInt(g.ID, 10),
						Label: g.Name + " (" + g.Level + " · " + g.DepartmentName + ")"})
				}
			}
		}
	}
	names := map[int64]string{}
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		names[u.ID] = u.Name
		if a.Supervises() && u.Active && u.ID != c.AssigneeID && c.Status != store.TicketClosed {
			v.Agents = append(v.Agents, views.Option{Value: strconv.FormatInt(u.ID, 10),
				Label: u.Name + " (" + agentStatusLabels[u.Status] + ")"})
		}
	}
	groupNames := map[string]string{}
	for _, g := range groups {
		groupNames[strconv.FormatInt(g.ID, 10)] = g.Name
	}
	now := time.Now()
	for _, e := range changes {
		if e.Kind != store.ChangeNote { // notes are shown among the messages
			v.Changes = append(v.Changes, changeItem(e, names, groupNames, now))
		}
	}
	return nil
}

// withNotes is the conversation's messages with the team's internal notes
// among them, in the order they happened.
func withNotes(c store.Conversation, msgs []store.ChatMessage, changes []store.TicketChange, now time.Time, citizen string, mask *store.Redactor) []views.ChatMsg {
	out := make([]views.ChatMsg, 0, len(msgs))
	var notes []store.TicketChange
	for _, e := range changes {
		if e.Kind == store.ChangeNote {
			notes = append(notes, e)
		}
	}
	for _, m := range msgs {
		for len(notes) > 0 && notes[0].At < m.CreatedAt {
			out = append(out, noteMsg(notes[0], now))
			notes = notes[1:]
		}
		out = append(out, chatMsg(c, m, now, citizen, mask))
	}
	for _, n := range notes {
		out = append(out, noteMsg(n, now))
	}
	return out
}

func noteMsg(e store.TicketChange, now time.Time) views.ChatMsg {
	return views.ChatMsg{ID: e.ID, Note: true, Author: e.UserName, Time: clockLabel(e.At, now), Body: e.Comment, Kind: "note"}
}

// changeItem says in words what a recorded change did.
func changeItem(e store.TicketChange, users map[int64]string, groups map[string]string, now time.Time) views.ChangeItem {
	it := views.ChangeItem{Time: clockLabel(e.At, now), Who: e.UserName, Comment: e.Comment, Public: e.Public && e.Comment != ""}
	if e.UserID == 0 {
		it.Who = "Sistema"
	}
	user := func(id string) string {
		n, _ := strconv.ParseInt(id, 10, 64)
		if name, ok := users[n]; ok {
			return name
		}
		return "ninguém"
	}
	switch e.Kind {
	case store.ChangeStatus:
		if e.From == "" {
			it.Text = "abriu o atendimento: " + ticketStatusLabels[e.To]
		} else {
			it.Text = "mudou a situação de “" + ticketStatusLabels[e.From] + "” para “" + ticketStatusLabels[e.To] + "”"
		}
	case store.ChangeAssign:
		it.Text = "atribuiu a " + user(e.To)
		if e.To == "" {
			it.Text = "tirou de " + user(e.From) + " (volta à fila)"
		}
	case store.ChangePriority:
		from, _ := strconv.Atoi(e.From)
		to, _ := strconv.Atoi(e.To)
		it.Text = "mudou a prioridade de " + priorityLabels[from] + " para " + priorityLabels[to]
	case store.ChangeForward:
		it.Text = "encaminhou para o grupo " + groups[e.To]
	case store.ChangeDeadline:
		from, _ := strconv.ParseInt(e.From, 10, 64)
		to, _ := strconv.ParseInt(e.To, 10, 64)
		which := "o prazo"
		if !e.Public {
			which = "o prazo interno da secretaria"
		}
		it.Text = "prorrogou " + which + " de " + dateLabel(from) + " para " + dateLabel(to)
	case store.ChangeIdentity:
		it.Text = "viu a identidade do manifestante (" + e.Comment + ")"
		it.Comment = ""
	case store.ChangeReply:
		it.Text = "respondeu fora da janela de 24 horas: o cidadão recebeu o modelo e lê a resposta quando escrever"
	case store.ChangeSurvey:
		it.Who, it.Text = "Cidadão", "avaliou o atendimento com nota "+e.To+" de 5"
	default:
		it.Text = e.Kind
	}
	return it
}
