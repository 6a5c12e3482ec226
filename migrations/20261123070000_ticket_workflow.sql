-- +goose Up
-- Every change of a ticket: status transitions, assignments, forwards,
-- internal notes. user_id is NULL for the system (bot, automatic assignment).
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('status', 'assign', 'forward', 'note', 'reply', 'priority')),
    from_value TEXT    NOT NULL DEFAULT '',
    to_value   TEXT    NOT NULL DEFAULT '',
    comment    TEXT    NOT NULL DEFAULT '',
    -- a public comment is the citizen's to read; otherwise internal
    public     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events(ticket_id, id);

-- Higher first in the queue; then the oldest.
ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_queue_idx ON tickets(group_id, priority DESC, created_at, id)
    WHERE assignee_id IS NULL AND status IN ('em_fila', 'encaminhado', 'reaberto');

-- When a clerk last got a ticket: ties of automatic assignment go to the
-- one idle longest.
ALTER TABLE users ADD COLUMN last_assigned_at INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN last_assigned_at;
DROP INDEX tickets_queue_idx;
ALTER TABLE tickets DROP COLUMN priority;
DROP TABLE ticket_events;
