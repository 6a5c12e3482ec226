package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Audit records that user (0 for the system) did action on subject.
func (s *Store) Audit(ctx context.Context, userID int64, action, subject, detail string) error {
	var uid sql.NullInt64
	if userID > 0 {
		uid = sql.NullInt64{Int64: userID, Valid: true}
	}
	_, err := s.W.ExecContext(ctx, `INSERT INTO audit_events (at, user_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)`,
		s.Now(), uid, action, subject, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditEvent is one row of the audit log.
type AuditEvent struct {
	ID       int64
	At       int64
	UserID   int64
	UserName string
	Action   string
	Subject  string
	Detail   string
}

// AuditFilter narrows the audit log. Zero values filter nothing.
type AuditFilter struct {
	// Action is an exact action (e.g. AuditIdentityReveal).
	Action string
	// Before is the id the page starts after, going back in time (0: newest).
	Before int64
	Limit  int
}

// AuditEvents returns the newest events matching f (at most f.Limit, 100 by
// default), newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.R.QueryContext(ctx, `SELECT e.id, e.at, COALESCE(e.user_id, 0), COALESCE(u.name, ''), e.action, e.subject, e.detail
		FROM audit_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE (?1 = '' OR e.action = ?1) AND (?2 = 0 OR e.id < ?2)
		ORDER BY e.id DESC LIMIT ?3`, f.Action, f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		if err := rows.Scan(&e.ID, &e.At, &e.UserID, &e.UserName, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return out, nil
}
