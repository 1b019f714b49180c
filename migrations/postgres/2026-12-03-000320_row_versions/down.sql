ALTER TABLE escalation_levels DROP COLUMN version;
ALTER TABLE sla_policies DROP COLUMN version;
ALTER TABLE calendars DROP COLUMN version;
ALTER TABLE contacts DROP COLUMN version;
ALTER TABLE clients DROP COLUMN version;
ALTER TABLE users DROP COLUMN version;
