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
