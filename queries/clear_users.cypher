// Delete up to `limit` :User nodes with their relationships; run until it deletes 0.
// @internal
// @param limit int = 10000  nodes per call
// @returns deleted
MATCH (u:User)
WITH u LIMIT $limit
DETACH DELETE u
RETURN count(*) AS deleted
