package store

import (
	"context"
	"fmt"
)

// waitingStatusesSQL are the statuses of a ticket nobody holds that waits for
// a clerk: the group queues ('em_fila', 'encaminhado', 'reaberto') and the
// demands the bot recorded ('novo'), as Atendimentos lists them.
const waitingStatusesSQL = `('novo', 'em_fila', 'encaminhado', 'reaberto')`

// OutboxDepth counts the outbox rows not yet sent, by state: pending
// (waiting for their turn or a retry), inflight, unknown (cut by a crash)
// and failed. Sent rows are not counted: they are history, not depth.
func (s *Store) OutboxDepth(ctx context.Context) (map[string]int, error) {
	out := map[string]int{"pending": 0, "inflight": 0, "unknown": 0, "failed": 0}
	var pending int
	// Each count reads its partial index only (outbox_due_idx, outbox_state_idx).
	if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = 'pending'`).Scan(&pending); err != nil {
		return nil, fmt.Errorf("outbox depth: %w", err)
	}
	out["pending"] = pending
	rows, err := s.R.QueryContext(ctx, `SELECT state, count(*) FROM outbox
		WHERE state IN ('inflight', 'unknown', 'failed') GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("outbox depth: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("outbox depth: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox depth: %w", err)
	}
	return out, nil
}

// GroupQueue is how many tickets wait in one group's queue.
type GroupQueue struct {
	// GroupID is 0 for the chats without a group.
	GroupID int64
	Name    string
	Waiting int
}

// QueueSizes returns the tickets waiting for a clerk in every group (groups
// with none too), then those without a group; read from tickets_waiting_idx.
func (s *Store) QueueSizes(ctx context.Context) ([]GroupQueue, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT g.id, g.name, (SELECT count(*) FROM tickets t INDEXED BY tickets_waiting_idx
			WHERE t.group_id = g.id AND t.assignee_id IS NULL AND t.status IN `+waitingStatusesSQL+`)
		FROM service_groups g
		UNION ALL
		SELECT 0, '', (SELECT count(*) FROM tickets t INDEXED BY tickets_waiting_idx
			WHERE t.group_id IS NULL AND t.assignee_id IS NULL AND t.status IN `+waitingStatusesSQL+`)
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("queue sizes: %w", err)
	}
	defer rows.Close()
	var out []GroupQueue
	for rows.Next() {
		var q GroupQueue
		if err := rows.Scan(&q.GroupID, &q.Name, &q.Waiting); err != nil {
			return nil, fmt.Errorf("queue sizes: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
