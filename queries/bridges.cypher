// Bridges between two communities: users with edges (either direction, any kind) to members of
// both communities (community ids as written back by `kolgraph neo4j push --with-analysis`).
// A user may belong to one of the two communities or to neither.
// @param community_a int  the first community id
// @param community_b int  the second community id
// @param limit int = 50  at most this many rows
// @returns user_id, display_name, community, links_a, links_b (distinct neighbours in each community),
//   interactions_a, interactions_b (edge counts summed), bridge_strength (the smaller of links_a and
//   links_b), participation, betweenness; by bridge_strength, descending
MATCH (u:User)-[e:REPOSTED|REPLIED|MENTIONED]-(v:User)
WHERE v.id <> u.id AND (v.community = $community_a OR v.community = $community_b)
WITH u,
     collect(DISTINCT CASE WHEN v.community = $community_a THEN v.id END) AS neighbours_a,
     collect(DISTINCT CASE WHEN v.community = $community_b THEN v.id END) AS neighbours_b,
     toInteger(sum(CASE WHEN v.community = $community_a THEN e.count ELSE 0 END)) AS interactions_a,
     toInteger(sum(CASE WHEN v.community = $community_b THEN e.count ELSE 0 END)) AS interactions_b
WITH u, size(neighbours_a) AS links_a, size(neighbours_b) AS links_b, interactions_a, interactions_b
WHERE links_a > 0 AND links_b > 0
WITH u, links_a, links_b, interactions_a, interactions_b,
     CASE WHEN links_a < links_b THEN links_a ELSE links_b END AS bridge_strength
RETURN u.id AS user_id, u.display_name AS display_name, u.community AS community,
       links_a, links_b, interactions_a, interactions_b, bridge_strength,
       u.participation AS participation, u.betweenness AS betweenness
ORDER BY bridge_strength DESC, links_a + links_b DESC, user_id
LIMIT $limit
