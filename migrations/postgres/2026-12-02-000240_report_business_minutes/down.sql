DROP INDEX tickets_report_tier_solved;
DROP INDEX surveys_report_sent;
DROP INDEX tickets_report_open_response_due;
DROP INDEX tickets_report_open_resolution_due;
DROP INDEX tickets_minutes_missing;
ALTER TABLE tickets DROP COLUMN resolution_business_minutes;
ALTER TABLE tickets DROP COLUMN response_business_minutes;
