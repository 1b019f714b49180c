-- The escalation ladder: its levels in order, the tier each stands for (the manager's
-- decision point has none), and each level's time budget per priority as a percentage of the
-- resolution target (NULL: no time trigger at that level).
CREATE TABLE escalation_levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    tier TEXT,
    decision_point BOOLEAN NOT NULL,
    budget_p1 INTEGER,
    budget_p2 INTEGER,
    budget_p3 INTEGER
);
INSERT INTO escalation_levels (position, name, tier, decision_point, budget_p1, budget_p2, budget_p3) VALUES
    (1, 'Tier 1', 'tier1', FALSE, 50, 50, 50),
    (2, 'Tier 2', 'tier2', FALSE, NULL, NULL, NULL),
    (3, 'Tier 3', 'tier3', FALSE, NULL, NULL, NULL),
    (4, 'On-site support', 'onsite', FALSE, NULL, NULL, NULL),
    (5, 'Service desk manager', NULL, TRUE, NULL, NULL, NULL);

-- Severity rules applied at triage: a ticket of this priority goes at once to at least this
-- level.
CREATE TABLE escalation_severity_rules (
    priority TEXT PRIMARY KEY,
    min_level_id BIGINT NOT NULL REFERENCES escalation_levels (id),
    notify_manager BOOLEAN NOT NULL
);
INSERT INTO escalation_severity_rules (priority, min_level_id, notify_manager)
    SELECT 'P1', id, TRUE FROM escalation_levels WHERE position = 2;

-- Where each ticket stands on the ladder and since when (its level budget counts from then).
-- Kept apart from tickets, which is at diesel's column limit.
CREATE TABLE ticket_levels (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    level_id BIGINT NOT NULL REFERENCES escalation_levels (id),
    entered_at TIMESTAMP NOT NULL
);

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    from_level_id BIGINT REFERENCES escalation_levels (id),
    to_level_id BIGINT NOT NULL REFERENCES escalation_levels (id),
    reason TEXT NOT NULL,
    explanation TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    owner_id BIGINT REFERENCES users (id),
    vendor TEXT NOT NULL,
    vendor_reference TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX escalations_ticket ON escalations (ticket_id);

-- Requests a manager approves or rejects: sensitive changes, and escalations to on-site
-- support (which carry the escalation to apply once approved).
CREATE TABLE approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    impact TEXT NOT NULL,
    risk TEXT NOT NULL,
    rollback_plan TEXT NOT NULL,
    planned_window TEXT NOT NULL,
    to_level_id BIGINT REFERENCES escalation_levels (id),
    owner_id BIGINT REFERENCES users (id),
    reason TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_comment TEXT NOT NULL
);
CREATE INDEX approvals_status ON approvals (status);
CREATE INDEX approvals_ticket ON approvals (ticket_id);

-- The decision point: what the manager offered the client (replace a device, order a part),
-- and the client's answer with its date once given. An open offer keeps the ticket pending
-- client input.
CREATE TABLE client_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    offered TEXT NOT NULL,
    offered_by BIGINT NOT NULL REFERENCES users (id),
    offered_at TIMESTAMP NOT NULL,
    answer TEXT NOT NULL,
    answered_on DATE,
    answered_by BIGINT REFERENCES users (id)
);
CREATE INDEX client_decisions_ticket ON client_decisions (ticket_id);
