package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"balcao/app/hours"
)

// Support levels of a group.
const (
	LevelN1 = "N1" // general first contact
	LevelN2 = "N2" // central specialist
	LevelN3 = "N3" // the department that executes the service
)

// Levels lists the support levels in order.
var Levels = []string{LevelN1, LevelN2, LevelN3}

// Bounds of Group.MaxPerAgent (the table's CHECK says the same).
const (
	MinPerAgent = 1
	MaxPerAgent = 50
)

// Group is a grupo de atendimento: a queue for one theme, owned by a department,
// worked by its members within its business hours.
type Group struct {
	ID           int64
	Name         string
	DepartmentID int64
	Level        string
	// MaxPerAgent is how many conversations one clerk of the group holds at once.
	MaxPerAgent int
	Hours       hours.Week
	// FirstResponseTarget and ResolutionTarget are the group's deadlines in
	// business minutes (0: none): the first response counted from when a
	// ticket enters the group, the resolution from the ticket's creation.
	// Manifestations of the ouvidoria and information requests follow the
	// legal terms of their kind instead of ResolutionTarget.
	FirstResponseTarget int
	ResolutionTarget    int
	CreatedAt           int64
	UpdatedAt           int64
	// DepartmentName and Members (a count) are filled by ListGroups only.
	DepartmentName string
	Members        int
}

// CreateGroup inserts g and its members in one transaction and returns g with
// its id. A taken name gives ErrConflict; an unknown department or user gives
// ErrNotFound; either way nothing is written.
func (s *Store) CreateGroup(ctx context.Context, g Group, memberIDs []int64) (Group, error) {
	hoursJSON, err := groupHoursJSON(g.Hours)
	if err != nil {
		return g, err
	}
	now := s.Now()
	g.CreatedAt, g.UpdatedAt = now, now
	err = s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO service_groups
			(name, department_id, level, max_per_agent, business_hours, first_response_target, resolution_target, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			g.Name, g.DepartmentID, g.Level, g.MaxPerAgent, hoursJSON, g.FirstResponseTarget, g.ResolutionTarget, now, now).Scan(&g.ID)
		if err := groupWriteError("create group", err); err != nil {
			return err
		}
		return replaceGroupMembers(ctx, tx, g.ID, memberIDs)
	})
	return g, err
}

// UpdateGroup saves g and replaces its members in one transaction, with the
// same errors as CreateGroup; on error nothing is changed.
func (s *Store) UpdateGroup(ctx context.Context, g Group, memberIDs []int64) error {
	hoursJSON, err := groupHoursJSON(g.Hours)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE service_groups SET name = ?, department_id = ?, level = ?,
			max_per_agent = ?, business_hours = ?, first_response_target = ?, resolution_target = ?, updated_at = ? WHERE id = ?`,
			g.Name, g.DepartmentID, g.Level, g.MaxPerAgent, hoursJSON, g.FirstResponseTarget, g.ResolutionTarget, s.Now(), g.ID)
		if err := groupWriteError("update group", err); err != nil {
			return err
		}
		if err := affectedOne(res, nil, "update group"); err != nil {
			return err
		}
		return replaceGroupMembers(ctx, tx, g.ID, memberIDs)
	})
}

// groupHoursJSON validates w and encodes it for the business_hours column.
func groupHoursJSON(w hours.Week) (string, error) {
	if err := w.Validate(); err != nil {
		return "", fmt.Errorf("group: %w", err)
	}
	b, err := json.Marshal(w)
	if err != nil {
		return "", fmt.Errorf("group hours: %w", err)
	}
	return string(b), nil
}

// groupWriteError maps the constraint failures of a group write to sentinels.
func groupWriteError(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return fmt.Errorf("%s: name taken: %w", what, ErrConflict)
	case isForeignKeyViolation(err):
		return fmt.Errorf("%s: department: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// replaceGroupMembers makes userIDs the members of group groupID.
func replaceGroupMembers(ctx context.Context, tx *sql.Tx, groupID int64, userIDs []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ?`, groupID); err != nil {
		return fmt.Errorf("group members: %w", err)
	}
	for _, id := range userIDs {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)`, groupID, id)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("group members: user %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("group members: %w", err)
		}
	}
	return nil
}

const groupColumns = `g.id, g.name, g.department_id, g.level, g.max_per_agent, g.business_hours,
	g.first_response_target, g.resolution_target, g.created_at, g.updated_at,
	d.name, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var hoursJSON string
	err := row.Scan(&g.ID, &g.Name, &g.DepartmentID, &g.Level, &g.MaxPerAgent, &hoursJSON,
		&g.FirstResponseTarget, &g.ResolutionTarget, &g.CreatedAt, &g.UpdatedAt,
		&g.DepartmentName, &g.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	if err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(hoursJSON), &g.Hours); err != nil {
		return g, fmt.Errorf("group %d: %w", g.ID, err)
	}
	return g, nil
}

// GroupByID returns the group with id.
func (s *Store) GroupByID(ctx context.Context, id int64) (Group, error) {
	g, err := scanGroup(s.R.QueryRowContext(ctx, `SELECT `+groupColumns+`
		FROM service_groups g JOIN departments d ON d.id = g.department_id WHERE g.id = ?`, id))
	if err != nil {
		return g, fmt.Errorf("group %d: %w", id, err)
	}
	return g, nil
}

// ListGroups returns every group in dictionary order of name.
func (s *Store) ListGroups(ctx context.Context) ([]Group, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT `+groupColumns+`
		FROM service_groups g JOIN departments d ON d.id = g.department_id ORDER BY g.name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		out = append(out, g)
	}
	sortByName(out, func(g Group) string { return g.Name })
	return out, rows.Err()
}

// GroupMemberIDs returns the user ids of the members of group id.
func (s *Store) GroupMemberIDs(ctx context.Context, id int64) ([]int64, error) {
	return queryIDs(ctx, s.R, `SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id`, id)
}

// DeleteGroup removes the group with id and its memberships.
func (s *Store) DeleteGroup(ctx context.Context, id int64) error {
	res, err := s.W.ExecContext(ctx, `DELETE FROM service_groups WHERE id = ?`, id)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("delete group %d: %w", id, ErrInUse)
	}
	return affectedOne(res, err, "delete group")
}
