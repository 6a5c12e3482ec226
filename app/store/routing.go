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

// chatOpenSQL matches the tickets in which a citizen's messages go to a
// clerk: open, and past the bot ('novo' is a demand the bot recorded, with
// the citizen still talking to the bot).
const chatOpenSQL = `status NOT IN ('novo', 'encerrado')`

// RoutedMessage says where an inbound message went.
type RoutedMessage struct {
	MessageID, ContactID, TicketID int64
	// NewTicket is true when the message opened the ticket.
	NewTicket bool
}

// RoutePending finishes up to limit stored inbound messages: a message that
// arrived without an open ticket is attached to a new one in the queue (or to
// one an earlier message of the batch opened), and all are marked processed,
// in one transaction. After a crash whatever was not marked is simply routed
// again, and nothing is routed twice.
func (s *Store) RoutePending(ctx context.Context, limit int) ([]RoutedMessage, error) {
	var out []RoutedMessage
	var find, touch, attach, done *sql.Stmt
	err := s.txWith(ctx, []prepared{
		{&find, `SELECT id FROM tickets WHERE contact_id = ? AND ` + chatOpenSQL + ` ORDER BY id DESC LIMIT 1`},
		{&touch, `UPDATE tickets SET unread = unread + 1, last_message_at = max(last_message_at, ?), updated_at = ? WHERE id = ?`},
		{&attach, `UPDATE messages SET ticket_id = ? WHERE id = ?`},
		{&done, `UPDATE messages SET processed_at = ?1 WHERE processed_at IS NULL AND direction = 'in' AND id <= ?2`},
	}, func(tx *sql.Tx) error {
		ps, err := pendingInbound(ctx, tx, limit)
		if err != nil || len(ps) == 0 {
			return err
		}
		now := s.Now()
		for _, p := range ps {
			r := RoutedMessage{MessageID: p.id, ContactID: p.contact, TicketID: p.ticket}
			if r.TicketID == 0 {
				err := find.QueryRowContext(ctx, p.contact).Scan(&r.TicketID)
				if err == sql.ErrNoRows {
					var t OpenedTicket
					t, err = s.OpenTicketTx(ctx, tx, NewTicket{ContactID: p.contact, Status: TicketQueued})
					r.TicketID, r.NewTicket = t.ID, true
					if err == nil {
						err = s.EmitTicketEventTx(ctx, tx, HookEvent{Event: EventTicketCreated, TicketID: t.ID})
					}
				}
				if err != nil {
					return fmt.Errorf("ticket for contact %d: %w", p.contact, err)
				}
				if _, err := touch.ExecContext(ctx, p.at, now, r.TicketID); err != nil {
					return err
				}
				if _, err := attach.ExecContext(ctx, r.TicketID, p.id); err != nil {
					return err
				}
			}
			if !r.NewTicket {
				if err := s.ResumeTicketTx(ctx, tx, r.TicketID); err != nil {
					return err
				}
			}
			// The citizen wrote: the window is open for what waited for it.
			if _, err := s.ReleaseHeldTx(ctx, tx, p.contact); err != nil {
				return err
			}
			out = append(out, r)
		}
		// Ids only grow and this is the only writer, so "pending up to the last
		// one read" is exactly the batch.
		_, err = done.ExecContext(ctx, now, ps[len(ps)-1].id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("route inbound: %w", err)
	}
	return out, nil
}

// pendingMessage is an inbound message not yet processed.
type pendingMessage struct{ id, contact, ticket, at int64 }

func pendingInbound(ctx context.Context, tx *sql.Tx, limit int) ([]pendingMessage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, contact_id, COALESCE(ticket_id, 0), created_at FROM messages
		WHERE processed_at IS NULL AND direction = 'in' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []pendingMessage
	for rows.Next() {
		var p pendingMessage
		if err := rows.Scan(&p.id, &p.contact, &p.ticket, &p.at); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}
