-- Each time a manager e-mails a client its monthly service report: who sent which month when, and
-- to whom (the addresses as sent, one per line), so the report page can say so.
CREATE TABLE service_report_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    month TEXT NOT NULL,
    sent_by BIGINT NOT NULL REFERENCES users (id),
    sent_at TIMESTAMP NOT NULL,
    recipients TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX service_report_sends_client_month ON service_report_sends (client_id, month, sent_at);
-- The monthly report counts one client's tickets solved in a month, opened in it, and those whose
-- response or resolution fell due in it. Each index holds every column its count reads, so the
-- counts stay on an index range at a million tickets without touching the table.
CREATE INDEX tickets_report_client_sla ON tickets (client_id, solved_at, priority, kind, responded_at, response_due_at, resolution_due_at, reopen_count);
CREATE INDEX tickets_report_client_created ON tickets (client_id, created_at, priority, solved_at);
CREATE INDEX tickets_report_client_response_due ON tickets (client_id, response_due_at, priority, kind, solved_at, responded_at);
CREATE INDEX tickets_report_client_resolution_due ON tickets (client_id, resolution_due_at, priority, kind, solved_at);
-- A month's answered surveys.
CREATE INDEX surveys_answered ON surveys (answered_at, ticket_id, rating);
