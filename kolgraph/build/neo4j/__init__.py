"""Neo4j over Bolt: push a workspace, write analysis results back, pull a workspace, named queries.

The caller creates the ``neo4j`` driver (:func:`make_driver`) and passes it in; nothing connects
at import. One store serves Neo4j 5 and FalkorDB's Bolt endpoint; what differs between them lives
in :mod:`kolgraph.build.dialect`. All Cypher comes from ``queries/*.cypher`` through
:func:`load_query`; values reach the server only as ``$parameters`` and labels and relationship
types only from the fixed lists in the dialect module.

The package, by job:

- :mod:`.catalogue`: the query files, their typed parameters and checks;
- :mod:`.connection`: the driver, timeouts, managed transactions with bounded retries, errors;
- :mod:`.batching`: batches bounded in rows and encoded bytes;
- :mod:`.store`: :class:`GraphStore` (statements, batched writes, schema, counts);
- :mod:`.push`, :mod:`.writeback`, :mod:`.pull`: the three data movements;
  :mod:`.from_edges`: a workspace from pulled edges;
- :mod:`.reports`: what each movement did; :mod:`.api`: one-call entry points for the CLI.

Writes are ``UNWIND $rows`` batches bounded both in rows and in encoded bytes, ``MERGE`` on ids
and on (src)-[type]->(dst) with every property set to the pushed value, so a push is idempotent
and a push that was cut off is repaired by running it again.
"""

from ...errors import GraphServerError
from .api import pull_workspace, push_workspace, run_named_query, write_analysis
from .batching import BatchLog, plan_batches
from .catalogue import Query, QueryParam, list_queries, load_query, parse_param_value
from .connection import (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RETRY_DELAY, DEFAULT_RETRY_TIME,
                         Timeouts, detect_dialect, make_driver)
from .from_edges import write_workspace_from_edges
from .reports import PullReport, PushReport, WriteBackReport
from .store import GraphStore
from .writeback import ANALYSIS_FLOAT_COLUMNS

__all__ = [
    "GraphStore",
    "GraphServerError",
    "Query",
    "QueryParam",
    "load_query",
    "list_queries",
    "parse_param_value",
    "PushReport",
    "WriteBackReport",
    "PullReport",
    "BatchLog",
    "plan_batches",
    "make_driver",
    "detect_dialect",
    "Timeouts",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRY_TIME",
    "DEFAULT_RETRY_DELAY",
    "push_workspace",
    "write_analysis",
    "pull_workspace",
    "run_named_query",
    "write_workspace_from_edges",
    "ANALYSIS_FLOAT_COLUMNS",
]
