-- Personal API tokens: only the SHA-256 of the token is kept. The fixed one-minute window of
-- the rate limit lives on the token's row, so authenticating, counting and the last-used time
-- are one UPDATE per request, seen alike by every instance.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revoked_by BIGINT REFERENCES users (id),
    window_start TIMESTAMP NOT NULL,
    window_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Which client a monitoring source and host belong to, and how its alerts become tickets.
CREATE TABLE alert_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_pattern TEXT NOT NULL,
    host_pattern TEXT NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    critical_impact TEXT NOT NULL,
    critical_urgency TEXT NOT NULL,
    warning_impact TEXT NOT NULL,
    warning_urgency TEXT NOT NULL,
    info_impact TEXT NOT NULL,
    info_urgency TEXT NOT NULL,
    solve_on_recovery BOOLEAN NOT NULL,
    flap_minutes INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One row per dedup key: the ticket its alerts go to now. The unique key is what keeps a burst
-- of the same alert to one ticket, whatever the locks do.
CREATE TABLE alert_threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    firing_count BIGINT NOT NULL,
    recovered_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

-- Every alert received, mapped or not, so nothing a monitoring tool sent is lost.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TIMESTAMP NOT NULL,
    token_id BIGINT REFERENCES api_tokens (id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    host TEXT NOT NULL,
    check_name TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    message TEXT NOT NULL,
    client_code TEXT NOT NULL,
    outcome TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id)
);
CREATE INDEX alerts_dedup_key ON alerts (dedup_key);
CREATE INDEX alerts_ticket ON alerts (ticket_id);
