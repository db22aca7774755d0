// Relationships between users by type, with their interaction counts summed.
// @internal
// @returns type, relationships, interactions
MATCH (:User)-[e]->(:User)
RETURN type(e) AS type, count(e) AS relationships, toInteger(sum(e.count)) AS interactions
ORDER BY type
