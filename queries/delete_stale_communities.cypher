// Delete up to `limit` :Community nodes not written by run `run`; run until it deletes 0.
// @internal
// @param run string  id of the current write
// @param limit int = 10000  nodes per call
// @returns deleted
MATCH (c:Community)
WHERE c.analysis_run IS NULL OR c.analysis_run <> $run
WITH c LIMIT $limit
DETACH DELETE c
RETURN count(*) AS deleted
