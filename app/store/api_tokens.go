package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// APIToken is a bearer token of the integration API; only its hash is stored.
type APIToken struct {
	ID   int64
	Name string
	// Hash is the hex SHA-256 of the token.
	Hash string
	// Prefix is the token's first characters, to tell tokens apart on the page.
	Prefix        string
	CreatedBy     int64
	CreatedByName string
	CreatedAt     int64
	LastUsedAt    int64
	RevokedAt     int64
}

// CreateAPIToken stores a new token's hash and returns its id.
func (s *Store) CreateAPIToken(ctx context.Context, name, hash, prefix string, createdBy int64) (int64, error) {
	var id int64
	err := s.W.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, prefix, created_by, created_at)
		VALUES (?, ?, ?, NULLIF(?, 0), ?) RETURNING id`, name, hash, prefix, createdBy, s.Now()).Scan(&id)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("create api token: %w", ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("create api token: %w", err)
	}
	return id, nil
}

const apiTokenSelect = `SELECT t.id, t.name, t.token_hash, t.prefix, COALESCE(t.created_by, 0), COALESCE(u.name, ''),
	t.created_at, COALESCE(t.last_used_at, 0), COALESCE(t.revoked_at, 0)
	FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by`

func scanAPIToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	err := row.Scan(&t.ID, &t.Name, &t.Hash, &t.Prefix, &t.CreatedBy, &t.CreatedByName, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// APITokenByHash finds a token, revoked or not, by its hash.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (APIToken, error) {
	t, err := scanAPIToken(s.R.QueryRowContext(ctx, apiTokenSelect+` WHERE t.token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("api token: %w", ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("api token: %w", err)
	}
	return t, nil
}

// ListAPITokens lists every token, newest first.
func (s *Store) ListAPITokens(ctx context.Context) ([]APIToken, error) {
	rows, err := s.R.QueryContext(ctx, apiTokenSelect+` ORDER BY t.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list api tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes a token; revoking it again changes nothing.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64) error {
	res, err := s.W.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, s.Now(), id)
	return affectedOne(res, err, "revoke api token")
}

// TouchAPIToken records a use of the token, at most once a minute: the
// caller skips it when LastUsedAt is recent, and the WHERE keeps two
// requests at once from both writing.
func (s *Store) TouchAPIToken(ctx context.Context, id int64) error {
	now := s.Now()
	_, err := s.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ?1
		WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?1 - 60000)`, now, id)
	if err != nil {
		return fmt.Errorf("touch api token: %w", err)
	}
	return nil
}
