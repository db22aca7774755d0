"""The Cypher query catalogue: one query per ``*.cypher`` file, loaded by name.

Load them with :func:`kolgraph.build.neo4j.load_query`. Each file starts with a comment header:
a description, ``@param NAME TYPE [= DEFAULT] description`` lines (DEFAULT as JSON), an
``@returns`` line, and ``@internal`` for the store's own statements (push, pull, write-back).
Values reach the server only as ``$parameters``.
"""
