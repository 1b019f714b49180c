ALTER TABLE sla_policies ADD COLUMN due_soon_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE sla_policies DROP COLUMN due_soon_percent;
