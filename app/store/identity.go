package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// AnonymousWaID is the wa_id of the placeholder contact every anonymous
// ticket is opened on: the ticket needs a contact, and pointing at the
// citizen's would be the very link an anonymous manifestation must not keep.
// It is not a phone number, so nothing can ever be sent to it.
const AnonymousWaID = "anonimo"

// AnonymousName is how the panel names the placeholder contact.
const AnonymousName = "Manifestante anônimo"

// AnonymousContactTx returns the placeholder contact of anonymous tickets,
// creating it the first time (opted out: no campaign ever goes to it).
func (s *Store) AnonymousContactTx(ctx context.Context, tx *sql.Tx) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO contacts (wa_id, name, opted_out, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3)
		ON CONFLICT (wa_id) DO UPDATE SET wa_id = excluded.wa_id RETURNING id`, AnonymousWaID, AnonymousName, s.Now()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("anonymous contact: %w", err)
	}
	return id, nil
}

// MoveBotHistoryAnonymousTx is AttachBotHistoryTx for an anonymous ticket:
// the bot conversation that became the ticket is moved, not linked. Its
// messages are re-pointed from the citizen's contact to the placeholder
// (anonymousID), so the citizen's history no longer holds them and the
// ticket holds nothing of the citizen:
//
//   - the wamid is cleared (WhatsApp's ids encode the sender's number, and
//     status webhooks would match them);
//   - the stored payload keeps only the content ("type" and its object, for
//     a photo or a place) and loses "from", "to", "id" and "context";
//   - outbox rows of the bot's replies let go of their message (they hold the
//     citizen's number to deliver what is still pending);
//   - the raw webhooks that brought the citizen's messages (webhook_events,
//     kept for audit) are deleted: each holds the text beside the number.
//
// Moving was chosen over copying: a copy would leave the original text in
// the citizen's history, where it could be matched with the ticket's. A
// webhook Meta delivers again after this (it was acknowledged, so rarely)
// no longer finds its wamid and is stored as a new message of the citizen.
// Messages in except (the answers that identify the citizen: CPF, phone,
// name…) stay with the citizen, outside any ticket.
func (s *Store) MoveBotHistoryAnonymousTx(ctx context.Context, tx *sql.Tx, contactID, anonymousID, ticketID, since, upTo int64, except []int64) error {
	// The same messages AttachBotHistoryTx would link.
	skip := []string{"0"}
	args := []any{contactID, since, upTo}
	for _, id := range except {
		args = append(args, id)
		skip = append(skip, "?"+strconv.Itoa(len(args)))
	}
	ids, err := queryIDsTx(ctx, tx, `SELECT id FROM messages
		WHERE contact_id = ?1 AND ticket_id IS NULL AND created_at >= ?2
			AND (direction = 'out' OR processed_at IS NOT NULL OR id = ?3) AND id <= ?3
			AND id NOT IN (`+strings.Join(skip, ",")+`)`, args...)
	if err != nil {
		return fmt.Errorf("move bot history to anonymous ticket %d: %w", ticketID, err)
	}
	if err := scrubWebhookEventsTx(ctx, tx, since, ids); err != nil {
		return fmt.Errorf("move bot history to anonymous ticket %d: %w", ticketID, err)
	}
	for _, id := range ids {
		_, err := tx.ExecContext(ctx, `UPDATE messages SET contact_id = ?1, ticket_id = ?2, wamid = NULL,
				payload = CASE WHEN json_valid(payload) AND json_type(payload, '$.' || type) IS NOT NULL
					THEN json_object('type', type, type, json_extract(payload, '$.' || type)) ELSE '' END
			WHERE id = ?3`, anonymousID, ticketID, id)
		if err != nil {
			return fmt.Errorf("move message %d to anonymous ticket %d: %w", id, ticketID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET message_id = NULL WHERE message_id = ?`, id); err != nil {
			return fmt.Errorf("move message %d to anonymous ticket %d: %w", id, ticketID, err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE tickets SET
			unread = (SELECT count(*) FROM messages WHERE ticket_id = ?1 AND direction = 'in'),
			last_message_at = COALESCE((SELECT max(created_at) FROM messages WHERE ticket_id = ?1), last_message_at)
		WHERE id = ?1`, ticketID)
	if err != nil {
		return fmt.Errorf("move bot history to anonymous ticket %d: %w", ticketID, err)
	}
	return nil
}

// ChangeIdentity is the ticket_events kind of a reveal of the citizen of a
// sigilosa ticket.
const ChangeIdentity = "identity"

// AuditIdentityReveal is the audit_events action of a reveal.
const AuditIdentityReveal = "identity.reveal"

// RecordIdentityReveal records, in one transaction, that userID saw who the
// citizen of a sigilosa ticket is: an audit_events row (the log the
// Auditoria page lists; subject the protocol number) and a ticket_events row
// (the ticket's own history). A ticket that is not sigilosa is ErrNotFound:
// there is nothing to reveal (an anonymous one has no citizen at all).
func (s *Store) RecordIdentityReveal(ctx context.Context, userID, ticketID int64, where string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var protocol string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(protocol, '') FROM tickets WHERE id = ? AND identity = 'sigilosa'`, ticketID).Scan(&protocol)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, user_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)`,
			now, userID, AuditIdentityReveal, protocol, where); err != nil {
			return err
		}
		return addChange(ctx, tx, TicketChange{TicketID: ticketID, At: now, UserID: userID, Kind: ChangeIdentity, Comment: where})
	})
	if err != nil {
		return fmt.Errorf("identity reveal of ticket %d: %w", ticketID, err)
	}
	return nil
}

// scrubWindow is how far before a conversation's start its webhooks may have
// been received (the message is stored in the webhook's own transaction).
const scrubWindow = 60 * 1000

// scrubWebhookEventsTx deletes the raw webhooks, received since since, that
// carried the inbound messages among ids. webhook_events has no index but
// its rowid grows with time, so the rows since since are found walking back
// from the newest, and only they are searched. A webhook that also carried
// another citizen's message loses its raw copy too: their message itself is
// stored apart and stays.
func scrubWebhookEventsTx(ctx context.Context, tx *sql.Tx, since int64, ids []int64) error {
	var wamids []string
	for _, id := range ids {
		var w string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(wamid, '') FROM messages WHERE id = ? AND direction = 'in'`, id).Scan(&w)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("scrub webhooks: %w", err)
		}
		if w != "" {
			wamids = append(wamids, w)
		}
	}
	if len(wamids) == 0 {
		return nil
	}
	const batch = 500
	low, hi := int64(-1), int64(math.MaxInt64)
walk:
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, received_at FROM webhook_events WHERE id <= ? ORDER BY id DESC LIMIT ?`, hi, batch)
		if err != nil {
			return fmt.Errorf("scrub webhooks: %w", err)
		}
		n := 0
		for rows.Next() {
			var id, at int64
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return fmt.Errorf("scrub webhooks: %w", err)
			}
			n++
			if at < since-scrubWindow {
				rows.Close()
				break walk
			}
			low, hi = id, id-1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("scrub webhooks: %w", err)
		}
		if n < batch {
			break
		}
	}
	if low < 0 {
		return nil
	}
	for _, w := range wamids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_events WHERE id >= ? AND instr(body, ?) > 0`, low, w); err != nil {
			return fmt.Errorf("scrub webhooks: %w", err)
		}
	}
	return nil
}
