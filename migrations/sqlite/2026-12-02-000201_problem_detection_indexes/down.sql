DROP INDEX tickets_problem_group;
DROP INDEX tickets_problem_window;
CREATE INDEX tickets_problem_recent ON tickets (created_at, kind, client_id, category_id, reopen_count);
