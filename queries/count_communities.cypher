// Number of :Community nodes and of MEMBER_OF relationships.
// @internal
// @returns communities, memberships
MATCH (c:Community)
OPTIONAL MATCH (:User)-[m:MEMBER_OF]->(c)
RETURN count(DISTINCT c.id) AS communities, count(m) AS memberships
