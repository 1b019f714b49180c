DROP INDEX kb_articles_problem;
ALTER TABLE kb_articles DROP COLUMN problem_id;
