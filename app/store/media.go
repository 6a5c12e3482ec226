package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
)

// MediaFile is the name of the media database inside the data folder.
const MediaFile = "media.db"

// MediaDB holds photos, documents and audio in their own SQLite file.
type MediaDB struct {
	W, R *sql.DB
	Path string
	now  func() int64
}

// Media is one stored file.
type Media struct {
	ID        int64
	SHA256    string // hex
	MimeType  string
	Filename  string
	Size      int64
	Data      []byte // empty when only the metadata was read
	WAMediaID string
	CreatedAt int64
}

// openMedia opens media.db with its own migrations (migrations/media).
func openMedia(ctx context.Context, dataDir string, migrations fs.FS, log *slog.Logger, now func() int64) (*MediaDB, error) {
	path := filepath.Join(dataDir, MediaFile)
	sub, err := fs.Sub(migrations, "media")
	if err != nil {
		return nil, err
	}
	if err := checkNotNewer(ctx, path, sub); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w, sub, log); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := sql.Open("sqlite", DSN(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	return &MediaDB{W: w, R: r, Path: path, now: now}, nil
}

// Close closes media.db.
func (m *MediaDB) Close() error { return errors.Join(m.R.Close(), m.W.Close()) }

// SaveMedia stores data (deduplicated by content) and returns its id.
func (m *MediaDB) SaveMedia(ctx context.Context, mime, filename string, data []byte, waMediaID string) (int64, error) {
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	var id int64
	err := m.W.QueryRowContext(ctx, `SELECT id FROM media WHERE sha256 = ? AND size = ? AND mime_type = ? LIMIT 1`,
		hexSum, len(data), mime).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("save media: %w", err)
	}
	err = m.W.QueryRowContext(ctx, `INSERT INTO media (sha256, mime_type, filename, size, data, wa_media_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, hexSum, mime, filename, len(data), data, waMediaID, m.now()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save media: %w", err)
	}
	return id, nil
}

// Media returns the file with id, data included.
func (m *MediaDB) Media(ctx context.Context, id int64) (Media, error) {
	var f Media
	err := m.R.QueryRowContext(ctx, `SELECT id, sha256, mime_type, filename, size, data, wa_media_id, created_at FROM media WHERE id = ?`, id).
		Scan(&f.ID, &f.SHA256, &f.MimeType, &f.Filename, &f.Size, &f.Data, &f.WAMediaID, &f.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("media %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("media %d: %w", id, err)
	}
	return f, nil
}

// SetWAMediaID remembers the Cloud API id of an uploaded file.
func (m *MediaDB) SetWAMediaID(ctx context.Context, id int64, waMediaID string) error {
	_, err := m.W.ExecContext(ctx, `UPDATE media SET wa_media_id = ? WHERE id = ?`, waMediaID, id)
	return err
}
