-- +goose Up
-- Deadlines (SLA), protected identity, resolution and the satisfaction
-- survey. Times are Unix ms; targets of groups are business minutes.

-- Targets of a group's tickets, counted in its business hours (0: none).
ALTER TABLE service_groups ADD COLUMN first_response_target INTEGER NOT NULL DEFAULT 0 CHECK (first_response_target >= 0);
ALTER TABLE service_groups ADD COLUMN resolution_target INTEGER NOT NULL DEFAULT 0 CHECK (resolution_target >= 0);

-- normal; sigilosa: the citizen is known only to the ouvidor role; anonima:
-- the ticket keeps no link to the citizen at all.
ALTER TABLE tickets ADD COLUMN identity TEXT NOT NULL DEFAULT 'normal' CHECK (identity IN ('normal', 'sigilosa', 'anonima'));
-- Tickets marked "anonymous" so far kept their contact: they are sigilosas.
UPDATE tickets SET identity = 'sigilosa' WHERE anonymous = 1;
-- What was done, written by whoever closed the ticket; sent to the citizen.
ALTER TABLE tickets ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
-- The first message a person (not the bot) sent the citizen on this ticket.
ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;
-- When the first response is due (the group's target in business hours).
ALTER TABLE tickets ADD COLUMN response_due_at INTEGER;
-- When the ticket must be resolved: the group's target, or the legal term of
-- its kind (30 days for Lei 13.460/2017, 20 for Lei 12.527/2011). Moved
-- forward by the time spent waiting for the citizen (complementação).
ALTER TABLE tickets ADD COLUMN due_at INTEGER;
-- 1 once the term was extended (only once, with a justification recorded
-- as a 'deadline' event).
ALTER TABLE tickets ADD COLUMN extended INTEGER NOT NULL DEFAULT 0;
-- Set while the clock is stopped waiting for the citizen (aguardando_cidadao).
ALTER TABLE tickets ADD COLUMN paused_at INTEGER;
-- A manifestation forwarded to a department must be answered to the
-- ouvidoria by this time (20 days, extendable once).
ALTER TABLE tickets ADD COLUMN dept_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN dept_extended INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_due_idx ON tickets(due_at) WHERE due_at IS NOT NULL AND status <> 'encerrado';

-- Pesquisa de satisfação: one answer per ticket, asked by the bot at close.
-- user_id and group_id are who held the ticket and where, when it closed.
CREATE TABLE survey_answers (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
    score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment    TEXT    NOT NULL DEFAULT '',
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    group_id   INTEGER REFERENCES service_groups(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX survey_answers_created_idx ON survey_answers(created_at);

-- ticket_events gets kinds for deadlines (extensions, archiving), identity
-- reveals and survey answers. SQLite cannot change a CHECK, so the table is
-- rebuilt; nothing references it.
CREATE TABLE ticket_events_new (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('status', 'assign', 'forward', 'note', 'reply', 'priority',
                                                'deadline', 'identity', 'survey')),
    from_value TEXT    NOT NULL DEFAULT '',
    to_value   TEXT    NOT NULL DEFAULT '',
    comment    TEXT    NOT NULL DEFAULT '',
    public     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ticket_events_new SELECT id, ticket_id, at, user_id, kind, from_value, to_value, comment, public FROM ticket_events;
DROP TABLE ticket_events;
ALTER TABLE ticket_events_new RENAME TO ticket_events;
CREATE INDEX ticket_events_ticket_idx ON ticket_events(ticket_id, id);

-- +goose Down
CREATE TABLE ticket_events_old (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('status', 'assign', 'forward', 'note', 'reply', 'priority')),
    from_value TEXT    NOT NULL DEFAULT '',
    to_value   TEXT    NOT NULL DEFAULT '',
    comment    TEXT    NOT NULL DEFAULT '',
    public     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ticket_events_old SELECT id, ticket_id, at, user_id, kind, from_value, to_value, comment, public
    FROM ticket_events WHERE kind IN ('status', 'assign', 'forward', 'note', 'reply', 'priority');
DROP TABLE ticket_events;
ALTER TABLE ticket_events_old RENAME TO ticket_events;
CREATE INDEX ticket_events_ticket_idx ON ticket_events(ticket_id, id);
DROP TABLE survey_answers;
DROP INDEX tickets_due_idx;
ALTER TABLE tickets DROP COLUMN dept_extended;
ALTER TABLE tickets DROP COLUMN dept_due_at;
ALTER TABLE tickets DROP COLUMN paused_at;
ALTER TABLE tickets DROP COLUMN extended;
ALTER TABLE tickets DROP COLUMN due_at;
ALTER TABLE tickets DROP COLUMN response_due_at;
ALTER TABLE tickets DROP COLUMN first_response_at;
ALTER TABLE tickets DROP COLUMN resolution;
UPDATE tickets SET anonymous = 1 WHERE identity <> 'normal';
ALTER TABLE tickets DROP COLUMN identity;
ALTER TABLE service_groups DROP COLUMN resolution_target;
ALTER TABLE service_groups DROP COLUMN first_response_target;
