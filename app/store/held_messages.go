package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// HoldTx keeps o for its citizen until they next write: it is news the
// 24-hour window did not let through (the template sent instead told them to
// answer to read it). ReleaseHeldTx queues it then.
func (s *Store) HoldTx(ctx context.Context, tx *sql.Tx, o Outgoing) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO held_messages (contact_id, ticket_id, author_id, to_wa_id, kind, body, payload, created_at)
		VALUES (?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?)`,
		o.ContactID, o.TicketID, o.AuthorID, o.ToWaID, o.Kind, o.Body, o.Payload, s.Now())
	if err != nil {
		return fmt.Errorf("hold message for contact %d: %w", o.ContactID, err)
	}
	return nil
}

// ReleaseHeldTx queues, oldest first, the messages held for contactID (its
// citizen just wrote: the window is open) and returns how many.
func (s *Store) ReleaseHeldTx(ctx context.Context, tx *sql.Tx, contactID int64) (int, error) {
	// Every inbound message asks; almost always nothing is held, and a
	// prepared lookup costs a fraction of compiling the DELETE … RETURNING.
	var waiting bool
	if err := tx.StmtContext(ctx, s.heldExists).QueryRowContext(ctx, contactID).Scan(&waiting); err != nil || !waiting {
		if err != nil {
			return 0, fmt.Errorf("release held messages of contact %d: %w", contactID, err)
		}
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `DELETE FROM held_messages WHERE contact_id = ?
		RETURNING id, COALESCE(ticket_id, 0), COALESCE(author_id, 0), to_wa_id, kind, body, payload`, contactID)
	if err != nil {
		return 0, fmt.Errorf("release held messages of contact %d: %w", contactID, err)
	}
	type held struct {
		id int64
		o  Outgoing
	}
	var list []held
	for rows.Next() {
		h := held{o: Outgoing{ContactID: contactID}}
		if err := rows.Scan(&h.id, &h.o.TicketID, &h.o.AuthorID, &h.o.ToWaID, &h.o.Kind, &h.o.Body, &h.o.Payload); err != nil {
			rows.Close()
			return 0, fmt.Errorf("release held messages of contact %d: %w", contactID, err)
		}
		list = append(list, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("release held messages of contact %d: %w", contactID, err)
	}
	// RETURNING gives no order: queue them as they were held.
	slices.SortFunc(list, func(a, b held) int { return cmp.Compare(a.id, b.id) })
	for _, h := range list {
		if _, _, err := s.EnqueueTx(ctx, tx, h.o); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// ChangeReply is the kind of a ticket event recording a public reply that
// waits for the citizen's window (held until they write).
const ChangeReply = "reply"

// RecordReply records a public reply of userID in the ticket's history and
// runs send (which queues or holds it), in one transaction.
func (s *Store) RecordReply(ctx context.Context, ticketID, userID int64, text string, send func(tx *sql.Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := addChange(ctx, tx, TicketChange{TicketID: ticketID, At: s.Now(), UserID: userID, Kind: ChangeReply,
			Comment: text, Public: true})
		if err != nil {
			return err
		}
		return send(tx)
	})
}
