-- The assignment ranking sums a category's last 90 days per owner on every ticket page: with
-- the count in the index it reads the index alone, not a table row per day and owner.
CREATE INDEX solved_counts_by_category_day ON solved_counts (category_id, day, owner_id, n);
