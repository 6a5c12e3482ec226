package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Roles of panel users.
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleAgent      = "atendente"
)

// Agent statuses.
const (
	StatusOnline  = "online"
	StatusPaused  = "pausado"
	StatusOffline = "offline"
)

// User is a person who logs into the panel (atendente, supervisor/ouvidor, admin).
type User struct {
	ID           int64
	Name         string
	Email        string
	PasswordHash string
	Role         string
	Active       bool
	Status       string
	PauseReason  string
	StatusAt     int64
	LastSeenAt   int64
	CreatedAt    int64
	UpdatedAt    int64
}

const userColumns = `id, name, email, password_hash, role, active, status, pause_reason, status_at, last_seen_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.PasswordHash, &u.Role, &u.Active, &u.Status, &u.PauseReason,
		&u.StatusAt, &u.LastSeenAt, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// isUniqueViolation reports whether err is SQLite's UNIQUE constraint failure.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// CreateUser inserts u and returns it with its id. A taken e-mail gives ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	now := s.Now()
	u.CreatedAt, u.UpdatedAt, u.Active = now, now, true
	if u.Status == "" {
		u.Status = StatusOffline
	}
	err := s.W.QueryRowContext(ctx, `INSERT INTO users (name, email, password_hash, role, active, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		u.Name, u.Email, u.PasswordHash, u.Role, u.Status, now, now).Scan(&u.ID)
	if isUniqueViolation(err) {
		return u, fmt.Errorf("create user %s: %w", u.Email, ErrConflict)
	}
	if err != nil {
		return u, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// CreateFirstUser inserts u only if no user exists yet, atomically; otherwise ErrConflict.
func (s *Store) CreateFirstUser(ctx context.Context, u User) (User, error) {
	now := s.Now()
	u.CreatedAt, u.UpdatedAt, u.Active, u.Status = now, now, true, StatusOffline
	err := s.W.QueryRowContext(ctx, `INSERT INTO users (name, email, password_hash, role, active, status, created_at, updated_at)
		SELECT ?, ?, ?, ?, 1, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING id`,
		u.Name, u.Email, u.PasswordHash, u.Role, u.Status, now, now).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("create first user: %w", ErrConflict)
	}
	if err != nil {
		return u, fmt.Errorf("create first user: %w", err)
	}
	return u, nil
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UserByID returns the user with id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.R.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with that e-mail (case-insensitive).
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.R.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if err != nil {
		return u, fmt.Errorf("user %s: %w", email, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser saves name, e-mail, role and active flag of u.
func (s *Store) UpdateUser(ctx context.Context, u User) error {
	res, err := s.W.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, role = ?, active = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.Email, u.Role, u.Active, s.Now(), u.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("update user %d: %w", u.ID, ErrConflict)
	}
	return affectedOne(res, err, "update user")
}

// SetPassword replaces the password hash of user id.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	res, err := s.W.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, s.Now(), id)
	return affectedOne(res, err, "set password")
}

// SetUserStatus records an agent's online/pausado/offline status.
func (s *Store) SetUserStatus(ctx context.Context, id int64, status, reason string) error {
	res, err := s.W.ExecContext(ctx, `UPDATE users SET status = ?, pause_reason = ?, status_at = ? WHERE id = ?`,
		status, reason, s.Now(), id)
	return affectedOne(res, err, "set status")
}

// CountActiveAdmins returns how many active admins exist (the last one cannot be demoted).
func (s *Store) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND active`).Scan(&n)
	return n, err
}

func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
