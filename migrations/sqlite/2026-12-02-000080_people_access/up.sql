-- Assignment's access factor and the decision point's account managers.
-- Access is granted, not assumed: a technician works for a client only with a row here. Every
-- existing account gets every existing client, so a desk that upgrades assigns as before; from
-- then on a new client or a new account starts with everyone's access and admins take it away.
CREATE TABLE client_access (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    UNIQUE (client_id, user_id)
);
CREATE INDEX client_access_user ON client_access (user_id);
INSERT INTO client_access (client_id, user_id) SELECT clients.id, users.id FROM clients CROSS JOIN users;

-- Systems an admin names per client ("Microsoft 365 admin", "firewall", "ERP"); a ticket whose
-- affected service names one asks for a technician with access to it.
CREATE TABLE client_systems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    UNIQUE (client_id, name_key)
);
CREATE TABLE system_access (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    system_id BIGINT NOT NULL REFERENCES client_systems (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    UNIQUE (system_id, user_id)
);
CREATE INDEX system_access_user ON system_access (user_id);

-- Planned absences: whole days in the person's own zone, first and last day included.
CREATE TABLE absences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX absences_last_day ON absences (last_day, user_id);
CREATE INDEX absences_user ON absences (user_id, first_day);

-- Who besides the service desk manager may decide with a client at the decision point.
CREATE TABLE client_account_managers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    UNIQUE (client_id, user_id)
);
CREATE INDEX client_account_managers_user ON client_account_managers (user_id);
