-- Each time a requester's identity is checked: at intake, or later on the ticket page before
-- sensitive work. The ticket's identity_check column holds the latest method; these rows say
-- who checked, when, and what (the number called back).
CREATE TABLE identity_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    checked_by BIGINT REFERENCES users (id),
    checked_at TIMESTAMP NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX identity_checks_ticket ON identity_checks (ticket_id, checked_at);
