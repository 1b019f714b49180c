DROP TRIGGER kb_articles_fts_update;
DROP TRIGGER kb_articles_fts_delete;
DROP TRIGGER kb_articles_fts_insert;
DROP TABLE kb_articles_fts;
DROP TABLE kb_article_versions;
DROP INDEX kb_articles_status_updated;
ALTER TABLE kb_articles DROP COLUMN updated_by;
ALTER TABLE kb_articles DROP COLUMN version;
ALTER TABLE kb_articles DROP COLUMN status;
