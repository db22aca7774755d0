// Merge users by id and set their attributes (unknown values remove the property).
// Floats arrive as [m, e] pairs (value = m * 2^e, exact on every server; see build/dialect.py).
// @internal
// @param rows list<map>  {id, display_name, followers, verified}
// @returns rows
UNWIND $rows AS r
MERGE (u:User {id: r.id})
SET u.display_name = r.display_name,
    u.followers = r.followers[0] * 2.0 ^ r.followers[1],
    u.verified = r.verified
RETURN count(*) AS rows
