DROP TRIGGER known_errors_fts_update;
DROP TRIGGER known_errors_fts_delete;
DROP TRIGGER known_errors_fts_insert;
DROP TABLE known_errors_fts;
DROP TABLE known_error_applications;
DROP TABLE known_errors;
