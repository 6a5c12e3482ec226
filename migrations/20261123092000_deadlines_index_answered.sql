-- +goose Up
-- A respondido ticket is not late (store.OverdueSQL): the index the live
-- panel counts overdue tickets from leaves those out too, so the count
-- reads only index entries instead of each answered ticket's row.
DROP INDEX tickets_deadlines_idx;
CREATE INDEX tickets_deadlines_idx ON tickets(group_id, due_at, response_due_at, first_response_at, dept_due_at)
    WHERE status <> 'encerrado' AND status <> 'respondido' AND paused_at IS NULL
        AND (due_at IS NOT NULL OR response_due_at IS NOT NULL OR dept_due_at IS NOT NULL);

-- +goose Down
DROP INDEX tickets_deadlines_idx;
CREATE INDEX tickets_deadlines_idx ON tickets(group_id, due_at, response_due_at, first_response_at, dept_due_at)
    WHERE status <> 'encerrado' AND paused_at IS NULL
        AND (due_at IS NOT NULL OR response_due_at IS NOT NULL OR dept_due_at IS NOT NULL);
