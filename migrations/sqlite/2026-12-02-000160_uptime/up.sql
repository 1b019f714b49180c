-- Hosted services a client holds an uptime guarantee for. The guarantee is kept in thousandths
-- of a percent (99.9 % is 99900) so the monthly allowance is exact. It applies either a number of
-- days after the contract start, or once a manager signs off the client's infrastructure upgrade
-- (signed_off_on is the date it applies from).
CREATE TABLE hosted_services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    name TEXT NOT NULL,
    covers TEXT NOT NULL,
    guarantee_thousandths INTEGER NOT NULL,
    contract_start DATE NOT NULL,
    effective_rule TEXT NOT NULL,
    effective_after_days INTEGER,
    signed_off_on DATE,
    signed_off_by BIGINT REFERENCES users (id),
    signed_off_at TIMESTAMP,
    planned_counts BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX hosted_services_client ON hosted_services (client_id, name);

-- An outage of one service; ended_at stays empty while it is ongoing.
CREATE TABLE outages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id BIGINT NOT NULL REFERENCES hosted_services (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    planned BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    opened_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
-- A month's outages of a service: started before the month's end, ordered by start.
CREATE INDEX outages_service_start ON outages (service_id, started_at);
-- Ongoing outages (the ticket page's offer to end one when its incident is solved).
CREATE INDEX outages_ongoing ON outages (ended_at, service_id);

-- The incidents behind an outage.
CREATE TABLE outage_incidents (
    outage_id BIGINT NOT NULL REFERENCES outages (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    PRIMARY KEY (outage_id, ticket_id)
);
CREATE INDEX outage_incidents_ticket ON outage_incidents (ticket_id, outage_id);
