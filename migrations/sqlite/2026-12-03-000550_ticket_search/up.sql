-- Ticket search with SQLite's own full-text index. Contentless, so the text is not stored
-- twice; diacritics kept, as PostgreSQL's 'simple' keeps them. `live` says whether the ticket
-- is still worked (every status but closed, cancelled and duplicate), so the queues' search,
-- which covers live tickets only, reads only their entries. Triggers keep it in step; the
-- 'delete' command needs the values as they were.
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    search_text, live,
    content = '', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, search_text, live)
    VALUES (new.id, new.search_text,
            CASE WHEN new.status IN ('closed', 'cancelled', 'duplicate') THEN 'no' ELSE 'yes' END);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF search_text, status ON tickets
WHEN old.search_text IS NOT new.search_text
  OR (old.status IN ('closed', 'cancelled', 'duplicate'))
     IS NOT (new.status IN ('closed', 'cancelled', 'duplicate'))
BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, search_text, live)
    VALUES ('delete', old.id, old.search_text,
            CASE WHEN old.status IN ('closed', 'cancelled', 'duplicate') THEN 'no' ELSE 'yes' END);
    INSERT INTO tickets_fts (rowid, search_text, live)
    VALUES (new.id, new.search_text,
            CASE WHEN new.status IN ('closed', 'cancelled', 'duplicate') THEN 'no' ELSE 'yes' END);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, search_text, live)
    VALUES ('delete', old.id, old.search_text,
            CASE WHEN old.status IN ('closed', 'cancelled', 'duplicate') THEN 'no' ELSE 'yes' END);
END;
INSERT INTO tickets_fts (rowid, search_text, live)
SELECT id, search_text,
       CASE WHEN status IN ('closed', 'cancelled', 'duplicate') THEN 'no' ELSE 'yes' END
FROM tickets;
