package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// InboundContact is a contacts[] item of a webhook.
type InboundContact struct {
	WaID, ProfileName string
}

// InboundMessage is a messages[] item of a webhook, ready to store.
type InboundMessage struct {
	WAMID       string
	WaID        string
	ProfileName string
	Type        string
	Body        string
	Payload     string
	// WATimestamp is WhatsApp's time of the message, Unix ms (0 if unknown).
	WATimestamp int64
}

// StatusUpdate is a statuses[] item of a webhook.
type StatusUpdate struct {
	WAMID     string
	Status    string
	At        int64
	ErrorCode int
	ErrorText string
}

// WebhookDelivery is one webhook POST: its raw body and what was parsed from it.
type WebhookDelivery struct {
	Body     []byte
	Contacts []InboundContact
	Messages []InboundMessage
	Statuses []StatusUpdate
}

// statusRankSQL orders outbound statuses; a status never moves to a lower rank
// and failed is final.
const statusRankSQL = `CASE %s WHEN 'queued' THEN 0 WHEN 'unknown' THEN 1 WHEN 'accepted' THEN 2 WHEN 'sent' THEN 3
	WHEN 'delivered' THEN 4 WHEN 'read' THEN 5 WHEN 'played' THEN 5 WHEN 'failed' THEN 9 ELSE 0 END`

// SaveWebhooks stores many webhook deliveries in one transaction (group commit):
// raw bodies, contacts, new messages (a wamid already stored is skipped) and
// statuses (deduplicated, never moving a message backwards). It returns how
// many messages were new. Nothing is stored if it fails.
func (s *Store) SaveWebhooks(ctx context.Context, batch []WebhookDelivery) (newMessages int, err error) {
	w := &webhookWriter{now: s.Now()}
	err = s.txWith(ctx, w.statements(), func(tx *sql.Tx) error {
		for _, d := range batch {
			n, err := w.save(ctx, d)
			if err != nil {
				return err
			}
			newMessages += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save webhooks: %w", err)
	}
	return newMessages, nil
}

// webhookWriter holds the statements of one SaveWebhooks transaction.
type webhookWriter struct {
	now                                           int64
	event, contact, message, touch, status, apply *sql.Stmt
}

func (w *webhookWriter) statements() []prepared {
	return []prepared{
		{&w.event, `INSERT INTO webhook_events (received_at, body) VALUES (?, ?)`},
		// Always returns the id; refreshes the profile name and the 24-hour window.
		{&w.contact, `INSERT INTO contacts (wa_id, profile_name, last_inbound_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
			ON CONFLICT (wa_id) DO UPDATE SET
				profile_name = CASE WHEN excluded.profile_name <> '' THEN excluded.profile_name ELSE contacts.profile_name END,
				last_inbound_at = max(contacts.last_inbound_at, excluded.last_inbound_at),
				updated_at = excluded.updated_at
			RETURNING id`},
		// A citizen who already has an open ticket writes straight into it; a
		// message without one is routed after the commit (app/inbox).
		{&w.message, `INSERT INTO messages (wamid, contact_id, ticket_id, direction, type, body, payload, status, wa_timestamp, created_at)
			VALUES (?1, ?2, (SELECT id FROM tickets WHERE contact_id = ?2 AND ` + chatOpenSQL + ` ORDER BY id DESC LIMIT 1),
				'in', ?3, ?4, ?5, 'received', ?6, ?7)
			ON CONFLICT (wamid) DO NOTHING RETURNING COALESCE(ticket_id, 0)`},
		{&w.touch, `UPDATE tickets SET unread = unread + 1, last_message_at = max(last_message_at, ?1), updated_at = ?1 WHERE id = ?2`},
		{&w.status, `INSERT INTO message_statuses (wamid, status, at, error_code, error_text, received_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (wamid, status) DO NOTHING`},
		{&w.apply, `UPDATE messages SET status = ?2, error_code = CASE WHEN ?3 <> 0 THEN ?3 ELSE error_code END,
			error_text = CASE WHEN ?4 <> '' THEN ?4 ELSE error_text END
			WHERE wamid = ?1 AND direction = 'out' AND ` + fmt.Sprintf(statusRankSQL, "status") + ` < ` + fmt.Sprintf(statusRankSQL, "?2")},
	}
}

func (w *webhookWriter) save(ctx context.Context, d WebhookDelivery) (int, error) {
	if _, err := w.event.ExecContext(ctx, w.now, d.Body); err != nil {
		return 0, fmt.Errorf("raw event: %w", err)
	}
	profiles := make(map[string]string, len(d.Contacts))
	for _, c := range d.Contacts {
		profiles[c.WaID] = c.ProfileName
	}
	n := 0
	for _, m := range d.Messages {
		at := m.WATimestamp
		if at == 0 {
			at = w.now
		}
		profile := m.ProfileName
		if profile == "" {
			profile = profiles[m.WaID]
		}
		contactID, err := w.upsertContact(ctx, m.WaID, profile, at)
		if err != nil {
			return 0, err
		}
		var ticketID int64
		err = w.message.QueryRowContext(ctx, m.WAMID, contactID, m.Type, m.Body, m.Payload, m.WATimestamp, w.now).Scan(&ticketID)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already stored: a redelivery changes nothing
		}
		if err != nil {
			return 0, fmt.Errorf("message %s: %w", m.WAMID, err)
		}
		n++
		if ticketID != 0 {
			if _, err := w.touch.ExecContext(ctx, w.now, ticketID); err != nil {
				return 0, fmt.Errorf("message %s: ticket %d: %w", m.WAMID, ticketID, err)
			}
		}
	}
	for _, st := range d.Statuses {
		if _, err := w.status.ExecContext(ctx, st.WAMID, st.Status, st.At, st.ErrorCode, st.ErrorText, w.now); err != nil {
			return 0, fmt.Errorf("status %s %s: %w", st.WAMID, st.Status, err)
		}
		if _, err := w.apply.ExecContext(ctx, st.WAMID, st.Status, st.ErrorCode, st.ErrorText); err != nil {
			return 0, fmt.Errorf("apply status %s %s: %w", st.WAMID, st.Status, err)
		}
	}
	return n, nil
}

// upsertContact creates the contact or refreshes its name and window.
func (w *webhookWriter) upsertContact(ctx context.Context, waID, profile string, inboundAt int64) (int64, error) {
	var id int64
	if err := w.contact.QueryRowContext(ctx, waID, profile, inboundAt, w.now).Scan(&id); err != nil {
		return 0, fmt.Errorf("contact %s: %w", waID, err)
	}
	return id, nil
}
