"""A workspace from a graph database's edges: the table of edges and users kept exactly as read.

A pull reads one row per (src, dst, kind) edge. :func:`write_workspace_from_edges` writes them as a
normal workspace, rebuilding the interaction rows later steps read (``count`` rows per edge), so
that collapsing the rows gives the pulled edges back.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ...errors import InputError
from ...schema import DEFAULT_KIND_WEIGHTS, EDGE_COLUMNS, KINDS
from ..workspace import Workspace, write_tables

__all__ = ["write_workspace_from_edges"]


def write_workspace_from_edges(out: str | os.PathLike, edges: pd.DataFrame, vertices: pd.DataFrame, *,
                               kind_weights: Mapping[str, float] | None = None,
                               source: Mapping[str, Any] | None = None, force: bool = False) -> Workspace:
    """Write a workspace whose graph is exactly ``edges`` (one row per src, dst, kind) and ``vertices``.

    ``edges.parquet`` and ``vertices.parquet`` hold the given values unchanged (ids missing from
    ``vertices`` are appended). ``interactions.parquet`` is rebuilt so that later steps that read
    rows work: ``count`` rows per edge, the first at ``first_ts``, the last at ``last_ts``, the others
    at ``first_ts``, each with the edge's mean sentiment, empty text and row weight
    ``weight / (kind weight x count)``; collapsing it gives back the counts and times exactly (and
    weights and sentiments to rounding). The manifest records where the data came from. ``out`` is
    replaced only if it is a kolgraph workspace holding nothing else (``force``: also one of another
    format version); see :func:`kolgraph.build.workspace.check_replaceable`.
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
        parameters={"kind_weights": weights, "interactions": "rebuilt from edges (count rows per edge)"},
        force=force)

