package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RecordLoginFailure stores one failed login for each key (e.g. "email:x", "ip:y").
func (s *Store) RecordLoginFailure(ctx context.Context, keys ...string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, k, now); err != nil {
				return fmt.Errorf("record login failure: %w", err)
			}
		}
		// Keep the table small: a day of history is more than the throttle needs.
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, now-24*3600*1000)
		return err
	})
}

// CountLoginFailures returns the failures recorded for key since the given Unix ms.
func (s *Store) CountLoginFailures(ctx context.Context, key string, since int64) (int, error) {
	var n int
	err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = ? AND at >= ?`, key, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	return n, nil
}

// ClearLoginFailures forgets the failures of key (after a successful login).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.W.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
	return err
}
