ALTER TABLE api_tokens ADD COLUMN window_start TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE api_tokens ADD COLUMN window_count BIGINT NOT NULL DEFAULT 0;
UPDATE api_tokens SET
    window_start = (SELECT w.window_start FROM api_token_windows w WHERE w.token_id = api_tokens.id),
    window_count = (SELECT w.requests FROM api_token_windows w WHERE w.token_id = api_tokens.id)
    WHERE id IN (SELECT token_id FROM api_token_windows);
DROP TABLE api_token_windows;
