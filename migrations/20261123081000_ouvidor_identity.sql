-- +goose NO TRANSACTION
-- +goose Up
-- The ouvidor role, the end of tickets.anonymous (tickets.identity replaces
-- it) and a flag on the citizen's answers that identify them.
--
-- users.role has a CHECK, which SQLite cannot alter: the table is rebuilt
-- (SQLite's 12-step procedure, https://sqlite.org/lang_altertable.html#otheralter).
-- Many tables point at users, some ON DELETE CASCADE (group_members,
-- user_departments) or SET NULL (tickets, messages, audit_events…): dropping
-- users with foreign keys on would empty or orphan them. foreign_keys can
-- only change outside a transaction, hence NO TRANSACTION and the explicit
-- BEGIN/COMMIT; the writer pool has exactly one connection, so the PRAGMA
-- holds for every statement here. legacy_alter_table stays off, so the
-- references to "users" in other tables resolve to the rebuilt table.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    email            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'ouvidor', 'atendente')),
    active           INTEGER NOT NULL DEFAULT 1,
    status           TEXT    NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'pausado', 'offline')),
    pause_reason     TEXT    NOT NULL DEFAULT '',
    status_at        INTEGER NOT NULL DEFAULT 0,
    last_seen_at     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_assigned_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, name, email, password_hash, role, active, status, pause_reason, status_at, last_seen_at,
                       created_at, updated_at, last_assigned_at)
    SELECT id, name, email, password_hash, role, active, status, pause_reason, status_at, last_seen_at,
           created_at, updated_at, last_assigned_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- identity ('normal', 'sigilosa', 'anonima') took over; the base migration
-- copied anonymous = 1 into 'sigilosa'.
ALTER TABLE tickets DROP COLUMN anonymous;

-- 1 for an answer that tells who the citizen is (CPF, phone, name,
-- address, e-mail): shown as "dado protegido" on a sigilosa ticket and
-- never copied into an anonymous one.
ALTER TABLE contact_answers ADD COLUMN identifying INTEGER NOT NULL DEFAULT 0;
UPDATE contact_answers SET identifying = 1
    WHERE lower(key) IN ('cpf', 'nome', 'nome_completo', 'telefone', 'celular', 'fone', 'whatsapp', 'email', 'e-mail',
                         'endereco', 'endereco_residencial', 'rg');
-- The ticket screen asks, for each message, whether it carried one.
CREATE INDEX contact_answers_identifying_idx ON contact_answers(message_id) WHERE identifying;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
DROP INDEX contact_answers_identifying_idx;
ALTER TABLE contact_answers DROP COLUMN identifying;
ALTER TABLE tickets ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET anonymous = 1 WHERE identity <> 'normal';
-- Without the role, an ouvidor keeps the supervisor's powers.
CREATE TABLE users_old (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    email            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'atendente')),
    active           INTEGER NOT NULL DEFAULT 1,
    status           TEXT    NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'pausado', 'offline')),
    pause_reason     TEXT    NOT NULL DEFAULT '',
    status_at        INTEGER NOT NULL DEFAULT 0,
    last_seen_at     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_assigned_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_old (id, name, email, password_hash, role, active, status, pause_reason, status_at, last_seen_at,
                       created_at, updated_at, last_assigned_at)
    SELECT id, name, email, password_hash, CASE role WHEN 'ouvidor' THEN 'supervisor' ELSE role END, active, status,
           pause_reason, status_at, last_seen_at, created_at, updated_at, last_assigned_at FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
