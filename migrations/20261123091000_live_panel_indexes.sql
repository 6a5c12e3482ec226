-- +goose Up
-- The Painel do supervisor and /metrics: every figure of the live panel is
-- read from one of these indexes (or an older one) without visiting the
-- history of closed tickets or the messages table.

-- Who wrote a ticket's latest message: 'in' the citizen, 'out' balcao (a
-- clerk or the bot); NULL before the first. An open ticket whose last word
-- is the citizen's waits on its clerk. Kept by the triggers below, so that
-- every path that writes messages (webhooks, bot, outbox, API, moves) is
-- covered; filled here for the tickets that exist.
ALTER TABLE tickets ADD COLUMN last_direction TEXT CHECK (last_direction IN ('in', 'out'));
UPDATE tickets SET last_direction = (SELECT m.direction FROM messages m WHERE m.ticket_id = tickets.id ORDER BY m.id DESC LIMIT 1);

-- +goose StatementBegin
CREATE TRIGGER messages_last_direction_insert AFTER INSERT ON messages WHEN new.ticket_id IS NOT NULL BEGIN
    UPDATE tickets SET last_direction = new.direction WHERE id = new.ticket_id;
END;
-- +goose StatementEnd

-- A conversation moved into a ticket (the bot's chat before the hand-off).
-- +goose StatementBegin
CREATE TRIGGER messages_last_direction_move AFTER UPDATE OF ticket_id ON messages WHEN new.ticket_id IS NOT NULL BEGIN
    UPDATE tickets SET last_direction = (SELECT m.direction FROM messages m WHERE m.ticket_id = new.ticket_id ORDER BY m.id DESC LIMIT 1)
        WHERE id = new.ticket_id;
END;
-- +goose StatementEnd

-- Tickets nobody holds that wait for a clerk, per group and by age: queue
-- sizes and the longest wait.
CREATE INDEX tickets_waiting_idx ON tickets(group_id, created_at)
    WHERE assignee_id IS NULL AND status IN ('novo', 'em_fila', 'encaminhado', 'reaberto');

-- Open tickets a clerk holds: by status and last word (pending), and by
-- activity (the clerk's latest message).
CREATE INDEX tickets_held_idx ON tickets(assignee_id, status, last_direction)
    WHERE assignee_id IS NOT NULL AND status <> 'encerrado';
CREATE INDEX tickets_held_activity_idx ON tickets(assignee_id, last_message_at)
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
DROP INDEX tickets_held_activity_idx;
DROP INDEX tickets_held_idx;
DROP INDEX tickets_waiting_idx;
DROP TRIGGER messages_last_direction_move;
DROP TRIGGER messages_last_direction_insert;
ALTER TABLE tickets DROP COLUMN last_direction;
