-- Categories an admin flags as sensitive (firewalls, domain controllers): a fix in them needs a
-- sensitive change a manager approved before the ticket can be solved.
ALTER TABLE categories ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
