-- +goose Up
-- Bearer tokens of the integration API (/api/v1). Only the SHA-256 of a
-- token is kept; the token itself is shown once, when it is created.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    -- the token's first characters, so people can tell tokens apart
    prefix       TEXT    NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

-- Where outgoing webhooks go; one row (id 1), empty URL when none.
CREATE TABLE api_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    webhook_url    TEXT    NOT NULL DEFAULT '',
    webhook_secret TEXT    NOT NULL DEFAULT '',
    updated_at     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO api_settings (id) VALUES (1);

-- The queue of outgoing webhooks: a row is written in the transaction of the
-- change it tells of, and the worker delivers it (at least once) from here.
CREATE TABLE outgoing_webhooks (
    id              INTEGER PRIMARY KEY,
    event           TEXT    NOT NULL,
    ticket_id       INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
    payload         TEXT    NOT NULL,
    -- pending → delivered | failed (attempts exhausted)
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX outgoing_webhooks_due_idx ON outgoing_webhooks(next_attempt_at, id) WHERE state = 'pending';

-- +goose Down
DROP INDEX outgoing_webhooks_due_idx;
DROP TABLE outgoing_webhooks;
DROP TABLE api_settings;
DROP TABLE api_tokens;
