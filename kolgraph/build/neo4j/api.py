"""One-call entry points (what the CLI calls): push, write back, pull, and run a library query.

Each takes a ``neo4j`` driver made by the caller (see :func:`~kolgraph.build.neo4j.make_driver`)
and the store's options: ``database``, ``dialect`` (None: ask the server), batch bounds,
``read_timeout`` and ``retry_time`` / ``retry_delay`` (seconds; see
:mod:`kolgraph.build.neo4j.connection`).
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import pandas as pd

from ...errors import InputError
from ..dialect import Dialect
from ..workspace import Workspace, as_workspace
from .catalogue import list_queries, load_query
from .connection import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RETRY_DELAY, DEFAULT_RETRY_TIME
from .reports import PullReport, PushReport, WriteBackReport
from .store import GraphStore

__all__ = ["push_workspace", "write_analysis", "pull_workspace", "run_named_query"]


def push_workspace(driver, workspace: Workspace | str | os.PathLike, *, database: str | None = None,
                   dialect: str | Dialect | None = None, with_analysis: bool = False, replace: bool = False,
                   verify: bool = True, batch_rows: int | None = None, batch_bytes: int | None = None,
                   read_timeout: float = DEFAULT_READ_TIMEOUT, retry_time: float = DEFAULT_RETRY_TIME,
                   retry_delay: float = DEFAULT_RETRY_DELAY, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                   quiet: bool = True) -> PushReport:
    """Push a workspace (users, relationships, optionally its analysis) through ``driver``.

    The workspace's tables are checked against its manifest first (``verify``).
    """
    store = GraphStore(driver, database=database, dialect=dialect, batch_rows=batch_rows, batch_bytes=batch_bytes,
                       read_timeout=read_timeout, retry_time=retry_time, retry_delay=retry_delay,
                       connect_timeout=connect_timeout, quiet=quiet)
    return store.push_workspace(workspace, with_analysis=with_analysis, replace=replace, verify=verify)


def write_analysis(driver, workspace: Workspace | str | os.PathLike, *, database: str | None = None,
                   dialect: str | Dialect | None = None, batch_rows: int | None = None,
                   batch_bytes: int | None = None, read_timeout: float = DEFAULT_READ_TIMEOUT,
                   retry_time: float = DEFAULT_RETRY_TIME, retry_delay: float = DEFAULT_RETRY_DELAY,
                   connect_timeout: float = DEFAULT_CONNECT_TIMEOUT, quiet: bool = True) -> WriteBackReport:
    """Write a workspace's analysis (users, communities, memberships) back to the database."""
    ws = as_workspace(workspace)
    store = GraphStore(driver, database=database, dialect=dialect, batch_rows=batch_rows, batch_bytes=batch_bytes,
                       read_timeout=read_timeout, retry_time=retry_time, retry_delay=retry_delay,
                       connect_timeout=connect_timeout, quiet=quiet)
    return store.write_analysis_from_workspace(ws)


def pull_workspace(driver, out: str | os.PathLike, *, database: str | None = None,
                   dialect: str | Dialect | None = None, since: float | None = None, until: float | None = None,
                   accounts: Sequence[str] = (), hops: int = 1, page_rows: int = 10_000, force: bool = False,
                   batch_rows: int | None = None, batch_bytes: int | None = None,
                   read_timeout: float = DEFAULT_READ_TIMEOUT, retry_time: float = DEFAULT_RETRY_TIME,
                   retry_delay: float = DEFAULT_RETRY_DELAY, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                   quiet: bool = True) -> PullReport:
    """Build a workspace at ``out`` from the database: all of it, a time window, or a neighbourhood.

    ``out`` must be absent, empty or a kolgraph workspace holding nothing else (``force``: also one
    of another format version); that is checked before anything is read.
    """
    store = GraphStore(driver, database=database, dialect=dialect, page_rows=page_rows, batch_rows=batch_rows,
                       batch_bytes=batch_bytes, read_timeout=read_timeout, retry_time=retry_time,
                       retry_delay=retry_delay, connect_timeout=connect_timeout,
                       quiet=quiet)
    return store.pull_workspace(out, since=since, until=until, accounts=accounts, hops=hops, force=force)


def run_named_query(driver, name: str, params: Mapping[str, Any] | None = None, *, database: str | None = None,
                    dialect: str | Dialect | None = None, read_timeout: float = DEFAULT_READ_TIMEOUT,
                    retry_time: float = DEFAULT_RETRY_TIME, retry_delay: float = DEFAULT_RETRY_DELAY,
                    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> pd.DataFrame:
    """Run a library query (``queries/NAME.cypher``) with typed parameters; rows as a frame.

    Parameters are checked (types, 64-bit integer range, finite floats) before connecting.
    """
    query = load_query(name)
    if query.internal:
        raise InputError("query", f"{name!r} is internal to the store; available: {', '.join(list_queries())}")
    query.bind(params)  # refuse bad values before anything connects
    store = GraphStore(driver, database=database, dialect=dialect, read_timeout=read_timeout,
                       retry_time=retry_time, retry_delay=retry_delay, connect_timeout=connect_timeout)
    return store.run(name, params)
