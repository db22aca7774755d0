// The interaction relationships leaving the given users, optionally only those overlapping a
// time window (used to pull a neighbourhood).
// @internal
// @param ids list<string>  source user ids
// @param since pair = null  window start as [m, e]; null: no lower bound
// @param until pair = null  window end as [m, e]; null: no upper bound
// @returns src, dst, type, count, weight, first_ts, last_ts, sentiment
UNWIND $ids AS id
MATCH (a:User {id: id})-[e:REPOSTED|REPLIED|MENTIONED]->(b:User)
WHERE ($since IS NULL OR e.last_ts >= $since[0] * 2.0 ^ $since[1])
  AND ($until IS NULL OR e.first_ts <= $until[0] * 2.0 ^ $until[1])
RETURN a.id AS src, b.id AS dst, type(e) AS type, e.count AS count, e.weight AS weight,
       e.first_ts AS first_ts, e.last_ts AS last_ts, e.sentiment AS sentiment
