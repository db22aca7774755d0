// Core fans of the brand: users tagged core_fan by `kolgraph analyze` (written back with
// `kolgraph neo4j push --with-analysis`), most positive first, with how often they engage the
// brand's accounts.
// @param brand_accounts list<string> = []  brand account ids; [] means the users tagged brand_account
// @param limit int = 50  at most this many rows
// @returns user_id, display_name, community, stance, stance_support, pagerank,
//   brand_interactions (interactions from the fan to brand accounts, all kinds); by stance, descending
MATCH (u:User)
WHERE 'core_fan' IN u.roles
OPTIONAL MATCH (u)-[e:REPOSTED|REPLIED|MENTIONED]->(b:User)
WHERE b.id <> u.id AND (b.id IN $brand_accounts OR (size($brand_accounts) = 0 AND 'brand_account' IN b.roles))
WITH u, toInteger(coalesce(sum(e.count), 0)) AS brand_interactions
RETURN u.id AS user_id, u.display_name AS display_name, u.community AS community,
       u.stance AS stance, u.stance_support AS stance_support, u.pagerank AS pagerank,
       brand_interactions
ORDER BY stance DESC, brand_interactions DESC, user_id
LIMIT $limit
