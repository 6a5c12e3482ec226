package store

import (
	"context"
	"fmt"
)

// TeamCounts are the sizes of the team tables.
type TeamCounts struct {
	Users, Departments, Groups int
}

// TeamCounts returns how many users, departments and groups exist.
func (s *Store) TeamCounts(ctx context.Context) (TeamCounts, error) {
	var c TeamCounts
	err := s.R.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM departments),
		(SELECT count(*) FROM service_groups)`).Scan(&c.Users, &c.Departments, &c.Groups)
	if err != nil {
		return c, fmt.Errorf("team counts: %w", err)
	}
	return c, nil
}
