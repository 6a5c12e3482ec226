package store

import (
	"context"
	"database/sql"
	"fmt"
)

// BotSession is where a contact is in the bot's conversation. The store
// keeps State as opaque JSON; package bot defines it.
type BotSession struct {
	ContactID int64
	State     string
	UpdatedAt int64
}

// BotSession returns the bot session of contactID, or ErrNotFound when the
// contact has none (a new conversation).
func (s *Store) BotSession(ctx context.Context, contactID int64) (BotSession, error) {
	b := BotSession{ContactID: contactID}
	err := s.R.QueryRowContext(ctx, `SELECT state, updated_at FROM bot_sessions WHERE contact_id = ?`, contactID).
		Scan(&b.State, &b.UpdatedAt)
	if err == sql.ErrNoRows {
		return b, fmt.Errorf("bot session of contact %d: %w", contactID, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("bot session of contact %d: %w", contactID, err)
	}
	return b, nil
}

// SaveBotSession stores state as the bot session of contactID.
func (s *Store) SaveBotSession(ctx context.Context, contactID int64, state string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.SaveBotSessionTx(ctx, tx, contactID, state) })
}

// SaveBotSessionTx is SaveBotSession inside the caller's transaction, so the
// new state commits with the replies it sent.
func (s *Store) SaveBotSessionTx(ctx context.Context, tx *sql.Tx, contactID int64, state string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO bot_sessions (contact_id, state, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (contact_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		contactID, state, s.Now())
	if isForeignKeyViolation(err) {
		return fmt.Errorf("save bot session: contact %d: %w", contactID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("save bot session of contact %d: %w", contactID, err)
	}
	return nil
}

// DeleteBotSession ends the bot conversation of contactID; a contact without
// one is not an error.
func (s *Store) DeleteBotSession(ctx context.Context, contactID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.DeleteBotSessionTx(ctx, tx, contactID) })
}

// DeleteBotSessionTx is DeleteBotSession inside the caller's transaction.
func (s *Store) DeleteBotSessionTx(ctx context.Context, tx *sql.Tx, contactID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM bot_sessions WHERE contact_id = ?`, contactID); err != nil {
		return fmt.Errorf("delete bot session of contact %d: %w", contactID, err)
	}
	return nil
}

// DeleteBotSessionsBefore removes sessions untouched since before (Unix ms)
// and returns how many. The bot restarts an idle session anyway; this only
// keeps the table small.
func (s *Store) DeleteBotSessionsBefore(ctx context.Context, before int64) (int64, error) {
	res, err := s.W.ExecContext(ctx, `DELETE FROM bot_sessions WHERE updated_at < ?`, before)
	if err != nil {
		return 0, fmt.Errorf("delete old bot sessions: %w", err)
	}
	return res.RowsAffected()
}

// ContactAnswer is one piece of data a citizen gave the bot.
type ContactAnswer struct {
	ID        int64
	ContactID int64
	// TicketID is 0 until a ticket is opened with the answer.
	TicketID int64
	// NodeID is the menu node that asked (0 when unknown or deleted since).
	NodeID int64
	Key    string
	Label  string
	Value  string
	// MessageID is the inbound message that carried the answer (0 = none).
	MessageID int64
	// MediaID is the media.db row of a photo or document (0 = none or not yet downloaded).
	MediaID int64
	// Identifying marks an answer that tells who the citizen is (CPF, phone,
	// name, address): "dado protegido" on a sigilosa ticket, never kept by
	// an anonymous one.
	Identifying bool
	CreatedAt   int64
}

// AddContactAnswers stores answers in one transaction.
func (s *Store) AddContactAnswers(ctx context.Context, answers []ContactAnswer) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.AddContactAnswersTx(ctx, tx, answers) })
}

// AddContactAnswersTx is AddContactAnswers inside the caller's transaction,
// e.g. the one that opens the ticket they belong to.
func (s *Store) AddContactAnswersTx(ctx context.Context, tx *sql.Tx, answers []ContactAnswer) error {
	now := s.Now()
	for _, a := range answers {
		_, err := tx.ExecContext(ctx, `INSERT INTO contact_answers
			(contact_id, ticket_id, node_id, key, label, value, message_id, media_id, identifying, created_at)
			VALUES (?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?)`,
			a.ContactID, a.TicketID, a.NodeID, a.Key, a.Label, a.Value, a.MessageID, a.MediaID, a.Identifying, now)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("add contact answer %q: contact, ticket, node or message: %w", a.Key, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("add contact answer %q: %w", a.Key, err)
		}
	}
	return nil
}

// ContactAnswers returns the answers of contactID, oldest first.
func (s *Store) ContactAnswers(ctx context.Context, contactID int64) ([]ContactAnswer, error) {
	return s.contactAnswers(ctx, `contact_id = ?`, contactID)
}

// TicketAnswers returns the answers a ticket was opened with, in order.
func (s *Store) TicketAnswers(ctx context.Context, ticketID int64) ([]ContactAnswer, error) {
	return s.contactAnswers(ctx, `ticket_id = ?`, ticketID)
}

func (s *Store) contactAnswers(ctx context.Context, where string, args ...any) ([]ContactAnswer, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT id, contact_id, COALESCE(ticket_id, 0), COALESCE(node_id, 0), key, label,
		value, COALESCE(message_id, 0), COALESCE(media_id, 0), identifying, created_at FROM contact_answers WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("contact answers: %w", err)
	}
	defer rows.Close()
	var out []ContactAnswer
	for rows.Next() {
		var a ContactAnswer
		if err := rows.Scan(&a.ID, &a.ContactID, &a.TicketID, &a.NodeID, &a.Key, &a.Label, &a.Value,
			&a.MessageID, &a.MediaID, &a.Identifying, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("contact answers: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contact answers: %w", err)
	}
	return out, nil
}
