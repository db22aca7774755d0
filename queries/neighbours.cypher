// The distinct users with an interaction relationship (either direction) to any of the given
// users, optionally only through relationships overlapping a time window.
// @internal
// @param ids list<string>  user ids
// @param since pair = null  window start as [m, e]; null: no lower bound
// @param until pair = null  window end as [m, e]; null: no upper bound
// @returns id
UNWIND $ids AS id
MATCH (a:User {id: id})-[e:REPOSTED|REPLIED|MENTIONED]-(b:User)
WHERE ($since IS NULL OR e.last_ts >= $since[0] * 2.0 ^ $since[1])
  AND ($until IS NULL OR e.first_ts <= $until[0] * 2.0 ^ $until[1])
RETURN DISTINCT b.id AS id
