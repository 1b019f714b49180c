DROP TABLE alerts;
DROP TABLE alert_threads;
DROP TABLE alert_sources;
DROP TABLE api_tokens;
