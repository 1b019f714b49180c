DROP TABLE client_decisions;
DROP TABLE approvals;
DROP TABLE escalations;
DROP TABLE ticket_levels;
DROP TABLE escalation_severity_rules;
DROP TABLE escalation_levels;
