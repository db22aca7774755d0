"""The interaction graph as arrays, its weighted undirected projection, and seeded igraph randomness.

One module turns an igraph graph into the arrays every graph algorithm works on, so communities,
centrality, camps and roles read edges, weights, kinds and user ids the same way:

- :func:`vertex_names`: user ids in vertex order (checked present and unique);
- :func:`edge_list`, :func:`edge_values`, :func:`edge_kinds`: per-edge source/target indices,
  a numeric attribute (checked finite and >= 0) and kind codes into :data:`kolgraph.schema.KINDS`;
- :func:`edge_arrays`: all of them at once without self-loops (:class:`EdgeArrays`);
  :func:`edge_arrays_from`: the same from a workspace's stored graph arrays, without igraph (at
  10M edges reading them back out of igraph costs seconds per algorithm; the analyze run builds
  one :class:`EdgeArrays` and hands it to every step, which also share its undirected projection);
- :func:`collapse_undirected` / :func:`projection_arrays` / :func:`undirected_projection`: the
  weighted undirected projection (methods page, section 1): one tie per pair of users, weights of
  both directions and every kind summed, self-loops dropped;
- :func:`membership_array`: community labels aligned with the vertices;
- :func:`igraph_seed`: igraph's process-wide generator seeded for one block, behind a lock.

Everything is vectorised: one ``get_edgelist`` call and numpy sorts, never a Python loop per edge.
"""

from __future__ import annotations

import functools
import gc
import itertools
import random
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import igraph as ig
import numpy as np
import pandas as pd

from ..schema import KolgraphError, kind_codes

__all__ = [
    "id_strings",
    "take_names",
    "EdgeArrays",
    "vertex_names",
    "edge_list",
    "edge_values",
    "edge_kinds",
    "edge_arrays",
    "edge_arrays_from",
    "checked_edges",
    "projection_graph",
    "collapse_undirected",
    "make_undirected",
    "projection_arrays",
    "undirected_projection",
    "membership_array",
    "igraph_seed",
]

_RNG_LOCK = threading.Lock()


def id_strings(values: Any) -> np.ndarray:
    """User ids as an object array of Python ``str``, converted column-wise (no loop per user)."""
    return pd.Index(values).astype("str").to_numpy(dtype=object)


def take_names(names: pd.Index, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``names[positions]`` as an array of ``names``' dtype (``str``), taken by Arrow from one
    contiguous buffer: pandas' own take on Arrow strings costs about twice as much at 10M rows.

    >>> take_names(pd.Index(["a", "b", "c"], dtype="str"), np.array([2, 0, 2])).tolist()
    ['c', 'a', 'c']
    """
    import pyarrow as pa

    positions = np.asarray(positions, dtype=np.int64)
    try:
        arrow = pa.array(names.array)  # Arrow-backed strings: their own buffers, no copy
    except (TypeError, pa.ArrowInvalid):
        return pd.array(names.take(positions), dtype=names.dtype)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    return pd.array(arrow.take(pa.array(positions)), dtype=names.dtype)


def vertex_names(g: ig.Graph) -> np.ndarray:
    """User ids in vertex order as an object array of str; checks they exist and are unique."""
    if not isinstance(g, ig.Graph):
        raise TypeError(f"expected an igraph.Graph, got {type(g).__name__}")
    if g.vcount() == 0:
        return np.array([], dtype=object)
    if "name" not in g.vs.attributes():
        raise KolgraphError("the graph has no 'name' vertex attribute (user ids); build it with kolgraph.build")
    names = id_strings(g.vs["name"])
    index = pd.Index(names)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:3]
        raise KolgraphError(f"vertex names (user ids) repeat, e.g. {', '.join(map(repr, dup))}")
    return names


def edge_list(g: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """(source, target) vertex indices of every edge, int64, in edge order (fast path for 10M edges)."""
    m = g.ecount()
    if m == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    flat = np.fromiter(itertools.chain.from_iterable(g.get_edgelist()), dtype=np.int64, count=2 * m)
    return flat[0::2].copy(), flat[1::2].copy()


def edge_values(g: ig.Graph, attribute: str | None, default: float = 1.0) -> np.ndarray:
    """An edge attribute as float64 (``default`` per edge when ``attribute`` is None or absent).

    Raises :class:`~kolgraph.errors.KolgraphError` unless every value is finite and >= 0.
    """
    m = g.ecount()
    if attribute is None or attribute not in g.es.attributes() or m == 0:
        return np.full(m, default, dtype=np.float64)
    values = np.fromiter(g.es[attribute], dtype=np.float64, count=m)
    if not np.isfinite(values).all() or (values < 0).any():
        raise KolgraphError(f"edge attribute {attribute!r} must be finite and >= 0")
    return values


def edge_kinds(g: ig.Graph) -> np.ndarray:
    """Per edge, the code of its ``kind`` in :data:`~kolgraph.schema.KINDS` (int8; -1 unknown or absent)."""
    m = g.ecount()
    if "kind" not in g.es.attributes() or m == 0:
        return np.full(m, -1, dtype=np.int8)
    return kind_codes(g.es["kind"])


@dataclass(frozen=True, eq=False)
class EdgeArrays:
    """A graph's edges as arrays, self-loops dropped, plus its user ids; nothing refers back to it.

    ``src``/``dst``: vertex indices (int64); ``weight``: the weight attribute (1 when absent);
    ``count``: interactions per edge (int64, 1 when absent); ``kind``: codes into ``KINDS`` (-1 unknown).
    """

    names: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    count: np.ndarray
    kind: np.ndarray

    @property
    def n(self) -> int:
        """Number of users (vertices), including users without edges."""
        return len(self.names)

    @functools.cached_property
    def undirected(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The weighted undirected projection ``(a, b, w)`` (:func:`collapse_undirected`), computed
        on first use and then shared by every algorithm handed these arrays."""
        return collapse_undirected(self.n, self.src, self.dst, self.weight)

    @functools.cached_property
    def undirected_graph(self) -> ig.Graph:
        """:attr:`undirected` as an undirected igraph graph (edge attribute ``weight``, no names),
        built on first use and shared (communities, coreness, exact betweenness); never mutate it."""
        a, b, w = self.undirected
        return make_undirected(self.n, a, b, w)

    def release_graph(self) -> None:
        """Forget the cached :attr:`undirected_graph` (hundreds of MB at 10M ties) once no step needs it."""
        self.__dict__.pop("undirected_graph", None)


def edge_arrays(g: ig.Graph, weight: str | None = "weight") -> EdgeArrays:
    """:class:`EdgeArrays` of ``g`` (self-loops dropped; ``weight`` None or absent: 1 per edge)."""
    names = vertex_names(g)
    src, dst = edge_list(g)
    w = edge_values(g, weight)
    count = edge_values(g, "count")
    kind = edge_kinds(g)
    keep = src != dst
    return EdgeArrays(names, src[keep], dst[keep], w[keep], count[keep].astype(np.int64), kind[keep])


def edge_arrays_from(arrays: Mapping[str, np.ndarray], names: Any) -> EdgeArrays:
    """:class:`EdgeArrays` from a graph stored as arrays (a workspace's ``graph.npz``: ``src``, ``dst``
    vertex positions, ``kind`` codes into ``KINDS``, ``count``, ``weight``, in the graph's edge order),
    self-loops dropped; equal to :func:`edge_arrays` of the graph built from them, without igraph.

    >>> e = edge_arrays_from({"src": np.array([0, 1, 1]), "dst": np.array([1, 1, 0]),
    ...                       "kind": np.array([0, 1, 2]), "count": np.array([2, 1, 1]),
    ...                       "weight": np.array([2.0, 0.5, 0.3])}, ["a", "b"])
    >>> e.src.tolist(), e.dst.tolist(), e.weight.tolist(), e.kind.tolist()
    ([0, 1], [1, 0], [2.0, 0.3], [0, 2])
    """
    names = id_strings(names)
    src = np.asarray(arrays["src"], dtype=np.int64)
    dst = np.asarray(arrays["dst"], dtype=np.int64)
    m = len(src)
    n = len(names)
    if len(dst) != m or (m and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n)):
        raise KolgraphError(f"graph arrays do not fit {n} users (edge ends out of range)")
    w = np.asarray(arrays["weight"], dtype=np.float64) if "weight" in arrays else np.ones(m)
    if not np.isfinite(w).all() or (w < 0).any():
        raise KolgraphError("edge attribute 'weight' must be finite and >= 0")
    count = np.asarray(arrays["count"], dtype=np.int64) if "count" in arrays else np.ones(m, np.int64)
    kind = np.asarray(arrays["kind"], dtype=np.int8) if "kind" in arrays else np.full(m, -1, np.int8)
    keep = src != dst
    return EdgeArrays(names, src[keep], dst[keep], w[keep], count[keep], kind[keep])


def checked_edges(g: ig.Graph | None, edges: EdgeArrays | None, weight: str | None = "weight") -> EdgeArrays:
    """``edges`` if given (checked to have ``g``'s users), else :func:`edge_arrays` of ``g``.

    Algorithms take an optional precomputed :class:`EdgeArrays` of ``g`` (with the ``weight`` they
    are asked for) so a caller running several of them on one large graph converts it once; with
    ``edges`` the graph itself may be ``None`` (a workspace's arrays need no igraph graph at all).
    """
    if edges is None:
        if g is None:
            raise TypeError("give the graph or its edge arrays")
        return edge_arrays(g, weight)
    if not isinstance(edges, EdgeArrays):
        raise TypeError(f"edges must be EdgeArrays, got {type(edges).__name__}")
    if g is not None and edges.n != g.vcount():
        raise KolgraphError(f"edge arrays hold {edges.n} users, the graph {g.vcount()}: not the same graph")
    return edges


def projection_graph(g: ig.Graph | None, edges: EdgeArrays | None = None,
                     weight: str | None = "weight") -> tuple[np.ndarray, ig.Graph]:
    """(user ids, weighted undirected projection as igraph without names): the shared
    :attr:`EdgeArrays.undirected_graph` when ``edges`` are given, else built from ``g``."""
    if edges is not None:
        e = checked_edges(g, edges, weight)
        return e.names, e.undirected_graph
    if g is None:
        raise TypeError("give the graph or its edge arrays")
    a, b, w = projection_arrays(g, weight)
    return vertex_names(g), make_undirected(g.vcount(), a, b, w)


def collapse_undirected(n: int, src: np.ndarray, dst: np.ndarray,
                        w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected simple ties (a < b) with summed weights; self-loops dropped; sorted by (a, b).

    >>> a, b, w = collapse_undirected(3, np.array([0, 1, 2, 2]), np.array([1, 0, 2, 0]), np.ones(4))
    >>> a.tolist(), b.tolist(), w.tolist()
    ([0, 0], [1, 2], [2.0, 1.0])
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.asarray(w, dtype=np.float64)
    keep = src != dst
    a = np.minimum(src, dst)[keep]
    b = np.maximum(src, dst)[keep]
    w = w[keep]
    if not len(a):
        return a, b, w
    key = a * np.int64(n) + b
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return a[order][starts], b[order][starts], np.add.reduceat(w[order], starts)


def make_undirected(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray | None,
                    names: np.ndarray | None = None) -> ig.Graph:
    """An undirected igraph graph from index arrays (one C call; GC paused while lists are built)."""
    enabled = gc.isenabled()
    gc.disable()  # building 10M small lists would otherwise trigger many full collections
    try:
        # pairs drawn lazily from two flat lists: igraph's cheapest edge input (no list of pairs)
        pairs = zip(np.asarray(a).tolist(), np.asarray(b).tolist()) if len(a) else []
        h = ig.Graph(n=n, edges=pairs, directed=False)
        del pairs
        if names is not None and n:
            h.vs["name"] = names.tolist()
        if w is not None:
            h.es["weight"] = w.tolist()
    finally:
        if enabled:
            gc.enable()
    return h


def projection_arrays(g: ig.Graph, weight: str | None = "weight") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, w) of the weighted undirected projection of ``g`` (see :func:`collapse_undirected`)."""
    src, dst = edge_list(g)
    return collapse_undirected(g.vcount(), src, dst, edge_values(g, weight))


def undirected_projection(g: ig.Graph, *, weight: str | None = "weight") -> ig.Graph:
    """The weighted undirected projection: one edge per pair of users, both directions summed.

    Edge attribute ``weight`` is the sum of ``weight`` (1 per edge when ``weight`` is None or the
    attribute is absent) over all edges between the two users, of every kind and direction;
    self-loops are dropped. Same vertices in the same order, with only the ``name`` attribute.
    The input graph is not modified.
    """
    names = vertex_names(g)
    a, b, w = projection_arrays(g, weight)
    return make_undirected(g.vcount(), a, b, w, names)


def membership_array(membership: Any, names: np.ndarray) -> np.ndarray:
    """Community labels 0..k-1 aligned with ``names`` from a community result, a Series/Mapping
    (user id -> label) or an array in vertex order. A result is anything with ``names`` and
    ``membership`` (e.g. :class:`~kolgraph.algorithms.communities.CommunityResult`)."""
    if hasattr(membership, "membership") and hasattr(membership, "names"):
        if tuple(membership.names) == tuple(names.tolist()):
            return pd.factorize(np.asarray(membership.membership))[0].astype(np.int64)
        membership = pd.Series(np.asarray(membership.membership), index=list(membership.names))
    if isinstance(membership, Mapping) and not isinstance(membership, pd.Series):
        membership = pd.Series(membership)
    if isinstance(membership, pd.Series):
        by_id = pd.Series(membership.to_numpy(), index=pd.Index(membership.index.astype(str), dtype=object))
        if not by_id.index.is_unique:
            raise KolgraphError("membership names a user more than once")
        aligned = by_id.reindex(pd.Index(names.tolist(), dtype=object))
        if aligned.isna().any():
            missing = names[aligned.isna().to_numpy()][:3]
            raise KolgraphError(f"membership lacks user(s) {', '.join(map(repr, missing))}")
        values = aligned.to_numpy()
    else:
        values = np.asarray(membership)
        if values.shape != (len(names),):
            raise KolgraphError(f"membership has {values.size} labels for {len(names)} users")
    return pd.factorize(values)[0].astype(np.int64)


@contextmanager
def igraph_seed(seed: int) -> Iterator[random.Random]:
    """Make igraph draw from ``random.Random(seed)`` inside the block, then restore its default.

    igraph's generator is global to the process; the lock serialises kolgraph's own calls (every
    kolgraph module seeds igraph through this function), but other threads using igraph's
    randomness at the same time are not protected. On exit igraph goes back to the ``random``
    module, igraph's default generator.

    >>> g = ig.Graph.Famous("Zachary")
    >>> with igraph_seed(1):
    ...     first = g.community_label_propagation().membership
    >>> with igraph_seed(1):
    ...     again = g.community_label_propagation().membership
    >>> first == again
    True
    """
    generator = random.Random(int(seed))
    with _RNG_LOCK:
        ig.set_random_number_generator(generator)
        try:
            yield generator
        finally:
            ig.set_random_number_generator(random)
