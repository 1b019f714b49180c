-- The rate limit's one-minute window moves off the token's row to a row of its own. Every
-- alert's foreign key holds a key-share lock on its token's row while every request updated
-- that same row, and PostgreSQL records each such overlap as a multixact that every later
-- read and update of the row must resolve. No foreign key points at a window row, so counting
-- on it meets no share locks; the token's row is now written once a minute at most (last used).
CREATE TABLE api_token_windows (
    token_id BIGINT PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
    window_start TIMESTAMP NOT NULL,
    requests BIGINT NOT NULL
);
INSERT INTO api_token_windows (token_id, window_start, requests)
    SELECT id, window_start, window_count FROM api_tokens;
ALTER TABLE api_tokens DROP COLUMN window_start, DROP COLUMN window_count;
