-- Problem management: the problem ticket (blueprints' "Log the problem"), the incidents it
-- causes, its audit trail and investigation log, the RFC it files, its team review, the
-- detection settings and the suggestions the detection sweep makes.
CREATE TABLE problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    business_impact TEXT NOT NULL,
    symptoms TEXT NOT NULL,
    service_details TEXT NOT NULL,
    equipment_details TEXT NOT NULL,
    previous_fixes TEXT NOT NULL,
    occurred_at TIMESTAMP,
    client_id BIGINT REFERENCES clients (id),
    category_id BIGINT REFERENCES categories (id),
    team TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    workaround TEXT NOT NULL,
    permanent_solution TEXT NOT NULL,
    investigating_at TIMESTAMP,
    root_cause_at TIMESTAMP,
    known_error_at TIMESTAMP,
    fix_in_change_at TIMESTAMP,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    archived_at TIMESTAMP,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX problems_status ON problems (status, updated_at);
CREATE INDEX problems_client ON problems (client_id, status);
CREATE INDEX problems_owner ON problems (owner_id, status);

-- An incident is caused by at most one problem; a problem causes many incidents.
CREATE TABLE problem_incidents (
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    ticket_id BIGINT NOT NULL PRIMARY KEY REFERENCES tickets (id),
    linked_by BIGINT NOT NULL REFERENCES users (id),
    linked_at TIMESTAMP NOT NULL
);
CREATE INDEX problem_incidents_problem ON problem_incidents (problem_id, linked_at);

-- The problem's audit trail and investigation log, like a ticket's timeline.
CREATE TABLE problem_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    actor_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, created_at);

-- The request for change a problem's permanent fix goes through; a manager decides it.
CREATE TABLE problem_rfcs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    problem_id BIGINT NOT NULL REFERENCES problems (id),
    status TEXT NOT NULL,
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    risk TEXT NOT NULL,
    rollback_plan TEXT NOT NULL,
    planned_window TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_comment TEXT NOT NULL
);
CREATE INDEX problem_rfcs_problem ON problem_rfcs (problem_id, requested_at);
CREATE INDEX problem_rfcs_status ON problem_rfcs (status, requested_at);

-- The team review: one per problem, the blueprints' questions with the participants and
-- the decision taken.
CREATE TABLE problem_reviews (
    problem_id BIGINT NOT NULL PRIMARY KEY REFERENCES problems (id),
    participants TEXT NOT NULL,
    went_well TEXT NOT NULL,
    went_wrong TEXT NOT NULL,
    do_better TEXT NOT NULL,
    prevention TEXT NOT NULL,
    third_party TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    decision TEXT NOT NULL,
    reviewed_by BIGINT NOT NULL REFERENCES users (id),
    reviewed_at TIMESTAMP NOT NULL
);

-- How many incidents of one category and client within how many days make a suggestion.
CREATE TABLE problem_detection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    threshold INTEGER NOT NULL,
    window_days INTEGER NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- What the detection sweep found. The signature (signal and incident ids) is unique, so a
-- sweep on two instances records a finding once, and a dismissed one never comes back.
CREATE TABLE problem_suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    signature TEXT NOT NULL,
    signal TEXT NOT NULL,
    reason TEXT NOT NULL,
    client_id BIGINT REFERENCES clients (id),
    category_id BIGINT REFERENCES categories (id),
    ticket_ids TEXT NOT NULL,
    status TEXT NOT NULL,
    found_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    dismiss_reason TEXT NOT NULL,
    problem_id BIGINT REFERENCES problems (id)
);
CREATE UNIQUE INDEX problem_suggestions_signature ON problem_suggestions (signature);
CREATE INDEX problem_suggestions_status ON problem_suggestions (status, found_at);

-- Detection reads recent incidents only, from these indexes alone: the created_at window
-- first, so the work is bounded by the window however many tickets the desk holds.
CREATE INDEX tickets_problem_recent ON tickets (created_at, kind, client_id, category_id, reopen_count);
CREATE INDEX escalations_created ON escalations (created_at, ticket_id);
