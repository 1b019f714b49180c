-- Ticket search with PostgreSQL's own full-text index: a generated tsvector column ('simple',
-- so words match as typed, as SQLite's unicode61 does) under a GIN index of the live tickets
-- only (every status but closed, cancelled and duplicate), which is all the queues' search
-- covers; a query that repeats the same status condition uses it.
ALTER TABLE tickets ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX tickets_live_search ON tickets USING GIN (search_vector)
    WHERE status NOT IN ('closed', 'cancelled', 'duplicate');
