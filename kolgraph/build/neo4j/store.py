"""The store: one driver (Neo4j or FalkorDB), named statements, bounded batches, schema and counts.

:class:`GraphStore` runs the statements of ``queries/*.cypher`` (through
:mod:`~kolgraph.build.neo4j.catalogue`) in managed transactions (through
:class:`~kolgraph.build.neo4j.connection.Transactions`, which bounds their time and retries
transient failures) and writes ``UNWIND $rows`` batches planned by
:mod:`~kolgraph.build.neo4j.batching`. Pushing, writing analyses back and pulling are in their own
modules (:mod:`.push`, :mod:`.writeback`, :mod:`.pull`); the store's methods of the same names
call them.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from ...errors import InputError
from ..dialect import REL_TYPES, Dialect, WireColumn, get_dialect
from ..workspace import Workspace
from .pull import pull_graph, pull_to_workspace
from .push import push_graph, push_workspace_graph
from .writeback import write_analysis_tables, write_workspace_analysis
from .batching import BatchLog, id_batches, plan_batches
from .catalogue import load_query
from .connection import (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RETRY_DELAY, DEFAULT_RETRY_TIME,
                         Timeouts, Transactions, detect_dialect)
from .reports import PullReport, PushReport, WriteBackReport

__all__ = ["GraphStore"]


def _counters(summary_counters) -> dict[str, int]:
    return {k: v for k, v in vars(summary_counters).items()
            if isinstance(v, int) and not isinstance(v, bool) and not k.startswith("_")}


class GraphStore:
    """Push, write back, pull and query over one driver (Neo4j or FalkorDB), with bounded batches.

    ``dialect`` is 'neo4j', 'falkordb', a :class:`Dialect`, or None to detect it on first use.
    ``batch_rows`` / ``batch_bytes`` bound each write (defaults from the dialect: 5,000 rows and
    1 MB on Neo4j, 3,500 bytes on FalkorDB). ``read_timeout`` (s) bounds the wait for each
    statement's answer; transient failures are retried by the driver's managed transactions for
    up to ``retry_time`` s, starting at ``retry_delay`` s; ``connect_timeout`` is the driver's
    connection bound (see :mod:`.connection`).
    """

    def __init__(self, driver, *, database: str | None = None, dialect: str | Dialect | None = None,
                 batch_rows: int | None = None, batch_bytes: int | None = None, page_rows: int = 10_000,
                 read_timeout: float = DEFAULT_READ_TIMEOUT, retry_time: float = DEFAULT_RETRY_TIME,
                 retry_delay: float = DEFAULT_RETRY_DELAY, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 quiet: bool = True):
        self.driver = driver
        self.database = database or None
        self._dialect = get_dialect(dialect) if dialect is not None else None
        self._batch_rows = batch_rows
        self._batch_bytes = batch_bytes
        if page_rows < 4:
            raise InputError("page_rows", f"must be at least 4, got {page_rows}")
        self.page_rows = int(page_rows)
        self.quiet = quiet
        self.transactions = Transactions(driver, database=self.database,
                                         timeouts=Timeouts(read_timeout, retry_time, retry_delay, connect_timeout))

    # -- dialect and bounds
    @property
    def dialect(self) -> Dialect:
        """The server's dialect (asked from the server on first use unless given)."""
        if self._dialect is None:
            self._dialect = detect_dialect(self.driver, self.database, timeouts=self.transactions.timeouts)
        return self._dialect

    @property
    def batch_rows(self) -> int:
        return int(self._batch_rows or self.dialect.default_batch_rows)

    @property
    def batch_bytes(self) -> int:
        return self.dialect.check_batch_bytes(int(self._batch_bytes or self.dialect.default_batch_bytes))

    @property
    def retry_count(self) -> int:
        """Transaction functions re-run after transient failures, over the store's life."""
        return self.transactions.retries

    # -- running statements
    def execute(self, statement: str, params: Mapping[str, Any], *, write: bool,
                what: str) -> tuple[list[str], list[list[Any]], dict[str, int]]:
        """Run one statement in a managed transaction (bounded in time, transient failures retried):
        (column names, rows as lists, server counters)."""
        params = dict(params)

        def work(tx):
            result = tx.run(statement, params)
            keys = list(result.keys())
            values = result.values()
            return keys, values, _counters(result.consume().counters)

        dialect = self.dialect
        return self.transactions.execute(work, write=write, what=what, read_mode=dialect.read_mode,
                                         database=self.database if dialect.named_databases else None)

    def run(self, name: str, params: Mapping[str, Any] | None = None, *, write: bool = False) -> pd.DataFrame:
        """Run the named query with bound (typed, defaulted, dialect-encoded) parameters; rows as a frame."""
        query = load_query(name)
        bound = self.dialect.encode_params(query.bind(params))
        keys, values, _ = self.execute(query.text, bound, write=write, what=f"running query {name}")
        return pd.DataFrame(values, columns=keys) if values else pd.DataFrame(columns=keys)

    def write_rows(self, name: str, columns: Sequence[WireColumn], *, params: Mapping[str, Any] | None = None,
                   describe: Callable[[int], str] | None = None, bar=None) -> BatchLog:
        """``UNWIND $rows`` the encoded columns through the named write query in bounded batches."""
        query = load_query(name)
        extra = self.dialect.encode_params(dict(params or {}))
        log = BatchLog()
        if not columns or not len(columns[0].pack):
            return log
        sizes = self.dialect.row_sizes(columns)
        fixed = self.dialect.fixed_size(query.text, extra)
        batches = plan_batches(sizes, max_rows=self.batch_rows, max_bytes=self.batch_bytes, fixed_bytes=fixed,
                               describe=describe)
        names = [c.name for c in columns]
        for start, stop in batches:
            rows = [dict(zip(names, values)) for values in zip(*(c.take(start, stop) for c in columns))]
            _, values, counters = self.execute(query.text, {**extra, "rows": rows}, write=True,
                                               what=f"writing a batch ({name})")
            matched = int(values[0][0]) if values and values[0] else 0
            log.add(stop - start, fixed + int(sizes[start:stop].sum()), matched, counters)
            if bar is not None:
                bar.update(stop - start)
        return log

    def run_by_ids(self, name: str, ids: Sequence[str], params: Mapping[str, Any]) -> tuple[list[pd.DataFrame], int]:
        """Run a ``$ids`` query over ``ids`` in bounded batches: (one frame per batch, batches run)."""
        ids = list(ids)
        frames = []
        for batch in id_batches(self.dialect, load_query(name).text, ids, params, max_rows=self.batch_rows,
                                max_bytes=self.batch_bytes):
            frames.append(self.run(name, {"ids": batch, **params}))
        return frames, len(frames)

    def repeat_until_zero(self, name: str, params: Mapping[str, Any], limit: int = 10_000) -> int:
        """Run a ``... LIMIT $limit ... RETURN count(*)`` statement until it reports 0; total count."""
        total = 0
        while True:
            frame = self.run(name, {**params, "limit": limit}, write=True)
            done = int(frame.iloc[0, 0]) if len(frame) else 0
            total += done
            if done == 0:
                return total

    # -- schema, counts, clearing
    def ensure_schema(self) -> list[str]:
        """Create the uniqueness constraints (Neo4j) or indexes (FalkorDB) on User.id and Community.id."""
        existing: list[tuple[str, str]] = []
        if self.dialect.index_query:
            listed = self.run(self.dialect.index_query)
            existing = [(label, prop) for label, props in zip(listed["label"], listed["properties"])
                        for prop in (props or [])] if len(listed) else []
        statements = self.dialect.schema_statements(existing)
        for statement in statements:
            self.execute(statement, {}, write=True, what="creating the id index / constraint")
        return statements

    def counts(self) -> dict[str, Any]:
        """Users, interaction relationships and interactions by type, communities and memberships."""
        users = int(self.run("count_users").iloc[0, 0])
        rels = self.run("count_rels")
        by_type = {t: 0 for t in REL_TYPES.values()}
        inter = dict(by_type)
        for row in rels.itertuples(index=False):
            if row.type in by_type:  # other tools' relationship types are not counted
                by_type[row.type] = int(row.relationships)
                inter[row.type] = int(row.interactions or 0)
        comm = self.run("count_communities")
        return {"users": users, "relationships": by_type, "interactions": inter,
                "communities": int(comm.iloc[0, 0]) if len(comm) else 0,
                "memberships": int(comm.iloc[0, 1]) if len(comm) else 0}

    def clear(self) -> int:
        """Delete every :User and :Community node with their relationships (in bounded steps)."""
        return self.repeat_until_zero("clear_users", {}) + self.repeat_until_zero("clear_communities", {})

    # -- push, write back, pull (see the modules of the same names)
    def push(self, vertices: pd.DataFrame, edges: pd.DataFrame, *, replace: bool = False) -> PushReport:
        """Merge users, then their relationships per kind; see :func:`kolgraph.build.neo4j.push.push_graph`."""
        return push_graph(self, vertices, edges, replace=replace)

    def push_workspace(self, workspace: Workspace | str | os.PathLike, *, with_analysis: bool = False,
                       replace: bool = False, verify: bool = True) -> PushReport:
        """Push a workspace (verified first); see :func:`kolgraph.build.neo4j.push.push_workspace_graph`."""
        return push_workspace_graph(self, workspace, with_analysis=with_analysis, replace=replace,
                                          verify=verify)

    def write_analysis(self, users: pd.DataFrame, communities: pd.DataFrame | None = None) -> WriteBackReport:
        """Write analysis results back; see :func:`kolgraph.build.neo4j.writeback.write_analysis_tables`."""
        return write_analysis_tables(self, users, communities)

    def write_analysis_from_workspace(self, ws: Workspace) -> WriteBackReport:
        """Write a workspace's committed analysis back; see :func:`.writeback.write_workspace_analysis`."""
        return write_workspace_analysis(self, ws)

    def pull(self, *, since: float | None = None, until: float | None = None, accounts: Sequence[str] = (),
             hops: int = 1, kind_weights: Mapping[str, float] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        """Read (vertices, edges, pages); see :func:`kolgraph.build.neo4j.pull.pull_graph`."""
        return pull_graph(self, since=since, until=until, accounts=accounts, hops=hops,
                                kind_weights=kind_weights)

    def pull_workspace(self, out: str | os.PathLike, *, since: float | None = None, until: float | None = None,
                       accounts: Sequence[str] = (), hops: int = 1,
                       kind_weights: Mapping[str, float] | None = None, force: bool = False) -> PullReport:
        """Pull and write a workspace at ``out``; see :func:`kolgraph.build.neo4j.pull.pull_to_workspace`."""
        return pull_to_workspace(self, out, since=since, until=until, accounts=accounts, hops=hops,
                                 kind_weights=kind_weights, force=force)
