// Whether the server is FalkorDB: its statistics procedure answers (Neo4j has no db.meta.stats()).
// Run first when the dialect is detected: it succeeds on FalkorDB, whose Bolt layer sometimes never
// answers the RESET that follows a failed statement.
// @internal
// @returns labels, relTypes, relCount, nodeCount, labelCount, relTypeCount, propertyKeyCount
CALL db.meta.stats()
