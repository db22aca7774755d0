"""Push a graph (users, then relationships per kind) in bounded, idempotent ``MERGE`` batches.

Graph model: ``(:User {id, display_name, followers, verified})`` and one relationship per
(src, dst, kind): ``:REPOSTED``, ``:REPLIED`` or ``:MENTIONED`` with ``count``, ``weight``,
``first_ts``, ``last_ts`` (epoch seconds) and ``sentiment`` (unknown values are absent). Every
property is set to the pushed value, so pushing twice changes nothing and a push that was cut off
is repaired by running it again.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...errors import GraphServerError
from ...progress import progress
from ...schema import KINDS
from ..dialect import REL_TYPES
from ..workspace import Workspace, as_workspace
from .batching import BatchLog
from .reports import PushReport
from .writeback import read_workspace_analysis, write_analysis_tables

if TYPE_CHECKING:  # pragma: no cover
    from .store import GraphStore

__all__ = ["push_graph", "push_workspace_graph"]


def push_graph(store: "GraphStore", vertices: pd.DataFrame, edges: pd.DataFrame, *,
               replace: bool = False) -> PushReport:
    """Merge users, then their relationships per kind; every batch bounded in rows and bytes.

    ``vertices`` has ``user_id`` and any of display_name, followers, verified; ``edges`` the
    workspace's edge columns. With ``replace`` every :User and :Community node is deleted first.
    """
    started = time.perf_counter()
    retries_before = store.retry_count
    dialect = store.dialect
    store.ensure_schema()
    if replace:
        store.clear()
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
    with progress(total=total, quiet=store.quiet, desc=f"push to {dialect.name}", unit="row") as bar:
        log.extend(store.write_rows("merge_users", user_cols, describe=lambda i: f"user {ids.iloc[i]!r}", bar=bar))
        kind = edges["kind"].astype(str).to_numpy()
        for k in KINDS:
            part = edges[kind == k].reset_index(drop=True)
            rel_type = REL_TYPES[k]
            cols = [dialect.column("src", "str", part["src"].astype(str)),
                    dialect.column("dst", "str", part["dst"].astype(str)),
                    dialect.column("count", "int", part["count"])]
            cols += [dialect.column(c, "float", part[c]) for c in ("weight", "first_ts", "last_ts", "sentiment")]
            part_log = store.write_rows(
                f"merge_{rel_type.lower()}", cols, bar=bar,
                describe=lambda i, p=part: f"edge {p['src'].iloc[i]!r} -> {p['dst'].iloc[i]!r}")
            if part_log.matched != len(part):
                raise GraphServerError(f"{len(part) - part_log.matched:,} {rel_type} relationships found no "
                                       f"user at one end: {_unfindable(store, part)}")
            rels[rel_type] = len(part)
            log.extend(part_log)
    return PushReport(
        dialect=dialect.name, users=len(vertices), relationships=rels,
        interactions=int(edges["count"].sum()) if len(edges) else 0,
        batch_rows=tuple(log.rows), batch_bytes=tuple(log.bytes), max_batch_rows=store.batch_rows,
        max_batch_bytes=store.batch_bytes, nodes_created=log.counters.get("nodes_created", 0),
        relationships_created=log.counters.get("relationships_created", 0),
        retries=store.retry_count - retries_before, seconds=time.perf_counter() - started,
        database_counts=store.counts())


def _unfindable(store: "GraphStore", edges: pd.DataFrame) -> str:
    """Why relationship rows found no user: the ends the server cannot find by id, named (error path only)."""
    ends = pd.unique(pd.concat([edges["src"], edges["dst"]], ignore_index=True).astype(str))
    frames, _ = store.run_by_ids("pull_users_by_id", list(ends), {})
    found = set(pd.concat(frames)["id"].astype(str)) if frames else set()
    missing = [e for e in ends if e not in found]
    if not missing:
        return "users were deleted during the push? push again"
    shown = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
    hint = ("; FalkorDB's id index cannot find some ids that hold control characters or begin or end with "
            "whitespace: clean those ids, or use Neo4j" if store.dialect.printed_parameters else
            "; users were deleted during the push? push again")
    return f"the server cannot find {len(missing):,} user id(s) it was sent: {shown}{hint}"


def push_workspace_graph(store: "GraphStore", workspace: Workspace | str | os.PathLike, *,
                         with_analysis: bool = False, replace: bool = False, verify: bool = True) -> PushReport:
    """Push a workspace's users and edges; with ``with_analysis`` also write its analysis back.

    With ``verify`` (default) the workspace's tables are hashed and checked against its manifest
    first (:meth:`Workspace.verify`), so a tampered or truncated workspace is refused before
    anything is sent; so is ``with_analysis`` without a complete analysis.
    """
    ws = as_workspace(workspace)
    if verify:
        ws.verify()  # every table (and committed result) against its sha256; a mismatch names the file
    analysis_tables = read_workspace_analysis(ws) if with_analysis else None  # missing: refused before sending
    report = push_graph(store, ws.vertices(), ws.edges(), replace=replace)
    if analysis_tables is not None:
        analysis = write_analysis_tables(store, *analysis_tables)
        report = dataclasses.replace(report, analysis=analysis, database_counts=store.counts())
    return report
