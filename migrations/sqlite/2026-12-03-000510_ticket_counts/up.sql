-- Counts the pages show without counting tickets: how many tickets of each kind are in each
-- status with each worker (0: nobody), and how many tickets each owner solved in each category
-- on each day (the assignment ranking's expertise). Both are kept by triggers in the
-- transaction of every change to a ticket, whoever writes it (the commands, the sweeps, the
-- API, mail in, the seeds), so they cannot drift from the rows they count.
CREATE TABLE ticket_counts (
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    worker_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, status, worker_id)
);
INSERT INTO ticket_counts (kind, status, worker_id, n)
SELECT kind, status, COALESCE(worker_id, 0), COUNT(*) FROM tickets
GROUP BY kind, status, COALESCE(worker_id, 0);

CREATE TABLE solved_counts (
    category_id BIGINT NOT NULL,
    day TIMESTAMP NOT NULL,
    owner_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (category_id, day, owner_id)
);
INSERT INTO solved_counts (category_id, day, owner_id, n)
SELECT category_id, datetime(date(solved_at)), owner_id, COUNT(*) FROM tickets
WHERE solved_at IS NOT NULL AND category_id IS NOT NULL AND owner_id IS NOT NULL
GROUP BY category_id, datetime(date(solved_at)), owner_id;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_counts (kind, status, worker_id, n)
    VALUES (NEW.kind, NEW.status, COALESCE(NEW.worker_id, 0), 1)
    ON CONFLICT (kind, status, worker_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_counts_update AFTER UPDATE OF kind, status, worker_id ON tickets
WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
    OR OLD.worker_id IS NOT NEW.worker_id
BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE kind = OLD.kind AND status = OLD.status AND worker_id = COALESCE(OLD.worker_id, 0);
    INSERT INTO ticket_counts (kind, status, worker_id, n)
    VALUES (NEW.kind, NEW.status, COALESCE(NEW.worker_id, 0), 1)
    ON CONFLICT (kind, status, worker_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets
BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE kind = OLD.kind AND status = OLD.status AND worker_id = COALESCE(OLD.worker_id, 0);
END;

CREATE TRIGGER solved_counts_insert AFTER INSERT ON tickets
WHEN NEW.solved_at IS NOT NULL AND NEW.category_id IS NOT NULL AND NEW.owner_id IS NOT NULL
BEGIN
    INSERT INTO solved_counts (category_id, day, owner_id, n)
    VALUES (NEW.category_id, datetime(date(NEW.solved_at)), NEW.owner_id, 1)
    ON CONFLICT (category_id, day, owner_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER solved_counts_update_old AFTER UPDATE OF solved_at, category_id, owner_id ON tickets
WHEN OLD.solved_at IS NOT NULL AND OLD.category_id IS NOT NULL AND OLD.owner_id IS NOT NULL
    AND (OLD.solved_at IS NOT NEW.solved_at OR OLD.category_id IS NOT NEW.category_id
         OR OLD.owner_id IS NOT NEW.owner_id)
BEGIN
    UPDATE solved_counts SET n = n - 1
    WHERE category_id = OLD.category_id AND day = datetime(date(OLD.solved_at))
      AND owner_id = OLD.owner_id;
END;

CREATE TRIGGER solved_counts_update_new AFTER UPDATE OF solved_at, category_id, owner_id ON tickets
WHEN NEW.solved_at IS NOT NULL AND NEW.category_id IS NOT NULL AND NEW.owner_id IS NOT NULL
    AND (OLD.solved_at IS NOT NEW.solved_at OR OLD.category_id IS NOT NEW.category_id
         OR OLD.owner_id IS NOT NEW.owner_id)
BEGIN
    INSERT INTO solved_counts (category_id, day, owner_id, n)
    VALUES (NEW.category_id, datetime(date(NEW.solved_at)), NEW.owner_id, 1)
    ON CONFLICT (category_id, day, owner_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER solved_counts_delete AFTER DELETE ON tickets
WHEN OLD.solved_at IS NOT NULL AND OLD.category_id IS NOT NULL AND OLD.owner_id IS NOT NULL
BEGIN
    UPDATE solved_counts SET n = n - 1
    WHERE category_id = OLD.category_id AND day = datetime(date(OLD.solved_at))
      AND owner_id = OLD.owner_id;
END;
