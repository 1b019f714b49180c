DROP INDEX tickets_live_search;
ALTER TABLE tickets DROP COLUMN search_vector;
