// One page of interaction relationships in source-id order, sources after `after`, optionally
// only those overlapping a time window (last_ts >= since, first_ts <= until).
// Window bounds arrive as [m, e] pairs (value = m * 2^e) or null.
// @internal
// @param after string  the last complete source id of the previous page ("" for the first page)
// @param since pair = null  window start as [m, e]; null: no lower bound
// @param until pair = null  window end as [m, e]; null: no upper bound
// @param limit int = 10000  page size
// @returns src, dst, type, count, weight, first_ts, last_ts, sentiment
MATCH (a:User)-[e:REPOSTED|REPLIED|MENTIONED]->(b:User)
WHERE a.id > $after
  AND ($since IS NULL OR e.last_ts >= $since[0] * 2.0 ^ $since[1])
  AND ($until IS NULL OR e.first_ts <= $until[0] * 2.0 ^ $until[1])
RETURN a.id AS src, b.id AS dst, type(e) AS type, e.count AS count, e.weight AS weight,
       e.first_ts AS first_ts, e.last_ts AS last_ts, e.sentiment AS sentiment
ORDER BY src
LIMIT $limit
