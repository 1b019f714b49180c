CREATE TABLE calendars (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_intervals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL
);
CREATE INDEX calendar_intervals_calendar ON calendar_intervals (calendar_id);

CREATE TABLE calendar_holidays (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    holiday_date DATE NOT NULL,
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX calendar_holidays_date ON calendar_holidays (calendar_id, holiday_date);

CREATE TABLE sla_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    due_soon_minutes INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sla_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_id BIGINT NOT NULL REFERENCES sla_policies (id) ON DELETE CASCADE,
    priority TEXT NOT NULL,
    response_minutes INTEGER NOT NULL,
    resolution_minutes INTEGER NOT NULL,
    clock_mode TEXT NOT NULL
);
CREATE UNIQUE INDEX sla_targets_priority ON sla_targets (policy_id, priority);

CREATE TABLE priority_matrix (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority TEXT NOT NULL
);
CREATE UNIQUE INDEX priority_matrix_cell ON priority_matrix (impact, urgency);

-- The blueprints' defaults: 7am to 6pm Monday to Friday; P1 30 min / 2 h around the clock,
-- P2 30 min / 4 h and P3 30 min / 8 h in business hours.
INSERT INTO calendars (name, time_zone, created_at, updated_at)
VALUES ('Standard business hours', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO calendar_intervals (calendar_id, weekday, start_minute, end_minute)
SELECT c.id, d.weekday, 420, 1080
FROM calendars c, (SELECT 0 AS weekday UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) d
WHERE c.name = 'Standard business hours';

INSERT INTO sla_policies (name, due_soon_minutes, created_at, updated_at)
VALUES ('Standard SLA', 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO sla_targets (policy_id, priority, response_minutes, resolution_minutes, clock_mode)
SELECT p.id, t.priority, t.response_minutes, t.resolution_minutes, t.clock_mode
FROM sla_policies p, (
    SELECT 'P1' AS priority, 30 AS response_minutes, 120 AS resolution_minutes, 'always' AS clock_mode
    UNION ALL SELECT 'P2', 30, 240, 'business'
    UNION ALL SELECT 'P3', 30, 480, 'business'
) t
WHERE p.name = 'Standard SLA';

INSERT INTO priority_matrix (impact, urgency, priority) VALUES
    ('high', 'high', 'P1'), ('high', 'medium', 'P2'), ('high', 'low', 'P2'),
    ('medium', 'high', 'P2'), ('medium', 'medium', 'P2'), ('medium', 'low', 'P3'),
    ('low', 'high', 'P2'), ('low', 'medium', 'P3'), ('low', 'low', 'P3');
