-- +goose Up
-- Times are INTEGER Unix milliseconds (UTC) everywhere.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'atendente')),
    active        INTEGER NOT NULL DEFAULT 1,
    status        TEXT    NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'pausado', 'offline')),
    pause_reason  TEXT    NOT NULL DEFAULT '',
    status_at     INTEGER NOT NULL DEFAULT 0,
    last_seen_at  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE user_departments (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, department_id)
);

-- Grupos de atendimento. "groups" is an SQL keyword, hence service_groups.
CREATE TABLE service_groups (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    department_id  INTEGER NOT NULL REFERENCES departments(id) ON DELETE RESTRICT,
    level          TEXT    NOT NULL CHECK (level IN ('N1', 'N2', 'N3')),
    max_per_agent  INTEGER NOT NULL CHECK (max_per_agent BETWEEN 1 AND 50),
    -- business hours as JSON: {"mon":[["08:00","17:00"]], ...}
    business_hours TEXT    NOT NULL DEFAULT '{}',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX service_groups_department_idx ON service_groups(department_id);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES service_groups(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members(user_id);

-- scs session store (github.com/alexedwards/scs/sqlite3store).
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions(expiry);

-- Failed logins, keyed by "email:<address>" or "ip:<address>", for throttling.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key_idx ON login_failures(key, at);

CREATE TABLE audit_events (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action  TEXT    NOT NULL,
    subject TEXT    NOT NULL DEFAULT '',
    detail  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at_idx ON audit_events(at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE group_members;
DROP TABLE service_groups;
DROP TABLE user_departments;
DROP TABLE departments;
DROP TABLE users;
