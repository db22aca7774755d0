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
- ``betweenness``: on the undirected projection with hop-count distances (every tie has length
  1 whatever its weight: brokerage between groups, not volume; it also keeps the sampled bound
  exact, see below), normalised by the number of pairs of other users ``(n-1)(n-2)/2`` to [0, 1].
  ``exact``: Brandes' algorithm (igraph). ``sampled``: Riondato & Kornaropoulos (2016): ``r``
  uniformly random pairs of users, one uniformly random shortest path per pair (found with a
  balanced bidirectional BFS), each inner vertex scored 1/r. With probability >= 1 - delta every
  user's estimate is within epsilon of the exact value, for
  ``r = (c / epsilon^2) (floor(log2(VD - 2)) + 1 + ln(1 / delta))`` with c = 1 (the conservative
  universal constant; 0.5 is often quoted without proof) and VD an upper bound on the vertex
  diameter (per connected component, 2 x eccentricity of one vertex + 1, capped by its size).
  The bound is additive: at a million users it separates the main brokers from the rest; it
  does not rank the long tail. ``auto`` picks exact up to ``exact_max_vertices`` users.

Everything is vectorised (numpy, scipy.sparse, igraph calls); the only Python loop that scales is
the per-sample loop of sampled betweenness, over ``r`` samples, not users.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path
from scipy.stats import rankdata

from ..progress import progress
from ..schema import ConfigError, KINDS, KolgraphError
from .projection import EdgeArrays, checked_edges, collapse_undirected, edge_arrays, make_undirected, membership_array

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

#: Betweenness modes: "auto" (exact up to ``exact_max_vertices`` users), "exact", "sampled", "none".
BETWEENNESS_MODES: tuple[str, ...] = ("auto", "exact", "sampled", "none")

#: Universal constant c of the Riondato-Kornaropoulos sample size (conservative choice).
RK_CONSTANT = 1.0


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
    WT = W.T.tocsr()
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
    WT = W.T.tocsr()
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


# ---------------------------------------------------------------------------------------------
# betweenness

@dataclass(frozen=True, eq=False)
class BetweennessResult:
    """Normalised betweenness in [0, 1] per user (Series ``values`` indexed by user id).

    ``method``: "exact", "sampled" or "none" (all NaN). For "sampled": ``samples`` pairs drawn,
    and with probability >= 1 - ``delta`` every value is within ``epsilon`` (additive, same
    [0, 1] scale) of the exact one; ``vertex_diameter_bound`` is the VD used in the sample size.
    """

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    values: pd.Series = field(repr=False)
    samples: int = 0
    epsilon: float = 0.0
    delta: float = 0.0
    vertex_diameter_bound: int = 0

    def info(self) -> dict[str, Any]:
        """The metadata as a plain dict (what :class:`CentralityResult` records)."""
        return {"method": self.method, "distance": "hops on the undirected projection",
                "samples": self.samples, "epsilon": self.epsilon, "delta": self.delta,
                "vertex_diameter_bound": self.vertex_diameter_bound}

    def to_frame(self) -> pd.DataFrame:
        """``user_id``, ``betweenness``."""
        return self.values.rename("betweenness").reset_index()


def _symmetric_csr(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = np.r_[a, b]
    cols = np.r_[b, a]
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols[order].astype(np.int64)


def _vertex_diameter_bound(n: int, indptr: np.ndarray, indices: np.ndarray) -> int:
    """Upper bound on the vertex diameter: per component min(2 ecc(first vertex) + 1, size)."""
    if n == 0:
        return 0
    A = sp.csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(n, n))
    n_components, labels = connected_components(A, directed=False)
    first = np.full(n_components, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    # one BFS from a super-vertex joined to each component's first vertex
    rows = np.r_[np.repeat(np.arange(n), np.diff(indptr)), np.full(n_components, n)]
    cols = np.r_[indices, first]
    S = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    dist = shortest_path(S, method="D", directed=True, unweighted=True, indices=n)[:n] - 1.0
    eccentricity = np.zeros(n_components)
    np.maximum.at(eccentricity, labels, dist)
    sizes = np.bincount(labels, minlength=n_components)
    return int(np.minimum(2 * eccentricity + 1, sizes).max())


def _rk_size(vd: int, epsilon: float, delta: float) -> float:
    """The bracket of the Riondato-Kornaropoulos sample size, c * (floor(log2(VD-2)) + 1 + ln 1/delta)."""
    return RK_CONSTANT * (math.floor(math.log2(vd - 2)) + 1 + math.log(1.0 / delta))


def _choose(values: np.ndarray, weights: np.ndarray, u: float) -> int:
    cumulative = np.cumsum(weights)
    return int(values[min(int(np.searchsorted(cumulative, u * cumulative[-1], side="right")), len(values) - 1)])


def _rk_sample(n: int, indptr: np.ndarray, indices: np.ndarray, r: int, rng: np.random.Generator,
               quiet: bool) -> np.ndarray:
    """Counts of how often each vertex is an inner vertex of ``r`` sampled shortest paths.

    Each sample: a uniform pair (s, t), s != t; a balanced bidirectional BFS (expand the side whose
    frontier has the smaller degree sum) counting shortest paths (sigma) from each side, until the
    new level touches the other side; a meeting vertex m drawn with probability
    sigma_s(m) sigma_t(m) / sigma_st, then predecessors drawn proportional to sigma back to both
    ends: a uniformly random shortest s-t path. Work arrays are reset on the touched entries only.
    """
    degree = np.diff(indptr)
    dist = (np.full(n, -1, np.int32), np.full(n, -1, np.int32))
    sigma = (np.zeros(n), np.zeros(n))
    slot = np.zeros(n, np.int64)  # scratch: position of a vertex in the current level's list (no reset needed)
    hits: list[int] = []
    batch = 4096
    with progress(total=r, quiet=quiet, desc="betweenness samples") as bar:
        for start in range(0, r, batch):
            size = min(batch, r - start)
            sources = rng.integers(0, n, size=size)
            targets = rng.integers(0, n - 1, size=size)
            targets += targets >= sources
            for s, t in zip(sources.tolist(), targets.tolist()):
                ends = (s, t)
                visited: tuple[list, list] = ([np.array([s])], [np.array([t])])
                front = [visited[0][0], visited[1][0]]
                cost = [int(degree[s]), int(degree[t])]
                level = [0, 0]
                for side in (0, 1):
                    dist[side][ends[side]] = 0
                    sigma[side][ends[side]] = 1.0
                meeting = None
                while cost[0] > 0 and cost[1] > 0:
                    x = 0 if cost[0] <= cost[1] else 1
                    y = 1 - x
                    frontier = front[x]
                    starts = indptr[frontier]
                    lengths = indptr[frontier + 1] - starts
                    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
                    neighbours = indices[offsets + np.arange(int(lengths.sum()))]
                    new = dist[x][neighbours] == -1
                    neighbours = neighbours[new]
                    if not len(neighbours):
                        break                        # side x exhausted: t unreachable from s
                    level[x] += 1
                    # sigma of each new vertex: the sum over its parents, in list order (as a bincount);
                    # the distinct new vertices, sorted, without sorting the list with its repeats
                    np.add.at(sigma[x], neighbours, np.repeat(sigma[x][frontier], lengths)[new])
                    at = np.arange(len(neighbours))
                    slot[neighbours] = at
                    reached = np.sort(neighbours[slot[neighbours] == at])
                    dist[x][reached] = level[x]
                    visited[x].append(reached)
                    front[x] = reached
                    cost[x] = int(degree[reached].sum())
                    touching = reached[dist[y][reached] >= 0]
                    if len(touching):
                        meeting = (x, touching)
                        break
                if meeting is not None:
                    x, touching = meeting
                    y = 1 - x
                    m = _choose(touching, sigma[x][touching] * sigma[y][touching], rng.random())
                    if dist[y][m] > 0:
                        hits.append(m)
                    for side in (x, y):
                        current = m
                        while dist[side][current] > 1:
                            around = indices[indptr[current]:indptr[current + 1]]
                            before = around[dist[side][around] == dist[side][current] - 1]
                            current = _choose(before, sigma[side][before], rng.random())
                            hits.append(current)
                for side in (0, 1):
                    touched = np.concatenate(visited[side])
                    dist[side][touched] = -1
                    sigma[side][touched] = 0.0
            bar.update(size)
    return np.bincount(np.asarray(hits, dtype=np.int64), minlength=n).astype(np.float64)


def _betweenness(n: int, a: np.ndarray, b: np.ndarray, *, mode: str, exact_max_vertices: int,
                 samples: int | None, epsilon: float, delta: float, seed: int | None,
                 quiet: bool, h: ig.Graph | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    info: dict[str, Any] = {"method": mode, "samples": 0, "epsilon": 0.0, "delta": 0.0,
                            "vertex_diameter_bound": 0}
    if mode == "none":
        return np.full(n, np.nan), info
    if mode == "auto":
        mode = "exact" if n <= exact_max_vertices else "sampled"
    info["method"] = mode
    if n < 3 or not len(a):
        return np.zeros(n), info
    pairs = (n - 1) * (n - 2) / 2.0
    if mode == "exact":
        h = make_undirected(n, a, b, None) if h is None else h
        return np.asarray(h.betweenness(directed=False, weights=None), dtype=np.float64) / pairs, info
    indptr, indices = _symmetric_csr(n, a, b)
    vd = _vertex_diameter_bound(n, indptr, indices)
    info["vertex_diameter_bound"] = vd
    if vd < 3:                                       # no shortest path has an inner vertex
        return np.zeros(n), info
    bracket = _rk_size(vd, epsilon, delta)
    r = int(samples) if samples is not None else int(math.ceil(bracket / epsilon ** 2))
    counts = _rk_sample(n, indptr, indices, r, np.random.default_rng(seed), quiet)
    # RK normalise by ordered pairs n(n-1); rescale to pairs of other users (n-1)(n-2)
    scale = n / (n - 2.0)
    info.update(samples=r, delta=float(delta), epsilon=float(math.sqrt(bracket / r) * scale))
    return np.clip(counts / r * scale, 0.0, 1.0), info


def _check_betweenness(mode: str, exact_max_vertices: int, samples: int | None, epsilon: float,
                       delta: float) -> None:
    if mode not in BETWEENNESS_MODES:
        raise ConfigError(f"betweenness must be one of {', '.join(BETWEENNESS_MODES)}, got {mode!r}")
    if int(exact_max_vertices) != exact_max_vertices or exact_max_vertices < 0:
        raise ConfigError(f"exact_max_vertices must be an integer >= 0, got {exact_max_vertices!r}")
    if samples is not None and (int(samples) != samples or samples < 1):
        raise ConfigError(f"betweenness samples must be a positive integer, got {samples!r}")
    if not 0.0 < float(epsilon) < 1.0:
        raise ConfigError(f"betweenness epsilon must be in (0, 1), got {epsilon!r}")
    if not 0.0 < float(delta) < 1.0:
        raise ConfigError(f"betweenness delta must be in (0, 1), got {delta!r}")


def _check_damping(damping: float) -> None:
    if not 0.0 < float(damping) < 1.0:
        raise ConfigError(f"damping must be in (0, 1), got {damping!r}")


def betweenness(g: ig.Graph, *, mode: str = "auto", exact_max_vertices: int = 5000,
                samples: int | None = None, epsilon: float = 0.03, delta: float = 0.1,
                seed: int | None = 0, quiet: bool = True) -> BetweennessResult:
    """Normalised betweenness on the undirected projection, exact or sampled with a bound.

    ``mode``: "auto" (exact up to ``exact_max_vertices`` users, else sampled), "exact",
    "sampled" or "none". Sampled: ``samples`` pairs if given (the result states the epsilon they
    give), else as many as the Riondato-Kornaropoulos bound needs for ``epsilon`` at confidence
    ``1 - delta`` (module doc). Example::

        res = betweenness(g, mode="sampled", epsilon=0.02, seed=1)
        res.values.nlargest(5), res.epsilon
    """
    _check_betweenness(mode, exact_max_vertices, samples, epsilon, delta)
    e = edge_arrays(g, None)
    a, b, _ = _projection(e)
    values, info = _betweenness(e.n, a, b, mode=mode, exact_max_vertices=exact_max_vertices,
                                samples=samples, epsilon=epsilon, delta=delta, seed=seed, quiet=quiet)
    parameters = {"mode": mode, "exact_max_vertices": int(exact_max_vertices), "samples": samples,
                  "epsilon": float(epsilon), "delta": float(delta)}
    return BetweennessResult(method=info["method"], parameters=parameters, seed=seed,
                             values=_series(values, e.names, "betweenness"), samples=info["samples"],
                             epsilon=info["epsilon"], delta=info["delta"],
                             vertex_diameter_bound=info["vertex_diameter_bound"])


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


def centrality_table(g: ig.Graph, *, membership: Any = None, damping: float = 0.85,
                     betweenness: str = "auto", exact_max_vertices: int = 5000,
                     betweenness_samples: int | None = None, seed: int | None = 0,
                     betweenness_epsilon: float = 0.03, betweenness_delta: float = 0.1,
                     weight: str | None = "weight", tol: float = 1e-10,
                     quiet: bool = True, edges: EdgeArrays | None = None) -> CentralityResult:
    """Every centrality metric of every user in one table keyed by user id (module docstring).

    ``membership`` (CommunityResult, Series/mapping user id -> community, or array in vertex
    order) enables ``participation``; without it the column is NaN. ``betweenness``: "auto",
    "exact", "sampled" or "none"; see :func:`betweenness` for the sampling options. ``seed``
    drives the betweenness sample only; every other metric is deterministic. The input graph is
    not modified. ``edges``: ``g``'s :class:`~kolgraph.algorithms.projection.EdgeArrays` (with
    ``weight``) if the caller has them; their shared projection is then used too. Example::

        comm = detect_communities(g, seed=1)
        table = centrality_table(g, membership=comm, seed=1).to_frame()
        table.nlargest(10, "pagerank")
    """
    _check_damping(damping)
    _check_betweenness(betweenness, exact_max_vertices, betweenness_samples, betweenness_epsilon,
                       betweenness_delta)
    e = checked_edges(g, edges, weight)
    n = e.n
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
    h = e.undirected_graph if edges is not None else None  # shared with communities when given
    columns["coreness"] = _coreness(n, a, b, h)
    if membership is None:
        columns["participation"] = np.full(n, np.nan)
    else:
        columns["participation"] = _participation(n, a, b, w, membership_array(membership, e.names))
    values, info = _betweenness(n, a, b, mode=betweenness, exact_max_vertices=exact_max_vertices,
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
