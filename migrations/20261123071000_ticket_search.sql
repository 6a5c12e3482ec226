-- +goose Up
-- Full-text search of the Protocolos page: what was written in a ticket's
-- messages and its subject. External-content tables (the text is not stored
-- twice) kept in step by triggers; accents are ignored, so "agua" finds "água".
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
-- +goose StatementEnd

CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, content='tickets', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts(rowid, subject) VALUES (new.id, new.subject);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO tickets_fts(rowid, subject) VALUES (new.id, new.subject);
END;
-- +goose StatementEnd

-- Citizens by name (given to the bot or on WhatsApp), accents ignored.
CREATE VIRTUAL TABLE contacts_fts USING fts5(name, profile_name, content='contacts', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts(rowid, name, profile_name) VALUES (new.id, new.name, new.profile_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, name, profile_name) VALUES ('delete', old.id, old.name, old.profile_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, profile_name ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, name, profile_name) VALUES ('delete', old.id, old.name, old.profile_name);
    INSERT INTO contacts_fts(rowid, name, profile_name) VALUES (new.id, new.name, new.profile_name);
END;
-- +goose StatementEnd

-- Each filter of the list, in the list's order (newest first by default), so
-- page N is read straight from an index whatever the filter.
CREATE INDEX tickets_created_idx ON tickets(created_at);
CREATE INDEX tickets_activity_idx ON tickets(last_message_at);
CREATE INDEX tickets_search_status_idx ON tickets(status, created_at);
CREATE INDEX tickets_search_kind_idx ON tickets(kind, created_at);
CREATE INDEX tickets_search_group_idx ON tickets(group_id, created_at);
CREATE INDEX tickets_search_assignee_idx ON tickets(assignee_id, created_at);
CREATE INDEX tickets_search_contact_idx ON tickets(contact_id, created_at);

-- +goose Down
DROP INDEX tickets_search_contact_idx;
DROP INDEX tickets_search_assignee_idx;
DROP INDEX tickets_search_group_idx;
DROP INDEX tickets_search_kind_idx;
DROP INDEX tickets_search_status_idx;
DROP INDEX tickets_activity_idx;
DROP INDEX tickets_created_idx;
DROP TRIGGER contacts_fts_update;
DROP TRIGGER contacts_fts_delete;
DROP TRIGGER contacts_fts_insert;
DROP TABLE contacts_fts;
DROP TRIGGER tickets_fts_update;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_insert;
DROP TABLE tickets_fts;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_insert;
DROP TABLE messages_fts;
