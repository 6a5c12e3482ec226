package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"balcao/app/hours"
	"balcao/app/protocol"
)

// NewTicket is what opening a ticket needs.
type NewTicket struct {
	ContactID int64
	// Status is where it starts: TicketQueued for a chat a clerk takes, TicketNew
	// for a formal demand the bot recorded.
	Status string
	// GroupID is the group whose queue it sits in (0: none yet).
	GroupID int64
	// Kind is one of the ticket kinds ("" for a plain chat).
	Kind    string
	Subject string
	// Identity is IdentityNormal (""), IdentitySigilosa or IdentityAnonima;
	// an anonymous ticket is opened on AnonymousContactTx's placeholder.
	Identity string
}

// Identities of a ticket's citizen.
const (
	// IdentityNormal: the citizen is shown to whoever handles the ticket.
	IdentityNormal = "normal"
	// IdentitySigilosa: the citizen is known only to the ouvidor role (who
	// reveals it, audited); everyone else sees "Manifestante protegido".
	IdentitySigilosa = "sigilosa"
	// IdentityAnonima: the ticket keeps no link to the citizen at all.
	IdentityAnonima = "anonima"
)

// Protected reports whether identity hides the citizen (sigilosa or anônima).
func Protected(identity string) bool {
	return identity == IdentitySigilosa || identity == IdentityAnonima
}

// OpenedTicket is a ticket just opened.
type OpenedTicket struct {
	ID int64
	// Protocol is the protocol number's digits (protocol.Display groups them).
	Protocol string
}

// OpenTicket opens a ticket with a new protocol number.
func (s *Store) OpenTicket(ctx context.Context, t NewTicket) (OpenedTicket, error) {
	var o OpenedTicket
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = s.OpenTicketTx(ctx, tx, t)
		return err
	})
	return o, err
}

// OpenTicketTx is OpenTicket inside the caller's transaction: the protocol
// number is taken from the year's counter in the same transaction, so a
// rollback gives it back and two tickets never share one.
func (s *Store) OpenTicketTx(ctx context.Context, tx *sql.Tx, t NewTicket) (OpenedTicket, error) {
	if t.Status == "" {
		t.Status = TicketQueued
	}
	if t.Identity == "" {
		t.Identity = IdentityNormal
	}
	now := s.Now()
	num, err := allocateProtocol(ctx, tx, now)
	if err != nil {
		return OpenedTicket{}, err
	}
	o := OpenedTicket{Protocol: num}
	err = tx.QueryRowContext(ctx, `INSERT INTO tickets (contact_id, status, protocol, kind, group_id, identity, subject, created_at, updated_at)
		VALUES (?, ?, ?, NULLIF(?, ''), NULLIF(?, 0), ?, ?, ?, ?) RETURNING id`,
		t.ContactID, t.Status, num, t.Kind, t.GroupID, t.Identity, t.Subject, now, now).Scan(&o.ID)
	if isForeignKeyViolation(err) {
		return OpenedTicket{}, fmt.Errorf("open ticket: contact %d or group %d: %w", t.ContactID, t.GroupID, ErrNotFound)
	}
	if err != nil {
		return OpenedTicket{}, fmt.Errorf("open ticket: %w", err)
	}
	if err := s.openedDeadlinesTx(ctx, tx, o.ID, t.Kind, t.GroupID, now); err != nil {
		return OpenedTicket{}, err
	}
	// The ticket's first status is its first recorded change (by the system).
	return o, addChange(ctx, tx, TicketChange{TicketID: o.ID, At: now, Kind: ChangeStatus, To: t.Status})
}

// protocolYear is the year of a protocol number opened at now (Unix ms):
// the city's calendar year, not UTC's.
func protocolYear(now int64) int {
	return time.UnixMilli(now).In(hours.SaoPaulo()).Year()
}

// allocateProtocol takes the next number of the year of now.
func allocateProtocol(ctx context.Context, tx *sql.Tx, now int64) (string, error) {
	year := protocolYear(now)
	var seq int
	err := tx.QueryRowContext(ctx, `INSERT INTO protocol_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`, year).Scan(&seq)
	if err != nil {
		return "", fmt.Errorf("protocol number: %w", err)
	}
	n, err := protocol.New(year, seq)
	if err != nil {
		return "", err
	}
	return n.Digits(), nil
}

// backfillProtocols numbers the tickets opened before protocol numbers
// existed, in the order they were opened.
func (s *Store) backfillProtocols(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, created_at FROM tickets WHERE protocol IS NULL ORDER BY id`)
		if err != nil {
			return fmt.Errorf("backfill protocols: %w", err)
		}
		type pending struct{ id, at int64 }
		var ps []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.at); err != nil {
				rows.Close()
				return fmt.Errorf("backfill protocols: %w", err)
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("backfill protocols: %w", err)
		}
		for _, p := range ps {
			num, err := allocateProtocol(ctx, tx, p.at)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET protocol = ? WHERE id = ?`, num, p.id); err != nil {
				return fmt.Errorf("backfill protocols: %w", err)
			}
		}
		return nil
	})
}

// ProtocolTicket is a ticket found by its protocol number.
type ProtocolTicket struct {
	ID        int64
	ContactID int64
	Protocol  string
	Status    string
	Kind      string
	Subject   string
	Identity  string
	UpdatedAt int64
	// LastPublic is the last message a clerk sent the citizen on the ticket ("" when none).
	LastPublic   string
	LastPublicAt int64
	// Resolution is what was done, written when it closed.
	Resolution string
}

// ErrBadProtocol is returned for text that is not a valid protocol number,
// a wrong check digit included.
var ErrBadProtocol = errors.New("invalid protocol number")

// TicketByProtocol finds a ticket by its protocol number as typed (with or
// without separators). A number with a wrong check digit is ErrBadProtocol,
// never a lookup; an unknown one is ErrNotFound.
func (s *Store) TicketByProtocol(ctx context.Context, typed string) (ProtocolTicket, error) {
	n, err := protocol.Parse(typed)
	if err != nil {
		return ProtocolTicket{}, fmt.Errorf("ticket by protocol: %w: %w", ErrBadProtocol, err)
	}
	var t ProtocolTicket
	err = s.R.QueryRowContext(ctx, `SELECT t.id, t.contact_id, t.protocol, t.status, COALESCE(t.kind, ''), t.subject, t.identity, t.updated_at,
			COALESCE(m.body, ''), COALESCE(m.created_at, 0), t.resolution
		FROM tickets t
		LEFT JOIN messages m ON m.id = (SELECT max(id) FROM messages WHERE ticket_id = t.id AND direction = 'out' AND author_id IS NOT NULL)
		WHERE t.protocol = ?`, n.Digits()).
		Scan(&t.ID, &t.ContactID, &t.Protocol, &t.Status, &t.Kind, &t.Subject, &t.Identity, &t.UpdatedAt, &t.LastPublic, &t.LastPublicAt, &t.Resolution)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("ticket by protocol %s: %w", n, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("ticket by protocol %s: %w", n, err)
	}
	return t, nil
}
