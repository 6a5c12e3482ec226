package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Outbox states.
const (
	OutboxPending  = "pending"
	OutboxInflight = "inflight"
	OutboxSent     = "sent"
	OutboxFailed   = "failed"
	// OutboxUnknown marks a send whose outcome was lost in a crash: it may or
	// may not have reached WhatsApp, so it is never resent without a person.
	OutboxUnknown = "unknown"
)

// Outgoing is a message to queue for a citizen.
type Outgoing struct {
	ContactID int64
	TicketID  int64 // 0 when not part of a ticket
	AuthorID  int64 // the clerk who wrote it; 0 for the bot or the system
	ToWaID    string
	// Kind is the message type (text, interactive, template, image, document…).
	Kind string
	// Body is what the panel shows of it.
	Body string
	// Payload is the whatsapp.OutMessage JSON sent to the Cloud API.
	Payload string
	MediaID int64
}

// OutboxItem is a row the worker sends.
type OutboxItem struct {
	ID        int64
	MessageID int64 // 0 for mark-as-read
	ToWaID    string
	Kind      string
	Payload   string
	Attempts  int
	CreatedAt int64
}

// Enqueue stores the message and its outbox row in one transaction.
func (s *Store) Enqueue(ctx context.Context, o Outgoing) (messageID, outboxID int64, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		messageID, outboxID, err = s.EnqueueTx(ctx, tx, o)
		return err
	})
	return messageID, outboxID, err
}

// EnqueueTx is Enqueue inside a caller's transaction (e.g. the bot's step).
func (s *Store) EnqueueTx(ctx context.Context, tx *sql.Tx, o Outgoing) (messageID, outboxID int64, err error) {
	now := s.Now()
	err = tx.QueryRowContext(ctx, `INSERT INTO messages (contact_id, ticket_id, direction, type, body, payload, media_id, status, author_id, created_at)
		VALUES (?, NULLIF(?, 0), 'out', ?, ?, ?, NULLIF(?, 0), 'queued', NULLIF(?, 0), ?) RETURNING id`,
		o.ContactID, o.TicketID, o.Kind, o.Body, o.Payload, o.MediaID, o.AuthorID, now).Scan(&messageID)
	if err != nil {
		return 0, 0, fmt.Errorf("enqueue message: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO outbox (message_id, to_wa_id, kind, payload, state, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id`, messageID, o.ToWaID, o.Kind, o.Payload, now, now, now).Scan(&outboxID)
	if err != nil {
		return 0, 0, fmt.Errorf("enqueue outbox: %w", err)
	}
	if o.TicketID != 0 {
		// The first message a person writes is the ticket's first response (deadlines, reports).
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET last_message_at = ?1, updated_at = ?1,
			first_response_at = CASE WHEN ?2 <> 0 THEN COALESCE(first_response_at, ?1) ELSE first_response_at END
			WHERE id = ?3`, now, o.AuthorID, o.TicketID); err != nil {
			return 0, 0, fmt.Errorf("enqueue: touch ticket: %w", err)
		}
	}
	return messageID, outboxID, nil
}

// EnqueueMarkRead queues a read receipt for an inbound wamid (no message row).
func (s *Store) EnqueueMarkRead(ctx context.Context, toWaID, payload string) error {
	now := s.Now()
	_, err := s.W.ExecContext(ctx, `INSERT INTO outbox (to_wa_id, kind, payload, state, next_attempt_at, created_at, updated_at)
		VALUES (?, 'mark_read', ?, 'pending', ?, ?, ?)`, toWaID, payload, now, now, now)
	if err != nil {
		return fmt.Errorf("enqueue mark-read: %w", err)
	}
	return nil
}

// ClaimDue marks up to limit due pending rows in flight and returns them, oldest first.
// Each citizen's messages go out one at a time and in order: a row is due only
// when no older row to the same number is pending (a paced or retried row
// holds back the ones behind it) and none is in flight.
func (s *Store) ClaimDue(ctx context.Context, limit int) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET state = 'inflight', attempts = attempts + 1, updated_at = ?1
			WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 AND `+citizenHeadSQL+`
				ORDER BY o.next_attempt_at, o.id LIMIT ?2)
			RETURNING id, COALESCE(message_id, 0), to_wa_id, kind, payload, attempts, created_at`, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it OutboxItem
			if err := rows.Scan(&it.ID, &it.MessageID, &it.ToWaID, &it.Kind, &it.Payload, &it.Attempts, &it.CreatedAt); err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	// RETURNING gives no order guarantee.
	slices.SortFunc(out, func(a, b OutboxItem) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// citizenHeadSQL holds for a pending row o that is next in its citizen's line:
// no older row to the same number pending, none in flight (outbox_citizen_idx).
const citizenHeadSQL = `NOT EXISTS (SELECT 1 FROM outbox p WHERE p.to_wa_id = o.to_wa_id AND p.state = 'pending' AND p.id < o.id)
	AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.to_wa_id = o.to_wa_id AND f.state = 'inflight')`

// MarkSent records that the Cloud API accepted row id as wamid. A status
// webhook that raced ahead of this is applied now.
func (s *Store) MarkSent(ctx context.Context, id int64, wamid string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		var messageID sql.NullInt64
		err := tx.QueryRowContext(ctx, `UPDATE outbox SET state = 'sent', wamid = ?, sent_at = ?, updated_at = ?, error_code = 0, error_text = ''
			WHERE id = ? RETURNING message_id`, nullIfEmpty(wamid), now, now, id).Scan(&messageID)
		if err != nil {
			return fmt.Errorf("mark sent %d: %w", id, err)
		}
		if !messageID.Valid {
			return nil
		}
		// The best status already known for this wamid, else "accepted".
		_, err = tx.ExecContext(ctx, `UPDATE messages SET wamid = ?1,
			status = COALESCE((SELECT status FROM message_statuses WHERE wamid = ?1 ORDER BY `+fmt.Sprintf(statusRankSQL, "status")+` DESC LIMIT 1), 'accepted'),
			error_code = COALESCE((SELECT error_code FROM message_statuses WHERE wamid = ?1 AND status = 'failed'), 0),
			error_text = COALESCE((SELECT error_text FROM message_statuses WHERE wamid = ?1 AND status = 'failed'), '')
			WHERE id = ?2`, nullIfEmpty(wamid), messageID.Int64)
		if err != nil {
			return fmt.Errorf("mark sent %d: message: %w", id, err)
		}
		return nil
	})
}

// MarkRetry puts row id back in the queue for another attempt at nextAt (Unix ms).
func (s *Store) MarkRetry(ctx context.Context, id int64, nextAt int64, code int, text string) error {
	_, err := s.W.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = ?, error_code = ?, error_text = ?, updated_at = ?
		WHERE id = ?`, nextAt, code, text, s.Now(), id)
	if err != nil {
		return fmt.Errorf("mark retry %d: %w", id, err)
	}
	return nil
}

// MarkFailed records a permanent failure of row id, shown to the clerk on its message.
func (s *Store) MarkFailed(ctx context.Context, id int64, code int, text string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var messageID sql.NullInt64
		err := tx.QueryRowContext(ctx, `UPDATE outbox SET state = 'failed', error_code = ?, error_text = ?, updated_at = ?
			WHERE id = ? RETURNING message_id`, code, text, s.Now(), id).Scan(&messageID)
		if err != nil {
			return fmt.Errorf("mark failed %d: %w", id, err)
		}
		if messageID.Valid {
			_, err = tx.ExecContext(ctx, `UPDATE messages SET status = 'failed', error_code = ?, error_text = ? WHERE id = ?`,
				code, text, messageID.Int64)
		}
		return err
	})
}

// RecoverInflight runs at start: rows left in flight by a crash may or may not
// have reached WhatsApp, so they become "unknown" (shown to the clerk, who
// decides to resend) instead of being sent a second time behind anyone's back.
func (s *Store) RecoverInflight(ctx context.Context) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		_, err := tx.ExecContext(ctx, `UPDATE messages SET status = 'unknown',
			error_text = 'Envio interrompido: não se sabe se chegou ao WhatsApp. Confira com o cidadão ou reenvie.'
			WHERE id IN (SELECT message_id FROM outbox WHERE state = 'inflight' AND message_id IS NOT NULL)`)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'unknown', updated_at = ? WHERE state = 'inflight'`, now)
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		n = int(k)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("recover in-flight outbox: %w", err)
	}
	return n, nil
}

// Resend puts a failed or unknown message back in the queue (a person decided).
func (s *Store) Resend(ctx context.Context, messageID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ?
			WHERE message_id = ? AND state IN ('failed', 'unknown')`, now, now, messageID)
		if err := affectedOne(res, err, "resend"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET status = 'queued', error_code = 0, error_text = '' WHERE id = ?`, messageID)
		return err
	})
}

// OutboxCounts returns how many rows are in each state.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// NextDue returns the Unix ms at which the next row becomes claimable, or 0
// when none can be: nothing pending, or only rows waiting behind a row in
// flight (the worker looks again when that send is recorded).
func (s *Store) NextDue(ctx context.Context) (int64, error) {
	var at int64
	err := s.R.QueryRowContext(ctx, `SELECT o.next_attempt_at FROM outbox o WHERE o.state = 'pending' AND `+citizenHeadSQL+`
		ORDER BY o.next_attempt_at LIMIT 1`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("next due: %w", err)
	}
	return at, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// LocalMediaPrefix marks a media reference in an outbox payload that names a
// file kept in media.db rather than a media id WhatsApp gave us. The panel
// queues a photo or PDF as an image/document OutMessage whose id is
// "media:<local id>", e.g. {"type":"image","image":{"id":"media:12"}}, and sets
// Outgoing.MediaID to the same id. Before sending, the outbox worker uploads
// that file (POST /{phone-number-id}/media, reusing media.wa_media_id while it
// is valid) and replaces the reference with WhatsApp's id; the row's payload
// keeps the local reference, so a retry uploads again if needed.
const LocalMediaPrefix = "media:"

// LocalMediaRef returns the outbox payload reference of media.db file id.
func LocalMediaRef(id int64) string { return LocalMediaPrefix + strconv.FormatInt(id, 10) }

// ParseLocalMediaRef returns the media.db id of a "media:<id>" reference.
func ParseLocalMediaRef(ref string) (int64, bool) {
	s, ok := strings.CutPrefix(ref, LocalMediaPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
