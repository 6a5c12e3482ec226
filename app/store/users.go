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
	// RoleOuvidor has the supervisor's powers and is the only role that may
	// reveal a sigilosa ticket's citizen (each reveal audited).
	RoleOuvidor = "ouvidor"
	RoleAgent   = "atendente"
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

// ErrLastAdmin is returned when a change would leave no active admin.
var ErrLastAdmin = errors.New("last active admin")

// CreateUser inserts u and returns it with its id. A taken e-mail gives ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	return s.CreateUserWithDepartments(ctx, u, nil)
}

// CreateUserWithDepartments inserts u and its department memberships in one
// transaction. A taken e-mail gives ErrConflict, an unknown department ErrNotFound.
func (s *Store) CreateUserWithDepartments(ctx context.Context, u User, departmentIDs []int64) (User, error) {
	now := s.Now()
	u.CreatedAt, u.UpdatedAt, u.Active = now, now, true
	if u.Status == "" {
		u.Status = StatusOffline
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (name, email, password_hash, role, active, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
			u.Name, u.Email, u.PasswordHash, u.Role, u.Status, now, now).Scan(&u.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("create user %s: %w", u.Email, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		return replaceUserDepartments(ctx, tx, u.ID, departmentIDs)
	})
	return u, err
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

// ListUsers returns every user in dictionary order of name.
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
	sortByName(out, func(u User) string { return u.Name })
	return out, rows.Err()
}

// UpdateUser saves name, e-mail, role, active flag and departments of u in one
// transaction. It gives ErrConflict for a taken e-mail, ErrNotFound for an
// unknown user or department, and ErrLastAdmin (changing nothing) when no
// active admin would be left.
func (s *Store) UpdateUser(ctx context.Context, u User, departmentIDs []int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		admins, err := countActiveAdmins(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, role = ?, active = ?,
				status = CASE WHEN ? THEN status ELSE 'offline' END, updated_at = ? WHERE id = ?`,
			u.Name, u.Email, u.Role, u.Active, u.Active, s.Now(), u.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("update user %d: %w", u.ID, ErrConflict)
		}
		if err := affectedOne(res, err, "update user"); err != nil {
			return err
		}
		if err := keepActiveAdmin(ctx, tx, admins); err != nil {
			return err
		}
		return replaceUserDepartments(ctx, tx, u.ID, departmentIDs)
	})
}

// SetUserActive activates or deactivates user id (a deactivated user goes
// offline and cannot log in). It gives ErrLastAdmin when no active admin would be left.
func (s *Store) SetUserActive(ctx context.Context, id int64, active bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		admins, err := countActiveAdmins(ctx, tx)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET active = ?, status = CASE WHEN ? THEN status ELSE 'offline' END,
			updated_at = ? WHERE id = ?`, active, active, s.Now(), id)
		if err := affectedOne(res, err, "set user active"); err != nil {
			return err
		}
		return keepActiveAdmin(ctx, tx, admins)
	})
}

// countActiveAdmins counts the active admins as transaction tx sees them.
func countActiveAdmins(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND active`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// keepActiveAdmin fails transaction tx (ErrLastAdmin) when it took the active
// admins from before (a count) to none.
func keepActiveAdmin(ctx context.Context, tx *sql.Tx, before int) error {
	if before == 0 {
		return nil
	}
	n, err := countActiveAdmins(ctx, tx)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

// replaceUserDepartments makes ids the departments of user userID.
func replaceUserDepartments(ctx context.Context, tx *sql.Tx, userID int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_departments WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("user departments: %w", err)
	}
	for _, id := range ids {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_departments (user_id, department_id) VALUES (?, ?)`, userID, id)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("user departments: department %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("user departments: %w", err)
		}
	}
	return nil
}

// UserDepartmentIDs returns the ids of the departments user id belongs to.
func (s *Store) UserDepartmentIDs(ctx context.Context, id int64) ([]int64, error) {
	return queryIDs(ctx, s.R, `SELECT department_id FROM user_departments WHERE user_id = ? ORDER BY department_id`, id)
}

// UserDepartmentNames maps every user id to the names of its departments, in name order.
func (s *Store) UserDepartmentNames(ctx context.Context) (map[int64][]string, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT ud.user_id, d.name FROM user_departments ud
		JOIN departments d ON d.id = ud.department_id ORDER BY d.name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("user departments: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("user departments: %w", err)
		}
		out[id] = append(out[id], name)
	}
	for _, names := range out {
		sortByName(names, func(n string) string { return n })
	}
	return out, rows.Err()
}

// queryIDs runs a query whose rows are one integer id each.
func queryIDs(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("query ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
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
	if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND active`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
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
