-- A problem's resolution goes to the knowledge base: the article names the problem it came
-- from, as a solved ticket's article names its ticket.
ALTER TABLE kb_articles ADD COLUMN problem_id BIGINT REFERENCES problems (id);
CREATE INDEX kb_articles_problem ON kb_articles (problem_id);
