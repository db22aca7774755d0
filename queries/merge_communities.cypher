// Merge (:Community {id}) nodes with their summary (from WORKSPACE/analysis/communities.csv).
// Floats arrive as [m, e] pairs (value = m * 2^e, exact on every server; see build/dialect.py).
// @internal
// @param rows list<map>  {id, size, stability, brand_engagement_share, mean_stance, top_members}
// @param run string  id of this write
// @returns rows
UNWIND $rows AS r
MERGE (c:Community {id: r.id})
SET c.size = r.size,
    c.stability = r.stability[0] * 2.0 ^ r.stability[1],
    c.brand_engagement_share = r.brand_engagement_share[0] * 2.0 ^ r.brand_engagement_share[1],
    c.mean_stance = r.mean_stance[0] * 2.0 ^ r.mean_stance[1],
    c.top_members = r.top_members,
    c.analysis_run = $run
RETURN count(*) AS rows
