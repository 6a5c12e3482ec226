-- +goose Up
-- News for a citizen whose 24-hour window was closed when it was written
-- (a public reply, a resolution): the approved template told them to answer,
-- and their next message releases these texts to the outbox, in order.
CREATE TABLE held_messages (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    ticket_id  INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    author_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    to_wa_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX held_messages_contact_idx ON held_messages(contact_id, id);

-- +goose Down
DROP TABLE held_messages;
