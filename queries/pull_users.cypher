// One page of users in id order after the id `after` (keyset paging).
// @internal
// @param after string  the last id of the previous page ("" for the first page)
// @param limit int = 10000  page size
// @returns id, display_name, followers, verified
MATCH (u:User)
WHERE u.id > $after
RETURN u.id AS id, u.display_name AS display_name, u.followers AS followers, u.verified AS verified
ORDER BY id
LIMIT $limit
