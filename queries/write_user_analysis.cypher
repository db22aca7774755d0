// Write analysis results onto users (from WORKSPACE/analysis/users.parquet), tagged with the
// write's run id so that a later cleanup clears users the new analysis does not cover.
// Floats arrive as [m, e] pairs (value = m * 2^e, exact on every server; see build/dialect.py).
// @internal
// @param rows list<map>  {id, community, community_confidence, pagerank, pagerank_pct, coreness,
//   participation, betweenness, stance, stance_support, brand_affinity, roles, reasons}
// @param run string  id of this write
// @returns rows (users found)
UNWIND $rows AS r
MATCH (u:User {id: r.id})
SET u.community = r.community,
    u.community_confidence = r.community_confidence[0] * 2.0 ^ r.community_confidence[1],
    u.pagerank = r.pagerank[0] * 2.0 ^ r.pagerank[1],
    u.pagerank_pct = r.pagerank_pct[0] * 2.0 ^ r.pagerank_pct[1],
    u.coreness = r.coreness[0] * 2.0 ^ r.coreness[1],
    u.participation = r.participation[0] * 2.0 ^ r.participation[1],
    u.betweenness = r.betweenness[0] * 2.0 ^ r.betweenness[1],
    u.stance = r.stance[0] * 2.0 ^ r.stance[1],
    u.stance_support = r.stance_support[0] * 2.0 ^ r.stance_support[1],
    u.brand_affinity = r.brand_affinity[0] * 2.0 ^ r.brand_affinity[1],
    u.roles = r.roles,
    u.reasons = r.reasons,
    u.analysis_run = $run
RETURN count(*) AS rows
