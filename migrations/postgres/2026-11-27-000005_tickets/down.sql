DROP TABLE kb_articles;
DROP TABLE ticket_attachments;
DROP TABLE ticket_pauses;
DROP TABLE ticket_events;
DROP TABLE tickets;
DROP TABLE categories;
