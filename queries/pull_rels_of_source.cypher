// One page of one source's interaction relationships in target-id order, targets after `after`
// (used when a single source has more relationships than a page holds).
// @internal
// @param src string  the source user id
// @param after string  the last complete target id of the previous page ("" for the first page)
// @param since pair = null  window start as [m, e]; null: no lower bound
// @param until pair = null  window end as [m, e]; null: no upper bound
// @param limit int = 10000  page size
// @returns src, dst, type, count, weight, first_ts, last_ts, sentiment
MATCH (a:User {id: $src})-[e:REPOSTED|REPLIED|MENTIONED]->(b:User)
WHERE b.id > $after
  AND ($since IS NULL OR e.last_ts >= $since[0] * 2.0 ^ $since[1])
  AND ($until IS NULL OR e.first_ts <= $until[0] * 2.0 ^ $until[1])
RETURN a.id AS src, b.id AS dst, type(e) AS type, e.count AS count, e.weight AS weight,
       e.first_ts AS first_ts, e.last_ts AS last_ts, e.sentiment AS sentiment
ORDER BY dst
LIMIT $limit
