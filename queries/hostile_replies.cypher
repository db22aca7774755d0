// Hostile replies to brand accounts in a time window: reply edges to brand accounts whose mean
// sentiment is at or below a threshold and whose replies overlap the window (last reply at or
// after `since`, first reply at or before `until`). Sentiment is the edge's mean over all its
// replies, in or out of the window. On FalkorDB float parameters are rounded to 6 decimals.
// @param brand_accounts list<string> = []  brand account ids; [] means the users tagged brand_account
// @param since float = null  window start, epoch seconds; null: no lower bound
// @param until float = null  window end, epoch seconds; null: no upper bound
// @param max_sentiment float = -0.3  hostile means mean sentiment <= this, in [-1, 1]
// @param limit int = 100  at most this many rows
// @returns user_id, display_name, brand_account, replies (count), sentiment, first_ts, last_ts,
//   followers; most hostile first
MATCH (u:User)-[e:REPLIED]->(b:User)
WHERE u.id <> b.id
  AND (b.id IN $brand_accounts OR (size($brand_accounts) = 0 AND 'brand_account' IN b.roles))
  AND e.sentiment IS NOT NULL AND e.sentiment <= $max_sentiment
  AND ($since IS NULL OR e.last_ts >= $since)
  AND ($until IS NULL OR e.first_ts <= $until)
RETURN u.id AS user_id, u.display_name AS display_name, b.id AS brand_account, e.count AS replies,
       e.sentiment AS sentiment, e.first_ts AS first_ts, e.last_ts AS last_ts, u.followers AS followers
ORDER BY sentiment, replies DESC, user_id, brand_account
LIMIT $limit
