-- +goose Up
-- Inbound media is downloaded after the webhook is stored, off the request
-- path. The queue of the media fetcher is this table: inbound media messages
-- with no media_id yet and no final error, due at media_next_at (Unix ms).
ALTER TABLE messages ADD COLUMN media_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN media_next_at INTEGER NOT NULL DEFAULT 0;
-- pt-BR, shown to the clerk in place of the file; set when the fetcher gives up.
ALTER TABLE messages ADD COLUMN media_error TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_media_fetch_idx ON messages(media_next_at, id)
    WHERE direction = 'in' AND media_id IS NULL AND media_error = ''
      AND type IN ('image', 'document', 'audio', 'video', 'sticker');

-- +goose Down
DROP INDEX messages_media_fetch_idx;
ALTER TABLE messages DROP COLUMN media_error;
ALTER TABLE messages DROP COLUMN media_next_at;
ALTER TABLE messages DROP COLUMN media_attempts;
