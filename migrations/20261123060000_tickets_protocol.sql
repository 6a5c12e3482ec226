-- +goose Up
-- Every ticket has a protocol number (app/protocol): year, sequence within
-- the year, check digit, stored as digits only. Tickets from before this
-- migration get theirs when the store opens (store.backfillProtocols).
ALTER TABLE tickets ADD COLUMN protocol TEXT;
-- kind (Lei 13.460/2017 and Lei 12.527/2011); NULL for a plain chat
ALTER TABLE tickets ADD COLUMN kind TEXT CHECK (kind IN ('solicitacao', 'reclamacao', 'denuncia', 'sugestao', 'elogio', 'informacao'));
ALTER TABLE tickets ADD COLUMN group_id INTEGER REFERENCES service_groups(id) ON DELETE SET NULL;
-- the citizen asked for a protected identity; the ticket cannot be looked up by the bot
ALTER TABLE tickets ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
-- what it is about: the bot's menu path ("Ouvidoria › Reclamação") or a clerk's words
ALTER TABLE tickets ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX tickets_protocol_idx ON tickets(protocol);
CREATE INDEX tickets_group_idx ON tickets(group_id, status) WHERE group_id IS NOT NULL;

-- The last sequence number given out per year; incremented inside the
-- transaction that opens the ticket, so numbers are sequential and unique.
CREATE TABLE protocol_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- +goose Down
DROP TABLE protocol_counters;
DROP INDEX tickets_group_idx;
DROP INDEX tickets_protocol_idx;
ALTER TABLE tickets DROP COLUMN subject;
ALTER TABLE tickets DROP COLUMN anonymous;
ALTER TABLE tickets DROP COLUMN group_id;
ALTER TABLE tickets DROP COLUMN kind;
ALTER TABLE tickets DROP COLUMN protocol;
