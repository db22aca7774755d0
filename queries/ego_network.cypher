// The ego network of an account: the account, every user it has an edge with (either direction,
// any kind), and all edges among them. No rows if the id is unknown.
// @param account string  the account's user id
// @param limit int = 5000  at most this many edges
// @returns src, dst, type (REPOSTED, REPLIED or MENTIONED), count, weight, first_ts, last_ts,
//   sentiment; ordered by src, dst, type
MATCH (c:User {id: $account})
OPTIONAL MATCH (c)-[:REPOSTED|REPLIED|MENTIONED]-(n:User)
WITH c, collect(DISTINCT n.id) AS neighbours
WITH neighbours + [c.id] AS members
UNWIND members AS id
WITH DISTINCT id, members
MATCH (a:User {id: id})-[e:REPOSTED|REPLIED|MENTIONED]->(b:User)
WHERE b.id IN members
RETURN a.id AS src, b.id AS dst, type(e) AS type, e.count AS count, e.weight AS weight,
       e.first_ts AS first_ts, e.last_ts AS last_ts, e.sentiment AS sentiment
ORDER BY src, dst, type
LIMIT $limit
