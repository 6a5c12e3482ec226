-- +goose Up
-- The outbox worker sends one message at a time per citizen, in order: a row
-- waits while an older row to the same number is pending or in flight. This
-- index answers "is there an older row for this citizen" without a scan.
CREATE INDEX outbox_citizen_idx ON outbox(to_wa_id, state, id);

-- +goose Down
DROP INDEX outbox_citizen_idx;
