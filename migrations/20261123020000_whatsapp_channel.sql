-- +goose Up
-- A WhatsApp user who wrote to (or was written by) the official number.
CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    wa_id           TEXT    NOT NULL UNIQUE,
    profile_name    TEXT    NOT NULL DEFAULT '',
    name            TEXT    NOT NULL DEFAULT '',
    cpf             TEXT    NOT NULL DEFAULT '',
    -- last time the citizen wrote (WhatsApp's timestamp): the 24-hour window starts here
    last_inbound_at INTEGER NOT NULL DEFAULT 0,
    opted_out       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- Every webhook POST exactly as received, for audit.
CREATE TABLE webhook_events (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    body        BLOB    NOT NULL
);

-- The unit of work (protocolo / atendimento). The tickets issue extends it
-- with protocol numbers, kinds, groups and deadlines.
CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id),
    status          TEXT    NOT NULL CHECK (status IN ('novo', 'em_fila', 'em_atendimento', 'encaminhado',
                                                       'aguardando_cidadao', 'respondido', 'encerrado', 'reaberto')),
    assignee_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    unread          INTEGER NOT NULL DEFAULT 0,
    last_message_at INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    closed_at       INTEGER
);
CREATE INDEX tickets_contact_idx ON tickets(contact_id, status);
CREATE INDEX tickets_open_idx ON tickets(status, last_message_at) WHERE status <> 'encerrado';
CREATE INDEX tickets_assignee_idx ON tickets(assignee_id, status);

-- Inbound and outbound messages. Inbound rows are keyed by WhatsApp's wamid
-- (a redelivered webhook is stored once); outbound rows get their wamid when
-- the Cloud API accepts them.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    wamid        TEXT UNIQUE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id),
    ticket_id    INTEGER REFERENCES tickets(id),
    direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    type         TEXT    NOT NULL,
    body         TEXT    NOT NULL DEFAULT '',
    -- inbound: the raw messages[] item; outbound: the whatsapp.OutMessage JSON
    payload      TEXT    NOT NULL DEFAULT '',
    media_id     INTEGER,
    -- inbound: received; outbound: queued, accepted, sent, delivered, read, failed, unknown
    status       TEXT    NOT NULL,
    error_code   INTEGER NOT NULL DEFAULT 0,
    error_text   TEXT    NOT NULL DEFAULT '',
    author_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    wa_timestamp INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    -- inbound: set when the work that follows the message (routing, bot) was done;
    -- NULL rows are picked up again after a crash
    processed_at INTEGER
);
CREATE INDEX messages_contact_idx ON messages(contact_id, id);
CREATE INDEX messages_ticket_idx ON messages(ticket_id, id);
CREATE INDEX messages_pending_idx ON messages(id) WHERE processed_at IS NULL AND direction = 'in';

-- Status webhooks, deduplicated by (wamid, status). They may arrive before the
-- outbox has recorded the wamid; the best one is applied to messages then.
CREATE TABLE message_statuses (
    id          INTEGER PRIMARY KEY,
    wamid       TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    error_code  INTEGER NOT NULL DEFAULT 0,
    error_text  TEXT    NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    UNIQUE (wamid, status)
);

-- The only way anything is sent: a row here, then the outbox worker.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER REFERENCES messages(id),
    to_wa_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    -- pending → inflight → sent | failed; inflight rows found at start become unknown
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'inflight', 'sent', 'failed', 'unknown')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    error_code      INTEGER NOT NULL DEFAULT 0,
    error_text      TEXT    NOT NULL DEFAULT '',
    wamid           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due_idx ON outbox(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_state_idx ON outbox(state) WHERE state IN ('inflight', 'unknown', 'failed');

-- +goose Down
DROP TABLE outbox;
DROP TABLE message_statuses;
DROP TABLE messages;
DROP TABLE tickets;
DROP TABLE webhook_events;
DROP TABLE contacts;
