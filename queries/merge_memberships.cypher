// Merge (:User)-[:MEMBER_OF]->(:Community) for each user's community, tagged with the run id.
// @internal
// @param rows list<map>  {id, community}
// @param run string  id of this write
// @returns rows (memberships written)
UNWIND $rows AS r
MATCH (u:User {id: r.id})
MATCH (c:Community {id: r.community})
MERGE (u)-[m:MEMBER_OF]->(c)
SET m.analysis_run = $run
RETURN count(*) AS rows
