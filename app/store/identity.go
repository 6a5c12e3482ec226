package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AnonymousWaID is the wa_id of the placeholder contact every anonymous
// ticket is opened on: the ticket needs a contact, and pointing at the
// citizen's would be the very link an anonymous manifestation must not keep.
// It is not a phone number, so nothing can ever be sent to it.
const AnonymousWaID = "anonimo"

// removedInline stands, in an anonymous ticket, for the citizen's name or
// number removed from a text.
const removedInline = "[dado removido]"

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
	var citizen Contact
	err = tx.QueryRowContext(ctx, `SELECT id, wa_id, profile_name, name, cpf FROM contacts WHERE id = ?`, contactID).
		Scan(&citizen.ID, &citizen.WaID, &citizen.ProfileName, &citizen.Name, &citizen.CPF)
	if err != nil {
		return fmt.Errorf("move bot history to anonymous ticket %d: %w", ticketID, err)
	}
	redact := NewRedactor(citizen)
	for _, id := range ids {
		// Only what the panel reads of a payload survives (a place, a file's
		// name and media id), redacted like the body: the bot's greeting
		// names the citizen.
		_, err := tx.ExecContext(ctx, `UPDATE messages SET contact_id = ?1, ticket_id = ?2, wamid = NULL,
				payload = CASE WHEN direction = 'in' AND type IN ('location', 'image', 'document', 'audio', 'video', 'sticker')
					AND json_valid(payload) AND json_type(payload, '$.' || type) IS NOT NULL
					THEN json_object('type', type, type, json_extract(payload, '$.' || type)) ELSE '' END
			WHERE id = ?3`, anonymousID, ticketID, id)
		if err != nil {
			return fmt.Errorf("move message %d to anonymous ticket %d: %w", id, ticketID, err)
		}
		var body, payload string
		if err := tx.QueryRowContext(ctx, `SELECT body, payload FROM messages WHERE id = ?`, id).Scan(&body, &payload); err != nil {
			return fmt.Errorf("move message %d to anonymous ticket %d: %w", id, ticketID, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET body = ?, payload = ? WHERE id = ?`,
			redact.Redact(body, removedInline), redact.Redact(payload, removedInline), id)
		if err != nil {
			return fmt.Errorf("move message %d to anonymous ticket %d: %w", id, ticketID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET message_id = NULL WHERE message_id = ?`, id); err != nil {
			return fmt.Errorf("move message %d to anonymous ticket %d: %w", id, ticketID, err)
		}
	}
	if err := recountTicketTx(ctx, tx, ticketID); err != nil {
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

// Redactor hides a contact's identity in a text: their name, WhatsApp
// profile name (and the first word of each, as the bot greets people), CPF
// and number, as whole words and ignoring case. The bot's greeting ("Olá,
// Maria!") sits in the conversation a ticket is opened with; a protected
// ticket shows it, and an anonymous one keeps it, redacted.
type Redactor struct{ re *regexp.Regexp }

// NewRedactor returns the Redactor of c (one that changes nothing when c has
// nothing to hide).
func NewRedactor(c Contact) Redactor {
	seen := map[string]bool{}
	var parts []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) < 3 || seen[strings.ToLower(s)] {
			return
		}
		seen[strings.ToLower(s)] = true
		parts = append(parts, regexp.QuoteMeta(s))
	}
	for _, n := range []string{c.Name, c.ProfileName} {
		add(n)
		for _, w := range strings.FieldsFunc(n, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
			add(w)
		}
	}
	add(c.CPF)
	add(digitsOf(c.CPF))
	if c.WaID != AnonymousWaID && c.WaID != NoWhatsAppWaID {
		add(c.WaID)
		add(strings.TrimPrefix(c.WaID, "55"))
	}
	if len(parts) == 0 {
		return Redactor{}
	}
	// Longest first, so "Maria da Silva" goes whole before "Maria".
	slices.SortFunc(parts, func(a, b string) int { return len(b) - len(a) })
	// Whole words by hand: \b only knows ASCII letters ("Ítalo").
	return Redactor{re: regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])(?:` + strings.Join(parts, "|") + `)([^\p{L}\p{N}]|$)`)}
}

// Redact returns s with the contact's identity replaced by mask.
func (r Redactor) Redact(s, mask string) string {
	if r.re == nil {
		return s
	}
	// A match takes the separators around it, so "Maria Maria" needs a
	// second pass for its second word.
	for range 3 {
		out := r.re.ReplaceAllString(s, "${1}"+strings.ReplaceAll(mask, "$", "$$")+"${2}")
		if out == s {
			break
		}
		s = out
	}
	return s
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// TicketContact returns the contact a ticket is opened on, whatever its
// identity: for code that must hide them (NewRedactor), never to show them.
func (s *Store) TicketContact(ctx context.Context, ticketID int64) (Contact, error) {
	var c Contact
	err := s.R.QueryRowContext(ctx, `SELECT c.id, c.wa_id, c.profile_name, c.name, c.cpf, c.last_inbound_at
		FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.id = ?`, ticketID).
		Scan(&c.ID, &c.WaID, &c.ProfileName, &c.Name, &c.CPF, &c.LastInboundAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("contact of ticket %d: %w", ticketID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("contact of ticket %d: %w", ticketID, err)
	}
	return c, nil
}

// EnqueueUnlinkedTx queues a message to toWaID with no message row: the
// confirmation of an anonymous manifestation. A row in messages would sit in
// the citizen's history, where its time alone would point at the anonymous
// ticket opened that same minute; the outbox row is only the delivery
// record (never shown in the panel). Delivery still works as for any row;
// its outcome is recorded on the outbox row only.
func (s *Store) EnqueueUnlinkedTx(ctx context.Context, tx *sql.Tx, toWaID, kind, payload string) error {
	now := s.Now()
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (to_wa_id, kind, payload, state, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, 'pending', ?, ?, ?)`, toWaID, kind, payload, now, now, now)
	if err != nil {
		return fmt.Errorf("enqueue unlinked: %w", err)
	}
	return nil
}
