ALTER TABLE users DROP COLUMN one_time_password_expires_at;
ALTER TABLE users ADD COLUMN session_version BIGINT NOT NULL DEFAULT 1;
DROP TABLE staff_sessions;
