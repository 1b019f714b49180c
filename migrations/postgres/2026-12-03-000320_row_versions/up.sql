-- The records edited in forms carry a version like tickets: a save names the version its form
-- was filled from, and a save from a stale form is refused instead of overwriting.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE calendars ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sla_policies ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE escalation_levels ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
