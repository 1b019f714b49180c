DROP TABLE escalation_suggestions;
UPDATE escalation_levels SET budget_p1 = NULL, budget_p2 = NULL, budget_p3 = NULL
    WHERE tier IN ('tier2', 'tier3');
ALTER TABLE escalation_levels DROP COLUMN default_owner_id;
