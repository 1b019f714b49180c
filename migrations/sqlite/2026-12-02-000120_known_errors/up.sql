-- The known-error database: a root cause and its workaround, found again by full-text search
-- while a technician works an incident. problem_id names the problem the known error came
-- from, when it was published from a problem record.
CREATE TABLE known_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    symptoms TEXT NOT NULL,
    cause TEXT NOT NULL,
    workaround TEXT NOT NULL,
    category_id BIGINT REFERENCES categories (id),
    problem_id BIGINT REFERENCES problems (id),
    status TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX known_errors_status_updated ON known_errors (status, updated_at);
CREATE INDEX known_errors_problem ON known_errors (problem_id);

-- Each use of a known error's workaround on a ticket.
CREATE TABLE known_error_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    known_error_id BIGINT NOT NULL REFERENCES known_errors (id),
    applied_by BIGINT NOT NULL REFERENCES users (id),
    applied_at TIMESTAMP NOT NULL
);
CREATE INDEX known_error_applications_ticket ON known_error_applications (ticket_id, known_error_id);
CREATE INDEX known_error_applications_known_error ON known_error_applications (known_error_id, applied_at);

-- The full-text index, SQLite's own: an external-content FTS5 table kept in step by triggers.
CREATE VIRTUAL TABLE known_errors_fts USING fts5(
    title, symptoms, cause, workaround,
    content = 'known_errors', content_rowid = 'id', tokenize = 'porter unicode61'
);
CREATE TRIGGER known_errors_fts_insert AFTER INSERT ON known_errors BEGIN
    INSERT INTO known_errors_fts (rowid, title, symptoms, cause, workaround)
    VALUES (new.id, new.title, new.symptoms, new.cause, new.workaround);
END;
CREATE TRIGGER known_errors_fts_delete AFTER DELETE ON known_errors BEGIN
    INSERT INTO known_errors_fts (known_errors_fts, rowid, title, symptoms, cause, workaround)
    VALUES ('delete', old.id, old.title, old.symptoms, old.cause, old.workaround);
END;
CREATE TRIGGER known_errors_fts_update AFTER UPDATE ON known_errors BEGIN
    INSERT INTO known_errors_fts (known_errors_fts, rowid, title, symptoms, cause, workaround)
    VALUES ('delete', old.id, old.title, old.symptoms, old.cause, old.workaround);
    INSERT INTO known_errors_fts (rowid, title, symptoms, cause, workaround)
    VALUES (new.id, new.title, new.symptoms, new.cause, new.workaround);
END;
