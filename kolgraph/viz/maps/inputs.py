"""What a map is drawn from: users and edges keyed by integer codes, with the analysis joined on.

Every edge (one row per src, dst, kind of ``edges.parquet``) carries:

- ``sentiment``: the mean sentiment of its interactions, the one the analysis used
  (``analysis/interaction_sentiment.parquet``: the input's sentiment column where given, else the
  text model's score), aggregated by (src, dst, kind) over the interactions with a known score;
  NaN when none is known. Without an analysis, the edge table's own ``sentiment`` (input column).
- ``sentiment_n``: how many of its interactions have a known sentiment (0 when none).
- ``attitude``: the signed attitude of src toward dst (``analysis/attitudes.parquet``, one value
  per ordered pair, so every kind between the two users shows it); NaN when unknown.

Joins go through one int64 key per (src code, dst code, kind code) and ``pandas.Index``
look-ups: no Python loop over interactions or edges.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import igraph as ig
import numpy as np
import pandas as pd

from ...algorithms.centrality import pagerank as graph_pagerank
from ...progress import progress
from ...errors import KolgraphError
from ...schema import KINDS

__all__ = ["MapInputs", "role_mask", "analysis_outputs", "annotate_edges", "code_ids", "edge_key", "mean_by_key", "load_map_inputs", "map_inputs_from_graph",
           "read_candidates"]

FLOAT_COLUMNS = ("followers", "pagerank", "pagerank_pct", "stance", "stance_support", "coreness",
                 "participation", "betweenness", "brand_affinity", "community_confidence")


@dataclass(frozen=True)
class MapInputs:
    """Everything a map is drawn from, keyed by integer codes into ``users`` (vertex order).

    ``users``: one row per user with user_id, display_name, followers, community (-1 unknown),
    pagerank, pagerank_pct (0-100), roles ("|"-joined, "" none), reasons, stance, stance_support,
    coreness, participation, betweenness, brand_affinity, community_confidence (NaN unknown).
    ``edges``: src, dst (int codes into users), kind, count, weight, sentiment (mean over the
    interactions with a known score, in [-1, 1]), sentiment_n, attitude (src toward dst).
    ``communities``: the analysis community table or None. ``analysis``: whether users came from
    ``kolgraph analyze`` (else PageRank was computed on the graph and there are no roles).
    ``candidates``: the KOLs vetted by ``kolgraph whatif`` (``whatif/summary.json``), in its order.
    """

    users: pd.DataFrame
    edges: pd.DataFrame
    communities: pd.DataFrame | None = None
    analysis: bool = False
    attitudes: pd.DataFrame | None = None
    source: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()


def role_mask(users: pd.DataFrame, *tags: str) -> np.ndarray:
    """Who holds any of ``tags``: the analysis's typed ``is_<tag>`` columns (the roles text only
    for tables without them, e.g. a hand-made analysis table passed to :func:`map_inputs_from_graph`)."""
    mask = np.zeros(len(users), dtype=bool)
    text = None
    for tag in tags:  # a loop over role tags, not over users
        column = f"is_{tag}"
        if column in users:
            mask |= users[column].fillna(False).to_numpy(dtype=bool)
        else:
            text = ("|" + users["roles"].astype(str) + "|") if text is None else text
            mask |= text.str.contains(f"|{tag}|", regex=False).to_numpy(dtype=bool)
    return mask


def _normalise_users(vertices: pd.DataFrame, analysis: pd.DataFrame | None) -> pd.DataFrame:
    """One row per vertex (vertex order) with every column the maps use, filled when missing."""
    users = vertices[["user_id"]].copy()
    users["user_id"] = users["user_id"].astype("str")
    for column in ("display_name", "followers"):
        users[column] = vertices[column] if column in vertices else np.nan
    if analysis is not None:
        extra = analysis.drop(columns=[c for c in ("followers",) if c in analysis]).copy()
        extra["user_id"] = extra["user_id"].astype("str")
        extra = extra.drop_duplicates("user_id")
        if "display_name" in extra:
            extra = extra.rename(columns={"display_name": "_analysis_name"})
        users = users.merge(extra, on="user_id", how="left")
        if "_analysis_name" in users:
            users["display_name"] = users["display_name"].where(users["display_name"].notna(), users["_analysis_name"])
            users = users.drop(columns="_analysis_name")
    users["display_name"] = users["display_name"].astype(object).where(users["display_name"].notna(), None)
    community = pd.to_numeric(users["community"], errors="coerce") if "community" in users else pd.Series(np.nan, index=users.index)
    users["community"] = community.fillna(-1).astype(np.int64)
    for column in FLOAT_COLUMNS:
        users[column] = pd.to_numeric(users[column], errors="coerce").astype("float64") if column in users else np.nan
    for column in ("roles", "reasons"):
        values = users[column] if column in users else pd.Series("", index=users.index)
        users[column] = values.astype(object).where(values.notna(), "").astype("str")
    return users


def _with_pagerank(users: pd.DataFrame, graph: ig.Graph | None) -> pd.DataFrame:
    """Fill pagerank / pagerank_pct where the analysis did not give them.

    PageRank comes from :func:`kolgraph.algorithms.centrality.pagerank` on the interaction graph
    (the analysis's definition), never recomputed here.
    """
    if len(users) and users["pagerank"].notna().all():
        if users["pagerank_pct"].isna().any():
            users = users.assign(pagerank_pct=users["pagerank"].rank(pct=True).to_numpy() * 100)
        return users
    if graph is None or not len(users):
        return users.assign(pagerank=0.0, pagerank_pct=0.0)
    pr = graph_pagerank(graph).reindex(pd.Index(users["user_id"].astype(str))).fillna(0.0).to_numpy(dtype="float64")
    return users.assign(pagerank=pr, pagerank_pct=pd.Series(pr).rank(pct=True).to_numpy() * 100)


def code_ids(column: pd.Series | np.ndarray, ids: pd.Series | np.ndarray, *, what: str = "an edge") -> np.ndarray:
    """Integer codes of ``column``'s ids into ``ids`` (hash look-up in Arrow, C++ speed).

    Raises :class:`KolgraphError` when an id is not among ``ids`` (the workspace is inconsistent).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = pa.array(pd.Series(ids).astype("str"), type=pa.string())
    found = pc.index_in(pa.array(pd.Series(column).astype("str"), type=pa.string()), value_set=value_set)
    if found.null_count:
        raise KolgraphError(f"{what} names a user missing from the vertex table; rebuild the workspace")
    return found.to_numpy(zero_copy_only=False).astype(np.int64)


def edge_key(src: np.ndarray, dst: np.ndarray, kind: np.ndarray | None, n: int) -> np.ndarray:
    """One int64 key per (src, dst[, kind]) code triple (``kind`` None: per ordered pair).

    >>> edge_key(np.array([0, 1]), np.array([1, 0]), np.array([2, 0]), 3).tolist()
    [5, 9]
    """
    pair = np.asarray(src, dtype=np.int64) * n + np.asarray(dst, dtype=np.int64)
    return pair if kind is None else pair * len(KINDS) + np.asarray(kind, dtype=np.int64)


def mean_by_key(keys: np.ndarray, values: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the finite ``values`` per key, looked up for each of ``targets``: (mean, count).

    Targets without a finite value get (NaN, 0). Vectorised (one sort, one bincount).

    >>> m, n = mean_by_key(np.array([7, 7, 3, 9]), np.array([1.0, -0.5, np.nan, 0.2]), np.array([7, 3, 4]))
    >>> m.round(2).tolist()[0], n.tolist()
    (0.25, [2, 0, 0])
    """
    values = np.asarray(values, dtype="float64")
    known = np.isfinite(values)
    uniq, inverse = np.unique(np.asarray(keys)[known], return_inverse=True)
    total = np.bincount(inverse, weights=values[known], minlength=len(uniq))
    count = np.bincount(inverse, minlength=len(uniq))
    where = pd.Index(uniq).get_indexer(np.asarray(targets))
    hit = where >= 0
    mean = np.full(len(where), np.nan)
    n = np.zeros(len(where), dtype=np.int64)
    mean[hit] = total[where[hit]] / count[where[hit]]
    n[hit] = count[where[hit]]
    return mean, n


def _code_edges(edges: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Edge table with src/dst replaced by integer codes into ``ids``."""
    sentiment = (edges["sentiment"].to_numpy(dtype="float64", na_value=np.nan)
                 if "sentiment" in edges else np.full(len(edges), np.nan))
    return pd.DataFrame({
        "src": code_ids(edges["src"], ids), "dst": code_ids(edges["dst"], ids),
        "kind": pd.Categorical(edges["kind"], categories=list(KINDS)),
        "count": edges["count"].to_numpy(dtype=np.int64) if "count" in edges else np.ones(len(edges), np.int64),
        "weight": edges["weight"].to_numpy(dtype="float64"),
        "sentiment": sentiment,
        "sentiment_n": np.where(np.isfinite(sentiment), edges["count"].to_numpy(dtype=np.int64)
                                if "count" in edges else 1, 0).astype(np.int64),
        "attitude": np.full(len(edges), np.nan),
    })


def _join_sentiment(edges: pd.DataFrame, ids: pd.Series, interactions: pd.DataFrame,
                    sentiment: np.ndarray) -> pd.DataFrame:
    """Edges with the mean per-interaction sentiment (src, dst, kind) of ``interactions``.

    ``interactions`` holds src, dst, kind of each scored interaction; ``sentiment`` its score
    (NaN unknown). Edges with no scored interaction keep their own value.
    """
    n = len(ids)
    kind = pd.Categorical(interactions["kind"], categories=list(KINDS)).codes.astype(np.int64)
    ok = kind >= 0
    keys = edge_key(code_ids(interactions["src"][ok], ids, what="an interaction"),
                    code_ids(interactions["dst"][ok], ids, what="an interaction"), kind[ok], n)
    targets = edge_key(edges["src"].to_numpy(), edges["dst"].to_numpy(), edges["kind"].cat.codes.to_numpy(), n)
    mean, count = mean_by_key(keys, sentiment[ok], targets)
    hit = count > 0
    return edges.assign(sentiment=np.where(hit, mean, edges["sentiment"].to_numpy()),
                        sentiment_n=np.where(hit, count, edges["sentiment_n"].to_numpy()))


def _join_attitudes(edges: pd.DataFrame, ids: pd.Series, attitudes: pd.DataFrame) -> pd.DataFrame:
    """Edges with the attitude of src toward dst (one value per ordered pair)."""
    n = len(ids)
    if attitudes is None or not len(attitudes):
        return edges
    keys = edge_key(code_ids(attitudes["src"], ids, what="an attitude"),
                    code_ids(attitudes["dst"], ids, what="an attitude"), None, n)
    first = ~pd.Index(keys).duplicated()  # one attitude per ordered pair (the table has one already)
    lookup = pd.Index(keys[first])
    values = attitudes["attitude"].to_numpy(dtype="float64")[first]
    where = lookup.get_indexer(edge_key(edges["src"].to_numpy(), edges["dst"].to_numpy(), None, n))
    return edges.assign(attitude=np.where(where >= 0, values[np.maximum(where, 0)], np.nan))


def read_candidates(path) -> tuple[str, ...]:
    """The vetted candidates of ``whatif/summary.json`` (``candidates[].candidate``), () if absent."""
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        return ()
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return ()
    found = summary.get("candidates") if isinstance(summary, Mapping) else None
    if not isinstance(found, list):
        return ()
    return tuple(str(c["candidate"]) for c in found if isinstance(c, Mapping) and c.get("candidate") is not None)


def annotate_edges(ws, outputs, edges: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Coded edges (src, dst codes into ``ids``, kind categorical) with the analysis's sentiment and attitudes.

    ``outputs`` (:class:`kolgraph.runs.outputs.AnalysisOutputs`, or None: edges returned as they
    are) gives ``interaction_sentiment.parquet`` (the score used per interaction row, joined to the
    workspace's interactions for src, dst and kind) and ``attitudes.parquet``.
    """
    if outputs is None:
        return edges
    scored = outputs.interaction_sentiment(["row", "sentiment"])
    scored = scored[np.isfinite(scored["sentiment"].to_numpy(dtype="float64", na_value=np.nan))]
    if len(scored):
        inter = ws.interactions(["src", "dst", "kind"])
        rows = scored["row"].to_numpy(dtype=np.int64)
        if rows.max(initial=-1) < len(inter):  # a stale table (workspace rebuilt) is ignored
            edges = _join_sentiment(edges, ids, inter.iloc[rows].reset_index(drop=True),
                                    scored["sentiment"].to_numpy(dtype="float64"))
        del inter
    return _join_attitudes(edges, ids, outputs.table("attitudes.parquet", ["src", "dst", "attitude"]))


def analysis_outputs(ws):
    """The workspace's :class:`~kolgraph.runs.outputs.AnalysisOutputs`, or None when it has no analysis."""
    from ...errors import AnalysisMissingError
    from ...runs.outputs import AnalysisOutputs

    try:
        return AnalysisOutputs.load(ws)
    except AnalysisMissingError:
        return None


def map_inputs_from_graph(g: ig.Graph, analysis: pd.DataFrame | None = None,
                          communities: pd.DataFrame | None = None,
                          attitudes: pd.DataFrame | None = None, candidates=()) -> MapInputs:
    """Map inputs from an in-memory graph (and optionally an analysis users table), e.g. for tests."""
    from ...build.graph import edge_frame, vertex_frame

    vertices = vertex_frame(g)
    users = _normalise_users(vertices, analysis)
    edges = _code_edges(edge_frame(g), users["user_id"])
    if attitudes is not None:
        edges = _join_attitudes(edges, users["user_id"], attitudes)
    users = _with_pagerank(users, g)
    return MapInputs(users=users, edges=edges, communities=communities, analysis=analysis is not None,
                     attitudes=attitudes, source="graph", candidates=tuple(map(str, candidates)))


def load_map_inputs(workspace, *, quiet: bool = True) -> MapInputs:
    """Read a workspace's tables and (if present) its analysis and what-if results for drawing.

    The analysis is read through :class:`kolgraph.runs.outputs.AnalysisOutputs`; without one the
    maps draw the raw graph sized by PageRank (``analysis`` False).
    """
    from ...build.workspace import as_workspace

    ws = as_workspace(workspace)
    steps = progress(total=4, desc="map: reading", quiet=quiet)
    vertices = ws.vertices()
    outputs = analysis_outputs(ws)
    analysis = outputs.users if outputs is not None else None
    steps.update()
    users = _normalise_users(vertices, analysis)
    raw = pd.read_parquet(ws.path / "edges.parquet", columns=["src", "dst", "kind", "count", "weight", "sentiment"])
    edges = _code_edges(raw, users["user_id"])
    del raw
    steps.update()
    edges = annotate_edges(ws, outputs, edges, users["user_id"])
    steps.update()
    users = _with_pagerank(users, None if outputs is not None and users["pagerank"].notna().all() else ws.graph_)
    steps.update()
    steps.close()
    return MapInputs(users=users, edges=edges, communities=outputs.communities if outputs is not None else None,
                     analysis=outputs is not None, attitudes=None, source=str(ws.path),
                     info={**(dict(outputs.info) if outputs is not None else {}),
                           "_attitudes_path": str(outputs.file("attitudes.parquet")) if outputs is not None else None},
                     candidates=read_candidates(ws.path / "whatif" / "summary.json"))
