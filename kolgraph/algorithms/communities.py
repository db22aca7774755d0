"""Communities: who clusters with whom, on the weighted undirected projection of the graph.

Community detection ignores direction and kind (methods page, section 1): the projection sums the
weights of all edges between two users in both directions, drops self-loops, and keeps the vertex
order. On it:

- ``method="leiden"`` (default): Leiden with the modularity objective at a resolution ``gamma``
  (Traag, Waltman & van Eck 2019; igraph ``community_leiden``). Leiden iterations are repeated
  from the current partition until one raises the objective by less than ``tol`` (or the
  partition stops changing), at most ``max_iterations`` times. igraph's own "until stable"
  (``n_iterations=-1``) keeps polishing in steps of 1e-6 modularity and takes about five times
  longer on a million users for no visible change.
- ``method="louvain"``: Louvain (Blondel et al. 2008; igraph ``community_multilevel``), final level.
- ``method="label_propagation"``: label propagation (Raghavan et al. 2007), weighted; no resolution.

Randomness: igraph draws from a Python generator. Each call sets ``random.Random(seed)`` as
igraph's generator for the duration of the call and then restores igraph's default (the global
``random`` module, which igraph uses unless told otherwise), so the same input and seed give the
same partition on every run and nothing global is reseeded. igraph's generator is process-wide:
calls are serialised with a lock, but other code that uses igraph's random functions on another
thread at the same time would draw from this generator (not thread-safe in that sense).

Community ids are relabelled 0..k-1 by descending size, ties broken by the smallest member id, so
labels do not depend on the algorithm's internal numbering. ``modularity`` is the standard
Newman-Girvan modularity (resolution 1) of the partition on the weighted projection, in [-1/2, 1);
NaN when the graph has no edges (undefined).

Consensus (:func:`consensus_communities`): ``runs`` partitions from seeds drawn with
``numpy.random.default_rng(seed)``; the consensus partition is the medoid run, the one with the
highest mean adjusted Rand index against the other runs (ties: the earliest). Evidence from the
other runs gives each user a ``confidence`` (mean over those runs of the share of the user's fellow
community members that land in the user's community of that run) and each community a
``stability`` (the mean confidence of its members = how often pairs of its members stay together).
Everything is computed from label arrays with grouped counts; no n x n matrix is ever built.
The runs are independent, so on large graphs they run in parallel worker processes (forked, so
the projection is shared, not copied); each run is seeded on its own, so the result is the same
whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

import igraph as ig
import numpy as np
import pandas as pd

from ..schema import ConfigError
from .forked import ForkedJob, can_fork
from .projection import EdgeArrays, igraph_seed, projection_graph

__all__ = [
    "METHODS",
    "CommunityResult",
    "ConsensusResult",
    "detect_communities",
    "consensus_communities",
    "start_communities",
    "PendingCommunities",
    "BACKGROUND_MIN_USERS",
]

#: Community detection methods accepted by :func:`detect_communities`.
METHODS: tuple[str, ...] = ("leiden", "louvain", "label_propagation")

#: Consensus runs go to worker processes from this many users up (below, forking costs more than it saves).
PARALLEL_MIN_USERS = 50_000

#: From this many users :func:`start_communities` detects communities in a forked worker process.
BACKGROUND_MIN_USERS = 50_000

_SHARED_PROJECTION: dict[str, ig.Graph] = {}
_PARALLEL_LOCK = threading.Lock()  # one parallel consensus at a time per process (the projection slot is shared)


# ---------------------------------------------------------------------------------------------
# results

def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class CommunityResult:
    """A partition of the users.

    ``names``: user ids in vertex order; ``membership[i]``: community of ``names[i]``, ids 0..k-1
    by descending size (ties: smallest member id first); ``sizes[c]``: members of community c;
    ``modularity``: Newman-Girvan modularity (resolution 1) on the weighted undirected projection,
    NaN without edges; ``parameters``: what produced it (method options, projection, iterations).
    """

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    names: tuple[str, ...] = field(repr=False)
    membership: np.ndarray = field(repr=False)
    modularity: float
    sizes: np.ndarray = field(repr=False)

    @property
    def n_communities(self) -> int:
        """Number of communities k."""
        return int(len(self.sizes))

    def to_frame(self) -> pd.DataFrame:
        """One row per user: ``user_id``, ``community`` (int, 0 = largest)."""
        return pd.DataFrame({
            "user_id": pd.array(list(self.names), dtype="str"),
            "community": np.asarray(self.membership, dtype=np.int64),
        })

    def community_frame(self) -> pd.DataFrame:
        """One row per community: ``community``, ``size``."""
        return pd.DataFrame({"community": np.arange(len(self.sizes), dtype=np.int64),
                             "size": np.asarray(self.sizes, dtype=np.int64)})


@dataclass(frozen=True, eq=False)
class ConsensusResult(CommunityResult):
    """A consensus partition with per-user confidence and per-community stability.

    The partition is the medoid run (highest mean adjusted Rand index against the other runs).
    ``confidence[i]`` in [0, 1]: mean over the other runs of the share of the user's fellow
    community members that share the user's community in that run (1 for singletons).
    ``stability[c]`` in [0, 1]: mean confidence of the members of c, i.e. the share of pairs of
    its members that the other runs keep together. ``run_seeds``: the seed of each run;
    ``chosen_run``: index of the medoid; ``agreement[r]``: mean ARI of run r against the others.
    """

    confidence: np.ndarray = field(default=None, repr=False)
    stability: np.ndarray = field(default=None, repr=False)
    run_seeds: tuple[int, ...] = ()
    chosen_run: int = 0
    agreement: tuple[float, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """``user_id``, ``community``, ``community_confidence`` (in [0, 1])."""
        frame = super().to_frame()
        frame["community_confidence"] = np.asarray(self.confidence, dtype=np.float64)
        return frame

    def community_frame(self) -> pd.DataFrame:
        """``community``, ``size``, ``stability`` (in [0, 1])."""
        frame = super().community_frame()
        frame["stability"] = np.asarray(self.stability, dtype=np.float64)
        return frame


# ---------------------------------------------------------------------------------------------
# detection

def _check_method(method: str, resolution: float, tol: float, max_iterations: int) -> None:
    if method not in METHODS:
        raise ConfigError(f"community method must be one of {', '.join(METHODS)}, got {method!r}")
    if not (np.isfinite(resolution) and resolution > 0):
        raise ConfigError(f"community resolution must be a number > 0, got {resolution!r}")
    if not (np.isfinite(tol) and tol >= 0):
        raise ConfigError(f"community tol must be a number >= 0, got {tol!r}")
    if int(max_iterations) != max_iterations or max_iterations < 1:
        raise ConfigError(f"community max_iterations must be a positive integer, got {max_iterations!r}")


def _relabel(membership: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids 0..k-1 by descending size, ties by the smallest member id; returns (membership, sizes)."""
    if not len(membership):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes, uniques = pd.factorize(membership)
    k = len(uniques)
    sizes = np.bincount(codes, minlength=k)
    smallest = pd.Series(pd.array(names.tolist(), dtype="str")).groupby(codes, sort=True).min()
    name_rank = np.argsort(np.argsort(smallest.to_numpy(dtype=object), kind="stable"), kind="stable")
    order = np.lexsort((name_rank, -sizes))          # new id -> old code
    new_id = np.empty(k, dtype=np.int64)
    new_id[order] = np.arange(k)
    return new_id[codes], sizes[order].astype(np.int64)


def _modularity(h: ig.Graph, membership: np.ndarray, resolution: float = 1.0) -> float:
    if h.ecount() == 0:
        return float("nan")
    return float(h.modularity(membership.tolist(), weights="weight", resolution=resolution))


def _run(h: ig.Graph, method: str, resolution: float, seed: int, tol: float,
         max_iterations: int) -> tuple[np.ndarray, int]:
    """Raw membership of one seeded run on the projection ``h``; returns (membership, iterations)."""
    n = h.vcount()
    if h.ecount() == 0:
        return np.arange(n, dtype=np.int64), 0
    with igraph_seed(seed):
        if method == "leiden":
            membership, quality, iterations = None, -np.inf, 0
            while iterations < max_iterations:
                clustering = h.community_leiden(objective_function="modularity", weights="weight",
                                                resolution=resolution, n_iterations=1,
                                                initial_membership=membership)
                iterations += 1
                new = clustering.membership
                new_quality = h.modularity(new, weights="weight", resolution=resolution)
                if membership is not None and (new == membership or new_quality < quality):
                    break                            # stable, or (rarely) worse: keep the best
                gain = new_quality - quality
                membership, quality = new, new_quality
                if gain < tol:
                    break
            return np.asarray(membership, dtype=np.int64), iterations
        if method == "louvain":
            clustering = h.community_multilevel(weights="weight", resolution=resolution)
        else:
            clustering = h.community_label_propagation(weights="weight")
    return np.asarray(clustering.membership, dtype=np.int64), 1


def _parameters(method: str, resolution: float, weight: str | None, tol: float,
                max_iterations: int) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "method": method,
        "projection": "undirected; weights of both directions and all kinds summed; self-loops excluded",
        "weight": weight,
        "resolution": float(resolution) if method != "label_propagation" else None,
    }
    if method == "leiden":
        parameters.update(objective="modularity", tol=float(tol), max_iterations=int(max_iterations))
    return parameters


def detect_communities(g: ig.Graph | None, *, method: str = "leiden", resolution: float = 1.0,
                       seed: int = 0, weight: str | None = "weight", tol: float = 1e-5,
                       max_iterations: int = 50, edges: EdgeArrays | None = None) -> CommunityResult:
    """Partition the users into communities on the weighted undirected projection.

    ``method``: "leiden" (modularity objective), "louvain" or "label_propagation".
    ``resolution`` (> 0, Leiden and Louvain): larger gives more, smaller communities; 1 is plain
    modularity. ``tol``/``max_iterations`` (Leiden): stop when an iteration raises the objective
    by less than ``tol`` (modularity units) or changes nothing. ``weight``: edge attribute summed
    into the projection (None or absent: 1 per edge). Same graph and seed, same partition.
    ``edges``: ``g``'s :class:`~kolgraph.algorithms.projection.EdgeArrays` (with ``weight``) if
    the caller has them; their projection is then built once and shared with other steps (``g``
    may then be ``None``: the arrays are the graph).

    Example::

        res = detect_communities(g, seed=1)
        res.to_frame().groupby("community").size()
    """
    _check_method(method, resolution, tol, max_iterations)
    names, h = projection_graph(g, edges, weight)
    raw, iterations = _run(h, method, resolution, int(seed), tol, max_iterations)
    membership, sizes = _relabel(raw, names)
    parameters = _parameters(method, resolution, weight, tol, max_iterations)
    parameters["iterations"] = iterations
    return CommunityResult(method=method, parameters=parameters, seed=int(seed),
                           names=tuple(names.tolist()), membership=_frozen(membership),
                           modularity=_modularity(h, membership), sizes=_frozen(sizes))


# ---------------------------------------------------------------------------------------------
# detected beside other work

def _detect_in_worker(edges: EdgeArrays, kwargs: Mapping[str, Any], coreness: bool):
    """detect_communities (looked up when the worker runs) and, asked for, the projection's coreness."""
    res = detect_communities(None, edges=edges, **kwargs)
    core = np.asarray(edges.undirected_graph.coreness(), dtype=np.int64) if coreness else None
    return dataclasses.replace(res, names=()), core  # the parent has the names


class PendingCommunities:
    """:func:`detect_communities` being run in a forked worker process (or on first use in this one).

    :meth:`result` waits and returns the :class:`CommunityResult` that ``detect_communities`` on
    the same edges, method and seed gives in this process (the same partition: the run is seeded
    the same way wherever it runs). :attr:`coreness`, when the worker was asked for it, holds the
    k-core numbers of the same projection (computed there while its igraph graph exists), else None.
    """

    def __init__(self, edges: EdgeArrays, kwargs: Mapping[str, Any], background: bool, coreness: bool) -> None:
        self.edges = edges
        self.kwargs = dict(kwargs)
        self.coreness: np.ndarray | None = None
        self._result: CommunityResult | None = None
        self._job = ForkedJob(_detect_in_worker, edges, self.kwargs, coreness) if background else None

    @property
    def background(self) -> bool:
        """Whether a worker process runs it (until collected)."""
        return self._job is not None

    def result(self) -> CommunityResult:
        """The partition; waits for the worker (a failed worker raises :class:`KolgraphError`)."""
        if self._result is None:
            if self._job is None:
                self._result = detect_communities(None, edges=self.edges, **self.kwargs)
                return self._result
            job, self._job = self._job, None
            res, self.coreness = job.collect("community detection")
            self._result = dataclasses.replace(res, names=tuple(self.edges.names.tolist()),
                                               membership=_frozen(res.membership), sizes=_frozen(res.sizes))
        return self._result

    def cancel(self) -> None:
        """Stop the worker if it still runs (nothing to collect)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None


def start_communities(edges: EdgeArrays, *, method: str = "leiden", resolution: float = 1.0, seed: int = 0,
                      weight: str | None = "weight", tol: float = 1e-5, max_iterations: int = 50,
                      background: bool | None = None, coreness: bool = True) -> PendingCommunities:
    """Start :func:`detect_communities` on ``edges`` (same options); collect it with ``.result()``.

    ``background``: run in a forked worker process while this one does other work (default: from
    :data:`BACKGROUND_MIN_USERS` users where ``fork`` is available); otherwise it runs on first
    use. The partition does not depend on where it runs. ``coreness``: the worker also returns
    the k-core numbers of the projection (:attr:`PendingCommunities.coreness`), so this process
    need not build the projection's igraph graph for them.
    """
    _check_method(method, resolution, tol, max_iterations)
    if background is None:
        background = edges.n >= BACKGROUND_MIN_USERS
    kwargs = {"method": method, "resolution": resolution, "seed": int(seed), "weight": weight, "tol": tol,
              "max_iterations": max_iterations}
    return PendingCommunities(edges, kwargs, background=bool(background) and can_fork(), coreness=coreness)


# ---------------------------------------------------------------------------------------------
# consensus

def _pair_counts(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per element, the number of elements sharing both its x and its y label; and the table counts."""
    key = x * np.int64(y.max() + 1 if len(y) else 1) + y
    order = np.argsort(key, kind="stable")  # a sort: np.unique on 10M ints is much slower
    ordered = key[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(key) else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, len(key)])
    per_element = np.empty(len(key), dtype=np.int64)
    per_element[order] = np.repeat(counts, counts)
    return per_element, counts


def _comb2(values: np.ndarray) -> float:
    values = values.astype(np.float64)
    return float((values * (values - 1.0) / 2.0).sum())


def _ari(x: np.ndarray, y: np.ndarray) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) from label arrays, O(n log n)."""
    n = len(x)
    if n < 2:
        return 1.0
    _, table = _pair_counts(x, y)
    index = _comb2(table)
    sum_x = _comb2(np.bincount(x))
    sum_y = _comb2(np.bincount(y))
    expected = sum_x * sum_y / (n * (n - 1) / 2.0)
    maximum = (sum_x + sum_y) / 2.0
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def _run_on_shared(args: tuple) -> np.ndarray:
    return _run(_SHARED_PROJECTION["h"], *args)[0]


def _consensus_workers(workers: int | None, runs: int, n: int) -> int:
    """How many processes run the consensus: ``workers`` if given, else the cores when n is large."""
    if workers is not None:
        if int(workers) != workers or workers < 1:
            raise ConfigError(f"workers must be an integer >= 1, got {workers!r}")
        wanted = int(workers)
    else:
        wanted = (os.cpu_count() or 1) if n >= PARALLEL_MIN_USERS else 1
    if not can_fork():
        return 1  # no fork on this platform, or inside a pool worker (daemons may not have children)
    return max(1, min(wanted, runs))


def _seeded_runs(h: ig.Graph, method: str, resolution: float, seeds: tuple[int, ...], tol: float,
                 max_iterations: int, workers: int) -> list[np.ndarray]:
    """The raw membership of each seeded run, in seed order, over ``workers`` forked processes."""
    jobs = [(method, resolution, s, tol, max_iterations) for s in seeds]
    if workers <= 1:
        return [_run(h, *job)[0] for job in jobs]
    with _PARALLEL_LOCK:
        _SHARED_PROJECTION["h"] = h  # inherited by the forked workers, never pickled
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return pool.map(_run_on_shared, jobs, chunksize=1)
        finally:
            _SHARED_PROJECTION.clear()


def consensus_communities(g: ig.Graph | None, *, method: str = "leiden", runs: int = 10, seed: int = 0,
                          resolution: float = 1.0, weight: str | None = "weight",
                          tol: float = 1e-5, max_iterations: int = 50,
                          workers: int | None = None, edges: EdgeArrays | None = None) -> ConsensusResult:
    """Run a community method ``runs`` times with derived seeds and keep the medoid partition.

    Seeds: ``numpy.random.default_rng(seed).integers(0, 2**31 - 1, runs)``. The consensus is the
    run with the highest mean adjusted Rand index against the others (ties: earliest run); the
    other runs give per-user ``confidence`` and per-community ``stability`` in [0, 1] (see
    :class:`ConsensusResult`). ``runs`` >= 2; other parameters as in :func:`detect_communities`.
    ``workers``: processes for the runs (default: one per core from ``PARALLEL_MIN_USERS`` users,
    else 1); the result does not depend on it. ``edges``: as in :func:`detect_communities`.

    Example::

        res = consensus_communities(g, runs=10, seed=7)
        res.community_frame().sort_values("stability")
    """
    _check_method(method, resolution, tol, max_iterations)
    if int(runs) != runs or runs < 2:
        raise ConfigError(f"consensus runs must be an integer >= 2, got {runs!r}")
    runs = int(runs)
    names, h = projection_graph(g, edges, weight)
    n = len(names)
    run_seeds = tuple(int(s) for s in np.random.default_rng(seed).integers(0, 2**31 - 1, size=runs))
    labels = _seeded_runs(h, method, resolution, run_seeds, tol, max_iterations,
                          _consensus_workers(workers, runs, n))
    # compact labels (0..k-1) so pair keys stay small
    labels = [pd.factorize(x)[0].astype(np.int64) for x in labels]
    ari = np.eye(runs)
    for i, j in itertools.combinations(range(runs), 2):
        ari[i, j] = ari[j, i] = _ari(labels[i], labels[j])
    agreement = (ari.sum(axis=1) - 1.0) / (runs - 1)
    chosen = int(np.argmax(agreement))               # first maximum: earliest run wins ties
    membership, sizes = _relabel(labels[chosen], names)
    confidence = np.zeros(n, dtype=np.float64)
    own_size = sizes[membership] if n else np.zeros(0, np.int64)
    singleton = own_size <= 1
    for r in range(runs):
        if r == chosen:
            continue
        together, _ = _pair_counts(membership, labels[r])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(singleton, 1.0, (together - 1.0) / np.maximum(own_size - 1.0, 1.0))
        confidence += share
    confidence /= runs - 1
    stability = (np.bincount(membership, weights=confidence, minlength=len(sizes)) / np.maximum(sizes, 1)
                 if n else np.zeros(0))
    parameters = _parameters(method, resolution, weight, tol, max_iterations)
    parameters.update(runs=runs, consensus="medoid run by mean adjusted Rand index")
    return ConsensusResult(method=method, parameters=parameters, seed=int(seed),
                           names=tuple(names.tolist()), membership=_frozen(membership),
                           modularity=_modularity(h, membership), sizes=_frozen(sizes),
                           confidence=_frozen(confidence), stability=_frozen(stability),
                           run_seeds=run_seeds, chosen_run=chosen,
                           agreement=tuple(float(x) for x in agreement))
