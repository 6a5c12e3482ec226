-- +goose Up
-- Respostas prontas: texts a clerk picks in the reply box, per group (or for
-- every group when group_id is NULL), with {nome} and {protocolo} filled in.
CREATE TABLE quick_replies (
    id         INTEGER PRIMARY KEY,
    group_id   INTEGER REFERENCES service_groups(id) ON DELETE CASCADE,
    title      TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
    body       TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 4096),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX quick_replies_group_idx ON quick_replies(group_id, title);

-- +goose Down
DROP TABLE quick_replies;
