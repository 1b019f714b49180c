-- The dashboard's "surveys awaiting follow-up": the few flagged answers nobody followed up yet,
-- newest first. (flagged, followed_up_at) could not tell the planner how few they are: with a
-- million tickets PostgreSQL walked every answered survey backwards looking for ten (0.6-0.9 s a
-- dashboard). A partial index holds exactly those answers, in the order shown; the query names
-- its condition without bound values so both databases match it to the index.
CREATE INDEX surveys_awaiting_follow_up ON surveys (answered_at)
WHERE flagged AND followed_up_at IS NULL;
