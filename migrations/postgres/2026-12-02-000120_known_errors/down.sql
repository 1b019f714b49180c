DROP TABLE known_error_applications;
DROP TABLE known_errors;
