DROP TABLE contacts;
DROP TABLE clients;
