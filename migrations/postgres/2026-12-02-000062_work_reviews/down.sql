DROP TABLE work_reviews;
