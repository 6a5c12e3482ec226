package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Ticket statuses (DESIGN.md: novo → em fila → em atendimento → … → encerrado; reaberto).
const (
	TicketNew        = "novo"
	TicketQueued     = "em_fila"
	TicketInService  = "em_atendimento"
	TicketForwarded  = "encaminhado"
	TicketWaitingCit = "aguardando_cidadao"
	TicketAnswered   = "respondido"
	TicketClosed     = "encerrado"
	TicketReopened   = "reaberto"
)

// RoutedMessage says where an inbound message went.
type RoutedMessage struct {
	MessageID, ContactID, TicketID int64
	// NewTicket is true when the message opened the ticket.
	NewTicket bool
	// AssigneeID is the clerk holding the ticket (0 when it waits in the queue).
	AssigneeID int64
}

// RoutePending attaches up to limit unprocessed inbound messages to their
// contact's open ticket (opening one in the queue when there is none) and marks
// them processed, all in one transaction: after a crash, whatever was not
// marked is simply routed again, and nothing is routed twice.
func (s *Store) RoutePending(ctx context.Context, limit int) ([]RoutedMessage, error) {
	var out []RoutedMessage
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, contact_id, created_at FROM messages
			WHERE processed_at IS NULL AND direction = 'in' ORDER BY id LIMIT ?`, limit)
		if err != nil {
			return err
		}
		type pending struct{ id, contact, at int64 }
		var ps []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.contact, &p.at); err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.Now()
		for _, p := range ps {
			r := RoutedMessage{MessageID: p.id, ContactID: p.contact}
			var assignee sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT id, assignee_id FROM tickets WHERE contact_id = ? AND status <> 'encerrado'
				ORDER BY id DESC LIMIT 1`, p.contact).Scan(&r.TicketID, &assignee)
			if err == sql.ErrNoRows {
				err = tx.QueryRowContext(ctx, `INSERT INTO tickets (contact_id, status, created_at, updated_at)
					VALUES (?, 'em_fila', ?, ?) RETURNING id`, p.contact, now, now).Scan(&r.TicketID)
				r.NewTicket = true
			}
			if err != nil {
				return fmt.Errorf("ticket for contact %d: %w", p.contact, err)
			}
			r.AssigneeID = assignee.Int64
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET unread = unread + 1, last_message_at = ?, updated_at = ? WHERE id = ?`,
				p.at, now, r.TicketID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET ticket_id = ?, processed_at = ? WHERE id = ?`, r.TicketID, now, p.id); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("route inbound: %w", err)
	}
	return out, nil
}
