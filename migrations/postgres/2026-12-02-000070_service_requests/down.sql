DROP INDEX tickets_kind_status_due;
CREATE INDEX tickets_kind ON tickets (kind, status);
DROP INDEX tickets_kind_tier;
ALTER TABLE tickets DROP COLUMN request_approved_at;
ALTER TABLE tickets DROP COLUMN request_approved_by;
DELETE FROM sla_targets WHERE kind <> 'incident';
DROP INDEX sla_targets_priority;
CREATE UNIQUE INDEX sla_targets_priority ON sla_targets (policy_id, priority);
ALTER TABLE sla_targets DROP COLUMN kind;
