// Remove the analysis properties of up to `limit` users that run `run` did not cover;
// run until it clears 0.
// @internal
// @param run string  id of the current write
// @param limit int = 10000  users per call
// @returns cleared
MATCH (u:User)
WHERE u.analysis_run IS NOT NULL AND u.analysis_run <> $run
WITH u LIMIT $limit
SET u.community = null, u.community_confidence = null, u.pagerank = null, u.pagerank_pct = null,
    u.coreness = null, u.participation = null, u.betweenness = null, u.stance = null,
    u.stance_support = null, u.brand_affinity = null, u.roles = null, u.reasons = null,
    u.analysis_run = null
RETURN count(*) AS cleared
