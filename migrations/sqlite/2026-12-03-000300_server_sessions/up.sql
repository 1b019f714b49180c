-- A session lives in the database, not only in the browser's cookie: signing out, a password
-- change, a deactivation or a role change deletes the rows, and every copy of the cookie is dead.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

-- The per-account version that sessions were checked against is replaced by the rows above.
ALTER TABLE users DROP COLUMN session_version;

-- A one-time password works until this instant, and signing in with it spends it (sets it to
-- that moment). NULL for accounts whose password the owner chose.
ALTER TABLE users ADD COLUMN one_time_password_expires_at TIMESTAMP;
