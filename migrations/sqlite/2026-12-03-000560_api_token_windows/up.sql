-- The rate limit's one-minute window moves off the token's row to a row of its own, as on
-- PostgreSQL (where share locks from the alerts' foreign key made counting on the token's row
-- costly); the token's row is now written once a minute at most (last used).
CREATE TABLE api_token_windows (
    token_id BIGINT PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
    window_start TIMESTAMP NOT NULL,
    requests BIGINT NOT NULL
);
INSERT INTO api_token_windows (token_id, window_start, requests)
    SELECT id, window_start, window_count FROM api_tokens;
ALTER TABLE api_tokens DROP COLUMN window_start;
ALTER TABLE api_tokens DROP COLUMN window_count;
