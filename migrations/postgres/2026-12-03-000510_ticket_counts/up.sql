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
SELECT category_id, date_trunc('day', solved_at), owner_id, COUNT(*) FROM tickets
WHERE solved_at IS NOT NULL AND category_id IS NOT NULL AND owner_id IS NOT NULL
GROUP BY category_id, date_trunc('day', solved_at), owner_id;

-- One function per table keeps both directions of a change. A change moves one count down and
-- another up; the two rows are locked in key order, so two transactions moving tickets
-- opposite ways between the same counts wait for each other instead of deadlocking.
CREATE FUNCTION ticket_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_key TEXT[];
    new_key TEXT[];
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_key := ARRAY[OLD.kind, OLD.status, COALESCE(OLD.worker_id, 0)::TEXT];
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_key := ARRAY[NEW.kind, NEW.status, COALESCE(NEW.worker_id, 0)::TEXT];
    END IF;
    IF old_key IS NOT NULL AND (new_key IS NULL OR old_key < new_key) THEN
        UPDATE ticket_counts SET n = n - 1
        WHERE kind = OLD.kind AND status = OLD.status AND worker_id = COALESCE(OLD.worker_id, 0);
    END IF;
    IF new_key IS NOT NULL THEN
        INSERT INTO ticket_counts (kind, status, worker_id, n)
        VALUES (NEW.kind, NEW.status, COALESCE(NEW.worker_id, 0), 1)
        ON CONFLICT (kind, status, worker_id) DO UPDATE SET n = ticket_counts.n + 1;
    END IF;
    IF old_key IS NOT NULL AND new_key IS NOT NULL AND old_key > new_key THEN
        UPDATE ticket_counts SET n = n - 1
        WHERE kind = OLD.kind AND status = OLD.status AND worker_id = COALESCE(OLD.worker_id, 0);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets
FOR EACH ROW EXECUTE FUNCTION ticket_counts_track();
CREATE TRIGGER ticket_counts_update AFTER UPDATE OF kind, status, worker_id ON tickets
FOR EACH ROW
WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status
      OR OLD.worker_id IS DISTINCT FROM NEW.worker_id)
EXECUTE FUNCTION ticket_counts_track();
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets
FOR EACH ROW EXECUTE FUNCTION ticket_counts_track();

CREATE FUNCTION solved_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_in BOOLEAN := false;
    new_in BOOLEAN := false;
    old_key TEXT;
    new_key TEXT;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_in := OLD.solved_at IS NOT NULL AND OLD.category_id IS NOT NULL
            AND OLD.owner_id IS NOT NULL;
        old_key := OLD.category_id || ' ' || date_trunc('day', OLD.solved_at) || ' ' || OLD.owner_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_in := NEW.solved_at IS NOT NULL AND NEW.category_id IS NOT NULL
            AND NEW.owner_id IS NOT NULL;
        new_key := NEW.category_id || ' ' || date_trunc('day', NEW.solved_at) || ' ' || NEW.owner_id;
    END IF;
    IF old_in AND (NOT new_in OR old_key < new_key) THEN
        UPDATE solved_counts SET n = n - 1
        WHERE category_id = OLD.category_id AND day = date_trunc('day', OLD.solved_at)
          AND owner_id = OLD.owner_id;
    END IF;
    IF new_in THEN
        INSERT INTO solved_counts (category_id, day, owner_id, n)
        VALUES (NEW.category_id, date_trunc('day', NEW.solved_at), NEW.owner_id, 1)
        ON CONFLICT (category_id, day, owner_id) DO UPDATE SET n = solved_counts.n + 1;
    END IF;
    IF old_in AND new_in AND old_key >= new_key THEN
        UPDATE solved_counts SET n = n - 1
        WHERE category_id = OLD.category_id AND day = date_trunc('day', OLD.solved_at)
          AND owner_id = OLD.owner_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER solved_counts_insert AFTER INSERT ON tickets
FOR EACH ROW WHEN (NEW.solved_at IS NOT NULL AND NEW.category_id IS NOT NULL
                   AND NEW.owner_id IS NOT NULL)
EXECUTE FUNCTION solved_counts_track();
CREATE TRIGGER solved_counts_update AFTER UPDATE OF solved_at, category_id, owner_id ON tickets
FOR EACH ROW
WHEN (OLD.solved_at IS DISTINCT FROM NEW.solved_at OR OLD.category_id IS DISTINCT FROM NEW.category_id
      OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
EXECUTE FUNCTION solved_counts_track();
CREATE TRIGGER solved_counts_delete AFTER DELETE ON tickets
FOR EACH ROW WHEN (OLD.solved_at IS NOT NULL AND OLD.category_id IS NOT NULL
                   AND OLD.owner_id IS NOT NULL)
EXECUTE FUNCTION solved_counts_track();
