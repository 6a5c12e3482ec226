package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MediaFetch is an inbound media message whose file is still to be downloaded.
type MediaFetch struct {
	MessageID int64
	// Type is the message type: image, document, audio, video or sticker.
	Type string
	// Payload is the raw messages[] item, which names WhatsApp's media id.
	Payload string
	// Attempts counts this one.
	Attempts int
}

// mediaQueueSQL selects the media fetcher's queue (messages_media_fetch_idx).
const mediaQueueSQL = `direction = 'in' AND media_id IS NULL AND media_error = ''
	AND type IN ('image', 'document', 'audio', 'video', 'sticker')`

// TakeMediaFetches returns up to limit inbound media messages due for download
// and leases them for lease ms: until then they are not due again, so a
// download that dies with the process is simply picked up after the lease.
func (s *Store) TakeMediaFetches(ctx context.Context, limit int, lease int64) ([]MediaFetch, error) {
	now := s.Now()
	rows, err := s.W.QueryContext(ctx, `UPDATE messages SET media_attempts = media_attempts + 1, media_next_at = ?2
		WHERE id IN (SELECT id FROM messages WHERE `+mediaQueueSQL+` AND media_next_at <= ?1 ORDER BY media_next_at, id LIMIT ?3)
		RETURNING id, type, payload, media_attempts`, now, now+lease, limit)
	if err != nil {
		return nil, fmt.Errorf("take media fetches: %w", err)
	}
	defer rows.Close()
	var out []MediaFetch
	for rows.Next() {
		var f MediaFetch
		if err := rows.Scan(&f.MessageID, &f.Type, &f.Payload, &f.Attempts); err != nil {
			return nil, fmt.Errorf("take media fetches: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("take media fetches: %w", err)
	}
	return out, nil
}

// NextMediaFetch returns the Unix ms of the next download due, or 0 when none waits.
func (s *Store) NextMediaFetch(ctx context.Context) (int64, error) {
	var at int64
	err := s.R.QueryRowContext(ctx, `SELECT media_next_at FROM messages WHERE `+mediaQueueSQL+`
		ORDER BY media_next_at LIMIT 1`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("next media fetch: %w", err)
	}
	return max(at, 1), nil // 0 would read as "nothing waits"
}

// SetMessageMedia attaches media.db file mediaID to message messageID.
func (s *Store) SetMessageMedia(ctx context.Context, messageID, mediaID int64) error {
	res, err := s.W.ExecContext(ctx, `UPDATE messages SET media_id = ?, media_error = '' WHERE id = ?`, mediaID, messageID)
	return affectedOne(res, err, fmt.Sprintf("set media of message %d", messageID))
}

// RetryMediaFetch makes the download of messageID due again at nextAt (Unix
// ms). With countAttempt false the try that just ended is not counted (the
// process was stopping, or sending is paused for a reason the file is not to blame for).
func (s *Store) RetryMediaFetch(ctx context.Context, messageID, nextAt int64, countAttempt bool) error {
	give := 0
	if !countAttempt {
		give = 1
	}
	res, err := s.W.ExecContext(ctx, `UPDATE messages SET media_next_at = ?, media_attempts = max(media_attempts - ?, 0) WHERE id = ?`,
		nextAt, give, messageID)
	return affectedOne(res, err, fmt.Sprintf("retry media of message %d", messageID))
}

// FailMediaFetch gives up the download of messageID; text (pt-BR) is shown to
// the clerk in place of the file.
func (s *Store) FailMediaFetch(ctx context.Context, messageID int64, text string) error {
	if text == "" {
		text = "Arquivo não baixado"
	}
	res, err := s.W.ExecContext(ctx, `UPDATE messages SET media_error = ? WHERE id = ?`, text, messageID)
	return affectedOne(res, err, fmt.Sprintf("fail media of message %d", messageID))
}
