-- Every message that reaches the desk, kept whole from the moment it arrives: the raw bytes
-- are stored before anything is done with them, so a crash or a busy database loses nothing,
-- and the dedup key (the Message-ID, or a hash of the bytes) makes a second delivery of the
-- same message a no-op. The state says what became of it: received (not yet processed),
-- processed (joined or opened a ticket), unmatched (waiting for staff), ignored (our own mail
-- coming back), discarded (staff threw it away).
CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    message_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    raw BLOB NOT NULL,
    size_bytes BIGINT NOT NULL,
    from_address TEXT NOT NULL DEFAULT '',
    from_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    ticket_id BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    acknowledged BOOLEAN NOT NULL DEFAULT FALSE,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    received_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP,
    handled_by BIGINT REFERENCES users (id)
);
CREATE INDEX inbound_messages_state ON inbound_messages (state, received_at, id);
CREATE INDEX inbound_messages_ticket ON inbound_messages (ticket_id, from_address, received_at);
CREATE INDEX inbound_messages_message_id ON inbound_messages (message_id);

-- Threading reads the Message-IDs the desk sent.
CREATE INDEX outbox_message_id ON outbox (message_id);

-- A sender at a client's domain who is not yet a contact becomes one, flagged until a
-- person checks who they are.
ALTER TABLE contacts ADD COLUMN identity_validated BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE clients ADD COLUMN mail_domains TEXT NOT NULL DEFAULT '';

-- A reply to a ticket that is over opens a new one that points back to it.
ALTER TABLE tickets ADD COLUMN follow_up_of BIGINT REFERENCES tickets (id);
