CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT REFERENCES categories (id),
    name TEXT NOT NULL,
    common_low_complexity BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX categories_name ON categories (COALESCE(parent_id, 0), name);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    channel TEXT NOT NULL,
    identity_check TEXT NOT NULL,
    status TEXT NOT NULL,
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority TEXT NOT NULL,
    category_id BIGINT REFERENCES categories (id),
    subcategory_id BIGINT REFERENCES categories (id),
    affected_service TEXT NOT NULL DEFAULT '',
    triaged_at TIMESTAMP,
    tier TEXT,
    owner_id BIGINT REFERENCES users (id),
    worker_id BIGINT REFERENCES users (id),
    response_due_at TIMESTAMP,
    responded_at TIMESTAMP,
    resolution_due_at TIMESTAMP,
    solved_at TIMESTAMP,
    solution TEXT,
    closed_at TIMESTAMP,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    duplicate_of BIGINT REFERENCES tickets (id),
    search_text TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tickets_status_due ON tickets (status, resolution_due_at);
CREATE INDEX tickets_owner ON tickets (owner_id, status);
CREATE INDEX tickets_worker ON tickets (worker_id, status);
CREATE INDEX tickets_tier ON tickets (tier, status);
CREATE INDEX tickets_client ON tickets (client_id, status);
CREATE INDEX tickets_kind ON tickets (kind, status);
CREATE INDEX tickets_solved ON tickets (status, solved_at);
CREATE INDEX tickets_created ON tickets (created_at);
-- Expertise for assignment: who solved what in a category lately, read from the index alone.
CREATE INDEX tickets_category_solved ON tickets (category_id, solved_at, owner_id);
-- Open load per technician, read from the index alone.
CREATE INDEX tickets_status_worker ON tickets (status, worker_id);
-- The "due soon and breached" queue: unanswered tickets by response due time.
CREATE INDEX tickets_status_response ON tickets (status, responded_at, response_due_at);

CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    actor_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL,
    client_visible BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, created_at);

CREATE TABLE ticket_pauses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    reason TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX ticket_pauses_ticket ON ticket_pauses (ticket_id);

-- Screenshots and event logs, kept in the database so that every instance serves them.
CREATE TABLE ticket_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);

CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id),
    category_id BIGINT REFERENCES categories (id),
    search_text TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A starting set of categories an MSP desk recognises; admins change them.
INSERT INTO categories (name, common_low_complexity) VALUES
    ('Network', FALSE), ('E-mail', FALSE), ('Hardware', FALSE), ('Software', FALSE),
    ('Accounts and access', TRUE), ('Phone system', FALSE), ('Security', FALSE), ('Printing', TRUE);
INSERT INTO categories (parent_id, name, common_low_complexity)
SELECT p.id, s.name, s.common FROM categories p, (
    SELECT 'Network' AS parent, 'Internet outage' AS name, FALSE AS common
    UNION ALL SELECT 'Network', 'Slow network', FALSE
    UNION ALL SELECT 'Network', 'Wi-Fi', TRUE
    UNION ALL SELECT 'Network', 'Firewall / VPN', FALSE
    UNION ALL SELECT 'E-mail', 'Mailbox', TRUE
    UNION ALL SELECT 'E-mail', 'Outage', FALSE
    UNION ALL SELECT 'E-mail', 'Spam and phishing', TRUE
    UNION ALL SELECT 'Hardware', 'Workstation', TRUE
    UNION ALL SELECT 'Hardware', 'Server', FALSE
    UNION ALL SELECT 'Hardware', 'Peripheral', TRUE
    UNION ALL SELECT 'Software', 'Line-of-business application', FALSE
    UNION ALL SELECT 'Software', 'Install or update', TRUE
    UNION ALL SELECT 'Software', 'Office applications', TRUE
    UNION ALL SELECT 'Accounts and access', 'Password reset', TRUE
    UNION ALL SELECT 'Accounts and access', 'Permissions', TRUE
    UNION ALL SELECT 'Accounts and access', 'New user', TRUE
    UNION ALL SELECT 'Phone system', 'Handsets', TRUE
    UNION ALL SELECT 'Phone system', 'Calls and voicemail', FALSE
    UNION ALL SELECT 'Security', 'Malware', FALSE
    UNION ALL SELECT 'Security', 'Suspicious activity', FALSE
    UNION ALL SELECT 'Printing', 'Printer down', TRUE
    UNION ALL SELECT 'Printing', 'Install a printer', TRUE
) s
WHERE p.name = s.parent AND p.parent_id IS NULL;
