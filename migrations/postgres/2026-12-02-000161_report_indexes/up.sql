-- The reports filter solved incidents by client (or desk-wide) and a solve-date range; these keep
-- them on an index range at a million tickets.
CREATE INDEX tickets_report_client_solved ON tickets (client_id, solved_at, priority);
CREATE INDEX tickets_report_solved ON tickets (solved_at, kind, priority);
