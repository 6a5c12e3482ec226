package chat

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"balcao/app/live"
	"balcao/app/store"
)

// More errors of the workflow; the web side turns them into pt-BR messages.
var (
	// ErrNotMember: the ticket sits in a group the clerk is not a member of.
	ErrNotMember = errors.New("chat: not a member of the ticket's group")
	// ErrBadTransition: the ticket cannot go from its status to the one asked.
	ErrBadTransition = errors.New("chat: status change not allowed")
	// ErrNoReason: a forward or a pause needs a reason.
	ErrNoReason = errors.New("chat: reason missing")
	// ErrBadStatus: not a clerk status.
	ErrBadStatus = errors.New("chat: unknown clerk status")
	// ErrNoResolution: a ticket with a kind (a manifestation, a request for
	// information) is closed only with a written resolution.
	ErrNoResolution = errors.New("chat: resolution missing")
)

// IdleOffline is how long without the panel open sets a clerk offline.
const IdleOffline = 15 * time.Minute

// transitions are the status changes a person may make (DESIGN.md: novo → em
// fila → em atendimento → encaminhado → aguardando cidadão → respondido →
// encerrado; reaberto). Encaminhado is reached only by Forward, which names
// the group.
var transitions = map[string][]string{
	store.TicketNew:        {store.TicketQueued, store.TicketInService, store.TicketForwarded, store.TicketClosed},
	store.TicketQueued:     {store.TicketInService, store.TicketForwarded, store.TicketClosed},
	store.TicketInService:  {store.TicketQueued, store.TicketForwarded, store.TicketWaitingCit, store.TicketAnswered, store.TicketClosed},
	store.TicketForwarded:  {store.TicketInService, store.TicketForwarded, store.TicketClosed},
	store.TicketWaitingCit: {store.TicketInService, store.TicketForwarded, store.TicketAnswered, store.TicketClosed},
	store.TicketAnswered:   {store.TicketInService, store.TicketWaitingCit, store.TicketClosed, store.TicketReopened},
	store.TicketClosed:     {store.TicketReopened},
	store.TicketReopened:   {store.TicketInService, store.TicketForwarded, store.TicketClosed},
}

// Allowed reports whether a ticket may go from status from to status to.
func Allowed(from, to string) bool { return slices.Contains(transitions[from], to) }

// NextStatuses lists the statuses a person may set on a ticket in status
// from by ChangeStatus (Forward is separate).
func NextStatuses(from string) []string {
	var out []string
	for _, to := range transitions[from] {
		if to != store.TicketForwarded {
			out = append(out, to)
		}
	}
	return out
}

// MaxComment bounds a comment, a reason or a note.
const MaxComment = 2000

// StatusChange is a status change asked by a person.
type StatusChange struct {
	// From is the status the person saw; if the ticket changed since, the
	// change fails with store.ErrStatusConflict instead of overwriting.
	From, To string
	Comment  string
	// Public sends the comment to the citizen (with the news of the change).
	Public bool
	// Resolution is what was done, when the change closes the ticket:
	// required for tickets with a kind, sent to the citizen.
	Resolution string
}

// member checks that the actor may work on the ticket's group: tickets with
// a group are for its members and supervisors only.
func (s *Service) member(ctx context.Context, a Actor, c store.Conversation) error {
	if c.GroupID == 0 || a.Supervises() {
		return nil
	}
	ok, err := s.Store.IsGroupMember(ctx, c.GroupID, a.ID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotMember
	}
	return nil
}

// ChangeStatus moves a ticket to another status, recording who, when and the
// comment. Only its holder (or a supervisor) may, and only along transitions;
// going back to the queue or reopening leaves the ticket unheld, and the
// group's queue is dispatched again.
func (s *Service) ChangeStatus(ctx context.Context, a Actor, ticketID int64, ch StatusChange) error {
	ch.Comment, ch.Resolution = strings.TrimSpace(ch.Comment), strings.TrimSpace(ch.Resolution)
	if utf8.RuneCountInString(ch.Comment) > MaxComment || utf8.RuneCountInString(ch.Resolution) > MaxComment {
		return ErrTooLong
	}
	if ch.To == store.TicketForwarded || !Allowed(ch.From, ch.To) {
		return ErrBadTransition
	}
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	if err := s.member(ctx, a, c); err != nil {
		return err
	}
	if !a.Holds(c) && !(c.AssigneeID == 0 && ch.To == store.TicketInService) {
		return ErrNotAllowed
	}
	if ch.To == store.TicketClosed && ch.Resolution == "" {
		o, err := s.Store.TicketOutcome(ctx, ticketID)
		if err != nil {
			return err
		}
		if o.Kind != "" {
			return ErrNoResolution
		}
	}
	tr := store.Transition{TicketID: ticketID, From: ch.From, To: ch.To, UserID: a.ID, Comment: ch.Comment, Public: ch.Public}
	if ch.To == store.TicketClosed {
		tr.Resolution = ch.Resolution
	}
	switch {
	case ch.To == store.TicketQueued || ch.To == store.TicketReopened:
		tr.SetAssignee = true
	case ch.To == store.TicketInService && c.AssigneeID == 0:
		tr.SetAssignee, tr.AssigneeID = true, a.ID
	}
	// The citizen's news (and the public comment) is queued by the store's
	// transition hook (app/notify), in the change's transaction.
	if err := s.Store.TransitionTicket(ctx, tr); err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	s.dispatch(ctx, c.GroupID)
	s.dispatchUser(ctx, c.AssigneeID)
	return nil
}

// Forward sends a ticket to another group's queue (an N2/N3 group or a
// department's group) with a reason. It keeps its number and history, leaves
// the clerk's list and waits (or is assigned) in the new group.
func (s *Service) Forward(ctx context.Context, a Actor, ticketID, groupID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNoReason
	}
	if utf8.RuneCountInString(reason) > MaxComment {
		return ErrTooLong
	}
	if _, err := s.Store.GroupByID(ctx, groupID); err != nil {
		return err
	}
	c, err := s.held(ctx, a, ticketID)
	if err != nil {
		return err
	}
	if c.GroupID == groupID || !Allowed(c.Status, store.TicketForwarded) {
		return ErrBadTransition
	}
	err = s.Store.TransitionTicket(ctx, store.Transition{TicketID: ticketID, From: c.Status, To: store.TicketForwarded,
		UserID: a.ID, Comment: reason, SetAssignee: true, GroupID: groupID})
	if err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	s.dispatch(ctx, groupID)
	s.dispatchUser(ctx, c.AssigneeID)
	return nil
}

// Priorities a ticket may have: normal, alta, urgente.
const (
	PriorityNormal = 0
	PriorityHigh   = 1
	PriorityUrgent = 2
)

// SetPriority changes where a ticket stands in its queue; its holder or a
// supervisor may, within the ticket's group.
func (s *Service) SetPriority(ctx context.Context, a Actor, ticketID int64, priority int) error {
	if priority < PriorityNormal || priority > PriorityUrgent {
		return ErrBadTransition
	}
	if _, err := s.held(ctx, a, ticketID); err != nil {
		return err
	}
	if err := s.Store.SetTicketPriority(ctx, ticketID, a.ID, priority); err != nil {
		return err
	}
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	return nil
}

// Reassign gives a ticket to another clerk; only supervisors may. fromHolder
// is who the supervisor saw holding it (0: nobody); if that changed
// meanwhile, the transfer fails with store.ErrStatusConflict.
func (s *Service) Reassign(ctx context.Context, a Actor, ticketID, fromHolder, userID int64) error {
	if !a.Supervises() {
		return ErrNotAllowed
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !u.Active {
		return store.ErrNotFound
	}
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	if c.Status == store.TicketClosed {
		return store.ErrTicketClosed
	}
	to := c.Status
	if to != store.TicketWaitingCit && to != store.TicketAnswered {
		to = store.TicketInService
	}
	err = s.Store.TransitionTicket(ctx, store.Transition{TicketID: ticketID, From: c.Status, To: to, UserID: a.ID,
		SetAssignee: true, AssigneeID: userID, CheckHolder: true, FromHolder: fromHolder})
	if err != nil {
		return err
	}
	s.wake()
	s.Live.Publish(live.EventQueue, live.TicketEvent(ticketID))
	s.dispatchUser(ctx, c.AssigneeID)
	return nil
}

// SetAgentStatus changes the actor's own status: online, pausado (with a
// reason) or offline. Coming online takes work waiting in the actor's groups.
func (s *Service) SetAgentStatus(ctx context.Context, a Actor, status, reason string) error {
	reason = strings.TrimSpace(reason)
	switch status {
	case store.StatusOnline, store.StatusOffline:
		reason = ""
	case store.StatusPaused:
		if reason == "" {
			return ErrNoReason
		}
		if utf8.RuneCountInString(reason) > 200 {
			return ErrTooLong
		}
	default:
		return ErrBadStatus
	}
	if err := s.Store.SetUserStatus(ctx, a.ID, status, reason); err != nil {
		return err
	}
	if err := s.Store.TouchUser(ctx, a.ID); err != nil {
		return err
	}
	s.Live.Publish(live.EventQueue)
	if status == store.StatusOnline {
		s.dispatchUser(ctx, a.ID)
	}
	return nil
}

// dispatchUser dispatches the queues of every group of userID (a slot of
// theirs may have freed up).
func (s *Service) dispatchUser(ctx context.Context, userID int64) {
	if userID == 0 {
		return
	}
	groups, err := s.Store.UserGroupIDs(ctx, userID)
	if err != nil {
		s.logError("groups of a clerk", err)
		return
	}
	s.dispatch(ctx, groups...)
}

// dispatch runs automatic assignment on the groups' queues. A failure only
// leaves tickets waiting: the next event or the periodic pass tries again.
func (s *Service) dispatch(ctx context.Context, groups ...int64) {
	for _, g := range groups {
		if g == 0 {
			continue
		}
		got, err := s.Store.DispatchGroup(ctx, g)
		if err != nil {
			s.logError("automatic assignment", err)
			continue
		}
		if len(got) > 0 {
			s.wake()
		}
		for _, as := range got {
			s.Live.Publish(live.EventQueue, live.TicketEvent(as.TicketID))
		}
	}
}

func (s *Service) logError(what string, err error) {
	if s.Log != nil && !errors.Is(err, context.Canceled) {
		s.Log.Error(what, "err", err)
	}
}

// AddNote records an internal note on a ticket: shown to the team in the
// conversation, never sent to the citizen. Anyone who may work on the
// ticket's group may write one, on an open or a closed ticket.
func (s *Service) AddNote(ctx context.Context, a Actor, ticketID int64, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmpty
	}
	if utf8.RuneCountInString(text) > MaxComment {
		return ErrTooLong
	}
	c, err := s.Store.ConversationByTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	if err := s.member(ctx, a, c); err != nil {
		return err
	}
	if err := s.Store.AddNote(ctx, ticketID, a.ID, text); err != nil {
		return err
	}
	s.Live.Publish(live.TicketEvent(ticketID))
	return nil
}

// RunSweep sets offline, every minute until ctx ends, the clerks whose panel
// was not open for IdleOffline, archives the tickets whose citizen did not
// answer a complementação in time, and dispatches every group's queue (work
// that waited for a slot the events missed).
func (s *Service) RunSweep(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s.Sweep(ctx)
	}
}

// Sweep is one pass of RunSweep.
func (s *Service) Sweep(ctx context.Context) {
	gone, err := s.Store.SweepIdleAgents(ctx, s.now().Add(-IdleOffline).UnixMilli())
	if err != nil {
		s.logError("setting idle clerks offline", err)
	}
	if len(gone) > 0 {
		s.Live.Publish(live.EventQueue)
	}
	s.archiveAbandoned(ctx)
	groups, err := s.Store.ListGroups(ctx)
	if err != nil {
		s.logError("automatic assignment", err)
		return
	}
	for _, g := range groups {
		s.dispatch(ctx, g.ID)
	}
}
