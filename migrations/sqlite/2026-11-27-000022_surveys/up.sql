CREATE TABLE surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL UNIQUE REFERENCES tickets (id),
    rating INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP,
    flagged BOOLEAN NOT NULL DEFAULT FALSE,
    flag_notified_at TIMESTAMP,
    followed_up_at TIMESTAMP,
    sent_at TIMESTAMP NOT NULL
);
CREATE INDEX surveys_flagged ON surveys (flagged, followed_up_at);
