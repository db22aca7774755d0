// A KOL's audience overlap with the brand's core fans: how many of the users who engage the KOL
// (repost, reply to or mention them) are core fans, as counts and shares. No row if the id is unknown.
// @param kol string  the KOL's user id
// @returns kol, display_name, audience (distinct other users with an edge to the KOL), core_fans
//   (users tagged core_fan), overlap (audience members tagged core_fan), share_of_audience
//   (overlap / audience, 0 when empty), share_of_core_fans (overlap / core_fans, 0 when none)
MATCH (k:User {id: $kol})
OPTIONAL MATCH (a:User)-[:REPOSTED|REPLIED|MENTIONED]->(k)
WHERE a.id <> k.id
WITH k, count(DISTINCT a.id) AS audience,
     count(DISTINCT CASE WHEN 'core_fan' IN a.roles THEN a.id END) AS overlap
OPTIONAL MATCH (f:User)
WHERE 'core_fan' IN f.roles
WITH k, audience, overlap, count(f) AS core_fans
RETURN k.id AS kol, k.display_name AS display_name, audience, core_fans, overlap,
       CASE WHEN audience = 0 THEN 0.0 ELSE toFloat(overlap) / audience END AS share_of_audience,
       CASE WHEN core_fans = 0 THEN 0.0 ELSE toFloat(overlap) / core_fans END AS share_of_core_fans
