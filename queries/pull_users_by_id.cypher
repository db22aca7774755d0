// The users with the given ids (unknown ids give no row).
// @internal
// @param ids list<string>  user ids
// @returns id, display_name, followers, verified
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS id, u.display_name AS display_name, u.followers AS followers, u.verified AS verified
