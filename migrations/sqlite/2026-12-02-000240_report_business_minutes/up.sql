-- The business minutes each ticket took to be answered and to be resolved, kept on the row when
-- the response is recorded and when the ticket is solved, so the reports take medians and
-- percentiles in SQL.
ALTER TABLE tickets ADD COLUMN response_business_minutes INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_business_minutes INTEGER;
-- The backfill finds the answered or solved tickets still missing a figure on an index.
CREATE INDEX tickets_minutes_missing ON tickets (id)
    WHERE (responded_at IS NOT NULL AND response_business_minutes IS NULL)
       OR (solved_at IS NOT NULL AND resolution_business_minutes IS NULL);
-- Breached clocks: open incidents whose due instant lies in the report's range.
CREATE INDEX tickets_report_open_resolution_due ON tickets (resolution_due_at, client_id)
    WHERE solved_at IS NULL;
CREATE INDEX tickets_report_open_response_due ON tickets (response_due_at, client_id)
    WHERE responded_at IS NULL;
-- Satisfaction under the report filters: the surveys sent in the range.
CREATE INDEX surveys_report_sent ON surveys (sent_at, ticket_id);
-- First-level resolution desk-wide: tier-1 incidents solved in the range, on one index range
-- (without it SQLite prefers (kind, tier) and reads every tier-1 incident ever solved).
CREATE INDEX tickets_report_tier_solved ON tickets (kind, tier, solved_at);
