-- Service requests are request fulfilment, not incidents (the blueprints put requests for new or
-- altered services outside incident management). Each policy gets a second table of targets for
-- requests, keyed by the ticket's kind; the existing rows are the incident table.
ALTER TABLE sla_targets ADD COLUMN kind TEXT NOT NULL DEFAULT 'incident';
DROP INDEX sla_targets_priority;
CREATE UNIQUE INDEX sla_targets_priority ON sla_targets (policy_id, kind, priority);

-- A request is planned work, not an outage: it is answered within hours and fulfilled within
-- working days, all in the client's business hours. A working day is counted as 8 hours, so the
-- targets stay on the short side of any calendar open longer than that. P1 4 h / 16 h (two
-- working days), P2 8 h / 40 h (five), P3 16 h / 80 h (ten).
INSERT INTO sla_targets (policy_id, kind, priority, response_minutes, resolution_minutes, clock_mode)
SELECT p.id, 'service_request', t.priority, t.response_minutes, t.resolution_minutes, 'business'
FROM sla_policies p, (
    SELECT 'P1' AS priority, 240 AS response_minutes, 960 AS resolution_minutes
    UNION ALL SELECT 'P2', 480, 2400
    UNION ALL SELECT 'P3', 960, 4800
) t;

-- The manager's approval a request needs before work starts: who and when, on the ticket, so
-- the status rule that refuses work reads it from the row every command already holds.
ALTER TABLE tickets ADD COLUMN request_approved_by BIGINT;
ALTER TABLE tickets ADD COLUMN request_approved_at TIMESTAMP;
-- Requests already worked on were let through before an approval was asked for: they count as
-- approved when they were triaged, by nobody on record, so they can be finished.
UPDATE tickets SET request_approved_at = COALESCE(triaged_at, created_at)
WHERE kind = 'service_request'
  AND status IN ('in_progress', 'pending_client', 'pending_vendor', 'pending_parts', 'solved',
                 'closed', 'reopened');

-- The queues filter on kind as well as status (and tier): each seeks its kind's open tickets
-- and reads their due times from the index alone. (kind, status) is a prefix of the second.
CREATE INDEX tickets_kind_tier ON tickets (kind, tier, status, resolution_due_at);
DROP INDEX tickets_kind;
CREATE INDEX tickets_kind_status_due ON tickets (kind, status, resolution_due_at);
