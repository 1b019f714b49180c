-- Detection reads incidents of a created_at window. With the window's column first, SQLite's
-- planner (no statistics) preferred the equality on kind of tickets_kind_status_due and read
-- every incident the desk ever had. kind first, then the window, makes the window a range of
-- one index on both backends; the recurring group's members are one client and category in
-- that window.
DROP INDEX tickets_problem_recent;
CREATE INDEX tickets_problem_window ON tickets (kind, created_at, client_id, category_id, reopen_count);
CREATE INDEX tickets_problem_group ON tickets (client_id, category_id, kind, created_at);
