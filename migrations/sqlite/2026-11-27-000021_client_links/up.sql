-- Links e-mailed to client contacts (survey, reopen, risk notices). Only the SHA-256 of the
-- token is kept, so a copy of this table opens nothing.
CREATE TABLE client_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX client_links_subject ON client_links (subject_kind, subject_id, purpose);
