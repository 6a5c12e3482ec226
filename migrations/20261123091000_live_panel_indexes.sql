-- +goose Up
-- Indexes of the Painel do supervisor and of /metrics: every figure of the
-- live panel is read from one of these (or an older index) without visiting
-- the history of closed tickets.

-- Tickets nobody holds that wait for a clerk, per group and by age: queue
-- sizes and the longest wait.
CREATE INDEX tickets_waiting_idx ON tickets(group_id, created_at)
    WHERE assignee_id IS NULL AND status IN ('novo', 'em_fila', 'encaminhado', 'reaberto');

-- Open tickets a clerk holds, by activity: the clerk's latest message.
CREATE INDEX tickets_held_idx ON tickets(assignee_id, last_message_at)
    WHERE assignee_id IS NOT NULL AND status <> 'encerrado';

-- Tickets closed in a period (finished today, TMA).
CREATE INDEX tickets_closed_idx ON tickets(closed_at) WHERE status = 'encerrado';

-- Open tickets with a deadline whose clock runs: overdue counts per group.
CREATE INDEX tickets_deadlines_idx ON tickets(group_id, due_at, response_due_at, first_response_at, dept_due_at)
    WHERE status <> 'encerrado' AND paused_at IS NULL
        AND (due_at IS NOT NULL OR response_due_at IS NOT NULL OR dept_due_at IS NOT NULL);

-- +goose Down
DROP INDEX tickets_deadlines_idx;
DROP INDEX tickets_closed_idx;
DROP INDEX tickets_held_idx;
DROP INDEX tickets_waiting_idx;
