"""Centrality: one table of influence, reach, embeddedness and brokerage per user.

Directions follow the methods page (section 1): edge ``u -> v`` means u engaged v's content, so
attention flows u -> v and influence v -> u. Self-loops are excluded from every metric here
(a user reposting themself is not influence). Metrics, all keyed by user id:

- ``pagerank``: weighted PageRank on the ``u -> v`` graph (Page, Brin et al. 1999), weights =
  edge ``weight`` summed over kinds; v ranks high when many (influential) users engage v.
  Dangling users (engaging nobody) jump uniformly; sums to 1. Power iteration with scipy.sparse
  to an L1 change below ``tol``; matches igraph's PRPACK result to ~1e-10.
  ``pagerank_pct``: percentile rank 0..100 (100 = top; ties share their mid-rank, so on a graph
  where everyone ties, everyone gets 50). Values are rounded to 1e-9 relative to the mean
  before ranking so floating-point noise does not split ties.
- ``hub`` / ``authority``: weighted HITS (Kleinberg 1999) on the same graph by power iteration
  from a vector of ones (scipy.sparse; igraph's ARPACK version is slower at scale), each scaled
  to max 1, so in [0, 1]. Authorities are engaged by good hubs (accounts people act on); hubs
  engage good authorities (active engagers).
- ``in_strength`` / ``out_strength`` (+ ``_repost``, ``_reply``, ``_mention``): summed
  ``weight`` of edges into / out of the user, in total and per kind (per-kind columns sum to the
  total when every edge has a known kind). ``in_count`` / ``out_count``: interactions (edge
  ``count``) received / made; ``out_count_<kind>``: interactions made per kind (e.g. reposts).
  ``distinct_engagers``: number of distinct other users with any
  edge into the user (not interactions).
- ``coreness``: k-core number on the undirected simple projection (Seidman 1983), >= 0.
- ``participation``: P_u = 1 - sum_c (k_uc / k_u)^2 over the weighted undirected projection
  given a community membership (Guimera & Amaral 2005), in [0, 1); 0 for users without edges,
  NaN when no membership is given.
- ``betweenness``: hop-count betweenness on the undirected projection, normalised to [0, 1];
  exact (Brandes) or sampled with the Riondato-Kornaropoulos additive error bound
  (:mod:`kolgraph.algorithms.betweenness`, which also runs it beside other work at scale).

Everything is vectorised (numpy, scipy.sparse, igraph calls); the only Python loop that scales is
the per-sample loop of sampled betweenness, over ``r`` samples, not users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import rankdata

from ..schema import ConfigError, KINDS, KolgraphError
from .betweenness import (
    BETWEENNESS_MODES,
    BetweennessResult,
    PendingBetweenness,
    betweenness,
    betweenness_values,
    check_betweenness,
)
from .projection import EdgeArrays, checked_edges, edge_arrays, make_undirected, membership_array
from .row_blocks import RowBlocks

__all__ = [
    "COLUMNS",
    "BETWEENNESS_MODES",
    "CentralityResult",
    "BetweennessResult",
    "centrality_table",
    "pagerank",
    "hits",
    "strengths",
    "distinct_engagers",
    "coreness",
    "participation_coefficient",
    "betweenness",
]

#: Columns of :meth:`CentralityResult.to_frame`, in order.
COLUMNS: tuple[str, ...] = (
    "user_id", "pagerank", "pagerank_pct", "hub", "authority", "in_strength", "out_strength",
    *(f"in_strength_{k}" for k in KINDS), *(f"out_strength_{k}" for k in KINDS),
    "in_count", "out_count", *(f"out_count_{k}" for k in KINDS), "distinct_engagers", "coreness",
    "participation", "betweenness",
)


# ---------------------------------------------------------------------------------------------
# the graph as arrays (computed once per call)

def _adjacency(e: EdgeArrays) -> sp.csr_matrix:
    """Weighted directed adjacency W[u, v] = summed weight of u -> v (all kinds), one entry per pair."""
    W = sp.csr_matrix((e.weight, (e.src, e.dst)), shape=(e.n, e.n))
    W.sum_duplicates()
    return W


def _series(values: np.ndarray, names: np.ndarray, name: str) -> pd.Series:
    return pd.Series(values, index=pd.Index(pd.array(names.tolist(), dtype="str"), name="user_id"),
                     name=name)


# ---------------------------------------------------------------------------------------------
# PageRank and HITS

def _pagerank(W: sp.csr_matrix, damping: float, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    n = W.shape[0]
    if n == 0:
        return np.zeros(0), 0
    out = np.asarray(W.sum(axis=1)).ravel()
    dangling = out <= 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out))
    WT = RowBlocks(W.T.tocsr())  # products over row blocks in threads: the same numbers
    x = np.full(n, 1.0 / n)
    for iteration in range(1, max_iter + 1):
        y = damping * (WT @ (x * inv))
        y += (damping * x[dangling].sum() + (1.0 - damping)) / n
        y /= y.sum()
        change = np.abs(y - x).sum()
        x = y
        if change < tol:
            return x, iteration
    raise KolgraphError(f"PageRank did not converge in {max_iter} iterations; raise max_iter or tol")


def _hits(W: sp.csr_matrix, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, int]:
    n = W.shape[0]
    if W.nnz == 0:
        return np.zeros(n), np.zeros(n), 0
    WT, W = RowBlocks(W.T.tocsr()), RowBlocks(W)  # products over row blocks in threads: the same numbers
    hub = np.ones(n)
    authority = np.zeros(n)
    for iteration in range(1, max_iter + 1):
        new_authority = WT @ hub
        new_authority /= new_authority.max()
        new_hub = W @ new_authority
        new_hub /= new_hub.max()
        change = np.abs(new_hub - hub).sum() + np.abs(new_authority - authority).sum()
        hub, authority = new_hub, new_authority
        if change < tol * n:
            return hub, authority, iteration
    raise KolgraphError(f"HITS did not converge in {max_iter} iterations; raise max_iter or tol")


def _percentile(values: np.ndarray) -> np.ndarray:
    n = len(values)
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.full(1, 50.0)
    scale = np.abs(values).mean() or 1.0
    ranks = rankdata(np.round(values / scale, 9), method="average")
    return 100.0 * (ranks - 1.0) / (n - 1.0)


def pagerank(g: ig.Graph, *, damping: float = 0.85, weight: str | None = "weight",
             tol: float = 1e-10, max_iter: int = 1000) -> pd.Series:
    """Weighted PageRank on the ``u -> v`` (engager -> engaged) graph; sums to 1 (module doc).

    ``damping`` in (0, 1); ``tol``: L1 change between iterations at which to stop. Example::

        pagerank(g).nlargest(10)
    """
    _check_damping(damping)
    e = edge_arrays(g, weight)
    return _series(_pagerank(_adjacency(e), damping, tol, max_iter)[0], e.names, "pagerank")


def hits(g: ig.Graph, *, weight: str | None = "weight", tol: float = 1e-10,
         max_iter: int = 10_000) -> pd.DataFrame:
    """Weighted HITS hub and authority scores in [0, 1] (max 1), indexed by user id (module doc)."""
    e = edge_arrays(g, weight)
    hub, authority, _ = _hits(_adjacency(e), tol, max_iter)
    frame = pd.DataFrame({"hub": hub, "authority": authority})
    frame.index = _series(hub, e.names, "hub").index
    return frame


# ---------------------------------------------------------------------------------------------
# strengths, counts, engagers

def _strengths(e: EdgeArrays) -> dict[str, np.ndarray]:
    n = e.n
    columns = {
        "in_strength": np.bincount(e.dst, weights=e.weight, minlength=n),
        "out_strength": np.bincount(e.src, weights=e.weight, minlength=n),
    }
    for side, ends in (("in", e.dst), ("out", e.src)):
        for code, kind in enumerate(KINDS):
            mask = e.kind == code
            columns[f"{side}_strength_{kind}"] = np.bincount(ends[mask], weights=e.weight[mask], minlength=n)
    columns["in_count"] = np.bincount(e.dst, weights=e.count, minlength=n).astype(np.int64)
    columns["out_count"] = np.bincount(e.src, weights=e.count, minlength=n).astype(np.int64)
    for code, kind in enumerate(KINDS):
        mask = e.kind == code
        columns[f"out_count_{kind}"] = np.bincount(e.src[mask], weights=e.count[mask], minlength=n).astype(np.int64)
    return columns


def _distinct_engagers(e: EdgeArrays, W: sp.csr_matrix | None = None) -> np.ndarray:
    """Stored entries per column of the summed adjacency = distinct engagers (no sort of 10M keys)."""
    W = _adjacency(e) if W is None else W
    return np.bincount(W.indices, minlength=e.n).astype(np.int64)


def strengths(g: ig.Graph, *, weight: str | None = "weight") -> pd.DataFrame:
    """In/out strength (summed ``weight``) in total and per kind, and in/out interaction counts.

    Indexed by user id; self-loops excluded. Columns: in_strength, out_strength,
    in_strength_<kind>, out_strength_<kind> for repost/reply/mention, in_count, out_count,
    out_count_<kind>.
    """
    e = edge_arrays(g, weight)
    frame = pd.DataFrame(_strengths(e))
    frame.index = _series(np.zeros(e.n), e.names, "x").index
    return frame


def distinct_engagers(g: ig.Graph) -> pd.Series:
    """Number of distinct users u != v with at least one edge u -> v (any kind), per user v."""
    e = edge_arrays(g, None)
    return _series(_distinct_engagers(e), e.names, "distinct_engagers")


# ---------------------------------------------------------------------------------------------
# coreness and participation

def _projection(e: EdgeArrays):
    return e.undirected


def _coreness(n: int, a: np.ndarray, b: np.ndarray, h: ig.Graph | None = None) -> np.ndarray:
    """k-core numbers; ``h``: the projection as igraph if already built (weights are ignored)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray((make_undirected(n, a, b, None) if h is None else h).coreness(), dtype=np.int64)


def coreness(g: ig.Graph) -> pd.Series:
    """k-core number of every user on the undirected simple projection (Seidman 1983)."""
    e = edge_arrays(g, None)
    a, b, _ = _projection(e)
    return _series(_coreness(e.n, a, b), e.names, "coreness")


def _participation(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, membership: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.zeros(0)
    k = int(membership.max()) + 1
    rows = np.r_[a, b]
    cols = membership[np.r_[b, a]]
    weights = np.r_[w, w]
    per_community = sp.csr_matrix((weights, (rows, cols)), shape=(n, k))
    per_community.sum_duplicates()
    strength = np.asarray(per_community.sum(axis=1)).ravel()
    squares = np.bincount(np.repeat(np.arange(n), np.diff(per_community.indptr)),
                          weights=per_community.data ** 2, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 1.0 - squares / strength ** 2
    return np.where(strength > 0, np.clip(p, 0.0, 1.0), 0.0)


def participation_coefficient(g: ig.Graph, membership: Any, *, weight: str | None = "weight") -> pd.Series:
    """Guimera-Amaral participation P_u = 1 - sum_c (k_uc / k_u)^2 on the weighted projection.

    ``membership``: a :class:`~kolgraph.algorithms.communities.CommunityResult`, a Series or
    mapping user id -> community, or an array in vertex order. In [0, 1); 0 without edges.
    Near 0: all ties inside one community; 0.5 and up: ties spread over communities (a bridge).
    """
    e = edge_arrays(g, weight)
    labels = membership_array(membership, e.names)
    a, b, w = _projection(e)
    return _series(_participation(e.n, a, b, w, labels), e.names, "participation")


def _check_damping(damping: float) -> None:
    if not 0.0 < float(damping) < 1.0:
        raise ConfigError(f"damping must be in (0, 1), got {damping!r}")


# ---------------------------------------------------------------------------------------------
# the table

@dataclass(frozen=True, eq=False)
class CentralityResult:
    """The centrality table (one row per user, columns :data:`COLUMNS`) and how it was made.

    ``methods``: metric -> how it was computed; ``betweenness_info``: method (exact / sampled /
    none), samples, epsilon, delta (the additive error bound at confidence 1 - delta) and the
    vertex-diameter bound used.
    """

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    table: pd.DataFrame = field(repr=False)
    methods: Mapping[str, str] = field(default_factory=dict)
    betweenness_info: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table: ``user_id`` then the metric columns (see the module docstring)."""
        return self.table.copy()


_METHODS = {
    "pagerank": "weighted PageRank on u->v (engager->engaged), self-loops excluded, power iteration",
    "pagerank_pct": "percentile rank of pagerank, 0..100, ties at their mid-rank",
    "hub": "weighted HITS hub score on u->v, power iteration from ones, max 1",
    "authority": "weighted HITS authority score on u->v, power iteration from ones, max 1",
    "strength": "summed edge weight in/out, total and per kind, self-loops excluded",
    "count": "summed edge count (interactions) in/out, self-loops excluded",
    "distinct_engagers": "distinct other users with an edge into the user",
    "coreness": "k-core number on the undirected simple projection",
    "participation": "Guimera-Amaral participation on the weighted undirected projection",
    "betweenness": "hop-count betweenness on the undirected projection, normalised by (n-1)(n-2)/2",
}


def centrality_table(g: ig.Graph | None, *, membership: Any = None, damping: float = 0.85,
                     betweenness: str = "auto", exact_max_vertices: int = 5000,
                     betweenness_samples: int | None = None, seed: int | None = 0,
                     betweenness_epsilon: float = 0.03, betweenness_delta: float = 0.1,
                     weight: str | None = "weight", tol: float = 1e-10,
                     quiet: bool = True, edges: EdgeArrays | None = None,
                     betweenness_job: PendingBetweenness | None = None,
                     coreness: np.ndarray | None = None) -> CentralityResult:
    """Every centrality metric of every user in one table keyed by user id (module docstring).

    ``membership`` (CommunityResult, Series/mapping user id -> community, or array in vertex
    order) enables ``participation``; without it the column is NaN. ``betweenness``: "auto",
    "exact", "sampled" or "none"; see :func:`betweenness` for the sampling options. ``seed``
    drives the betweenness sample only; every other metric is deterministic. The input graph is
    not modified. ``edges``: ``g``'s :class:`~kolgraph.algorithms.projection.EdgeArrays` (with
    ``weight``) if the caller has them; their shared projection is then used too.
    ``betweenness_job``: betweenness already started on this graph with the same options
    (:func:`~kolgraph.algorithms.betweenness.start_betweenness`, e.g. in a worker process while
    communities were detected); its values are collected instead of computed here. ``coreness``:
    the k-core numbers of this graph's projection if already computed (e.g. by
    :func:`~kolgraph.algorithms.communities.start_communities`' worker), in vertex order. Example::

        comm = detect_communities(g, seed=1)
        table = centrality_table(g, membership=comm, seed=1).to_frame()
        table.nlargest(10, "pagerank")
    """
    _check_damping(damping)
    check_betweenness(betweenness, exact_max_vertices, betweenness_samples, betweenness_epsilon,
                       betweenness_delta)
    e = checked_edges(g, edges, weight)
    n = e.n
    options = {"mode": betweenness, "exact_max_vertices": int(exact_max_vertices), "samples": betweenness_samples,
               "epsilon": float(betweenness_epsilon), "delta": float(betweenness_delta), "seed": seed}
    if betweenness_job is not None and (betweenness_job.n != n or betweenness_job.options != options):
        betweenness_job.cancel()
        raise KolgraphError(f"the betweenness job was started with other options or another graph "
                            f"({betweenness_job.options}, {betweenness_job.n} users; here {options}, {n} users)")
    W = _adjacency(e)
    rank, pagerank_iterations = _pagerank(W, damping, tol, 1000)
    hub, authority, hits_iterations = _hits(W, tol, 10_000)
    columns: dict[str, Any] = {
        "user_id": pd.array(e.names.tolist(), dtype="str"),
        "pagerank": rank,
        "pagerank_pct": _percentile(rank),
        "hub": hub,
        "authority": authority,
    }
    columns.update(_strengths(e))
    columns["distinct_engagers"] = _distinct_engagers(e, W)
    a, b, w = e.undirected
    if coreness is not None:
        core = np.asarray(coreness, dtype=np.int64)
        if core.shape != (n,):
            raise KolgraphError(f"coreness has {core.size} values for {n} users")
        columns["coreness"], h = core, None
    else:
        h = e.undirected_graph if edges is not None else None  # shared with communities when given
        columns["coreness"] = _coreness(n, a, b, h)
    if membership is None:
        columns["participation"] = np.full(n, np.nan)
    else:
        columns["participation"] = _participation(n, a, b, w, membership_array(membership, e.names))
    if betweenness_job is not None:
        values, info = betweenness_job.result()
    else:
        values, info = betweenness_values(n, a, b, mode=betweenness, exact_max_vertices=exact_max_vertices,
                                          samples=betweenness_samples, epsilon=betweenness_epsilon,
                                          delta=betweenness_delta, seed=seed, quiet=quiet, h=h)
    columns["betweenness"] = values
    table = pd.DataFrame(columns)[list(COLUMNS)]
    parameters = {"damping": float(damping), "weight": weight, "tol": float(tol),
                  "betweenness": betweenness, "exact_max_vertices": int(exact_max_vertices),
                  "betweenness_samples": betweenness_samples,
                  "betweenness_epsilon": float(betweenness_epsilon),
                  "betweenness_delta": float(betweenness_delta),
                  "membership": None if membership is None else
                  str(getattr(membership, "method", "given")),
                  "pagerank_iterations": pagerank_iterations, "hits_iterations": hits_iterations}
    return CentralityResult(method="centrality_table", parameters=parameters, seed=seed, table=table,
                            methods=dict(_METHODS), betweenness_info={**info,
                            "distance": "hops on the undirected projection"})
