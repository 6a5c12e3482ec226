package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// OutboxRow is the delivery state of one outbox row, as the worker left it.
type OutboxRow struct {
	ID            int64
	MessageID     int64
	ToWaID        string
	Kind          string
	State         string
	Attempts      int
	NextAttemptAt int64
	ErrorCode     int
	ErrorText     string
	WAMID         string
}

// ReleaseClaim puts an in-flight row back in the queue untried: the attempt
// ClaimDue counted is given back and the row keeps its place in its citizen's
// line. The worker uses it when sending stopped (token expired, account
// restricted) or while shutting down; code and text say why it waits.
func (s *Store) ReleaseClaim(ctx context.Context, id int64, code int, text string) error {
	res, err := s.W.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0),
		error_code = ?, error_text = ?, updated_at = ? WHERE id = ? AND state = 'inflight'`, code, text, s.Now(), id)
	return affectedOne(res, err, fmt.Sprintf("release outbox %d", id))
}

// OutboxRowByMessage returns the outbox row that sends message messageID.
func (s *Store) OutboxRowByMessage(ctx context.Context, messageID int64) (OutboxRow, error) {
	return s.outboxRow(ctx, `message_id = ?`, messageID)
}

// OutboxRowByID returns outbox row id.
func (s *Store) OutboxRowByID(ctx context.Context, id int64) (OutboxRow, error) {
	return s.outboxRow(ctx, `id = ?`, id)
}

func (s *Store) outboxRow(ctx context.Context, where string, arg any) (OutboxRow, error) {
	var r OutboxRow
	err := s.R.QueryRowContext(ctx, `SELECT id, COALESCE(message_id, 0), to_wa_id, kind, state, attempts, next_attempt_at,
		error_code, error_text, COALESCE(wamid, '') FROM outbox WHERE `+where+` ORDER BY id DESC LIMIT 1`, arg).
		Scan(&r.ID, &r.MessageID, &r.ToWaID, &r.Kind, &r.State, &r.Attempts, &r.NextAttemptAt, &r.ErrorCode, &r.ErrorText, &r.WAMID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("outbox row (%s %v): %w", where, arg, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("outbox row (%s %v): %w", where, arg, err)
	}
	return r, nil
}
