-- +goose Up
-- The knowledge base: Markdown answers the bot offers and clerks consult.
-- public = citizens may see it (the bot); otherwise it is for clerks only.
CREATE TABLE articles (
    id          INTEGER PRIMARY KEY,
    public      INTEGER NOT NULL DEFAULT 1,
    theme       TEXT    NOT NULL DEFAULT '',
    category    TEXT    NOT NULL DEFAULT '',
    question    TEXT    NOT NULL CHECK (length(trim(question)) > 0),
    answer      TEXT    NOT NULL CHECK (length(trim(answer)) > 0),
    -- comma-separated words and phrases citizens use for this subject
    keywords    TEXT    NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    -- answers to the bot's "Isso resolveu?"
    helpful_yes INTEGER NOT NULL DEFAULT 0,
    helpful_no  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Full-text index over the articles (external content: the text lives once,
-- in articles). remove_diacritics 2 folds accents, so "agua" finds "água".
CREATE VIRTUAL TABLE articles_fts USING fts5(
    question, answer, keywords, theme, category,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, question, answer, keywords, theme, category)
    VALUES (new.id, new.question, new.answer, new.keywords, new.theme, new.category);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, question, answer, keywords, theme, category)
    VALUES ('delete', old.id, old.question, old.answer, old.keywords, old.theme, old.category);
END;
-- +goose StatementEnd

-- Only a change of the indexed text touches the index (not feedback counters).
-- +goose StatementBegin
CREATE TRIGGER articles_fts_update AFTER UPDATE OF question, answer, keywords, theme, category ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, question, answer, keywords, theme, category)
    VALUES ('delete', old.id, old.question, old.answer, old.keywords, old.theme, old.category);
    INSERT INTO articles_fts (rowid, question, answer, keywords, theme, category)
    VALUES (new.id, new.question, new.answer, new.keywords, new.theme, new.category);
END;
-- +goose StatementEnd

-- The bot's menu: a tree of numbered options (one root, parent_id NULL).
-- article_id and group_id are columns, not part of config, so that an article
-- or a group the menu uses cannot be deleted from under it.
CREATE TABLE menu_nodes (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES menu_nodes(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    title      TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    -- Markdown, converted to WhatsApp formatting when sent
    message    TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL CHECK (action IN ('menu', 'article', 'ask', 'lookup', 'handoff', 'end')),
    -- article: the answer; ask/handoff: where the ticket goes; menu: where
    -- "falar com um atendente" goes from here down
    article_id INTEGER REFERENCES articles(id) ON DELETE RESTRICT,
    group_id   INTEGER REFERENCES service_groups(id) ON DELETE RESTRICT,
    -- the rest of the action, as JSON: ticket kind, fields to ask, anonymity…
    config     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    -- comma-separated words that also choose this option ("2 via, boleto")
    keywords   TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX menu_nodes_parent_idx ON menu_nodes(parent_id, position);
CREATE UNIQUE INDEX menu_nodes_one_root ON menu_nodes(coalesce(parent_id, 0)) WHERE parent_id IS NULL;
CREATE INDEX menu_nodes_article_idx ON menu_nodes(article_id) WHERE article_id IS NOT NULL;
CREATE INDEX menu_nodes_group_idx ON menu_nodes(group_id) WHERE group_id IS NOT NULL;

-- Where each contact is in the bot's conversation (bot.Session as JSON).
CREATE TABLE bot_sessions (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (json_valid(state)),
    updated_at INTEGER NOT NULL
);

-- Data the citizen gave the bot (description, CPF, address, photo…), kept with
-- the contact and, once a ticket is opened with it, with the ticket.
CREATE TABLE contact_answers (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    ticket_id  INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
    node_id    INTEGER REFERENCES menu_nodes(id) ON DELETE SET NULL,
    key        TEXT    NOT NULL CHECK (length(key) > 0),
    label      TEXT    NOT NULL DEFAULT '',
    value      TEXT    NOT NULL DEFAULT '',
    -- the inbound message that carried the answer (its media, its location)
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    -- the media.db row of a photo or document, once downloaded
    media_id   INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX contact_answers_contact_idx ON contact_answers(contact_id, id);
CREATE INDEX contact_answers_ticket_idx ON contact_answers(ticket_id, id) WHERE ticket_id IS NOT NULL;

-- +goose Down
DROP TABLE contact_answers;
DROP TABLE bot_sessions;
DROP TABLE menu_nodes;
DROP TRIGGER articles_fts_update;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_insert;
DROP TABLE articles_fts;
DROP TABLE articles;
