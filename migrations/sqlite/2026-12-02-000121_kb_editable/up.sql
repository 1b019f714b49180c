-- The knowledge base becomes editable: each save keeps the article as it was (who, when), and
-- a retired article leaves the search but keeps its page.
ALTER TABLE kb_articles ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
ALTER TABLE kb_articles ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE kb_articles ADD COLUMN updated_by BIGINT REFERENCES users (id);
CREATE INDEX kb_articles_status_updated ON kb_articles (status, updated_at);

CREATE TABLE kb_article_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL REFERENCES kb_articles (id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    edited_by BIGINT REFERENCES users (id),
    edited_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX kb_article_versions_article ON kb_article_versions (article_id, version);
INSERT INTO kb_article_versions (article_id, version, title, body, status, edited_by, edited_at)
SELECT id, 1, title, body, 'published', created_by, created_at FROM kb_articles;

CREATE VIRTUAL TABLE kb_articles_fts USING fts5(
    title, body,
    content = 'kb_articles', content_rowid = 'id', tokenize = 'porter unicode61'
);
CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER kb_articles_fts_update AFTER UPDATE ON kb_articles BEGIN
    INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO kb_articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
INSERT INTO kb_articles_fts (kb_articles_fts) VALUES ('rebuild');
