DROP TABLE outage_incidents;
DROP TABLE outages;
DROP TABLE hosted_services;
