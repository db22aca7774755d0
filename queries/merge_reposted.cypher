// Merge repost edges as :REPOSTED relationships between users already merged by id; sets every
// property to the pushed value, so running it again changes nothing (idempotent).
// Floats arrive as [m, e] pairs (value = m * 2^e, exact on every server; see build/dialect.py).
// @internal
// @param rows list<map>  {src, dst, count, weight, first_ts, last_ts, sentiment}
// @returns rows (rows whose two users were found)
UNWIND $rows AS r
MATCH (a:User {id: r.src})
MATCH (b:User {id: r.dst})
MERGE (a)-[e:REPOSTED]->(b)
SET e.count = r.count,
    e.weight = r.weight[0] * 2.0 ^ r.weight[1],
    e.first_ts = r.first_ts[0] * 2.0 ^ r.first_ts[1],
    e.last_ts = r.last_ts[0] * 2.0 ^ r.last_ts[1],
    e.sentiment = r.sentiment[0] * 2.0 ^ r.sentiment[1]
RETURN count(*) AS rows
