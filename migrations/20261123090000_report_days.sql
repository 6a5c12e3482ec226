-- +goose Up
-- Reports (Relatórios) read one row per day instead of every ticket: the
-- facts of the tickets opened that day and of those closed that day, packed
-- by app/store/report_days.go. A day is (ms - 3 h) / 1 day: the city's day
-- since 2019 (the reader reads one more day on each side and filters by the
-- exact time, so the summer time of older years changes nothing).
CREATE TABLE report_days (
    day        INTEGER PRIMARY KEY,
    -- facts of the tickets created that day, then of those closed that day
    opened     BLOB    NOT NULL,
    closed     BLOB    NOT NULL,
    -- contacts who wrote that day to the bot alone: none of their messages
    -- of the day reached a ticket, and no ticket of theirs opened that day
    bot_only   INTEGER NOT NULL DEFAULT 0,
    built_at   INTEGER NOT NULL
);

-- Days whose row no longer matches the tickets: marked by the triggers
-- below in the transaction of the change itself, rebuilt (and unmarked in
-- one transaction) before a report reads them. A report is therefore always
-- exact.
CREATE TABLE report_dirty (day INTEGER PRIMARY KEY);

-- Bot talk that never reached a ticket, by time (share solved by the bot alone).
CREATE INDEX messages_bot_only_idx ON messages(created_at) WHERE ticket_id IS NULL AND direction = 'in';

-- +goose StatementBegin
CREATE TRIGGER report_ticket_insert AFTER INSERT ON tickets BEGIN
    INSERT OR IGNORE INTO report_dirty (day) VALUES ((NEW.created_at - 10800000) / 86400000);
    INSERT OR IGNORE INTO report_dirty (day) SELECT (NEW.closed_at - 10800000) / 86400000 WHERE NEW.closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- Only the columns reports read; unread counters and last activity change
-- at every message and do not mark anything.
-- +goose StatementBegin
CREATE TRIGGER report_ticket_update AFTER UPDATE OF status, closed_at, assignee_id, group_id, kind, subject, identity,
        first_response_at, response_due_at, due_at, created_at ON tickets BEGIN
    INSERT OR IGNORE INTO report_dirty (day) VALUES ((OLD.created_at - 10800000) / 86400000);
    INSERT OR IGNORE INTO report_dirty (day) VALUES ((NEW.created_at - 10800000) / 86400000);
    INSERT OR IGNORE INTO report_dirty (day) SELECT (OLD.closed_at - 10800000) / 86400000 WHERE OLD.closed_at IS NOT NULL;
    INSERT OR IGNORE INTO report_dirty (day) SELECT (NEW.closed_at - 10800000) / 86400000 WHERE NEW.closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER report_ticket_delete AFTER DELETE ON tickets BEGIN
    INSERT OR IGNORE INTO report_dirty (day) VALUES ((OLD.created_at - 10800000) / 86400000);
    INSERT OR IGNORE INTO report_dirty (day) SELECT (OLD.closed_at - 10800000) / 86400000 WHERE OLD.closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- Status and assignment changes give queue, assignment and reopening times.
-- +goose StatementBegin
CREATE TRIGGER report_event_insert AFTER INSERT ON ticket_events WHEN NEW.kind IN ('status', 'assign') BEGIN
    INSERT OR IGNORE INTO report_dirty (day)
        SELECT (created_at - 10800000) / 86400000 FROM tickets WHERE id = NEW.ticket_id
        UNION ALL
        SELECT (closed_at - 10800000) / 86400000 FROM tickets WHERE id = NEW.ticket_id AND closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER report_survey_insert AFTER INSERT ON survey_answers BEGIN
    INSERT OR IGNORE INTO report_dirty (day)
        SELECT (created_at - 10800000) / 86400000 FROM tickets WHERE id = NEW.ticket_id
        UNION ALL
        SELECT (closed_at - 10800000) / 86400000 FROM tickets WHERE id = NEW.ticket_id AND closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER report_survey_update AFTER UPDATE ON survey_answers BEGIN
    INSERT OR IGNORE INTO report_dirty (day)
        SELECT (created_at - 10800000) / 86400000 FROM tickets WHERE id IN (OLD.ticket_id, NEW.ticket_id)
        UNION ALL
        SELECT (closed_at - 10800000) / 86400000 FROM tickets WHERE id IN (OLD.ticket_id, NEW.ticket_id) AND closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER report_survey_delete AFTER DELETE ON survey_answers BEGIN
    INSERT OR IGNORE INTO report_dirty (day)
        SELECT (created_at - 10800000) / 86400000 FROM tickets WHERE id = OLD.ticket_id
        UNION ALL
        SELECT (closed_at - 10800000) / 86400000 FROM tickets WHERE id = OLD.ticket_id AND closed_at IS NOT NULL;
END;
-- +goose StatementEnd

-- Inbound messages without a ticket are bot talk until attached to one.
-- +goose StatementBegin
CREATE TRIGGER report_bot_message AFTER INSERT ON messages WHEN NEW.ticket_id IS NULL AND NEW.direction = 'in' BEGIN
    INSERT OR IGNORE INTO report_dirty (day) VALUES ((NEW.created_at - 10800000) / 86400000);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER report_bot_attach AFTER UPDATE OF ticket_id ON messages
        WHEN NEW.direction = 'in' AND (OLD.ticket_id IS NULL OR NEW.ticket_id IS NULL) BEGIN
    INSERT OR IGNORE INTO report_dirty (day) VALUES ((NEW.created_at - 10800000) / 86400000);
END;
-- +goose StatementEnd

-- Every existing day is built at the first report.
INSERT OR IGNORE INTO report_dirty (day) SELECT DISTINCT (created_at - 10800000) / 86400000 FROM tickets;
INSERT OR IGNORE INTO report_dirty (day) SELECT DISTINCT (closed_at - 10800000) / 86400000 FROM tickets WHERE closed_at IS NOT NULL;

INSERT OR IGNORE INTO report_dirty (day) SELECT DISTINCT (created_at - 10800000) / 86400000 FROM messages
    WHERE ticket_id IS NULL AND direction = 'in';

-- +goose Down
DROP TRIGGER report_bot_attach;
DROP TRIGGER report_bot_message;
DROP TRIGGER report_survey_delete;
DROP TRIGGER report_survey_update;
DROP TRIGGER report_survey_insert;
DROP TRIGGER report_event_insert;
DROP TRIGGER report_ticket_delete;
DROP TRIGGER report_ticket_update;
DROP TRIGGER report_ticket_insert;
DROP INDEX messages_bot_only_idx;
DROP TABLE report_dirty;
DROP TABLE report_days;
