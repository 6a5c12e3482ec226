package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ContactProfile is what the Contato page shows about a citizen.
type ContactProfile struct {
	ID          int64
	WaID        string
	ProfileName string
	// Name and CPF are what the citizen gave the bot.
	Name      string
	CPF       string
	OptedOut  bool
	CreatedAt int64
}

// ContactProfileByID returns contact id.
func (s *Store) ContactProfileByID(ctx context.Context, id int64) (ContactProfile, error) {
	var c ContactProfile
	err := s.R.QueryRowContext(ctx, `SELECT id, wa_id, profile_name, name, cpf, opted_out, created_at FROM contacts WHERE id = ?`, id).
		Scan(&c.ID, &c.WaID, &c.ProfileName, &c.Name, &c.CPF, &c.OptedOut, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("contact %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("contact %d: %w", id, err)
	}
	return c, nil
}

// ContactTicket is one ticket in a contact's history.
type ContactTicket struct {
	ID        int64
	Protocol  string
	Kind      string
	Status    string
	Subject   string
	GroupName string
	Identity  string
	CreatedAt int64
	ClosedAt  int64
}

// ContactTickets returns every ticket of the contact, newest first, except
// the protected ones: anonymous tickets keep no link to the citizen anywhere
// in the panel, and sigilosa ones are listed only when withSigilosas (the
// ouvidor role).
func (s *Store) ContactTickets(ctx context.Context, contactID int64, withSigilosas bool) ([]ContactTicket, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT t.id, COALESCE(t.protocol, ''), COALESCE(t.kind, ''), t.status, t.subject,
			COALESCE(g.name, ''), t.identity, t.created_at, COALESCE(t.closed_at, 0)
		FROM tickets t LEFT JOIN service_groups g ON g.id = t.group_id
		WHERE t.contact_id = ? AND t.identity IN ('normal', ?)
		ORDER BY t.created_at DESC, t.id DESC`, contactID, visibleIdentity(withSigilosas))
	if err != nil {
		return nil, fmt.Errorf("contact tickets: %w", err)
	}
	defer rows.Close()
	var out []ContactTicket
	for rows.Next() {
		var t ContactTicket
		if err := rows.Scan(&t.ID, &t.Protocol, &t.Kind, &t.Status, &t.Subject, &t.GroupName, &t.Identity, &t.CreatedAt, &t.ClosedAt); err != nil {
			return nil, fmt.Errorf("contact tickets: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contact tickets: %w", err)
	}
	return out, nil
}

// ContactProfileAnswers returns what the contact told the bot, except the
// answers that went into a protected ticket (with withSigilosas, the
// ouvidor's view, only the anonymous ones are left out).
func (s *Store) ContactProfileAnswers(ctx context.Context, contactID int64, withSigilosas bool) ([]ContactAnswer, error) {
	return s.contactAnswers(ctx, `contact_id = ? AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_id AND t.identity NOT IN ('normal', ?))`,
		contactID, visibleIdentity(withSigilosas))
}

// visibleIdentity is the protected identity a viewer may see linked to a
// contact besides 'normal': sigilosa for the ouvidor, otherwise none
// ('normal' again).
func visibleIdentity(withSigilosas bool) string {
	if withSigilosas {
		return IdentitySigilosa
	}
	return IdentityNormal
}
