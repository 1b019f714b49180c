ALTER TABLE categories DROP COLUMN sensitive;
