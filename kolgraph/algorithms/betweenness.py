"""Betweenness on the undirected projection: exact (Brandes) or sampled with an error bound,
and computed in a worker process beside other work when the graph is large.

Betweenness uses hop-count distances on the undirected projection (every tie has length 1
whatever its weight: brokerage between groups, not volume; it also keeps the sampled bound
exact), normalised by the number of pairs of other users ``(n-1)(n-2)/2`` to [0, 1].
``exact``: Brandes' algorithm (igraph). ``sampled``: Riondato & Kornaropoulos (2016): ``r``
uniformly random pairs of users, one uniformly random shortest path per pair (found with a
balanced bidirectional BFS), each inner vertex scored 1/r. With probability >= 1 - delta every
user's estimate is within epsilon of the exact value, for
``r = (c / epsilon^2) (floor(log2(VD - 2)) + 1 + ln(1 / delta))`` with c = 1 (the conservative
universal constant; 0.5 is often quoted without proof) and VD an upper bound on the vertex
diameter (per connected component, 2 x eccentricity of one vertex + 1, capped by its size).
``auto`` picks exact up to ``exact_max_vertices`` users.

The sampler's loop runs over the ``r`` samples, never over users; each BFS level is a handful of
numpy operations on the frontier's neighbour lists. At a million users it is the costliest
measure of the analysis, and it needs only the projection, not the communities: the analyze run
starts it with :func:`start_betweenness` in a forked worker process before community detection
and collects it for the centrality table (:class:`PendingBetweenness`); the values are the same
as computed in the process itself (same seed, same samples). Small graphs, platforms without
``fork`` and daemon processes compute it in-process, on first use.
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

from ..progress import progress
from ..schema import ConfigError
from .forked import ForkedJob, can_fork
from .projection import EdgeArrays, edge_arrays, make_undirected

__all__ = [
    "BETWEENNESS_MODES",
    "RK_CONSTANT",
    "BACKGROUND_MIN_USERS",
    "BetweennessResult",
    "PendingBetweenness",
    "betweenness",
    "betweenness_values",
    "check_betweenness",
    "start_betweenness",
]

#: Betweenness modes: "auto" (exact up to ``exact_max_vertices`` users), "exact", "sampled", "none".
BETWEENNESS_MODES: tuple[str, ...] = ("auto", "exact", "sampled", "none")

#: Universal constant c of the Riondato-Kornaropoulos sample size (conservative choice).
RK_CONSTANT = 1.0

#: From this many users :func:`start_betweenness` computes in a forked worker process.
BACKGROUND_MIN_USERS = 50_000

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


class _NoBar:
    """Stands in for a progress bar when quiet (see :func:`_rk_sample`)."""

    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None


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
    # quiet: no tqdm object at all; even a disabled bar takes tqdm's process-shared lock, and a
    # worker process stopped while holding it (cancel) would leave every later bar waiting
    with (_NoBar() if quiet else progress(total=r, desc="betweenness samples")) as bar:
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
                    # sigma of each new vertex: the sum over its parents (path counts: exact in any order);
                    # the distinct new vertices without sorting the list with its repeats. Their order
                    # matters only where a meeting vertex is drawn: `touching` is sorted below.
                    np.add.at(sigma[x], neighbours, np.repeat(sigma[x][frontier], lengths)[new])
                    at = np.arange(len(neighbours))
                    slot[neighbours] = at
                    reached = neighbours[slot[neighbours] == at]
                    dist[x][reached] = level[x]
                    visited[x].append(reached)
                    front[x] = reached
                    cost[x] = int(degree[reached].sum())
                    touching = np.sort(reached[dist[y][reached] >= 0])
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


def betweenness_values(n: int, a: np.ndarray, b: np.ndarray, *, mode: str, exact_max_vertices: int,
                 samples: int | None, epsilon: float, delta: float, seed: int | None,
                 quiet: bool, h: ig.Graph | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """(normalised betweenness per vertex, info) on the projection ties (a, b) of ``n`` vertices
    (module doc); ``h``: the projection as igraph if already built (for exact mode)."""
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


def check_betweenness(mode: str, exact_max_vertices: int, samples: int | None, epsilon: float,
                       delta: float) -> None:
    """Raise :class:`~kolgraph.errors.ConfigError` for a bad betweenness option."""
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
    check_betweenness(mode, exact_max_vertices, samples, epsilon, delta)
    e = edge_arrays(g, None)
    a, b, _ = e.undirected
    values, info = betweenness_values(e.n, a, b, mode=mode, exact_max_vertices=exact_max_vertices,
                                samples=samples, epsilon=epsilon, delta=delta, seed=seed, quiet=quiet)
    parameters = {"mode": mode, "exact_max_vertices": int(exact_max_vertices), "samples": samples,
                  "epsilon": float(epsilon), "delta": float(delta)}
    return BetweennessResult(method=info["method"], parameters=parameters, seed=seed,
                             values=pd.Series(values, index=pd.Index(pd.array(e.names.tolist(), dtype="str"), name="user_id"),
                                              name="betweenness"), samples=info["samples"],
                             epsilon=info["epsilon"], delta=info["delta"],
                             vertex_diameter_bound=info["vertex_diameter_bound"])


# ---------------------------------------------------------------------------------------------
# computed beside other work

class PendingBetweenness:
    """Betweenness being computed (in a forked worker process, or on first use in this one).

    ``options``: the betweenness options it was started with (mode, exact_max_vertices, samples,
    epsilon, delta, seed), which :func:`~kolgraph.algorithms.centrality.centrality_table` checks
    against its own. :meth:`result` waits for the values and returns ``(values, info)``, the same
    as :func:`betweenness_values` computed here would.
    """

    def __init__(self, n: int, a: np.ndarray, b: np.ndarray, options: Mapping[str, Any], background: bool,
                 quiet: bool = True):
        self.n = n
        self.options = dict(options)
        self._args = (n, a, b)
        self._kwargs = {k: options[k] for k in ("mode", "exact_max_vertices", "samples", "epsilon", "delta", "seed")}
        self._kwargs["quiet"] = quiet or background  # no progress bar from a worker process
        self._result: tuple[np.ndarray, dict[str, Any]] | None = None
        self._job = ForkedJob(_values, *self._args, **self._kwargs) if background else None

    @property
    def background(self) -> bool:
        """Whether a worker process computes it (until collected)."""
        return self._job is not None

    def result(self) -> tuple[np.ndarray, dict[str, Any]]:
        """``(values, info)``; waits for the worker (a failed worker raises :class:`KolgraphError`)."""
        if self._result is None:
            if self._job is None:
                self._result = betweenness_values(*self._args, **self._kwargs)
            else:
                job, self._job = self._job, None
                self._result = job.collect("betweenness")
            self._args = ()
        return self._result

    def cancel(self) -> None:
        """Stop the worker if it still runs (nothing to collect)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None


def _values(*args: Any, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:
    # looked up when the worker runs, so the worker uses this module's function as it is then
    return betweenness_values(*args, **kwargs)


def start_betweenness(edges: EdgeArrays, *, mode: str = "auto", exact_max_vertices: int = 5000,
                      samples: int | None = None, epsilon: float = 0.03, delta: float = 0.1,
                      seed: int | None = 0, background: bool | None = None,
                      quiet: bool = True) -> PendingBetweenness:
    """Start betweenness on ``edges``' undirected projection; collect it with ``.result()`` or by
    passing it to :func:`~kolgraph.algorithms.centrality.centrality_table` (``betweenness_job``).

    ``background``: compute in a forked worker process (default: from
    :data:`BACKGROUND_MIN_USERS` users where ``fork`` is available); otherwise it is computed on
    first use. Options as in :func:`betweenness`; the values do not depend on ``background``.
    ``quiet=False`` shows the sampler's progress bar when it runs in this process.
    """
    check_betweenness(mode, exact_max_vertices, samples, epsilon, delta)
    a, b, _ = edges.undirected
    options = {"mode": mode, "exact_max_vertices": int(exact_max_vertices), "samples": samples,
               "epsilon": float(epsilon), "delta": float(delta), "seed": seed}
    if background is None:
        background = edges.n >= BACKGROUND_MIN_USERS
    return PendingBetweenness(edges.n, a, b, options, background=bool(background) and can_fork(), quiet=quiet)
