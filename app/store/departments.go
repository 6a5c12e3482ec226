package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Department is a secretaria: it owns attendance groups and clerks belong to it.
type Department struct {
	ID          int64
	Name        string
	Description string
	CreatedAt   int64
	UpdatedAt   int64
	// Groups and Users are counts filled by ListDepartments only.
	Groups, Users int
}

// isForeignKeyViolation reports whether err is SQLite's FOREIGN KEY constraint failure.
func isForeignKeyViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// CreateDepartment inserts d and returns it with its id. A taken name gives ErrConflict.
func (s *Store) CreateDepartment(ctx context.Context, d Department) (Department, error) {
	now := s.Now()
	d.CreatedAt, d.UpdatedAt = now, now
	err := s.W.QueryRowContext(ctx, `INSERT INTO departments (name, description, created_at, updated_at)
		VALUES (?, ?, ?, ?) RETURNING id`, d.Name, d.Description, now, now).Scan(&d.ID)
	if isUniqueViolation(err) {
		return d, fmt.Errorf("create department %q: %w", d.Name, ErrConflict)
	}
	if err != nil {
		return d, fmt.Errorf("create department: %w", err)
	}
	return d, nil
}

// UpdateDepartment saves the name and description of d. A taken name gives ErrConflict.
func (s *Store) UpdateDepartment(ctx context.Context, d Department) error {
	res, err := s.W.ExecContext(ctx, `UPDATE departments SET name = ?, description = ?, updated_at = ? WHERE id = ?`,
		d.Name, d.Description, s.Now(), d.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("update department %d: %w", d.ID, ErrConflict)
	}
	return affectedOne(res, err, "update department")
}

// DepartmentByID returns the department with id.
func (s *Store) DepartmentByID(ctx context.Context, id int64) (Department, error) {
	var d Department
	err := s.R.QueryRowContext(ctx, `SELECT id, name, description, created_at, updated_at FROM departments WHERE id = ?`, id).
		Scan(&d.ID, &d.Name, &d.Description, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("department %d: %w", id, err)
	}
	return d, nil
}

// ListDepartments returns every department in dictionary order, with its group and user counts.
func (s *Store) ListDepartments(ctx context.Context) ([]Department, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT d.id, d.name, d.description, d.created_at, d.updated_at,
			(SELECT count(*) FROM service_groups g WHERE g.department_id = d.id),
			(SELECT count(*) FROM user_departments ud WHERE ud.department_id = d.id)
		FROM departments d ORDER BY d.name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	defer rows.Close()
	var out []Department
	for rows.Next() {
		var d Department
		if err := rows.Scan(&d.ID, &d.Name, &d.Description, &d.CreatedAt, &d.UpdatedAt, &d.Groups, &d.Users); err != nil {
			return nil, fmt.Errorf("list departments: %w", err)
		}
		out = append(out, d)
	}
	sortByName(out, func(d Department) string { return d.Name })
	return out, rows.Err()
}

// DeleteDepartment removes the department with id and its clerks' memberships.
// A department that still owns groups is kept and ErrInUse returned.
func (s *Store) DeleteDepartment(ctx context.Context, id int64) error {
	res, err := s.W.ExecContext(ctx, `DELETE FROM departments WHERE id = ?`, id)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("delete department %d: it still has groups: %w", id, ErrInUse)
	}
	return affectedOne(res, err, "delete department")
}
