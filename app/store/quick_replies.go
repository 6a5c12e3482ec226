package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// QuickReply is a resposta pronta: a text with {nome} and {protocolo}
// placeholders, for one group's clerks (GroupID 0: every group).
type QuickReply struct {
	ID      int64
	GroupID int64
	// GroupName is filled by the lists ("" for every group).
	GroupName string
	Title     string
	Body      string
	UpdatedAt int64
}

const quickReplySelect = `SELECT q.id, COALESCE(q.group_id, 0), COALESCE(g.name, ''), q.title, q.body, q.updated_at
	FROM quick_replies q LEFT JOIN service_groups g ON g.id = q.group_id`

func (s *Store) quickReplies(ctx context.Context, where string, args ...any) ([]QuickReply, error) {
	rows, err := s.R.QueryContext(ctx, quickReplySelect+" "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("quick replies: %w", err)
	}
	defer rows.Close()
	var out []QuickReply
	for rows.Next() {
		var q QuickReply
		if err := rows.Scan(&q.ID, &q.GroupID, &q.GroupName, &q.Title, &q.Body, &q.UpdatedAt); err != nil {
			return nil, fmt.Errorf("quick replies: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// ListQuickReplies lists every quick reply, those of every group first, then by group and title.
func (s *Store) ListQuickReplies(ctx context.Context) ([]QuickReply, error) {
	return s.quickReplies(ctx, `ORDER BY q.group_id IS NOT NULL, g.name, q.title, q.id`)
}

// QuickRepliesFor lists the quick replies a clerk may use on a ticket of
// groupID (0: a ticket without group): the group's and every group's.
func (s *Store) QuickRepliesFor(ctx context.Context, groupID int64) ([]QuickReply, error) {
	return s.quickReplies(ctx, `WHERE q.group_id IS NULL OR q.group_id = ? ORDER BY q.title, q.id`, groupID)
}

// QuickReplyByID returns one quick reply.
func (s *Store) QuickReplyByID(ctx context.Context, id int64) (QuickReply, error) {
	list, err := s.quickReplies(ctx, `WHERE q.id = ?`, id)
	if err != nil {
		return QuickReply{}, err
	}
	if len(list) == 0 {
		return QuickReply{}, fmt.Errorf("quick reply %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// SaveQuickReply inserts q (ID 0) or updates it, and returns its id. An
// unknown group or quick reply gives ErrNotFound.
func (s *Store) SaveQuickReply(ctx context.Context, q QuickReply) (int64, error) {
	now := s.Now()
	var err error
	if q.ID == 0 {
		err = s.W.QueryRowContext(ctx, `INSERT INTO quick_replies (group_id, title, body, created_at, updated_at)
			VALUES (NULLIF(?, 0), ?, ?, ?, ?) RETURNING id`, q.GroupID, q.Title, q.Body, now, now).Scan(&q.ID)
	} else {
		var res sql.Result
		res, err = s.W.ExecContext(ctx, `UPDATE quick_replies SET group_id = NULLIF(?, 0), title = ?, body = ?, updated_at = ?
			WHERE id = ?`, q.GroupID, q.Title, q.Body, now, q.ID)
		if err == nil {
			err = affectedOne(res, nil, "save quick reply")
		}
	}
	switch {
	case isForeignKeyViolation(err):
		return 0, fmt.Errorf("save quick reply: group %d: %w", q.GroupID, ErrNotFound)
	case errors.Is(err, ErrNotFound):
		return 0, err
	case err != nil:
		return 0, fmt.Errorf("save quick reply: %w", err)
	}
	return q.ID, nil
}

// DeleteQuickReply removes a quick reply.
func (s *Store) DeleteQuickReply(ctx context.Context, id int64) error {
	res, err := s.W.ExecContext(ctx, `DELETE FROM quick_replies WHERE id = ?`, id)
	return affectedOne(res, err, "delete quick reply")
}
