-- A number that grows with every change to the known errors, kept by triggers in the
-- transaction of the change, whoever writes it: the ticket page remembers an incident's
-- matching known errors under it and searches again only once it has moved.
CREATE TABLE known_error_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO known_error_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER known_errors_generation_insert AFTER INSERT ON known_errors BEGIN
    UPDATE known_error_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER known_errors_generation_update AFTER UPDATE ON known_errors BEGIN
    UPDATE known_error_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER known_errors_generation_delete AFTER DELETE ON known_errors BEGIN
    UPDATE known_error_generation SET generation = generation + 1 WHERE id = 1;
END;
