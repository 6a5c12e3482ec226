package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrTicketTaken is returned when a clerk tries to take a conversation that
// another clerk (or the same one, a moment before) already holds.
var ErrTicketTaken = errors.New("ticket already taken")

// ErrTicketClosed is returned for a change to a finished conversation.
var ErrTicketClosed = errors.New("ticket closed")

// Conversation is a ticket as the lists of the panel show it.
type Conversation struct {
	TicketID int64
	Status   string
	// GroupID is the group whose queue the ticket is in (0: none, a plain chat).
	GroupID int64
	// Protocol is the protocol number's digits.
	Protocol string
	// Priority orders the queue: higher first.
	Priority      int
	AssigneeID    int64
	AssigneeName  string
	Unread        int
	LastMessageAt int64
	CreatedAt     int64
	ClosedAt      int64
	Contact       Contact
	// Preview is the last message of the ticket and LastDirection its direction.
	Preview       string
	LastDirection string
	// WaitingSince is when the oldest unanswered inbound message arrived (0: answered).
	WaitingSince int64
	// Deadlines are the ticket's deadlines (Overdue says whether it is late).
	Deadlines TicketDeadlines
	// Identity is IdentityNormal, IdentitySigilosa or IdentityAnonima: the
	// panel masks Contact of a protected ticket (see web's identity.go).
	Identity string
	// PreviewIdentifying: Preview carried an answer that tells who the
	// citizen is (hidden on a protected ticket).
	PreviewIdentifying bool
}

// Contact is a WhatsApp user who wrote to the official number.
type Contact struct {
	ID          int64
	WaID        string
	ProfileName string
	Name        string
	// CPF is what the citizen gave the bot ("" if never).
	CPF           string
	LastInboundAt int64
}

// DisplayName is the name the panel shows: the name given to the bot, the
// WhatsApp profile name, or the number.
func (c Contact) DisplayName() string {
	for _, s := range []string{c.Name, c.ProfileName} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "+" + c.WaID
}

// ChatMessage is one message of a conversation's history.
type ChatMessage struct {
	ID        int64
	WAMID     string
	TicketID  int64
	Direction string
	Type      string
	Body      string
	Payload   string
	MediaID   int64
	// MediaError says (pt-BR) why an inbound file could not be downloaded.
	MediaError string
	Status     string
	ErrorCode  int
	ErrorText  string
	// AuthorName is the clerk who wrote an outbound message ("" for the bot).
	AuthorName  string
	WATimestamp int64
	CreatedAt   int64
	// Identifying marks an inbound message that carried an answer telling
	// who the citizen is (CPF, phone, name…): "dado protegido" when masked.
	Identifying bool
}

// conversationSelect reads a Conversation; the caller adds WHERE and ORDER.
const conversationSelect = `SELECT t.id, t.status, COALESCE(t.group_id, 0), COALESCE(t.protocol, ''), t.priority, COALESCE(t.assignee_id, 0), COALESCE(u.name, ''), t.unread,
	t.last_message_at, t.created_at, COALESCE(t.closed_at, 0),
	c.id, c.wa_id, c.profile_name, c.name, c.cpf, c.last_inbound_at,
	COALESCE(lm.body, ''), COALESCE(lm.direction, ''),
	COALESCE((SELECT min(mi.created_at) FROM messages mi WHERE mi.ticket_id = t.id AND mi.direction = 'in'
		AND mi.id > COALESCE((SELECT max(mo.id) FROM messages mo WHERE mo.ticket_id = t.id AND mo.direction = 'out'), 0)), 0),
	COALESCE(t.kind, ''), COALESCE(t.first_response_at, 0), COALESCE(t.response_due_at, 0), COALESCE(t.due_at, 0), t.extended,
	COALESCE(t.paused_at, 0), COALESCE(t.dept_due_at, 0), t.dept_extended,
	t.identity, EXISTS (SELECT 1 FROM contact_answers a WHERE a.message_id = lm.id AND a.identifying)
	FROM tickets t
	JOIN contacts c ON c.id = t.contact_id
	LEFT JOIN users u ON u.id = t.assignee_id
	LEFT JOIN messages lm ON lm.id = (SELECT max(m.id) FROM messages m WHERE m.ticket_id = t.id)`

func scanConversation(row interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	err := row.Scan(&c.TicketID, &c.Status, &c.GroupID, &c.Protocol, &c.Priority, &c.AssigneeID, &c.AssigneeName, &c.Unread, &c.LastMessageAt, &c.CreatedAt,
		&c.ClosedAt, &c.Contact.ID, &c.Contact.WaID, &c.Contact.ProfileName, &c.Contact.Name, &c.Contact.CPF, &c.Contact.LastInboundAt,
		&c.Preview, &c.LastDirection, &c.WaitingSince,
		&c.Deadlines.Kind, &c.Deadlines.FirstResponseAt, &c.Deadlines.ResponseDueAt, &c.Deadlines.DueAt, &c.Deadlines.Extended,
		&c.Deadlines.PausedAt, &c.Deadlines.DeptDueAt, &c.Deadlines.DeptExtended, &c.Identity, &c.PreviewIdentifying)
	c.Deadlines.TicketID, c.Deadlines.Status, c.Deadlines.CreatedAt = c.TicketID, c.Status, c.CreatedAt
	return c, err
}

func (s *Store) conversations(ctx context.Context, where string, args ...any) ([]Conversation, error) {
	rows, err := s.R.QueryContext(ctx, conversationSelect+" "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// WaitingConversations lists the tickets in the queue that nobody holds,
// highest priority then longest waiting first: chats handed over by the bot
// ('em_fila'), forwarded or reopened ones, and the demands it recorded
// ('novo', e.g. an ouvidoria manifestation), which become the clerk's chat
// once taken. Unless all is set, tickets of a group are listed only to the
// group's members (viewerID).
func (s *Store) WaitingConversations(ctx context.Context, viewerID int64, all bool, limit int) ([]Conversation, error) {
	out, err := s.conversations(ctx, `WHERE t.status IN ('novo', 'em_fila', 'encaminhado', 'reaberto') AND t.assignee_id IS NULL
		AND (?1 OR t.group_id IS NULL OR t.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?2))
		ORDER BY t.priority DESC, t.created_at, t.id LIMIT ?3`, all, viewerID, limit)
	if err != nil {
		return nil, fmt.Errorf("waiting conversations: %w", err)
	}
	return out, nil
}

// AssignedConversations lists the open tickets held by userID, the latest activity first.
func (s *Store) AssignedConversations(ctx context.Context, userID int64, limit int) ([]Conversation, error) {
	out, err := s.conversations(ctx, `WHERE t.assignee_id = ? AND t.status <> 'encerrado'
		ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("assigned conversations: %w", err)
	}
	return out, nil
}

// ConversationByTicket returns one ticket with its contact.
func (s *Store) ConversationByTicket(ctx context.Context, ticketID int64) (Conversation, error) {
	c, err := scanConversation(s.R.QueryRowContext(ctx, conversationSelect+" WHERE t.id = ?", ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("ticket %d: %w", ticketID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("ticket %d: %w", ticketID, err)
	}
	return c, nil
}

// ContactHistory returns the last limit messages exchanged with a contact,
// across all their tickets and the bot, oldest first. With hideSigilosas
// (anyone but the ouvidor) the messages of the contact's sigilosa tickets
// are left out: they would tie the protected ticket to the citizen.
func (s *Store) ContactHistory(ctx context.Context, contactID int64, limit int, hideSigilosas bool) ([]ChatMessage, error) {
	return s.history(ctx, `m.contact_id = ?1 AND (NOT ?2 OR m.ticket_id IS NULL
		OR m.ticket_id NOT IN (SELECT id FROM tickets WHERE contact_id = ?1 AND identity = 'sigilosa'))`, contactID, hideSigilosas, limit)
}

// TicketHistory returns the last limit messages of one ticket, oldest first:
// what a protected ticket shows when its citizen is masked.
func (s *Store) TicketHistory(ctx context.Context, ticketID int64, limit int) ([]ChatMessage, error) {
	return s.history(ctx, `m.ticket_id = ?1 AND ?2 IS NOT NULL`, ticketID, true, limit)
}

// history reads messages matching where (parameters ?1 and ?2), the limit
// last ones, oldest first.
func (s *Store) history(ctx context.Context, where string, a1, a2 any, limit int) ([]ChatMessage, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT * FROM (
		SELECT m.id, COALESCE(m.wamid, ''), COALESCE(m.ticket_id, 0), m.direction, m.type, m.body, m.payload,
			COALESCE(m.media_id, 0), m.media_error, m.status, m.error_code, m.error_text, COALESCE(u.name, ''), m.wa_timestamp, m.created_at,
			m.direction = 'in' AND EXISTS (SELECT 1 FROM contact_answers a WHERE a.message_id = m.id AND a.identifying)
		FROM messages m LEFT JOIN users u ON u.id = m.author_id
		WHERE `+where+` ORDER BY m.id DESC LIMIT ?3) ORDER BY 1`, a1, a2, limit)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var out []ChatMessage
	for rows.Next() {
		var m ChatMessage
		if err := rows.Scan(&m.ID, &m.WAMID, &m.TicketID, &m.Direction, &m.Type, &m.Body, &m.Payload, &m.MediaID,
			&m.MediaError, &m.Status, &m.ErrorCode, &m.ErrorText, &m.AuthorName, &m.WATimestamp, &m.CreatedAt, &m.Identifying); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AssignTicket gives an unheld, open ticket to userID (a clerk's Assumir),
// recording the change. The UPDATE only matches a ticket nobody holds, and the
// writer runs one transaction at a time, so of two clerks clicking at once
// exactly one wins; the other gets ErrTicketTaken (ErrTicketClosed,
// ErrNotFound). Taking a ticket one already holds succeeds.
func (s *Store) AssignTicket(ctx context.Context, ticketID, userID int64) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		var holder sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT status, assignee_id FROM tickets WHERE id = ?`, ticketID).Scan(&status, &holder)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case status == TicketClosed:
			return ErrTicketClosed
		case holder.Int64 == userID:
			return nil
		case holder.Valid:
			return ErrTicketTaken
		}
		to := status
		if status != TicketWaitingCit && status != TicketAnswered {
			to = TicketInService
		}
		return s.TransitionTicketTx(ctx, tx, Transition{TicketID: ticketID, From: status, To: to, UserID: userID,
			SetAssignee: true, AssigneeID: userID})
	})
	if err != nil {
		return fmt.Errorf("assign ticket %d: %w", ticketID, err)
	}
	return nil
}

// CloseTicket finishes an open ticket.
func (s *Store) CloseTicket(ctx context.Context, ticketID int64) error {
	now := s.Now()
	res, err := s.W.ExecContext(ctx, `UPDATE tickets SET status = 'encerrado', closed_at = ?, updated_at = ?, unread = 0
		WHERE id = ? AND status <> 'encerrado'`, now, now, ticketID)
	if err := affectedOne(res, err, "close ticket"); err != nil {
		if errors.Is(err, ErrNotFound) {
			if _, e := s.ConversationByTicket(ctx, ticketID); e == nil {
				return fmt.Errorf("close ticket %d: %w", ticketID, ErrTicketClosed)
			}
		}
		return err
	}
	return nil
}

// ResetUnread zeroes the unread count of a ticket. When there was something
// unread it returns the wamid of the ticket's last inbound message and the
// contact's number, so a read receipt can be sent; otherwise empty strings.
func (s *Store) ResetUnread(ctx context.Context, ticketID int64) (wamid, waID string, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET unread = 0 WHERE id = ? AND unread > 0`, ticketID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		err = tx.QueryRowContext(ctx, `SELECT m.wamid, c.wa_id FROM messages m JOIN contacts c ON c.id = m.contact_id
			WHERE m.ticket_id = ? AND m.direction = 'in' AND m.wamid IS NOT NULL ORDER BY m.id DESC LIMIT 1`, ticketID).Scan(&wamid, &waID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("reset unread %d: %w", ticketID, err)
	}
	return wamid, waID, nil
}

// TicketsOfWAMIDs returns the open tickets the messages with these wamids
// belong to (for a message outside any ticket, its contact's open ticket).
func (s *Store) TicketsOfWAMIDs(ctx context.Context, wamids []string) ([]int64, error) {
	if len(wamids) == 0 {
		return nil, nil
	}
	var out []int64
	// Chunks stay well under SQLite's limit on bound parameters.
	for start := 0; start < len(wamids); start += 500 {
		chunk := wamids[start:min(start+500, len(wamids))]
		args := make([]any, len(chunk))
		for i, w := range chunk {
			args[i] = w
		}
		rows, err := s.R.QueryContext(ctx, `SELECT DISTINCT COALESCE(m.ticket_id, (SELECT t.id FROM tickets t
			WHERE t.contact_id = m.contact_id AND t.status <> 'encerrado' ORDER BY t.id DESC LIMIT 1))
			FROM messages m WHERE m.wamid IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("tickets of wamids: %w", err)
		}
		for rows.Next() {
			var id sql.NullInt64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("tickets of wamids: %w", err)
			}
			if id.Valid {
				out = append(out, id.Int64)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("tickets of wamids: %w", err)
		}
	}
	return out, nil
}

// TicketsOfMessages returns the tickets of the messages with these ids.
func (s *Store) TicketsOfMessages(ctx context.Context, ids []int64) ([]int64, error) {
	var out []int64
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		got, err := queryIDs(ctx, s.R, `SELECT DISTINCT ticket_id FROM messages WHERE ticket_id IS NOT NULL
			AND id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("tickets of messages: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// TicketOfMessage returns the ticket and contact of a message.
func (s *Store) TicketOfMessage(ctx context.Context, messageID int64) (ticketID, contactID int64, err error) {
	var t sql.NullInt64
	err = s.R.QueryRowContext(ctx, `SELECT ticket_id, contact_id FROM messages WHERE id = ?`, messageID).Scan(&t, &contactID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("message %d: %w", messageID, ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("message %d: %w", messageID, err)
	}
	return t.Int64, contactID, nil
}
