DROP INDEX tickets_report_solved;
DROP INDEX tickets_report_client_solved;
