package store

import (
	"context"
	"database/sql"
	"fmt"
)

// PendingInbound is a stored inbound message whose follow-up work (the bot,
// routing) is not done yet.
type PendingInbound struct {
	ID        int64
	ContactID int64
	// TicketID is the clerk's ticket the message was stored into (0: none).
	TicketID int64
	Type     string
	Body     string
	// Payload is the messages[] item as received (whatsapp.ParseMessage).
	Payload     string
	WATimestamp int64
	CreatedAt   int64
	WaID        string
	ProfileName string
}

// PendingInbound returns up to limit unprocessed inbound messages, oldest first.
func (s *Store) PendingInbound(ctx context.Context, limit int) ([]PendingInbound, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT m.id, m.contact_id, COALESCE(m.ticket_id, 0), m.type, m.body, m.payload,
			m.wa_timestamp, m.created_at, c.wa_id, c.profile_name
		FROM messages m JOIN contacts c ON c.id = m.contact_id
		WHERE m.processed_at IS NULL AND m.direction = 'in' ORDER BY m.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending inbound: %w", err)
	}
	defer rows.Close()
	var out []PendingInbound
	for rows.Next() {
		var p PendingInbound
		if err := rows.Scan(&p.ID, &p.ContactID, &p.TicketID, &p.Type, &p.Body, &p.Payload,
			&p.WATimestamp, &p.CreatedAt, &p.WaID, &p.ProfileName); err != nil {
			return nil, fmt.Errorf("pending inbound: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending inbound: %w", err)
	}
	return out, nil
}

// FinishInbound runs fn and marks inbound message id processed, in one
// transaction: what fn writes (the bot's replies in the outbox, its session,
// a ticket) commits exactly when the message stops being pending, so a crash
// redoes the work once and never twice. A message already processed is
// skipped: done is false and fn does not run.
func (s *Store) FinishInbound(ctx context.Context, id int64, fn func(tx *sql.Tx) error) (done bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET processed_at = ? WHERE id = ? AND processed_at IS NULL AND direction = 'in'`,
			s.Now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		return fn(tx)
	})
	if err != nil {
		return false, fmt.Errorf("finish inbound %d: %w", id, err)
	}
	return done, nil
}

// ChatTicketTx returns the open ticket of contactID that is in a clerk's
// hands (queued after a hand-off, or taken), or 0 when the contact talks to
// the bot.
func (s *Store) ChatTicketTx(ctx context.Context, tx *sql.Tx, contactID int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE contact_id = ? AND `+chatOpenSQL+` ORDER BY id DESC LIMIT 1`,
		contactID).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("chat ticket of contact %d: %w", contactID, err)
	}
	return id, nil
}

// AttachInboundTx puts inbound message id into ticketID, counting it unread.
func (s *Store) AttachInboundTx(ctx context.Context, tx *sql.Tx, id, ticketID int64) error {
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET ticket_id = ? WHERE id = ?`, ticketID, id); err != nil {
		return fmt.Errorf("attach message %d: %w", id, err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET unread = unread + 1, last_message_at = max(last_message_at, ?1), updated_at = ?1
		WHERE id = ?2`, now, ticketID)
	if err != nil {
		return fmt.Errorf("attach message %d: %w", id, err)
	}
	return nil
}

// AttachBotHistoryTx moves the contact's messages outside any ticket since
// since (Unix ms) into ticketID: the bot's steps and what the citizen
// answered, so the clerk who takes the ticket reads them. Inbound messages
// still pending (and upTo's later ones) are left to be processed on their own.
func (s *Store) AttachBotHistoryTx(ctx context.Context, tx *sql.Tx, contactID, ticketID, since, upTo int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE messages SET ticket_id = ?1
		WHERE contact_id = ?2 AND ticket_id IS NULL AND created_at >= ?3
			AND (direction = 'out' OR processed_at IS NOT NULL OR id = ?4) AND id <= ?4`,
		ticketID, contactID, since, upTo)
	if err != nil {
		return fmt.Errorf("attach bot history to ticket %d: %w", ticketID, err)
	}
	if err := recountTicketTx(ctx, tx, ticketID); err != nil {
		return fmt.Errorf("attach bot history to ticket %d: %w", ticketID, err)
	}
	return nil
}

// recountTicketTx sets a ticket's unread count and last activity from the
// messages it holds, after a conversation was moved into it.
func recountTicketTx(ctx context.Context, tx *sql.Tx, ticketID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET
			unread = (SELECT count(*) FROM messages WHERE ticket_id = ?1 AND direction = 'in'),
			last_message_at = COALESCE((SELECT max(created_at) FROM messages WHERE ticket_id = ?1), last_message_at)
		WHERE id = ?1`, ticketID)
	return err
}

// OptOutTx records that contactID wants no campaign messages.
func (s *Store) OptOutTx(ctx context.Context, tx *sql.Tx, contactID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET opted_out = 1, updated_at = ? WHERE id = ?`, s.Now(), contactID)
	if err != nil {
		return fmt.Errorf("opt out contact %d: %w", contactID, err)
	}
	return nil
}

// RecordArticleFeedbackTx is RecordArticleFeedback inside the caller's
// transaction; an article deleted since it was shown is ignored.
func (s *Store) RecordArticleFeedbackTx(ctx context.Context, tx *sql.Tx, id int64, helpful bool) error {
	query := `UPDATE articles SET helpful_no = helpful_no + 1 WHERE id = ?`
	if helpful {
		query = `UPDATE articles SET helpful_yes = helpful_yes + 1 WHERE id = ?`
	}
	if _, err := tx.ExecContext(ctx, query, id); err != nil {
		return fmt.Errorf("article feedback: %w", err)
	}
	return nil
}

// BotHistoryStartTx is where the bot conversation that leads to a new ticket
// of contactID starts: after the contact's last ticket was opened, and within
// the last day (older unattached messages were another conversation).
func (s *Store) BotHistoryStartTx(ctx context.Context, tx *sql.Tx, contactID int64) (int64, error) {
	const day = 24 * 60 * 60 * 1000
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(created_at), 0) FROM tickets WHERE contact_id = ?`, contactID).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("bot history of contact %d: %w", contactID, err)
	}
	return max(last, s.Now()-day), nil
}
