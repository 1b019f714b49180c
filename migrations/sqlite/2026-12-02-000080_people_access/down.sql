DROP TABLE client_account_managers;
DROP TABLE absences;
DROP TABLE system_access;
DROP TABLE client_systems;
DROP TABLE client_access;
