-- Every queue page is one index range of the rows it shows, in the order it shows them.
--
-- Which queue a ticket is in is derived from its row by the database itself (generated
-- columns), so no writer of status or due times can leave it stale: intake, triage, work,
-- escalation, pauses, solving, merging, reopening, the sweeps, the API, mail in and the seeds
-- all write the row and the queue columns follow.
--
-- queue_open: one of the eight open statuses. "status IN (eight values) ORDER BY due" is eight
-- ranges that need a sort to merge; one boolean is one range already in order.
ALTER TABLE tickets ADD COLUMN queue_open BOOLEAN NOT NULL GENERATED ALWAYS AS (
    status IN ('new', 'triaged', 'assigned', 'in_progress', 'pending_client', 'pending_vendor', 'pending_parts', 'reopened')
) STORED;
-- queue_pending: waiting on the client, a vendor or parts (the "Pending" queue).
ALTER TABLE tickets ADD COLUMN queue_pending BOOLEAN NOT NULL GENERATED ALWAYS AS (
    status IN ('pending_client', 'pending_vendor', 'pending_parts')
) STORED;
-- next_due_at: the clock a queue row shows, due first: the response while it is unanswered
-- and due before the resolution, otherwise the resolution (domain::sla::queue_due). A ticket
-- with no due time at all (a calendar that is never open) gets the last instant of 9999, so the
-- column is never NULL and such tickets sort last on both databases (SQLite sorts NULL first,
-- PostgreSQL last) and "due before the horizon" is a plain range.
ALTER TABLE tickets ADD COLUMN next_due_at TIMESTAMP NOT NULL GENERATED ALWAYS AS (
    CASE
        WHEN responded_at IS NULL AND response_due_at IS NOT NULL
             AND (resolution_due_at IS NULL OR response_due_at <= resolution_due_at)
            THEN response_due_at
        ELSE COALESCE(resolution_due_at, TIMESTAMP '9999-12-31 23:59:59')
    END
) STORED;

-- The open queues, due first: "all open", "service requests", "due soon and breached" (a range
-- of next_due_at), each with the kind as an equality; "all open" of both kinds merges the two
-- kinds' ranges in the application.
CREATE INDEX tickets_queue_open ON tickets (queue_open, kind, next_due_at, id);
-- The same for one client, the filter most used on the open queues.
CREATE INDEX tickets_queue_client ON tickets (client_id, queue_open, kind, next_due_at, id);
-- A tier's queue.
CREATE INDEX tickets_queue_tier ON tickets (tier, queue_open, kind, next_due_at, id);
-- Pending.
CREATE INDEX tickets_queue_pending ON tickets (queue_pending, kind, next_due_at, id);
-- "My tickets" (worked or owned: two ranges merged) and the technician filter.
CREATE INDEX tickets_queue_worker ON tickets (worker_id, queue_open, next_due_at, id);
CREATE INDEX tickets_queue_owner ON tickets (owner_id, queue_open, next_due_at, id);
-- Untriaged (status new), oldest first; solved awaiting closure, longest solved first.
CREATE INDEX tickets_queue_created ON tickets (status, kind, created_at, id);
CREATE INDEX tickets_queue_solved ON tickets (status, kind, solved_at, id);

-- The queue indexes these replace: the due order they served was an expression on
-- resolution_due_at and its open statuses a list.
DROP INDEX tickets_kind_tier;
DROP INDEX tickets_kind_status_due;
