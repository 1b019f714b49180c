DROP TABLE priority_matrix;
DROP TABLE sla_targets;
DROP TABLE sla_policies;
DROP TABLE calendar_holidays;
DROP TABLE calendar_intervals;
DROP TABLE calendars;
