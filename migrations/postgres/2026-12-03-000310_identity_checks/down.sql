DROP TABLE identity_checks;
