// Number of :User nodes.
// @internal
// @returns users
MATCH (u:User)
RETURN count(u) AS users
