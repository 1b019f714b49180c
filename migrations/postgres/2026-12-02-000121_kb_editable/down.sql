DROP INDEX kb_articles_search;
ALTER TABLE kb_articles DROP COLUMN search_vector;
DROP TABLE kb_article_versions;
DROP INDEX kb_articles_status_updated;
ALTER TABLE kb_articles DROP COLUMN updated_by;
ALTER TABLE kb_articles DROP COLUMN version;
ALTER TABLE kb_articles DROP COLUMN status;
