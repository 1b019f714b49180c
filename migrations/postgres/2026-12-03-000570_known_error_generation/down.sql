DROP TRIGGER known_errors_generation ON known_errors;
DROP FUNCTION known_errors_next_generation();
DROP TABLE known_error_generation;
