package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// NoWhatsAppWaID is the wa_id of the contact that stands for "no citizen on
// WhatsApp": tickets opened through the API without a citizen (or anonymous
// ones, which keep no link to anybody) belong to it. It is opted out, and
// its wa_id is no phone number, so WhatsApp messages to it are refused
// before they reach the outbox.
const NoWhatsAppWaID = "sem-whatsapp"

// noWhatsAppName is how the panel names that contact.
const noWhatsAppName = "Sem contato no WhatsApp"

// APITicketFilter selects tickets for the API's list; zero fields do not filter.
type APITicketFilter struct {
	Protocol string
	Status   string
	Kind     string
	GroupID  int64
	// Since keeps tickets created at or after it (Unix ms).
	Since int64
	// Before keeps tickets with an id below it (keyset pagination; 0: from the newest).
	Before int64
	Limit  int
}

// APITicket is a ticket as the integration API shows it.
type APITicket struct {
	ID        int64
	Protocol  string
	Status    string
	Kind      string
	GroupID   int64
	GroupName string
	Subject   string
	// Identity is IdentityNormal, IdentitySigilosa or IdentityAnonima.
	Identity     string
	AssigneeID   int64
	AssigneeName string
	// ContactID and the citizen's fields are zero for anonymous tickets and
	// tickets without a citizen on WhatsApp.
	ContactID   int64
	WaID        string
	ContactName string
	CreatedAt   int64
	UpdatedAt   int64
	ClosedAt    int64
	// Resolution is what was done, written at the close.
	Resolution string
	// SurveyScore (0: no answer) and SurveyComment are the citizen's satisfaction answer.
	SurveyScore   int
	SurveyComment string
	// Deadlines are the ticket's deadlines (Overdue says whether it is late).
	Deadlines TicketDeadlines
}

const apiTicketSelect = `SELECT t.id, t.protocol, t.status, COALESCE(t.kind, ''), COALESCE(t.group_id, 0), COALESCE(g.name, ''),
	t.subject, t.identity, COALESCE(t.assignee_id, 0), COALESCE(u.name, ''),
	CASE WHEN t.identity <> 'normal' OR c.wa_id IN ('` + NoWhatsAppWaID + `', '` + AnonymousWaID + `') THEN 0 ELSE c.id END,
	CASE WHEN t.identity <> 'normal' OR c.wa_id IN ('` + NoWhatsAppWaID + `', '` + AnonymousWaID + `') THEN '' ELSE c.wa_id END,
	CASE WHEN t.identity <> 'normal' OR c.wa_id IN ('` + NoWhatsAppWaID + `', '` + AnonymousWaID + `') THEN '' ELSE COALESCE(NULLIF(c.name, ''), c.profile_name) END,
	t.created_at, t.updated_at, COALESCE(t.closed_at, 0), t.resolution, COALESCE(a.score, 0), COALESCE(a.comment, ''),
	COALESCE(t.first_response_at, 0), COALESCE(t.response_due_at, 0), COALESCE(t.due_at, 0), t.extended,
	COALESCE(t.paused_at, 0), COALESCE(t.dept_due_at, 0), t.dept_extended
	FROM tickets t
	JOIN contacts c ON c.id = t.contact_id
	LEFT JOIN survey_answers a ON a.ticket_id = t.id
	LEFT JOIN service_groups g ON g.id = t.group_id
	LEFT JOIN users u ON u.id = t.assignee_id`

func scanAPITicket(row interface{ Scan(...any) error }) (APITicket, error) {
	var t APITicket
	err := row.Scan(&t.ID, &t.Protocol, &t.Status, &t.Kind, &t.GroupID, &t.GroupName, &t.Subject, &t.Identity,
		&t.AssigneeID, &t.AssigneeName, &t.ContactID, &t.WaID, &t.ContactName, &t.CreatedAt, &t.UpdatedAt, &t.ClosedAt,
		&t.Resolution, &t.SurveyScore, &t.SurveyComment,
		&t.Deadlines.FirstResponseAt, &t.Deadlines.ResponseDueAt, &t.Deadlines.DueAt, &t.Deadlines.Extended,
		&t.Deadlines.PausedAt, &t.Deadlines.DeptDueAt, &t.Deadlines.DeptExtended)
	t.Deadlines.TicketID, t.Deadlines.Kind, t.Deadlines.Status, t.Deadlines.CreatedAt = t.ID, t.Kind, t.Status, t.CreatedAt
	return t, err
}

// APITickets lists tickets matching f, newest first, at most f.Limit.
func (s *Store) APITickets(ctx context.Context, f APITicketFilter) ([]APITicket, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	if f.Protocol != "" {
		add("t.protocol = ?", f.Protocol)
	}
	if f.Status != "" {
		add("t.status = ?", f.Status)
	}
	if f.Kind != "" {
		add("t.kind = ?", f.Kind)
	}
	if f.GroupID != 0 {
		add("t.group_id = ?", f.GroupID)
	}
	if f.Since != 0 {
		add("t.created_at >= ?", f.Since)
	}
	if f.Before != 0 {
		add("t.id < ?", f.Before)
	}
	q := apiTicketSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY t.id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("api tickets: %w", err)
	}
	defer rows.Close()
	out := []APITicket{}
	for rows.Next() {
		t, err := scanAPITicket(rows)
		if err != nil {
			return nil, fmt.Errorf("api tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// APITicketByProtocol reads one ticket by its protocol digits.
func (s *Store) APITicketByProtocol(ctx context.Context, digits string) (APITicket, error) {
	t, err := scanAPITicket(s.R.QueryRowContext(ctx, apiTicketSelect+` WHERE t.protocol = ?`, digits))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("ticket %s: %w", digits, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("ticket %s: %w", digits, err)
	}
	return t, nil
}

// APIMessage is one message of a ticket as the API shows it.
type APIMessage struct {
	ID         int64
	Direction  string
	Type       string
	Body       string
	Status     string
	AuthorName string
	CreatedAt  int64
	// Identifying: the message carried an answer that tells who the citizen is.
	Identifying bool
}

// APITicketMessages lists a ticket's messages, oldest first.
func (s *Store) APITicketMessages(ctx context.Context, ticketID int64, limit int) ([]APIMessage, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT m.id, m.direction, m.type, m.body, m.status, COALESCE(u.name, ''), m.created_at,
			m.direction = 'in' AND EXISTS (SELECT 1 FROM contact_answers a WHERE a.message_id = m.id AND a.identifying)
		FROM messages m LEFT JOIN users u ON u.id = m.author_id
		WHERE m.ticket_id = ? ORDER BY m.id LIMIT ?`, ticketID, limit)
	if err != nil {
		return nil, fmt.Errorf("ticket messages: %w", err)
	}
	defer rows.Close()
	out := []APIMessage{}
	for rows.Next() {
		var m APIMessage
		if err := rows.Scan(&m.ID, &m.Direction, &m.Type, &m.Body, &m.Status, &m.AuthorName, &m.CreatedAt, &m.Identifying); err != nil {
			return nil, fmt.Errorf("ticket messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// APINewTicket is a ticket opened through the API (e.g. the city's website).
type APINewTicket struct {
	Kind, Subject, Description string
	GroupID                    int64
	// Anonymous opens an anônima ticket on the placeholder contact
	// (AnonymousContactTx); WaID and Name must then be empty.
	Anonymous bool
	// WaID and Name name the citizen on WhatsApp; WaID "" for none.
	WaID, Name string
}

// CreateAPITicket opens the ticket, stores its description as the citizen's
// first message and queues ticket.created, all in one transaction.
func (s *Store) CreateAPITicket(ctx context.Context, n APINewTicket) (OpenedTicket, error) {
	var o OpenedTicket
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		contactID, err := s.apiContactTx(ctx, tx, n)
		if err != nil {
			return err
		}
		identity := IdentityNormal
		if n.Anonymous {
			identity = IdentityAnonima
		}
		o, err = s.OpenTicketTx(ctx, tx, NewTicket{ContactID: contactID, Status: TicketNew, GroupID: n.GroupID,
			Kind: n.Kind, Subject: n.Subject, Identity: identity})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO messages (contact_id, ticket_id, direction, type, body, status, created_at, processed_at)
			VALUES (?, ?, 'in', 'text', ?, 'received', ?, ?)`, contactID, o.ID, n.Description, now, now)
		if err != nil {
			return fmt.Errorf("api ticket description: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET last_message_at = ? WHERE id = ?`, now, o.ID); err != nil {
			return fmt.Errorf("api ticket: %w", err)
		}
		return s.EmitTicketEventTx(ctx, tx, HookEvent{Event: EventTicketCreated, TicketID: o.ID})
	})
	return o, err
}

// apiContactTx is the contact an API ticket is opened on: the citizen named,
// the "no WhatsApp" stand-in, or the placeholder of anonymous tickets.
func (s *Store) apiContactTx(ctx context.Context, tx *sql.Tx, n APINewTicket) (int64, error) {
	if n.Anonymous {
		return s.AnonymousContactTx(ctx, tx)
	}
	waID, name, optedOut := n.WaID, n.Name, false
	if waID == "" {
		waID, name, optedOut = NoWhatsAppWaID, noWhatsAppName, true
	}
	var contactID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO contacts (wa_id, name, opted_out, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
		ON CONFLICT (wa_id) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE contacts.name END,
			updated_at = excluded.updated_at
		RETURNING id`, waID, name, optedOut, s.Now()).Scan(&contactID)
	if err != nil {
		return 0, fmt.Errorf("api ticket contact: %w", err)
	}
	return contactID, nil
}
