-- Who owns a ticket after an automatic escalation: the level's default owner when an admin
-- set one, else nobody until someone takes it from the level's queue. A plain column (no
-- foreign key) so SQLite can drop it again; the ladder page only offers active staff.
ALTER TABLE escalation_levels ADD COLUMN default_owner_id BIGINT;

-- Every support line has a time budget by default: tier 2 must have passed the ticket on by
-- 75 % of its resolution target, tier 3 by 90 %. Budgets an admin already set are kept.
UPDATE escalation_levels SET budget_p1 = 75 WHERE tier = 'tier2' AND budget_p1 IS NULL;
UPDATE escalation_levels SET budget_p2 = 75 WHERE tier = 'tier2' AND budget_p2 IS NULL;
UPDATE escalation_levels SET budget_p3 = 75 WHERE tier = 'tier2' AND budget_p3 IS NULL;
UPDATE escalation_levels SET budget_p1 = 90 WHERE tier = 'tier3' AND budget_p1 IS NULL;
UPDATE escalation_levels SET budget_p2 = 90 WHERE tier = 'tier3' AND budget_p2 IS NULL;
UPDATE escalation_levels SET budget_p3 = 90 WHERE tier = 'tier3' AND budget_p3 IS NULL;

-- Escalations suggested to the managers: an unhappy survey answer raises the client's other
-- open tickets. One suggestion per survey and ticket; a manager applies or dismisses it.
CREATE TABLE escalation_suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    note TEXT NOT NULL,
    UNIQUE (survey_id, ticket_id)
);
CREATE INDEX escalation_suggestions_ticket ON escalation_suggestions (ticket_id, status);
CREATE INDEX escalation_suggestions_status ON escalation_suggestions (status, created_at);
