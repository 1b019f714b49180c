-- A rejected sensitive change must be acknowledged by the ticket's owner, with the path they
-- take instead, before the ticket moves on: who answered, when, and what they said.
ALTER TABLE approvals ADD COLUMN acknowledged_by BIGINT REFERENCES users (id);
ALTER TABLE approvals ADD COLUMN acknowledged_at TIMESTAMP;
ALTER TABLE approvals ADD COLUMN acknowledgement TEXT NOT NULL DEFAULT '';
