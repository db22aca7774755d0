// Whether the server is Neo4j: its components procedure answers (FalkorDB has no dbms.components()).
// @internal
// @returns name
CALL dbms.components() YIELD name
RETURN name
