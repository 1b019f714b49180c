-- Every save of the work form records the technician's review of the status and the category,
-- "unchanged" included: who reviewed, when, and both values before and after.
CREATE TABLE work_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    reviewed_by BIGINT NOT NULL REFERENCES users (id),
    reviewed_at TIMESTAMP NOT NULL,
    status_before TEXT NOT NULL,
    status_after TEXT NOT NULL,
    category_before BIGINT REFERENCES categories (id),
    category_after BIGINT REFERENCES categories (id)
);
CREATE INDEX work_reviews_ticket ON work_reviews (ticket_id);
