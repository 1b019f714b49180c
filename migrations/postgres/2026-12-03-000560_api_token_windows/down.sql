ALTER TABLE api_tokens ADD COLUMN window_start TIMESTAMP, ADD COLUMN window_count BIGINT NOT NULL DEFAULT 0;
UPDATE api_tokens SET window_start = w.window_start, window_count = w.requests
    FROM api_token_windows w WHERE w.token_id = api_tokens.id;
UPDATE api_tokens SET window_start = created_at WHERE window_start IS NULL;
ALTER TABLE api_tokens ALTER COLUMN window_start SET NOT NULL;
DROP TABLE api_token_windows;
