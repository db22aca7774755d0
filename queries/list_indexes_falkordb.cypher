// The indexes FalkorDB holds, as (label, properties) rows: its CREATE INDEX has no IF NOT EXISTS,
// so the store creates only the missing ones (Neo4j uses CREATE CONSTRAINT ... IF NOT EXISTS).
// @internal
// @returns label, properties
CALL db.indexes() YIELD label, properties
RETURN label, properties
