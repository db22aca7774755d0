"""Neo4j over Bolt: push a workspace, write analysis results back, pull a workspace, named queries.

The caller creates the ``neo4j`` driver and passes it in; nothing connects at import. One store
serves Neo4j 5 and FalkorDB's Bolt endpoint; what differs between them lives in
:mod:`kolgraph.build.dialect`. All Cypher comes from ``queries/*.cypher`` through
:func:`load_query`; values reach the server only as ``$parameters`` and labels and relationship
types only from the fixed lists in the dialect module.

Graph model: ``(:User {id, display_name, followers, verified})`` and one relationship per
(src, dst, kind): ``:REPOSTED``, ``:REPLIED`` or ``:MENTIONED`` with ``count``, ``weight``,
``first_ts``, ``last_ts`` (epoch seconds) and ``sentiment`` (unknown values are absent). Analysis
results become user properties and ``(:User)-[:MEMBER_OF]->(:Community {id, size, ...})``.

Writes are ``UNWIND $rows`` batches bounded both in rows and in encoded bytes, ``MERGE`` on ids
and on (src)-[type]->(dst) with every property set to the pushed value, so a push is idempotent
and a push that was cut off is repaired by running it again. Connection loss and transient errors
are retried a bounded number of times with exponential backoff.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..progress import progress
from ..schema import DEFAULT_KIND_WEIGHTS, EDGE_COLUMNS, KINDS, InputError, KolgraphError, UnknownAccountError
from ..errors import GraphServerError
from .dialect import (FALKORDB, NEO4J, REL_TYPES, KIND_OF_TYPE, BatchTooLargeError, Dialect, WireColumn,
                      get_dialect)
from .workspace import Workspace, open_workspace, write_tables

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
    "push_workspace",
    "write_analysis",
    "pull_workspace",
    "run_named_query",
    "write_workspace_from_edges",
    "ANALYSIS_FLOAT_COLUMNS",
]

#: Analysis columns written as float user properties (from WORKSPACE/analysis/users.parquet).
ANALYSIS_FLOAT_COLUMNS = ("community_confidence", "pagerank", "pagerank_pct", "coreness", "participation",
                          "betweenness", "stance", "stance_support", "brand_affinity")
_COMMUNITY_FLOAT_COLUMNS = ("stability", "brand_engagement_share", "mean_stance")
_PULL_COLUMNS = ("src", "dst", "type", "count", "weight", "first_ts", "last_ts", "sentiment")


# ---- the query catalogue -----------------------------------------------------------------------

_PARAM_TYPES = ("string", "int", "float", "bool", "list<string>", "list<int>", "list<map>", "pair")
_PARAM_LINE = re.compile(r"^@param\s+(\w+)\s+(\S+)(?:\s*=\s*(\S+))?\s*(.*)$")


@dataclass(frozen=True)
class QueryParam:
    """A declared query parameter: name, type, default (JSON in the header) and description."""

    name: str
    type: str
    default: Any = None
    required: bool = True
    description: str = ""

    def coerce(self, value: Any, query: str) -> Any:
        """``value`` converted to the declared type (None allowed only where the default is null)."""
        where = f"query {query}, parameter {self.name}"
        if value is None:
            if self.required or self.default is not None:
                raise InputError(where, "needs a value")
            return None
        try:
            if self.type == "string":
                if isinstance(value, (list, dict)):
                    raise ValueError
                return str(value)
            if self.type == "int":
                if isinstance(value, bool) or (isinstance(value, float) and not float(value).is_integer()):
                    raise ValueError
                return int(value)
            if self.type == "float":
                if isinstance(value, bool):
                    raise ValueError
                return float(value)
            if self.type == "bool":
                if isinstance(value, str) and value.lower() in ("true", "false"):
                    return value.lower() == "true"
                if not isinstance(value, bool):
                    raise ValueError
                return value
            if self.type in ("list<string>", "list<int>"):
                items = value if isinstance(value, (list, tuple)) else [value]
                if any(isinstance(v, (list, dict)) for v in items):
                    raise ValueError
                return [str(v) for v in items] if self.type == "list<string>" else [int(v) for v in items]
            if self.type == "pair" and (not isinstance(value, (list, tuple)) or len(value) != 2):
                raise ValueError
            return value
        except (TypeError, ValueError):
            raise InputError(where, f"expected {self.type}, got {value!r}") from None


@dataclass(frozen=True)
class Query:
    """One Cypher statement from ``queries/NAME.cypher`` with its header parsed.

    ``text`` is the statement without comment lines (what is sent: FalkorDB counts it against its
    4 KB message limit).
    """

    name: str
    text: str
    description: str
    params: tuple[QueryParam, ...]
    returns: str
    internal: bool

    def bind(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Parameters for a run: declared defaults filled in, types checked; unknown names refused."""
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            accepted = ", ".join(known) or "none"
            raise InputError(f"query {self.name}", f"unknown parameter(s) {', '.join(unknown)}; "
                                                   f"it accepts: {accepted}")
        out = {}
        for name, param in known.items():
            if name in values:
                out[name] = param.coerce(values[name], self.name)
            elif param.required:
                raise InputError(f"query {self.name}", f"missing parameter {name} ({param.type}): {param.description}")
            else:
                out[name] = param.default
        return out

    def parse_cli(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Typed values from ``--param key=value`` text: strings kept verbatim, the rest parsed as JSON."""
        known = {p.name: p for p in self.params}
        out: dict[str, Any] = {}
        for key, text in raw.items():
            param = known.get(key)
            if param is not None and param.type == "string":
                out[key] = text
            elif param is not None and param.type == "list<string>":
                parsed = parse_param_value(text)
                out[key] = parsed if isinstance(parsed, list) else [text]
            else:
                out[key] = parse_param_value(text)
        return self.bind(out)

    def signature(self) -> str:
        """One line per parameter, for help texts and error messages."""
        lines = []
        for p in self.params:
            default = "required" if p.required else f"default {json.dumps(p.default)}"
            lines.append(f"{p.name} ({p.type}, {default}): {p.description}")
        return "\n".join(lines)


def parse_param_value(text: str) -> Any:
    """A ``--param`` value: JSON when it parses (numbers, lists, true/false/null), else the text."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return text


def _parse_query(name: str, text: str) -> Query:
    description, params, returns, internal = [], [], [], False
    section = "description"
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped:
                break
            continue
        body = stripped[2:].strip()
        if body == "@internal":
            internal = True
            continue
        if body.startswith("@param"):
            match = _PARAM_LINE.match(body)
            if not match or match.group(2) not in _PARAM_TYPES:
                raise KolgraphError(f"queries/{name}.cypher: bad parameter line {body!r} "
                                    f"(types: {', '.join(_PARAM_TYPES)})")
            pname, ptype, default, desc = match.groups()
            params.append(QueryParam(pname, ptype, json.loads(default) if default is not None else None,
                                     default is None, desc.strip()))
            section = "param"
            continue
        if body.startswith("@returns"):
            returns.append(body[len("@returns"):].strip())
            section = "returns"
            continue
        if section == "description":
            description.append(body)
        elif section == "returns":
            returns.append(body)
        elif section == "param" and params and body:
            last = params[-1]
            params[-1] = QueryParam(last.name, last.type, last.default, last.required, f"{last.description} {body}")
    used = set(re.findall(r"\$(\w+)", text))
    declared = {p.name for p in params}
    if used != declared:
        raise KolgraphError(f"queries/{name}.cypher: parameters used {sorted(used)} but declared {sorted(declared)}")
    statement = "\n".join(line for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))
    return Query(name=name, text=statement, description=" ".join(d for d in description if d).strip(),
                 params=tuple(params), returns=" ".join(returns).strip(), internal=internal)


def _query_files() -> dict[str, Any]:
    root = importlib.resources.files("kolgraph.queries")
    return {entry.name[: -len(".cypher")]: entry for entry in root.iterdir() if entry.name.endswith(".cypher")}


def list_queries(*, internal: bool = False) -> tuple[str, ...]:
    """Names of the shipped queries (the library ones; with ``internal=True`` also the store's own)."""
    return tuple(sorted(n for n in _query_files() if internal or not load_query(n).internal))


@functools.lru_cache(maxsize=None)
def load_query(name: str) -> Query:
    """The query ``queries/NAME.cypher`` (cached); an unknown name lists the available ones."""
    files = _query_files()
    if name not in files:
        raise InputError("query", f"unknown query {name!r}; available: {', '.join(list_queries())}")
    return _parse_query(name, files[name].read_text(encoding="utf-8"))


# ---- batching -------------------------------------------------------------------------------------

def plan_batches(sizes: np.ndarray, *, max_rows: int, max_bytes: int, fixed_bytes: int = 0,
                 describe: Callable[[int], str] | None = None) -> list[tuple[int, int]]:
    """Split rows into consecutive ``[start, stop)`` batches of at most ``max_rows`` rows and at most
    ``max_bytes`` encoded bytes each (``fixed_bytes`` for the message itself plus the rows' sizes).

    Greedy: each batch takes as many rows as fit. A row that cannot fit even alone raises
    :class:`BatchTooLargeError` naming it (``describe(i)``).
    """
    if max_rows < 1:
        raise InputError("--batch-rows", f"must be at least 1, got {max_rows}")
    sizes = np.asarray(sizes, dtype=np.int64)
    budget = int(max_bytes) - int(fixed_bytes)
    cum = np.concatenate([[0], np.cumsum(sizes)])
    out: list[tuple[int, int]] = []
    start, n = 0, len(sizes)
    while start < n:
        stop = int(np.searchsorted(cum, cum[start] + budget, side="right")) - 1
        stop = min(stop, start + max_rows, n)
        if stop <= start:
            what = describe(start) if describe else f"row {start}"
            raise BatchTooLargeError(f"{what} needs {int(sizes[start]) + fixed_bytes:,} bytes in one message, "
                                     f"over the batch bound of {max_bytes:,} bytes; raise --batch-bytes")
        out.append((start, stop))
        start = stop
    return out


@dataclass
class BatchLog:
    """What a batched write sent: rows and estimated encoded bytes per batch, and server counters."""

    rows: list[int] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    matched: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def add(self, rows: int, nbytes: int, matched: int, counters: Mapping[str, int]) -> None:
        self.rows.append(rows)
        self.bytes.append(nbytes)
        self.matched += matched
        for key, value in counters.items():
            self.counters[key] = self.counters.get(key, 0) + int(value)

    def extend(self, other: "BatchLog") -> None:
        self.rows += other.rows
        self.bytes += other.bytes
        self.matched += other.matched
        for key, value in other.counters.items():
            self.counters[key] = self.counters.get(key, 0) + value


# ---- reports --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WriteBackReport:
    """What ``write_analysis`` wrote: users updated, communities and memberships, stale items removed."""

    users: int
    users_missing: int
    communities: int
    memberships: int
    removed_memberships: int
    removed_communities: int
    cleared_users: int
    run: str

    def summary(self) -> str:
        text = (f"analysis written: {self.users:,} users, {self.communities:,} communities, "
                f"{self.memberships:,} memberships")
        if self.users_missing:
            text += f" ({self.users_missing:,} analysed users are not in the database)"
        stale = self.removed_memberships + self.removed_communities + self.cleared_users
        if stale:
            text += (f"; removed {self.removed_memberships:,} stale memberships, "
                     f"{self.removed_communities:,} stale communities, cleared {self.cleared_users:,} users")
        return text


@dataclass(frozen=True)
class PushReport:
    """What ``push_workspace`` sent and what the database holds afterwards."""

    dialect: str
    users: int
    relationships: dict[str, int]
    interactions: int
    batch_rows: tuple[int, ...]
    batch_bytes: tuple[int, ...]
    max_batch_rows: int
    max_batch_bytes: int
    nodes_created: int
    relationships_created: int
    retries: int
    seconds: float
    database_counts: dict[str, Any]
    analysis: WriteBackReport | None = None

    @property
    def batches(self) -> int:
        return len(self.batch_rows)

    def summary(self) -> str:
        rels = sum(self.relationships.values())
        lines = [f"pushed {self.users:,} users and {rels:,} relationships ({self.interactions:,} interactions) "
                 f"to {self.dialect} in {self.batches:,} batches (<= {self.max_batch_rows:,} rows, "
                 f"<= {self.max_batch_bytes:,} bytes) in {self.seconds:.1f} s; created {self.nodes_created:,} "
                 f"nodes and {self.relationships_created:,} relationships"
                 + (f"; {self.retries} retries" if self.retries else ""),
                 f"database now holds {self.database_counts['users']:,} users and "
                 f"{sum(self.database_counts['relationships'].values()):,} interaction relationships"]
        if self.analysis is not None:
            lines.append(self.analysis.summary())
        return "\n".join(lines)


@dataclass(frozen=True)
class PullReport:
    """What ``pull_workspace`` read and the workspace it wrote."""

    workspace: Workspace
    users: int
    relationships: int
    interactions: int
    pages: int
    seconds: float
    selection: dict[str, Any]

    def summary(self) -> str:
        return (f"pulled {self.users:,} users and {self.relationships:,} relationships "
                f"({self.interactions:,} interactions) in {self.pages:,} pages, {self.seconds:.1f} s, "
                f"into workspace {self.workspace.path}")


# ---- connecting -----------------------------------------------------------------------------------

_AUTH_CODES = ("Security.Unauthorized", "Security.AuthenticationRateLimit", "Security.CredentialsExpired")


def make_driver(uri: str, user: str, password: str, **config: Any):
    """A ``neo4j`` driver (connects lazily, at first use). A malformed URI raises GraphServerError.

    The driver's own transaction retry is off by default (``max_transaction_retry_time=0``): the
    store retries each batch itself, a bounded number of times with exponential backoff.
    """
    import neo4j

    config.setdefault("max_transaction_retry_time", 0.0)
    config.setdefault("connection_timeout", 10.0)
    try:
        return neo4j.GraphDatabase.driver(uri, auth=(user, password), **config)
    except (ValueError, ImportError, neo4j.exceptions.ConfigurationError) as exc:
        raise GraphServerError(f"{uri}: not a usable Bolt URI ({exc}); e.g. bolt://localhost:7687 "
                               "or neo4j://host:7687") from None


def _is_auth_error(exc: BaseException) -> bool:
    import neo4j.exceptions as ne

    if isinstance(exc, ne.AuthError):
        return True
    code = str(getattr(exc, "code", "") or "")
    meta = getattr(exc, "metadata", None) or {}
    meta_code = str(meta.get("code", "")) if isinstance(meta, Mapping) else ""
    return any(c in code or c in meta_code for c in _AUTH_CODES)


def _friendly(exc: BaseException, what: str, database: str | None) -> GraphServerError:
    """A one-line error a user can act on, without credentials, for a driver exception."""
    import neo4j.exceptions as ne

    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if _is_auth_error(exc):
        return GraphServerError(f"the graph server refused the credentials while {what}: wrong user name or "
                                "password (set --user / NEO4J_USER and the password via --password-env or "
                                "NEO4J_PASSWORD)")
    if isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired)):
        return GraphServerError(f"cannot reach the graph server while {what}: {first_line}. Is it running, and "
                                "is --uri (NEO4J_URI) right?")
    code = str(getattr(exc, "code", "") or "")
    if "DatabaseNotFound" in code:
        return GraphServerError(f"database {database!r} does not exist on the graph server "
                                "(check --database / NEO4J_DATABASE)")
    if isinstance(exc, ne.Neo4jError):
        message = getattr(exc, "message", None) or first_line
        return GraphServerError(f"the graph server failed while {what}: {code or type(exc).__name__}: {message}")
    return GraphServerError(f"graph driver error while {what}: {type(exc).__name__}: {first_line}")


# ---- the store ------------------------------------------------------------------------------------

class GraphStore:
    """Push, write back, pull and query over one driver (Neo4j or FalkorDB), with bounded batches.

    ``dialect`` is 'neo4j', 'falkordb', a :class:`Dialect`, or None to detect it on first use.
    ``batch_rows`` / ``batch_bytes`` bound each write (defaults from the dialect: 5,000 rows and
    1 MB on Neo4j, 3,500 bytes on FalkorDB). ``retries`` bounds the attempts after a lost
    connection or a transient error, waiting ``backoff`` seconds, doubled each time (capped at 10 s).
    """

    def __init__(self, driver, *, database: str | None = None, dialect: str | Dialect | None = None,
                 batch_rows: int | None = None, batch_bytes: int | None = None, page_rows: int = 10_000,
                 retries: int = 5, backoff: float = 0.5, quiet: bool = True):
        self.driver = driver
        self.database = database or None
        self._dialect = get_dialect(dialect) if dialect is not None else None
        self._batch_rows = batch_rows
        self._batch_bytes = batch_bytes
        if page_rows < 4:
            raise InputError("page_rows", f"must be at least 4, got {page_rows}")
        self.page_rows = int(page_rows)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.quiet = quiet
        self.retry_count = 0

    # -- dialect and bounds
    @property
    def dialect(self) -> Dialect:
        if self._dialect is None:
            self._dialect = detect_dialect(self.driver, self.database, retries=self.retries, backoff=self.backoff)
        return self._dialect

    @property
    def batch_rows(self) -> int:
        return int(self._batch_rows or self.dialect.default_batch_rows)

    @property
    def batch_bytes(self) -> int:
        return self.dialect.check_batch_bytes(int(self._batch_bytes or self.dialect.default_batch_bytes))

    # -- running statements
    def _retry(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn``, retrying lost connections and transient errors with backoff, a bounded number of times."""
        import neo4j.exceptions as ne

        retryable = (ne.ServiceUnavailable, ne.SessionExpired, ne.TransientError, ne.IncompleteCommit)
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except retryable as exc:
                if _is_auth_error(exc) or attempt == self.retries:
                    raise _friendly(exc, what, self.database) from None
                self.retry_count += 1
                time.sleep(min(delay, 10.0))
                delay *= 2
            except (ne.Neo4jError, ne.DriverError) as exc:
                raise _friendly(exc, what, self.database) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _run(self, statement: str, params: Mapping[str, Any], *, write: bool, what: str):
        """Run one statement (managed transaction, or auto-commit where the dialect says so) with
        bounded retries: (column names, rows as lists, server counters)."""
        params = dict(params)

        def work(tx):
            result = tx.run(statement, params)
            keys = list(result.keys())
            values = result.values()
            counters = result.consume().counters
            return keys, values, {k: v for k, v in vars(counters).items()
                                  if isinstance(v, int) and not isinstance(v, bool) and not k.startswith("_")}

        def attempt():
            database = self.database if self.dialect.named_databases else None
            with self.driver.session(database=database) as session:
                if not self.dialect.transactions:
                    # auto-commit in the default (write) mode: FalkorDB takes the first string of
                    # a RUN's extra map as the graph name, so a read-mode "mode": "r" would send
                    # reads to a graph called "mode" (measured)
                    return work(session)
                return session.execute_write(work) if write else session.execute_read(work)

        return self._retry(what, attempt)

    def run(self, name: str, params: Mapping[str, Any] | None = None, *, write: bool = False) -> pd.DataFrame:
        """Run the named query with bound (typed, defaulted, dialect-encoded) parameters; rows as a frame."""
        query = load_query(name)
        bound = self.dialect.encode_params(query.bind(params))
        keys, values, _ = self._run(query.text, bound, write=write, what=f"running query {name}")
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
            keys, values, counters = self._run(query.text, {**extra, "rows": rows}, write=True,
                                               what=f"writing a batch ({name})")
            matched = int(values[0][0]) if values and values[0] else 0
            log.add(stop - start, fixed + int(sizes[start:stop].sum()), matched, counters)
            if bar is not None:
                bar.update(stop - start)
        return log

    def _repeat_until_zero(self, name: str, params: Mapping[str, Any], limit: int = 10_000) -> int:
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
            _, values, _ = self._run(self.dialect.index_query, {}, write=False, what="listing indexes")
            existing = [(label, prop) for label, props in values for prop in (props or [])]
        statements = self.dialect.schema_statements(existing)
        for statement in statements:
            self._run(statement, {}, write=True, what="creating the id index / constraint")
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
        return self._repeat_until_zero("clear_users", {}) + self._repeat_until_zero("clear_communities", {})

    # -- push
    def push(self, vertices: pd.DataFrame, edges: pd.DataFrame, *, replace: bool = False) -> PushReport:
        """Merge users, then their relationships per kind; every batch bounded in rows and bytes."""
        started = time.perf_counter()
        retries_before = self.retry_count
        dialect = self.dialect
        self.ensure_schema()
        if replace:
            self.clear()
        vertices = vertices.reset_index(drop=True)
        ids = vertices["user_id"].astype(str)
        unknown = pd.Series(np.nan, index=vertices.index, dtype=object)
        user_cols = [dialect.column("id", "str", ids),
                     dialect.column("display_name", "str", vertices.get("display_name", unknown)),
                     dialect.column("followers", "float", vertices.get("followers", unknown)),
                     dialect.column("verified", "bool", vertices.get("verified", unknown))]
        total = len(vertices) + len(edges)
        log = BatchLog()
        rels: dict[str, int] = {}
        with progress(total=total, quiet=self.quiet, desc=f"push to {dialect.name}", unit="row") as bar:
            log.extend(self.write_rows("merge_users", user_cols, describe=lambda i: f"user {ids.iloc[i]!r}", bar=bar))
            kind = edges["kind"].astype(str)
            for k in KINDS:
                part = edges[kind.to_numpy() == k].reset_index(drop=True)
                rel_type = REL_TYPES[k]
                cols = [dialect.column("src", "str", part["src"].astype(str)),
                        dialect.column("dst", "str", part["dst"].astype(str)),
                        dialect.column("count", "int", part["count"])]
                cols += [dialect.column(c, "float", part[c]) for c in ("weight", "first_ts", "last_ts", "sentiment")]
                part_log = self.write_rows(
                    f"merge_{rel_type.lower()}", cols, bar=bar,
                    describe=lambda i, p=part: f"edge {p['src'].iloc[i]!r} -> {p['dst'].iloc[i]!r}")
                if part_log.matched != len(part):
                    raise GraphServerError(f"{len(part) - part_log.matched:,} {rel_type} relationships found no "
                                           "user at one end (users were deleted during the push?); push again")
                rels[rel_type] = len(part)
                log.extend(part_log)
        return PushReport(
            dialect=dialect.name, users=len(vertices), relationships=rels,
            interactions=int(edges["count"].sum()) if len(edges) else 0,
            batch_rows=tuple(log.rows), batch_bytes=tuple(log.bytes), max_batch_rows=self.batch_rows,
            max_batch_bytes=self.batch_bytes, nodes_created=log.counters.get("nodes_created", 0),
            relationships_created=log.counters.get("relationships_created", 0),
            retries=self.retry_count - retries_before, seconds=time.perf_counter() - started,
            database_counts=self.counts())

    def push_workspace(self, workspace: Workspace | str | os.PathLike, *, with_analysis: bool = False,
                       replace: bool = False) -> PushReport:
        """Push a workspace's users and edges; with ``with_analysis`` also write its analysis back."""
        ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
        report = self.push(ws.vertices(), ws.edges(), replace=replace)
        if with_analysis:
            analysis = self.write_analysis_from_workspace(ws)
            report = dataclasses.replace(report, analysis=analysis, database_counts=self.counts())
        return report

    # -- write back
    def write_analysis_from_workspace(self, ws: Workspace) -> WriteBackReport:
        if not ws.has_result("analysis", "users.parquet"):
            raise KolgraphError(f"{ws.path}: no analysis/users.parquet; run `kolgraph analyze` first")
        users = ws.read_result_table("analysis", "users.parquet")
        communities = (pd.read_csv(ws.result_path("analysis", "communities.csv"))
                       if ws.has_result("analysis", "communities.csv") else None)
        return self.write_analysis(users, communities)

    def write_analysis(self, users: pd.DataFrame, communities: pd.DataFrame | None = None) -> WriteBackReport:
        """Write analysis columns onto users, (:Community) nodes and MEMBER_OF edges; drop stale ones.

        ``users`` has ``user_id`` and any of community, ANALYSIS_FLOAT_COLUMNS, roles ("|"-joined),
        reasons; absent columns are written as unknown. ``communities`` (community, size, stability,
        brand_engagement_share, mean_stance, top_members) defaults to sizes counted from ``users``.
        Every item written is tagged with a new run id; memberships and communities of earlier runs
        are deleted and users not in ``users`` lose their analysis properties.
        """
        if "user_id" not in users:
            raise InputError("analysis/users.parquet", "no user_id column")
        dialect = self.dialect
        self.ensure_schema()
        run_id = uuid.uuid4().hex
        users = users.reset_index(drop=True)
        ids = users["user_id"].astype(str)
        community = (pd.to_numeric(users["community"], errors="coerce") if "community" in users
                     else pd.Series(np.nan, index=users.index))
        roles = (users["roles"].astype(object).where(users["roles"].notna(), "").astype(str)
                 .map(lambda s: [r for r in s.split("|") if r]) if "roles" in users
                 else pd.Series([[]] * len(users), dtype=object))
        cols = [dialect.column("id", "str", ids), dialect.column("community", "int", community.astype("Int64"))]
        cols += [dialect.column(c, "float", users[c] if c in users else pd.Series(np.nan, index=users.index))
                 for c in ANALYSIS_FLOAT_COLUMNS]
        cols += [dialect.column("roles", "strlist", roles.tolist()),
                 dialect.column("reasons", "str", users["reasons"] if "reasons" in users
                                else pd.Series(None, index=users.index, dtype=object))]
        if communities is None:
            sizes = community.dropna().astype(np.int64).value_counts().sort_index()
            communities = pd.DataFrame({"community": sizes.index, "size": sizes.to_numpy()})
        communities = communities.reset_index(drop=True)
        ccols = [dialect.column("id", "int", pd.to_numeric(communities["community"]).astype("Int64")),
                 dialect.column("size", "int", pd.to_numeric(communities["size"]).astype("Int64")
                                if "size" in communities else pd.Series(pd.NA, index=communities.index, dtype="Int64"))]
        ccols += [dialect.column(c, "float", communities[c] if c in communities
                                 else pd.Series(np.nan, index=communities.index)) for c in _COMMUNITY_FLOAT_COLUMNS]
        ccols.append(dialect.column("top_members", "str", communities["top_members"] if "top_members" in communities
                                    else pd.Series(None, index=communities.index, dtype=object)))
        member = community.notna().to_numpy()
        mcols = [dialect.column("id", "str", ids[member]),
                 dialect.column("community", "int", community[member].astype("Int64"))]
        total = len(communities) + len(users) + int(member.sum())
        with progress(total=total, quiet=self.quiet, desc="write analysis", unit="row") as bar:
            self.write_rows("merge_communities", ccols, params={"run": run_id}, bar=bar)
            user_log = self.write_rows("write_user_analysis", cols, params={"run": run_id}, bar=bar,
                                       describe=lambda i: f"user {ids.iloc[i]!r}")
            member_log = self.write_rows("merge_memberships", mcols, params={"run": run_id}, bar=bar)
        removed_m = self._repeat_until_zero("delete_stale_memberships", {"run": run_id})
        removed_c = self._repeat_until_zero("delete_stale_communities", {"run": run_id})
        cleared = self._repeat_until_zero("clear_stale_user_analysis", {"run": run_id})
        return WriteBackReport(users=user_log.matched, users_missing=len(users) - user_log.matched,
                               communities=len(communities), memberships=member_log.matched,
                               removed_memberships=removed_m, removed_communities=removed_c,
                               cleared_users=cleared, run=run_id)

    # -- pull
    def _window(self, since: float | None, until: float | None) -> dict[str, Any]:
        return {"since": self.dialect.float_pair(since), "until": self.dialect.float_pair(until)}

    @staticmethod
    def _rels_frame(frames: list[pd.DataFrame], kind_weights: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Pulled rows as an edge table. Relationships written by other tools may lack kolgraph's
        properties: a missing count counts as 1 and a missing weight as kind weight x count;
        rows whose target has no id are dropped."""
        frames = [f for f in frames if len(f)]
        raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(_PULL_COLUMNS))
        raw = raw[raw["src"].notna() & raw["dst"].notna()]
        kind = raw["type"].map(KIND_OF_TYPE)
        count = pd.to_numeric(raw["count"].astype(object), errors="coerce").fillna(1).astype(np.int64)
        weights = {**DEFAULT_KIND_WEIGHTS, **(kind_weights or {})}
        weight = pd.to_numeric(raw["weight"].astype(object), errors="coerce").astype("float64")
        weight = weight.fillna(kind.map(weights).astype("float64") * count)
        edges = pd.DataFrame({
            "src": raw["src"].astype(str), "dst": raw["dst"].astype(str),
            "kind": pd.Categorical(kind, categories=list(KINDS)), "count": count, "weight": weight,
        }).reset_index(drop=True)
        for c in ("first_ts", "last_ts", "sentiment"):
            edges[c] = pd.to_numeric(raw[c].astype(object), errors="coerce").astype("float64").to_numpy()
        return edges[list(EDGE_COLUMNS)]

    def _users_frame(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        raw = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=["id", "display_name", "followers", "verified"]))
        raw = raw.drop_duplicates("id").sort_values("id", kind="stable").reset_index(drop=True)
        return pd.DataFrame({
            "user_id": raw["id"].astype("str"),
            "display_name": raw["display_name"].astype(object).where(raw["display_name"].notna(), None).astype("str"),
            "followers": pd.to_numeric(raw["followers"].astype(object), errors="coerce").astype("float64"),
            "verified": pd.to_numeric(raw["verified"].astype(object), errors="coerce").astype("float64"),
        })

    def _pages_of_rels(self, window: Mapping[str, Any], bar) -> tuple[list[pd.DataFrame], int]:
        frames, pages, after = [], 0, ""
        limit = self.page_rows
        while True:
            page = self.run("pull_rels", {"after": after, "limit": limit, **window})
            pages += 1
            if len(page) < limit:
                frames.append(page)
                bar.update(len(page))
                return frames, pages
            last = page["src"].iloc[-1]
            complete = page[page["src"] != last]
            if len(complete):
                frames.append(complete)
                bar.update(len(complete))
                after = complete["src"].iloc[-1]
                continue
            # one source fills a whole page: read it alone, keyset on the target id
            dst_after = ""
            while True:
                sub = self.run("pull_rels_of_source", {"src": last, "after": dst_after, "limit": limit, **window})
                pages += 1
                if len(sub) < limit:
                    frames.append(sub)
                    bar.update(len(sub))
                    break
                last_dst = sub["dst"].iloc[-1]
                done = sub[sub["dst"] != last_dst]
                frames.append(done)
                bar.update(len(done))
                dst_after = done["dst"].iloc[-1]
            after = last

    def _id_batches(self, name: str, ids: Sequence[str], params: Mapping[str, Any]) -> list[list[str]]:
        """Split an id list for query ``name`` into ``$ids`` lists bounded in rows and encoded bytes."""
        col = self.dialect.column("id", "str", list(ids))
        sizes = np.maximum(col.pack, col.text + 2) if self.dialect.printed_parameters else col.pack
        fixed = self.dialect.fixed_size(load_query(name).text, params, rows_key="ids")
        batches = plan_batches(sizes, max_rows=self.batch_rows, max_bytes=self.batch_bytes, fixed_bytes=fixed,
                               describe=lambda i: f"user id {ids[i]!r}")
        return [list(ids[a:b]) for a, b in batches]

    def _by_ids(self, name: str, ids: Sequence[str], params: Mapping[str, Any]) -> tuple[list[pd.DataFrame], int]:
        frames, pages = [], 0
        for batch in self._id_batches(name, list(ids), params):
            frames.append(self.run(name, {"ids": batch, **params}))
            pages += 1
        return frames, pages

    def pull(self, *, since: float | None = None, until: float | None = None, accounts: Sequence[str] = (),
             hops: int = 1, kind_weights: Mapping[str, float] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        """Read (vertices, edges, pages) from the database: everything, a time window, or the
        ``hops``-neighbourhood (either direction) of ``accounts``, within the window if one is given.

        With a window, only relationships overlapping it (``last_ts >= since`` and
        ``first_ts <= until``) are read, and only the users they connect; edges with an unknown
        time are left out then. Reads go in pages of ``page_rows`` (keyset on ids). User ids are
        read as stored by kolgraph (strings); ``kind_weights`` fill in weights missing in the database.
        """
        if since is not None and until is not None and since > until:
            raise InputError("--since/--until", f"the window is empty: since {since} > until {until}")
        window = self._window(since, until)
        windowed = since is not None or until is not None
        pages = 0
        with progress(quiet=self.quiet, desc=f"pull from {self.dialect.name}", unit="row") as bar:
            if accounts:
                if hops < 0:
                    raise InputError("--hops", f"must be >= 0, got {hops}")
                accounts = list(dict.fromkeys(str(a) for a in accounts))
                found, n = self._by_ids("pull_users_by_id", accounts, {})
                pages += n
                present = set(pd.concat(found)["id"].astype(str)) if found else set()
                missing = [a for a in accounts if a not in present]
                if missing:
                    raise UnknownAccountError(f"not in the database: {', '.join(missing[:10])}"
                                              + (" ..." if len(missing) > 10 else ""))
                members = pd.Index(accounts, dtype="str")
                frontier = members
                for _ in range(hops):
                    if not len(frontier):
                        break
                    found, n = self._by_ids("neighbours", list(frontier), window)
                    pages += n
                    reached = (pd.Index(pd.concat(found)["id"].astype(str).unique(), dtype="str")
                               if found and sum(len(f) for f in found) else pd.Index([], dtype="str"))
                    frontier = reached.difference(members)
                    members = members.append(frontier)
                frames, n = self._by_ids("pull_rels_by_source", list(members), window)
                pages += n
                edges = self._rels_frame(frames, kind_weights)
                edges = edges[edges["dst"].isin(members)].reset_index(drop=True)
                user_frames, n = self._by_ids("pull_users_by_id", list(members), {})
                pages += n
            else:
                frames, n = self._pages_of_rels(window, bar)
                pages += n
                edges = self._rels_frame(frames, kind_weights)
                if windowed:
                    ends = pd.unique(pd.concat([edges["src"], edges["dst"]], ignore_index=True))
                    user_frames, n = self._by_ids("pull_users_by_id", list(ends), {})
                    pages += n
                else:
                    user_frames, after = [], ""
                    while True:
                        page = self.run("pull_users", {"after": after, "limit": self.page_rows})
                        pages += 1
                        user_frames.append(page)
                        bar.update(len(page))
                        if len(page) < self.page_rows:
                            break
                        after = page["id"].iloc[-1]
        vertices = self._users_frame(user_frames)
        return vertices, edges, pages

    def pull_workspace(self, out: str | os.PathLike, *, since: float | None = None, until: float | None = None,
                       accounts: Sequence[str] = (), hops: int = 1,
                       kind_weights: Mapping[str, float] | None = None) -> PullReport:
        """Pull (see :meth:`pull`) and write the result as a workspace at ``out``."""
        started = time.perf_counter()
        vertices, edges, pages = self.pull(since=since, until=until, accounts=accounts, hops=hops,
                                           kind_weights=kind_weights)
        selection = {"since": since, "until": until, "accounts": list(accounts), "hops": hops if accounts else None}
        ws = write_workspace_from_edges(out, edges, vertices, kind_weights=kind_weights,
                                        source={"server": self.dialect.name, "database": self.database,
                                                "selection": selection})
        return PullReport(workspace=ws, users=len(vertices), relationships=len(edges),
                          interactions=int(edges["count"].sum()) if len(edges) else 0, pages=pages,
                          seconds=time.perf_counter() - started, selection=selection)


def detect_dialect(driver, database: str | None = None, *, retries: int = 5, backoff: float = 0.5) -> Dialect:
    """Which server the driver talks to: Neo4j answers ``dbms.components()``, FalkorDB ``db.meta.stats()``.

    (FalkorDB announces itself as "Neo4j/5.13.0" in the Bolt handshake, so the agent string cannot tell.)
    Unreachable servers, refused credentials and unknown databases raise :class:`GraphServerError`.
    """
    import neo4j.exceptions as ne

    helper = GraphStore(driver, database=database, dialect=NEO4J, retries=retries, backoff=backoff)
    for statement, dialect in ((_NEO4J_PROBE, NEO4J), (_FALKORDB_PROBE, FALKORDB)):
        def attempt(statement=statement, dialect=dialect) -> bool:
            try:
                with driver.session(database=database if dialect.named_databases else None) as session:
                    session.execute_read(lambda tx: tx.run(statement).consume())
                return True
            except ne.Neo4jError as exc:
                if _is_auth_error(exc) or "DatabaseNotFound" in str(getattr(exc, "code", "")):
                    raise
                return False

        if helper._retry("identifying the server", attempt):
            return dialect
    raise GraphServerError("cannot tell whether the server is Neo4j or FalkorDB (neither dbms.components() nor "
                           "db.meta.stats() answered); pass --dialect neo4j or --dialect falkordb")


_NEO4J_PROBE = "CALL dbms.components() YIELD name RETURN name"
_FALKORDB_PROBE = "CALL db.meta.stats()"


# ---- workspaces from edges ------------------------------------------------------------------------

def write_workspace_from_edges(out: str | os.PathLike, edges: pd.DataFrame, vertices: pd.DataFrame, *,
                               kind_weights: Mapping[str, float] | None = None,
                               source: Mapping[str, Any] | None = None) -> Workspace:
    """Write a workspace whose graph is exactly ``edges`` (one row per src, dst, kind) and ``vertices``.

    ``edges.parquet`` and ``vertices.parquet`` hold the given values unchanged (ids missing from
    ``vertices`` are appended). ``interactions.parquet`` is rebuilt so that later steps that read
    rows work: ``count`` rows per edge, the first at ``first_ts``, the last at ``last_ts``, the others
    at ``first_ts``, each with the edge's mean sentiment, empty text and row weight
    ``weight / (kind weight x count)``; collapsing it gives back the counts and times exactly (and
    weights and sentiments to rounding). The manifest records where the data came from.
    """
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    weights = {**DEFAULT_KIND_WEIGHTS, **(kind_weights or {})}
    missing_cols = [c for c in EDGE_COLUMNS if c not in edges]
    if missing_cols:
        raise InputError("(edges)", f"missing columns {', '.join(missing_cols)}")
    table = vertices.reset_index(drop=True).copy()
    table["user_id"] = table["user_id"].astype("str")
    ends = pd.Index(pd.unique(pd.concat([edges["src"], edges["dst"]], ignore_index=True).astype("str")))
    extra = ends[~ends.isin(table["user_id"])]
    if len(extra):
        table = pd.concat([table, pd.DataFrame({"user_id": pd.Series(extra, dtype="str")})], ignore_index=True)
    for column, dtype in (("display_name", "str"), ("followers", "float64"), ("verified", "float64")):
        if column not in table:
            table[column] = pd.Series(np.nan if dtype == "float64" else None, index=table.index, dtype=dtype)
    table = table[["user_id", "display_name", "followers", "verified"]]
    names = pd.Index(table["user_id"])
    edges = edges[list(EDGE_COLUMNS)].copy()
    edges["src"] = edges["src"].astype("str")
    edges["dst"] = edges["dst"].astype("str")
    edges["kind"] = pd.Categorical(edges["kind"].astype(str), categories=list(KINDS))
    if edges["kind"].isna().any():
        raise InputError("(edges)", "kind must be one of " + ", ".join(KINDS))
    edges["count"] = edges["count"].astype(np.int64)
    if (edges["count"] < 1).any():
        raise InputError("(edges)", "every edge needs count >= 1")
    src_pos = names.get_indexer(edges["src"])
    dst_pos = names.get_indexer(edges["dst"])
    order = np.lexsort((edges["kind"].cat.codes.to_numpy(), dst_pos, src_pos))
    edges = edges.iloc[order].reset_index(drop=True)
    if edges.duplicated(["src", "dst", "kind"]).any():
        raise InputError("(edges)", "more than one edge per (src, dst, kind)")

    # interactions: `count` rows per edge (vectorised with np.repeat)
    count = edges["count"].to_numpy()
    owner = np.repeat(np.arange(len(edges)), count)
    offsets = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    first = edges["first_ts"].to_numpy(dtype="float64")
    last = edges["last_ts"].to_numpy(dtype="float64")
    is_last = (offsets == count[owner] - 1) & (count[owner] > 1)
    timestamp = np.where(is_last, last[owner], first[owner])
    kind_weight = np.array([weights[k] for k in KINDS])[edges["kind"].cat.codes.to_numpy()]
    with np.errstate(divide="ignore", invalid="ignore"):
        row_weight = edges["weight"].to_numpy(dtype="float64") / (kind_weight * count)
    row_weight = np.where(np.isclose(row_weight, 1.0, rtol=1e-12, atol=0.0), 1.0, row_weight)
    interactions = pd.DataFrame({
        "src": edges["src"].to_numpy()[owner],
        "dst": edges["dst"].to_numpy()[owner],
        "kind": pd.Categorical.from_codes(edges["kind"].cat.codes.to_numpy()[owner], categories=list(KINDS)),
        "timestamp": timestamp,
        "text": pd.Series("", index=range(len(owner)), dtype="str"),
        "sentiment": edges["sentiment"].to_numpy(dtype="float64")[owner],
        "post_id": pd.Series(None, index=range(len(owner)), dtype="str"),
        "weight": row_weight[owner],
    })
    interactions["src"] = interactions["src"].astype("str")
    interactions["dst"] = interactions["dst"].astype("str")
    n_rows = int(len(interactions))
    return write_tables(
        target, interactions=interactions, edges=edges, vertices=table, rejects=None,
        inputs={"interactions": [], "users": [], "graph_database": dict(source or {})},
        counts={"interactions": {"read": n_rows, "kept": n_rows, "rejected": 0, "duplicate": 0},
                "users": {"read": int(len(vertices)), "kept": int(len(vertices)), "rejected": 0, "duplicate": 0}},
        parameters={"kind_weights": weights, "interactions": "rebuilt from edges (count rows per edge)"})


# ---- one-call entry points (what the CLI calls) -------------------------------------------------------

def push_workspace(driver, workspace: Workspace | str | os.PathLike, *, database: str | None = None,
                   dialect: str | Dialect | None = None, with_analysis: bool = False, replace: bool = False,
                   batch_rows: int | None = None, batch_bytes: int | None = None, retries: int = 5,
                   backoff: float = 0.5, quiet: bool = True) -> PushReport:
    """Push a workspace (users, relationships, optionally its analysis) through ``driver``."""
    store = GraphStore(driver, database=database, dialect=dialect, batch_rows=batch_rows, batch_bytes=batch_bytes,
                       retries=retries, backoff=backoff, quiet=quiet)
    return store.push_workspace(workspace, with_analysis=with_analysis, replace=replace)


def write_analysis(driver, workspace: Workspace | str | os.PathLike, *, database: str | None = None,
                   dialect: str | Dialect | None = None, batch_rows: int | None = None,
                   batch_bytes: int | None = None, retries: int = 5, backoff: float = 0.5,
                   quiet: bool = True) -> WriteBackReport:
    """Write a workspace's analysis (analysis/users.parquet, communities.csv) back to the database."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    store = GraphStore(driver, database=database, dialect=dialect, batch_rows=batch_rows, batch_bytes=batch_bytes,
                       retries=retries, backoff=backoff, quiet=quiet)
    return store.write_analysis_from_workspace(ws)


def pull_workspace(driver, out: str | os.PathLike, *, database: str | None = None,
                   dialect: str | Dialect | None = None, since: float | None = None, until: float | None = None,
                   accounts: Sequence[str] = (), hops: int = 1, page_rows: int = 10_000,
                   batch_rows: int | None = None, batch_bytes: int | None = None, retries: int = 5,
                   backoff: float = 0.5, quiet: bool = True) -> PullReport:
    """Build a workspace at ``out`` from the database: all of it, a time window, or a neighbourhood."""
    store = GraphStore(driver, database=database, dialect=dialect, page_rows=page_rows, batch_rows=batch_rows,
                       batch_bytes=batch_bytes, retries=retries, backoff=backoff, quiet=quiet)
    return store.pull_workspace(out, since=since, until=until, accounts=accounts, hops=hops)


def run_named_query(driver, name: str, params: Mapping[str, Any] | None = None, *, database: str | None = None,
                    dialect: str | Dialect | None = None, retries: int = 5, backoff: float = 0.5) -> pd.DataFrame:
    """Run a library query (``queries/NAME.cypher``) with typed parameters; rows as a frame."""
    query = load_query(name)
    if query.internal:
        raise InputError("query", f"{name!r} is internal to the store; available: {', '.join(list_queries())}")
    return GraphStore(driver, database=database, dialect=dialect, retries=retries, backoff=backoff).run(name, params)
