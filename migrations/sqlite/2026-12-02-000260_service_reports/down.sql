DROP INDEX surveys_answered;
DROP INDEX tickets_report_client_resolution_due;
DROP INDEX tickets_report_client_response_due;
DROP INDEX tickets_report_client_created;
DROP INDEX tickets_report_client_sla;
DROP TABLE service_report_sends;
