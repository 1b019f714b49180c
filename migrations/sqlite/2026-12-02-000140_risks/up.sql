-- Client risk management (the blueprints' Risk Management section): assets, the walk-through,
-- the register with its treatments, controls, milestones and history, the client's
-- acknowledgement and acceptance, and the editable matrix and review schedule.

-- A contact flagged here receives the discovery and acceptance mails for the client's risks.
ALTER TABLE contacts ADD COLUMN risk_contact BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX contacts_risk_contact ON contacts (client_id, risk_contact);

-- The 5 × 5 matrix: likelihood and consequence from 1 to 5, the level low … critical.
CREATE TABLE risk_matrix (
    likelihood INTEGER NOT NULL,
    consequence INTEGER NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (likelihood, consequence)
);
INSERT INTO risk_matrix (likelihood, consequence, level) VALUES
    (1, 1, 'low'), (1, 2, 'low'), (1, 3, 'low'), (1, 4, 'low'), (1, 5, 'medium'),
    (2, 1, 'low'), (2, 2, 'low'), (2, 3, 'medium'), (2, 4, 'medium'), (2, 5, 'high'),
    (3, 1, 'low'), (3, 2, 'medium'), (3, 3, 'medium'), (3, 4, 'high'), (3, 5, 'high'),
    (4, 1, 'low'), (4, 2, 'medium'), (4, 3, 'high'), (4, 4, 'high'), (4, 5, 'critical'),
    (5, 1, 'medium'), (5, 2, 'high'), (5, 3, 'high'), (5, 4, 'critical'), (5, 5, 'critical');

-- One row: days between reviews per classification, and days the client has to accept.
CREATE TABLE risk_settings (
    id INTEGER PRIMARY KEY,
    managed_days INTEGER NOT NULL,
    monitored_days INTEGER NOT NULL,
    observed_days INTEGER NOT NULL,
    acceptance_days INTEGER NOT NULL
);
INSERT INTO risk_settings (id, managed_days, monitored_days, observed_days, acceptance_days)
VALUES (1, 90, 30, 180, 7);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    warranty_end DATE,
    end_of_support DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assets_client ON assets (client_id, name);

-- The blueprints' example risks, offered as the walk-through's checklist.
CREATE TABLE risk_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    vulnerability TEXT NOT NULL,
    threat TEXT NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE INDEX risk_templates_position ON risk_templates (active, position);
INSERT INTO risk_templates (title, vulnerability, threat, position, active) VALUES
    ('Guests can access the client''s network', 'The guest Wi-Fi or open ports reach the office network', 'An outsider reads or alters the client''s data', 1, TRUE),
    ('Servers are not kept dry and cool', 'The server room lacks cooling or sits below water pipes', 'Hardware fails from heat or water', 2, TRUE),
    ('Critical data is not backed up regularly', 'No tested, regular backup of critical data', 'Data is lost to a failure, a mistake or ransomware', 3, TRUE),
    ('Weak passwords are in use', 'Short, shared or never-changed passwords', 'Accounts are guessed or stolen', 4, TRUE),
    ('Old and unsupported hardware is on the network', 'Hardware past its warranty or end of support', 'Failures without repair and unpatched security holes', 5, TRUE);

-- A walk-through per client, saved page by page so it can be resumed on site.
CREATE TABLE risk_walkthroughs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    started_by BIGINT NOT NULL REFERENCES users (id),
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    step TEXT NOT NULL,
    threats TEXT NOT NULL,
    measures_existing TEXT NOT NULL,
    measures_planned TEXT NOT NULL,
    vulnerabilities TEXT NOT NULL,
    consequences TEXT NOT NULL,
    business_processes TEXT NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX risk_walkthroughs_client ON risk_walkthroughs (client_id, started_at);

-- The example risks ticked during a walk-through, with the asset they concern.
CREATE TABLE risk_walkthrough_ticks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walkthrough_id BIGINT NOT NULL REFERENCES risk_walkthroughs (id),
    template_id BIGINT NOT NULL REFERENCES risk_templates (id),
    asset_id BIGINT REFERENCES assets (id)
);
CREATE UNIQUE INDEX risk_walkthrough_ticks_item ON risk_walkthrough_ticks (walkthrough_id, template_id);

CREATE TABLE risks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    walkthrough_id BIGINT REFERENCES risk_walkthroughs (id),
    ticket_id BIGINT REFERENCES tickets (id),
    title TEXT NOT NULL,
    asset_id BIGINT REFERENCES assets (id),
    vulnerability TEXT NOT NULL,
    cause TEXT NOT NULL,
    source TEXT NOT NULL,
    -- draft (found, not analysed), open (recorded and told to the client), closed.
    status TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    inherent_likelihood INTEGER,
    inherent_consequence INTEGER,
    inherent_level TEXT,
    residual_likelihood INTEGER,
    residual_consequence INTEGER,
    residual_level TEXT,
    classification TEXT,
    tolerance TEXT,
    decision_reason TEXT NOT NULL,
    current_treatment_id BIGINT,
    acknowledged_at TIMESTAMP,
    acknowledged_by BIGINT REFERENCES contacts (id),
    review_on DATE,
    review_reminded_on DATE,
    version INTEGER NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX risks_client ON risks (client_id, status, id);
CREATE INDEX risks_review ON risks (status, review_on);
CREATE INDEX risks_owner ON risks (owner_id, status);
CREATE INDEX risks_ticket ON risks (ticket_id);
CREATE INDEX risks_walkthrough ON risks (walkthrough_id);

-- Each decided treatment, kept so that a changed treatment asks the client afresh and the
-- earlier answers stay on record.
CREATE TABLE risk_treatments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id BIGINT NOT NULL REFERENCES risks (id),
    options TEXT NOT NULL,
    summary TEXT NOT NULL,
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at TIMESTAMP NOT NULL,
    acceptance TEXT NOT NULL,
    answered_at TIMESTAMP,
    answered_by BIGINT REFERENCES contacts (id),
    answer_comment TEXT NOT NULL,
    reminded_at TIMESTAMP,
    owner_flagged_at TIMESTAMP
);
CREATE INDEX risk_treatments_risk ON risk_treatments (risk_id, id);
CREATE INDEX risk_treatments_pending ON risk_treatments (acceptance, decided_at);

CREATE TABLE risk_controls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id BIGINT NOT NULL REFERENCES risks (id),
    kind TEXT NOT NULL,
    what TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    state TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id)
);
CREATE INDEX risk_controls_risk ON risk_controls (risk_id, id);
CREATE INDEX risk_controls_ticket ON risk_controls (ticket_id);

-- Dates where the risk grows (warranty end, end of support, other) and deadlines by which it
-- must be gone; reminded_at makes the monitoring sweep's reminder happen once.
CREATE TABLE risk_milestones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id BIGINT NOT NULL REFERENCES risks (id),
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    note TEXT NOT NULL,
    asset_id BIGINT REFERENCES assets (id),
    reminded_at TIMESTAMP
);
CREATE INDEX risk_milestones_risk ON risk_milestones (risk_id, due_on);
CREATE INDEX risk_milestones_due ON risk_milestones (reminded_at, due_on);
CREATE INDEX risk_milestones_date ON risk_milestones (due_on);

-- The blueprints' "historical decisions and consequential actions": every change, by a user
-- of the desk or by a client contact through a link, with the reason.
CREATE TABLE risk_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id BIGINT NOT NULL REFERENCES risks (id),
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    contact_id BIGINT REFERENCES contacts (id),
    what TEXT NOT NULL,
    change TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX risk_history_risk ON risk_history (risk_id, at);

-- Which contact a risk link was mailed to (so the register says who acknowledged or answered)
-- and, for an acceptance link, which treatment it asks about: a changed treatment makes the
-- older links answer nothing.
CREATE TABLE risk_link_recipients (
    link_id BIGINT PRIMARY KEY REFERENCES client_links (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    treatment_id BIGINT REFERENCES risk_treatments (id)
);
