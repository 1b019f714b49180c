ALTER TABLE tickets DROP COLUMN follow_up_of;
ALTER TABLE clients DROP COLUMN mail_domains;
ALTER TABLE contacts DROP COLUMN identity_validated;
DROP INDEX outbox_message_id;
DROP TABLE inbound_messages;
