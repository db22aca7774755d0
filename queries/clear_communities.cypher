// Delete up to `limit` :Community nodes with their relationships; run until it deletes 0.
// @internal
// @param limit int = 10000  nodes per call
// @returns deleted
MATCH (c:Community)
WITH c LIMIT $limit
DETACH DELETE c
RETURN count(*) AS deleted
