package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// ErrStatusConflict is returned when a ticket's status is no longer the one
// the change was based on: someone else changed it first.
var ErrStatusConflict = errors.New("ticket status changed meanwhile")

// Kinds of ticket changes (ticket_events.kind).
const (
	ChangeStatus  = "status"
	ChangeAssign  = "assign"
	ChangeForward = "forward"
	ChangeNote    = "note"
)

// queuedStatusesSQL are the statuses of a ticket waiting in its group's queue.
const queuedStatusesSQL = `('em_fila', 'encaminhado', 'reaberto')`

// TicketChange is one recorded change of a ticket (a ticket_events row).
type TicketChange struct {
	ID       int64
	TicketID int64
	At       int64
	// UserID is who made it (0: the system) and UserName their name.
	UserID   int64
	UserName string
	Kind     string
	From, To string
	Comment  string
	Public   bool
}

// Transition is one status change of a ticket.
type Transition struct {
	TicketID int64
	// From is the status the change is based on; the change only happens if
	// the ticket is still in it (ErrStatusConflict otherwise).
	From, To string
	// UserID is who changes it (0: the system).
	UserID  int64
	Comment string
	Public  bool
	// SetAssignee makes AssigneeID the ticket's holder (0: nobody).
	SetAssignee bool
	AssigneeID  int64
	// CheckHolder makes the change also depend on FromHolder still holding
	// the ticket (0: nobody), as From does for the status.
	CheckHolder bool
	FromHolder  int64
	// GroupID, when not 0, moves the ticket to that group's queue (a forward).
	GroupID int64
	// Resolution is what was done, kept in tickets.resolution when the
	// change closes the ticket.
	Resolution string
	// ByCitizen marks a change caused by the citizen's own message: they
	// need no news of it.
	ByCitizen bool
}

// TransitionNotice is what a recorded transition changed, for Store.OnTransition.
type TransitionNotice struct {
	TicketID int64
	From, To string
	// UserID is who made the change (0: the system).
	UserID  int64
	Comment string
	Public  bool
	// Resolution is the closing text (To is TicketClosed).
	Resolution string
	// GroupID is the group the ticket was forwarded to (0: it stayed).
	GroupID int64
	// AssigneeChanged says the holder changed, to AssigneeID (0: nobody).
	AssigneeChanged bool
	AssigneeID      int64
	ByCitizen       bool
}

// TransitionTicket applies tr and records it, in one transaction.
func (s *Store) TransitionTicket(ctx context.Context, tr Transition) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.TransitionTicketTx(ctx, tx, tr) })
}

// TransitionTicketTx is TransitionTicket inside the caller's transaction.
func (s *Store) TransitionTicketTx(ctx context.Context, tx *sql.Tx, tr Transition) error {
	var status string
	var assignee, group sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT status, assignee_id, group_id FROM tickets WHERE id = ?`, tr.TicketID).
		Scan(&status, &assignee, &group)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("ticket %d: %w", tr.TicketID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("ticket %d: %w", tr.TicketID, err)
	}
	if status != tr.From {
		return fmt.Errorf("ticket %d is %s, not %s: %w", tr.TicketID, status, tr.From, ErrStatusConflict)
	}
	if tr.CheckHolder && assignee.Int64 != tr.FromHolder {
		return fmt.Errorf("ticket %d is held by %d, not %d: %w", tr.TicketID, assignee.Int64, tr.FromHolder, ErrStatusConflict)
	}
	now := s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = ?1, updated_at = ?2,
			closed_at = CASE WHEN ?1 = 'encerrado' THEN ?2 WHEN ?1 = 'reaberto' THEN NULL ELSE closed_at END,
			unread = CASE WHEN ?1 = 'encerrado' THEN 0 ELSE unread END,
			assignee_id = CASE WHEN ?3 THEN NULLIF(?4, 0) ELSE assignee_id END,
			group_id = CASE WHEN ?5 <> 0 THEN ?5 ELSE group_id END,
			resolution = CASE WHEN ?1 = 'encerrado' THEN ?8 ELSE resolution END
		WHERE id = ?6 AND status = ?7`,
		tr.To, now, tr.SetAssignee, tr.AssigneeID, tr.GroupID, tr.TicketID, tr.From, tr.Resolution)
	if err != nil {
		return fmt.Errorf("ticket %d to %s: %w", tr.TicketID, tr.To, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("ticket %d: %w", tr.TicketID, ErrStatusConflict)
	}
	if err := s.transitionDeadlinesTx(ctx, tx, tr, status, group.Int64, now); err != nil {
		return err
	}
	if tr.GroupID != 0 && tr.GroupID != group.Int64 {
		if err := addChange(ctx, tx, TicketChange{TicketID: tr.TicketID, At: now, UserID: tr.UserID, Kind: ChangeForward,
			From: idText(group.Int64), To: idText(tr.GroupID), Comment: tr.Comment}); err != nil {
			return err
		}
	}
	if tr.SetAssignee && tr.AssigneeID != assignee.Int64 {
		if err := s.assignedTx(ctx, tx, tr.TicketID, tr.UserID, assignee.Int64, tr.AssigneeID, now); err != nil {
			return err
		}
	}
	if tr.From != tr.To {
		// The outgoing webhook is queued in the same transaction: it exists exactly when the change does.
		if err := s.EmitStatusEventsTx(ctx, tx, tr.TicketID, tr.From, tr.To); err != nil {
			return err
		}
	}
	if tr.From != tr.To || tr.Comment != "" {
		if err := addChange(ctx, tx, TicketChange{TicketID: tr.TicketID, At: now, UserID: tr.UserID, Kind: ChangeStatus,
			From: tr.From, To: tr.To, Comment: tr.Comment, Public: tr.Public}); err != nil {
			return err
		}
	}
	if s.OnTransition == nil {
		return nil
	}
	n := TransitionNotice{TicketID: tr.TicketID, From: tr.From, To: tr.To, UserID: tr.UserID, Comment: tr.Comment,
		Public: tr.Public, ByCitizen: tr.ByCitizen, AssigneeID: assignee.Int64}
	if tr.To == TicketClosed {
		n.Resolution = tr.Resolution
	}
	if tr.GroupID != 0 && tr.GroupID != group.Int64 {
		n.GroupID = tr.GroupID
	}
	if tr.SetAssignee {
		n.AssigneeChanged, n.AssigneeID = tr.AssigneeID != assignee.Int64, tr.AssigneeID
	}
	// The citizen's news is queued in the change's own transaction too.
	return s.OnTransition(ctx, tx, n)
}

// ResumeTicketTx is the system's transition when the citizen writes into a
// ticket that waited for them (aguardando cidadão) or was answered: it goes
// back to its clerk (em atendimento), or to the queue when nobody holds it.
func (s *Store) ResumeTicketTx(ctx context.Context, tx *sql.Tx, ticketID int64) error {
	var status string
	var assignee sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT status, assignee_id FROM tickets WHERE id = ?`, ticketID).Scan(&status, &assignee)
	if err != nil {
		return fmt.Errorf("resume ticket %d: %w", ticketID, err)
	}
	if status != TicketWaitingCit && status != TicketAnswered {
		return nil
	}
	to := TicketInService
	if !assignee.Valid {
		to = TicketQueued
	}
	return s.TransitionTicketTx(ctx, tx, Transition{TicketID: ticketID, From: status, To: to,
		Comment: "O cidadão respondeu.", ByCitizen: true})
}

// assignedTx records that ticketID went from holder from to holder to.
func (s *Store) assignedTx(ctx context.Context, tx *sql.Tx, ticketID, by, from, to, now int64) error {
	if to != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_assigned_at = ? WHERE id = ?`, now, to); err != nil {
			return fmt.Errorf("assign ticket %d: %w", ticketID, err)
		}
	}
	return addChange(ctx, tx, TicketChange{TicketID: ticketID, At: now, UserID: by, Kind: ChangeAssign, From: idText(from), To: idText(to)})
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func addChange(ctx context.Context, tx *sql.Tx, e TicketChange) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ticket_events (ticket_id, at, user_id, kind, from_value, to_value, comment, public)
		VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?)`, e.TicketID, e.At, e.UserID, e.Kind, e.From, e.To, e.Comment, e.Public)
	if err != nil {
		return fmt.Errorf("record %s of ticket %d: %w", e.Kind, e.TicketID, err)
	}
	return nil
}

// ChangePriority is the kind of a priority change.
const ChangePriority = "priority"

// SetTicketPriority sets a ticket's priority (higher is served first) and records it.
func (s *Store) SetTicketPriority(ctx context.Context, ticketID, userID int64, priority int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var old int
		err := tx.QueryRowContext(ctx, `SELECT priority FROM tickets WHERE id = ?`, ticketID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("ticket %d: %w", ticketID, ErrNotFound)
		}
		if err != nil || old == priority {
			return err
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET priority = ?, updated_at = ? WHERE id = ?`, priority, now, ticketID); err != nil {
			return fmt.Errorf("ticket %d priority: %w", ticketID, err)
		}
		return addChange(ctx, tx, TicketChange{TicketID: ticketID, At: now, UserID: userID, Kind: ChangePriority,
			From: strconv.Itoa(old), To: strconv.Itoa(priority)})
	})
}

// AddNote records an internal note on a ticket; it is never sent to the citizen.
func (s *Store) AddNote(ctx context.Context, ticketID, userID int64, text string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return addChange(ctx, tx, TicketChange{TicketID: ticketID, At: s.Now(), UserID: userID, Kind: ChangeNote, Comment: text})
	})
}

// TicketChanges lists the recorded changes of a ticket, oldest first.
func (s *Store) TicketChanges(ctx context.Context, ticketID int64) ([]TicketChange, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT e.id, e.ticket_id, e.at, COALESCE(e.user_id, 0), COALESCE(u.name, ''),
			e.kind, e.from_value, e.to_value, e.comment, e.public
		FROM ticket_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.ticket_id = ? ORDER BY e.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("ticket events: %w", err)
	}
	defer rows.Close()
	var out []TicketChange
	for rows.Next() {
		var e TicketChange
		if err := rows.Scan(&e.ID, &e.TicketID, &e.At, &e.UserID, &e.UserName, &e.Kind, &e.From, &e.To, &e.Comment, &e.Public); err != nil {
			return nil, fmt.Errorf("ticket events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Assignment is a ticket given to a clerk by automatic assignment.
type Assignment struct{ TicketID, UserID int64 }

// DispatchGroup assigns the tickets waiting in a group's queue (see DispatchGroupTx).
func (s *Store) DispatchGroup(ctx context.Context, groupID int64) ([]Assignment, error) {
	var out []Assignment
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.DispatchGroupTx(ctx, tx, groupID)
		return err
	})
	return out, err
}

// DispatchGroupTx gives the tickets waiting in a group's queue, highest
// priority then oldest first, to the group's online members: each to the one
// with the fewest chats in service (ties: the one who got a ticket longest
// ago), never above the group's max_per_agent. It stops when the queue is
// empty or nobody has a free slot. All of it happens in the caller's write
// transaction, so two dispatches (or a clerk's Assumir) never give one ticket twice.
func (s *Store) DispatchGroupTx(ctx context.Context, tx *sql.Tx, groupID int64) ([]Assignment, error) {
	var out []Assignment
	for {
		var ticket int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM tickets
			WHERE group_id = ? AND assignee_id IS NULL AND status IN `+queuedStatusesSQL+`
			ORDER BY priority DESC, created_at, id LIMIT 1`, groupID).Scan(&ticket, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("dispatch group %d: %w", groupID, err)
		}
		var clerk int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM (
				SELECT u.id, u.last_assigned_at, g.max_per_agent,
					(SELECT count(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status = 'em_atendimento') AS busy
				FROM group_members gm
				JOIN users u ON u.id = gm.user_id
				JOIN service_groups g ON g.id = gm.group_id
				WHERE gm.group_id = ? AND u.active AND u.status = 'online')
			WHERE busy < max_per_agent
			ORDER BY busy, last_assigned_at, id LIMIT 1`, groupID).Scan(&clerk)
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("dispatch group %d: %w", groupID, err)
		}
		err = s.TransitionTicketTx(ctx, tx, Transition{TicketID: ticket, From: status, To: TicketInService,
			SetAssignee: true, AssigneeID: clerk})
		if err != nil {
			return nil, fmt.Errorf("dispatch group %d: %w", groupID, err)
		}
		out = append(out, Assignment{TicketID: ticket, UserID: clerk})
	}
}

// QueuePositionTx is the place of a waiting ticket in its group's queue
// (1: next), or 0 when it is not waiting in one.
func (s *Store) QueuePositionTx(ctx context.Context, tx *sql.Tx, ticketID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets q JOIN tickets t ON t.id = ?1
		WHERE t.assignee_id IS NULL AND t.status IN `+queuedStatusesSQL+` AND t.group_id IS NOT NULL
		AND q.group_id = t.group_id AND q.assignee_id IS NULL AND q.status IN `+queuedStatusesSQL+`
		AND (q.priority > t.priority OR (q.priority = t.priority AND (q.created_at < t.created_at
			OR (q.created_at = t.created_at AND q.id <= t.id))))`, ticketID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("queue position of ticket %d: %w", ticketID, err)
	}
	return n, nil
}

// UserGroupIDs lists the groups userID is a member of.
func (s *Store) UserGroupIDs(ctx context.Context, userID int64) ([]int64, error) {
	return queryIDs(ctx, s.R, `SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id`, userID)
}

// IsGroupMember reports whether userID is a member of groupID.
func (s *Store) IsGroupMember(ctx context.Context, groupID, userID int64) (bool, error) {
	var ok bool
	err := s.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?)`,
		groupID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("group membership: %w", err)
	}
	return ok, nil
}

// TouchUser records that userID has the panel open; it returns nothing to
// the caller worth failing a request for, so errors are only returned.
func (s *Store) TouchUser(ctx context.Context, userID int64) error {
	_, err := s.W.ExecContext(ctx, `UPDATE users SET last_seen_at = ? WHERE id = ?`, s.Now(), userID)
	if err != nil {
		return fmt.Errorf("touch user %d: %w", userID, err)
	}
	return nil
}

// SweepIdleAgents sets offline the clerks online or paused whose panel was
// last seen before the given time (Unix ms), and returns their ids.
func (s *Store) SweepIdleAgents(ctx context.Context, before int64) ([]int64, error) {
	rows, err := s.W.QueryContext(ctx, `UPDATE users SET status = 'offline', pause_reason = '', status_at = ?1
		WHERE status <> 'offline' AND last_seen_at < ?2 RETURNING id`, s.Now(), before)
	if err != nil {
		return nil, fmt.Errorf("sweep idle agents: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sweep idle agents: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// AgentLoad is a clerk's status and how many chats they have in service.
type AgentLoad struct {
	ID          int64
	Name        string
	Role        string
	Status      string
	PauseReason string
	StatusAt    int64
	Open        int
}

// AgentLoads lists the active users with their status and chats in service, by name.
func (s *Store) AgentLoads(ctx context.Context) ([]AgentLoad, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT u.id, u.name, u.role, u.status, u.pause_reason, u.status_at,
			(SELECT count(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status = 'em_atendimento')
		FROM users u WHERE u.active ORDER BY u.name, u.id`)
	if err != nil {
		return nil, fmt.Errorf("agent loads: %w", err)
	}
	defer rows.Close()
	var out []AgentLoad
	for rows.Next() {
		var a AgentLoad
		if err := rows.Scan(&a.ID, &a.Name, &a.Role, &a.Status, &a.PauseReason, &a.StatusAt, &a.Open); err != nil {
			return nil, fmt.Errorf("agent loads: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
