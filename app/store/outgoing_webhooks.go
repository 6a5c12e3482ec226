package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Outgoing webhook events.
const (
	EventTicketCreated       = "ticket.created"
	EventTicketStatusChanged = "ticket.status_changed"
	EventTicketClosed        = "ticket.closed"
)

// Outgoing webhook states.
const (
	WebhookPending   = "pending"
	WebhookDelivered = "delivered"
	WebhookFailed    = "failed"
)

// WebhookSettings say where outgoing webhooks go (URL "" : nowhere).
type WebhookSettings struct {
	URL, Secret string
	UpdatedAt   int64
}

// WebhookSettings reads the outgoing webhook settings.
func (s *Store) WebhookSettings(ctx context.Context) (WebhookSettings, error) {
	var w WebhookSettings
	err := s.R.QueryRowContext(ctx, `SELECT webhook_url, webhook_secret, updated_at FROM api_settings WHERE id = 1`).
		Scan(&w.URL, &w.Secret, &w.UpdatedAt)
	if err != nil {
		return w, fmt.Errorf("webhook settings: %w", err)
	}
	return w, nil
}

// SaveWebhookSettings replaces the outgoing webhook settings.
func (s *Store) SaveWebhookSettings(ctx context.Context, w WebhookSettings) error {
	_, err := s.W.ExecContext(ctx, `UPDATE api_settings SET webhook_url = ?, webhook_secret = ?, updated_at = ? WHERE id = 1`,
		w.URL, w.Secret, s.Now())
	if err != nil {
		return fmt.Errorf("save webhook settings: %w", err)
	}
	return nil
}

// HookEvent is a change of a ticket told to the outgoing webhook.
type HookEvent struct {
	Event    string
	TicketID int64
	// PreviousStatus is the status before a status change ("" otherwise).
	PreviousStatus string
}

// EmitTicketEventTx queues the outgoing webhook of a ticket change inside the
// transaction that makes the change, so the event exists exactly when the
// change does. Code that changes tickets elsewhere (the workflow, the bot)
// calls it with its own transaction. Nothing is queued while no webhook URL
// is configured. The payload is the ticket as it is in the transaction; an
// ticket's contact is never in it (protected or not).
func (s *Store) EmitTicketEventTx(ctx context.Context, tx *sql.Tx, e HookEvent) error {
	now := s.Now()
	_, err := tx.ExecContext(ctx, `INSERT INTO outgoing_webhooks (event, ticket_id, payload, state, next_attempt_at, created_at)
		SELECT ?1, t.id, json_object(
			'event', ?1,
			'occurred_at', strftime('%Y-%m-%dT%H:%M:%fZ', ?3 / 1000.0, 'unixepoch'),
			'ticket', json_object(
				'protocol', t.protocol,
				'status', t.status,
				'previous_status', NULLIF(?4, ''),
				'kind', t.kind,
				'group_id', t.group_id,
				'subject', t.subject,
				'identity', t.identity,
				'anonymous', json(CASE WHEN t.identity <> 'normal' THEN 'true' ELSE 'false' END),
				'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', t.created_at / 1000.0, 'unixepoch'),
				'closed_at', CASE WHEN t.closed_at IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', t.closed_at / 1000.0, 'unixepoch') END)),
			'pending', ?3, ?3
		FROM tickets t, api_settings a
		WHERE t.id = ?2 AND a.id = 1 AND a.webhook_url <> ''`, e.Event, e.TicketID, now, e.PreviousStatus)
	if err != nil {
		return fmt.Errorf("emit %s: %w", e.Event, err)
	}
	return nil
}

// EmitTicketEvent is EmitTicketEventTx in a transaction of its own, for a
// change already committed.
func (s *Store) EmitTicketEvent(ctx context.Context, e HookEvent) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.EmitTicketEventTx(ctx, tx, e) })
}

// EmitStatusEventsTx queues ticket.status_changed for a change from status
// from, and ticket.closed as well when the ticket was closed; call it in the
// transaction of the change.
func (s *Store) EmitStatusEventsTx(ctx context.Context, tx *sql.Tx, ticketID int64, from, to string) error {
	if err := s.EmitTicketEventTx(ctx, tx, HookEvent{Event: EventTicketStatusChanged, TicketID: ticketID, PreviousStatus: from}); err != nil {
		return err
	}
	if to != TicketClosed {
		return nil
	}
	return s.EmitTicketEventTx(ctx, tx, HookEvent{Event: EventTicketClosed, TicketID: ticketID, PreviousStatus: from})
}

// OutgoingWebhook is one queued webhook delivery.
type OutgoingWebhook struct {
	ID            int64
	Event         string
	Protocol      string
	Payload       string
	State         string
	Attempts      int
	NextAttemptAt int64
	LastStatus    int
	LastError     string
	CreatedAt     int64
	DeliveredAt   int64
}

// ClaimWebhooks takes up to limit due deliveries, oldest first, counting the
// attempt and moving their next attempt lease ahead: a delivery the worker
// does not finish (a crash) is simply due again when the lease ends.
func (s *Store) ClaimWebhooks(ctx context.Context, limit int, lease int64) ([]OutgoingWebhook, error) {
	var out []OutgoingWebhook
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		rows, err := tx.QueryContext(ctx, `UPDATE outgoing_webhooks SET attempts = attempts + 1, next_attempt_at = ?1 + ?2
			WHERE id IN (SELECT id FROM outgoing_webhooks WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?3)
			RETURNING id, event, payload, attempts, created_at`, now, lease, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			w := OutgoingWebhook{State: WebhookPending}
			if err := rows.Scan(&w.ID, &w.Event, &w.Payload, &w.Attempts, &w.CreatedAt); err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhooks: %w", err)
	}
	return out, nil
}

// MarkWebhookDelivered records a delivery the receiver accepted.
func (s *Store) MarkWebhookDelivered(ctx context.Context, id int64, status int) error {
	now := s.Now()
	res, err := s.W.ExecContext(ctx, `UPDATE outgoing_webhooks SET state = 'delivered', last_status = ?, last_error = '', delivered_at = ?
		WHERE id = ?`, status, now, id)
	return affectedOne(res, err, "webhook delivered")
}

// MarkWebhookRetry records a failed attempt to be retried at nextAt.
func (s *Store) MarkWebhookRetry(ctx context.Context, id int64, nextAt int64, status int, text string) error {
	res, err := s.W.ExecContext(ctx, `UPDATE outgoing_webhooks SET next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?`,
		nextAt, status, text, id)
	return affectedOne(res, err, "webhook retry")
}

// MarkWebhookFailed gives up on a delivery.
func (s *Store) MarkWebhookFailed(ctx context.Context, id int64, status int, text string) error {
	res, err := s.W.ExecContext(ctx, `UPDATE outgoing_webhooks SET state = 'failed', last_status = ?, last_error = ? WHERE id = ?`,
		status, text, id)
	return affectedOne(res, err, "webhook failed")
}

// RetryWebhook puts a failed delivery back in the queue, due now, with its attempts reset.
func (s *Store) RetryWebhook(ctx context.Context, id int64) error {
	res, err := s.W.ExecContext(ctx, `UPDATE outgoing_webhooks SET state = 'pending', attempts = 0, next_attempt_at = ?
		WHERE id = ? AND state = 'failed'`, s.Now(), id)
	return affectedOne(res, err, "retry webhook")
}

// NextWebhookDue is when the next pending delivery is due (0: none).
func (s *Store) NextWebhookDue(ctx context.Context) (int64, error) {
	var at sql.NullInt64
	err := s.R.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM outgoing_webhooks WHERE state = 'pending'`).Scan(&at)
	if err != nil {
		return 0, fmt.Errorf("next webhook: %w", err)
	}
	return at.Int64, nil
}

// RecentWebhooks lists the last deliveries, newest first.
func (s *Store) RecentWebhooks(ctx context.Context, limit int) ([]OutgoingWebhook, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT w.id, w.event, COALESCE(t.protocol, ''), w.payload, w.state, w.attempts, w.next_attempt_at,
			w.last_status, w.last_error, w.created_at, COALESCE(w.delivered_at, 0)
		FROM outgoing_webhooks w LEFT JOIN tickets t ON t.id = w.ticket_id
		ORDER BY w.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent webhooks: %w", err)
	}
	defer rows.Close()
	var out []OutgoingWebhook
	for rows.Next() {
		var w OutgoingWebhook
		if err := rows.Scan(&w.ID, &w.Event, &w.Protocol, &w.Payload, &w.State, &w.Attempts, &w.NextAttemptAt,
			&w.LastStatus, &w.LastError, &w.CreatedAt, &w.DeliveredAt); err != nil {
			return nil, fmt.Errorf("recent webhooks: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
