package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ClerkLive is one clerk's line of the Painel do supervisor.
type ClerkLive struct {
	ID          int64
	Name        string
	Status      string
	PauseReason string
	// StatusAt is when the status last changed (the pause started), Unix ms.
	StatusAt int64
	// InService counts the tickets the clerk holds in 'em_atendimento'.
	InService int
	// Pending counts the open tickets the clerk holds whose last message is
	// the citizen's, in a status where the clerk has the turn (not waiting
	// for the citizen, not answered).
	Pending int
	// ClosedToday counts the tickets closed since the day began that the
	// clerk held when they closed.
	ClosedToday int
	// Handled counts the tickets of ClosedToday with an assignment to the
	// clerk on record, and HandlingMs sums their handling times: closed_at
	// minus the last 'assign' event that gave the ticket to the clerk.
	// TMA = HandlingMs / Handled.
	Handled    int
	HandlingMs int64
	// LastMessageAt is the latest message (either direction) of the open
	// tickets the clerk holds, Unix ms; 0 when they hold none.
	LastMessageAt int64
}

// GroupLive is one group's line of the Painel do supervisor; ID 0 stands for
// the chats without a group.
type GroupLive struct {
	ID   int64
	Name string
	// Waiting counts the tickets nobody holds waiting for a clerk.
	Waiting int
	// WaitingSince is when the longest-waiting of them entered the queue
	// (its last status change, else its creation), Unix ms; 0 when none.
	WaitingSince int64
	// Online counts the members whose status is online.
	Online int
	// InService counts the group's tickets in 'em_atendimento'.
	InService int
	// Overdue counts the open tickets whose running clock passed a deadline:
	// resolution (due_at), first response (response_due_at, while nobody
	// answered) or the department's (dept_due_at); paused clocks excluded.
	Overdue int
}

// LivePanel is what the Painel do supervisor shows, read in one snapshot.
type LivePanel struct {
	// At is the store's clock when it was read, Unix ms.
	At     int64
	Clerks []ClerkLive
	Groups []GroupLive
}

// clerkTurnSQL are the open statuses in which the clerk who holds a ticket
// is expected to act (a citizen writing into the others moves them here).
const clerkTurnSQL = `('novo', 'em_fila', 'em_atendimento', 'encaminhado', 'reaberto')`

// panelOverdueSQL is OverdueSQL (the one definition of "atrasado") at now,
// with the terms of tickets_deadlines_idx's WHERE so the count reads only
// that index: open tickets with a running clock and some deadline.
func panelOverdueSQL(now int64) string {
	return `t.status <> 'encerrado' AND t.status <> 'respondido' AND t.paused_at IS NULL
		AND (t.due_at IS NOT NULL OR t.response_due_at IS NOT NULL OR t.dept_due_at IS NOT NULL) AND ` + OverdueSQL(now)
}

// LivePanel reads the Painel do supervisor: every active clerk (role
// atendente, or member of a group, or holding an open ticket) and every
// group, plus the chats without a group when any waits or is in service.
// dayStart is when "today" began (midnight in São Paulo), Unix ms.
func (s *Store) LivePanel(ctx context.Context, dayStart int64) (LivePanel, error) {
	p := LivePanel{At: s.Now()}
	// One read transaction: every figure comes from the same snapshot.
	tx, err := s.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return p, fmt.Errorf("live panel: %w", err)
	}
	defer tx.Rollback()
	if p.Clerks, err = liveClerks(ctx, tx, dayStart); err != nil {
		return p, fmt.Errorf("live panel: clerks: %w", err)
	}
	if p.Groups, err = liveGroups(ctx, tx, p.At); err != nil {
		return p, fmt.Errorf("live panel: groups: %w", err)
	}
	return p, nil
}

func liveClerks(ctx context.Context, tx *sql.Tx, dayStart int64) ([]ClerkLive, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.status, u.pause_reason, u.status_at,
			(SELECT count(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status = 'em_atendimento'),
			(SELECT count(*) FROM tickets t INDEXED BY tickets_held_idx
				WHERE t.assignee_id = u.id AND t.status <> 'encerrado' AND t.status IN `+clerkTurnSQL+` AND t.last_direction = 'in'),
			COALESCE((SELECT max(t.last_message_at) FROM tickets t INDEXED BY tickets_held_activity_idx
				WHERE t.assignee_id = u.id AND t.status <> 'encerrado'), 0)
		FROM users u
		WHERE u.active AND (u.role = 'atendente' OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = u.id)
			OR EXISTS (SELECT 1 FROM tickets t INDEXED BY tickets_held_idx WHERE t.assignee_id = u.id AND t.status <> 'encerrado'))
		ORDER BY u.name COLLATE NOCASE, u.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ClerkLive
	index := map[int64]int{}
	for rows.Next() {
		var c ClerkLive
		if err := rows.Scan(&c.ID, &c.Name, &c.Status, &c.PauseReason, &c.StatusAt, &c.InService, &c.Pending, &c.LastMessageAt); err != nil {
			return nil, err
		}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Tickets closed today, with the moment each was last given to the
	// clerk who held it at the close (the start of its handling time).
	closed, err := tx.QueryContext(ctx, `SELECT t.assignee_id, t.closed_at,
			(SELECT e.at FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'assign'
				AND e.to_value = CAST(t.assignee_id AS TEXT) ORDER BY e.id DESC LIMIT 1)
		FROM tickets t INDEXED BY tickets_closed_idx
		WHERE t.status = 'encerrado' AND t.closed_at >= ? AND t.assignee_id IS NOT NULL`, dayStart)
	if err != nil {
		return nil, err
	}
	defer closed.Close()
	for closed.Next() {
		var clerk, closedAt int64
		var assignedAt sql.NullInt64
		if err := closed.Scan(&clerk, &closedAt, &assignedAt); err != nil {
			return nil, err
		}
		i, ok := index[clerk]
		if !ok {
			continue // an inactive user's or someone who is not a clerk
		}
		out[i].ClosedToday++
		if assignedAt.Valid && assignedAt.Int64 <= closedAt {
			out[i].Handled++
			out[i].HandlingMs += closedAt - assignedAt.Int64
		}
	}
	return out, closed.Err()
}

func liveGroups(ctx context.Context, tx *sql.Tx, now int64) ([]GroupLive, error) {
	overdue := panelOverdueSQL(now)
	rows, err := tx.QueryContext(ctx, `SELECT g.id, g.name,
			(SELECT count(*) FROM tickets t INDEXED BY tickets_waiting_idx
				WHERE t.group_id = g.id AND t.assignee_id IS NULL AND t.status IN `+waitingStatusesSQL+`),
			(SELECT count(*) FROM group_members gm JOIN users u ON u.id = gm.user_id
				WHERE gm.group_id = g.id AND u.active AND u.status = 'online'),
			(SELECT count(*) FROM tickets t WHERE t.group_id = g.id AND t.status = 'em_atendimento'),
			(SELECT count(*) FROM tickets t INDEXED BY tickets_deadlines_idx WHERE t.group_id = g.id AND `+overdue+`)
		FROM service_groups g
		UNION ALL
		SELECT 0, '',
			(SELECT count(*) FROM tickets t INDEXED BY tickets_waiting_idx
				WHERE t.group_id IS NULL AND t.assignee_id IS NULL AND t.status IN `+waitingStatusesSQL+`),
			0,
			-- All in service, less those of groups (below): cheaper than
			-- finding the few without a group among them.
			(SELECT count(*) FROM tickets t WHERE t.status = 'em_atendimento'),
			(SELECT count(*) FROM tickets t INDEXED BY tickets_deadlines_idx WHERE t.group_id IS NULL AND `+overdue+`)
		ORDER BY 2 COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupLive
	var none *GroupLive
	for rows.Next() {
		var g GroupLive
		if err := rows.Scan(&g.ID, &g.Name, &g.Waiting, &g.Online, &g.InService, &g.Overdue); err != nil {
			return nil, err
		}
		if g.ID == 0 {
			none = &g
			continue
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The chats without a group come last, and only when there are some.
	if none != nil {
		for _, g := range out {
			none.InService -= g.InService
		}
	}
	if none != nil && (none.Waiting > 0 || none.InService > 0 || none.Overdue > 0) {
		out = append(out, *none)
	}
	for i := range out {
		if out[i].Waiting == 0 {
			continue
		}
		if out[i].WaitingSince, err = longestWait(ctx, tx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// longestWait returns when the longest-waiting ticket of a group's queue
// (0: without a group) entered it: its last status change, else its
// creation. Tickets are read oldest first and the scan stops at the first
// one created after the best entry found, since a ticket cannot enter the
// queue before it exists: usually one or two rows.
func longestWait(ctx context.Context, tx *sql.Tx, groupID int64) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.created_at,
			COALESCE((SELECT max(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'status'), t.created_at)
		FROM tickets t INDEXED BY tickets_waiting_idx
		WHERE t.group_id IS NULLIF(?, 0) AND t.assignee_id IS NULL AND t.status IN `+waitingStatusesSQL+`
		ORDER BY t.created_at`, groupID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var best int64
	for rows.Next() {
		var created, entered int64
		if err := rows.Scan(&created, &entered); err != nil {
			return 0, err
		}
		if best != 0 && created >= best {
			break
		}
		if best == 0 || entered < best {
			best = entered
		}
	}
	return best, rows.Err()
}
