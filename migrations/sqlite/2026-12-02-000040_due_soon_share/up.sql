-- "Due soon" becomes a share of each target: a fixed number of minutes equal to a short
-- response target made every new ticket due soon from the moment it was recorded.
ALTER TABLE sla_policies ADD COLUMN due_soon_percent INTEGER NOT NULL DEFAULT 25;
ALTER TABLE sla_policies DROP COLUMN due_soon_minutes;
