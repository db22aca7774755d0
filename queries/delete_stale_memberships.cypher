// Delete up to `limit` MEMBER_OF relationships not written by run `run`; run until it deletes 0.
// @internal
// @param run string  id of the current write
// @param limit int = 10000  relationships per call
// @returns deleted
MATCH (:User)-[m:MEMBER_OF]->(:Community)
WHERE m.analysis_run IS NULL OR m.analysis_run <> $run
WITH m LIMIT $limit
DELETE m
RETURN count(*) AS deleted
