-- +goose Up
-- Media lives in media.db beside balcao.db, so the main database stays small.
CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT    NOT NULL,
    mime_type   TEXT    NOT NULL,
    filename    TEXT    NOT NULL DEFAULT '',
    size        INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    -- WhatsApp's media id: of an inbound file, or of our upload (reused while valid)
    wa_media_id TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX media_sha_idx ON media(sha256);

-- +goose Down
DROP TABLE media;
