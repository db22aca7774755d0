// Critics of the brand and their reach: users tagged critic or critic_kol by `kolgraph analyze`,
// with how many distinct users engage them (repost, reply to or mention them) and how often.
// @param limit int = 50  at most this many rows
// @returns user_id, display_name, roles, stance, stance_support, followers,
//   engagers (distinct other users with an edge to the critic), engagements (those edges' counts summed),
//   pagerank; by engagers, descending
MATCH (c:User)
WHERE 'critic' IN c.roles OR 'critic_kol' IN c.roles
OPTIONAL MATCH (f:User)-[e:REPOSTED|REPLIED|MENTIONED]->(c)
WHERE f.id <> c.id
WITH c, count(DISTINCT f.id) AS engagers, toInteger(coalesce(sum(e.count), 0)) AS engagements
RETURN c.id AS user_id, c.display_name AS display_name, c.roles AS roles, c.stance AS stance,
       c.stance_support AS stance_support, c.followers AS followers, engagers, engagements,
       c.pagerank AS pagerank
ORDER BY engagers DESC, engagements DESC, user_id
LIMIT $limit
