ALTER TABLE approvals DROP COLUMN acknowledgement;
ALTER TABLE approvals DROP COLUMN acknowledged_at;
ALTER TABLE approvals DROP COLUMN acknowledged_by;
