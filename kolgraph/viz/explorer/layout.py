"""A fast, vectorised layout for 100k+ users: communities as discs, placed by Fruchterman-Reingold.

Force-directed layouts of every user cost minutes at 100k users (igraph's DrL: O(n log n) per
iteration, hundreds of iterations) and still draw a hairball. The explorer's layout works on the
communities instead, which is also what an analyst reads first:

1. **Community positions**: the quotient graph (one node per community, links weighted by the
   log of the interactions between two communities) is laid out with igraph's seeded
   Fruchterman-Reingold (the ``max_groups`` largest communities; smaller ones go on a spiral
   around them). Cost: O(k^2) per iteration for k <= ``max_groups`` groups (grid for k > 1000).
2. **Discs without overlap**: each community is a disc of radius proportional to the square root
   of its size; the positions are scaled so the discs fill about a third of the picture, then
   pushed apart pairwise (vectorised, ``separation_rounds`` rounds over the largest 300).
3. **Members**: inside its disc, each member sits on a sunflower (Vogel) spiral in decreasing
   ``score`` (PageRank): the most central accounts in the middle. O(n).
4. **Smoothing**: ``smoothing`` rounds pull each user halfway toward the mean position of its
   neighbours in the same community (one sparse product per round, O(n + m)), so sub-groups
   inside a community show; the mean of points in a disc stays in that disc.

The result is deterministic for a seed. At 100k users / 1M interactions it takes about a second
(see ``benchmarks/explore_scale.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from ...algorithms.projection import igraph_seed
from ...errors import ConfigError

__all__ = ["LayoutParams", "community_layout"]

_GOLDEN = np.pi * (3.0 - np.sqrt(5.0))


@dataclass(frozen=True)
class LayoutParams:
    """Parameters of :func:`community_layout` (validated: :class:`ConfigError` when out of range)."""

    max_groups: int = 2000
    separation_rounds: int = 40
    smoothing: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_groups < 1:
            raise ConfigError("layout max_groups must be at least 1")
        if self.separation_rounds < 0 or self.smoothing < 0:
            raise ConfigError("layout separation_rounds and smoothing must be >= 0")


def _group_codes(community: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group code per user (0 = largest group) and group sizes; users without a community form one group."""
    labels, inverse, counts = np.unique(np.asarray(community, dtype=np.int64), return_inverse=True,
                                        return_counts=True)
    order = np.argsort(-counts, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse], counts[order]


def _separate(centres: np.ndarray, radii: np.ndarray, rounds: int) -> np.ndarray:
    """Push overlapping discs apart (pairwise, vectorised); larger discs move less."""
    c = centres.copy()
    if len(c) < 2:
        return c
    mass = radii ** 2
    for _ in range(rounds):  # a loop over rounds; each round is one vectorised pairwise step
        diff = c[:, None, :] - c[None, :, :]
        dist = np.sqrt((diff ** 2).sum(-1)) + 1e-9
        overlap = np.clip((radii[:, None] + radii[None, :]) * 1.08 - dist, 0, None)
        np.fill_diagonal(overlap, 0)
        if not overlap.any():
            break
        share = mass[None, :] / (mass[:, None] + mass[None, :])  # i moves by j's share of the pair's mass
        push = (diff / dist[..., None]) * (overlap * share)[..., None] * 0.5
        c += push.sum(axis=1)
    return c


def community_layout(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, community: np.ndarray,
                     score: np.ndarray, params: LayoutParams = LayoutParams()) -> np.ndarray:
    """Positions (n x 2, float64, roughly in [-1, 1]) for users ``0..n-1`` (see the module doc).

    ``src``, ``dst``: edge endpoints as user codes; ``weight``: edge weights; ``community``: a
    community id per user (-1 unknown); ``score``: centrality per user (larger = nearer the centre
    of its disc).

    >>> xy = community_layout(np.array([0, 1, 3]), np.array([1, 2, 4]), np.ones(3),
    ...                       np.array([0, 0, 0, 1, 1]), np.array([3.0, 2, 1, 2, 1]))
    >>> xy.shape, bool(np.abs(xy).max() <= 1.0)
    ((5, 2), True)
    """
    n = len(community)
    if n == 0:
        return np.zeros((0, 2))
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    weight = np.asarray(weight, dtype="float64")
    group, sizes = _group_codes(community)
    k = len(sizes)
    top = min(k, params.max_groups)
    radii = np.sqrt(sizes.astype("float64"))
    # 1. the quotient graph among the largest groups, laid out by Fruchterman-Reingold
    gs, gd = group[src], group[dst]
    between = (gs != gd) & (gs < top) & (gd < top)
    a, b = np.minimum(gs[between], gd[between]), np.maximum(gs[between], gd[between])
    keys, inverse = np.unique(a * top + b, return_inverse=True)
    link_w = np.bincount(inverse, weights=weight[between], minlength=len(keys))
    rng = np.random.default_rng(params.seed)
    centres = np.zeros((k, 2))
    if top > 1:
        g = ig.Graph(n=top, edges=np.column_stack([keys // top, keys % top]).astype(np.int64), directed=False)
        start = rng.uniform(-1, 1, size=(top, 2)) * np.sqrt(top)
        with igraph_seed(params.seed):
            coords = g.layout_fruchterman_reingold(weights=(np.log1p(link_w) + 0.1).tolist() if len(keys) else None,
                                                   niter=500, seed=start.tolist(),
                                                   grid="auto" if top > 1000 else "nogrid")
        centres[:top] = np.asarray(coords.coords, dtype="float64")
        centres[:top] -= centres[:top].mean(axis=0)
        # 2. scale so the discs fill about a third of the area, then remove overlaps
        extent = np.sqrt((centres[:top] ** 2).sum(1)).max() or 1.0
        target = np.sqrt((radii[:top] ** 2).sum() / 0.33)
        centres[:top] *= target / extent
        head = min(top, 300)
        centres[:head] = _separate(centres[:head], radii[:head], params.separation_rounds)
    # smaller groups: a sunflower spiral around the main picture
    if k > top:
        reach = np.sqrt((centres[:top] ** 2).sum(1)).max() + radii[:top].max() if top else 0.0
        j = np.arange(k - top)
        area = np.cumsum((2.2 * radii[top:]) ** 2)
        r = np.sqrt(reach ** 2 + area / np.pi * 4)
        centres[top:] = np.column_stack([r * np.cos(j * _GOLDEN), r * np.sin(j * _GOLDEN)])
    # 3. members on a sunflower spiral inside their disc, the highest score in the middle
    order = np.lexsort((-np.asarray(score, dtype="float64"), group))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    within = np.empty(n, dtype=np.int64)
    within[order] = np.arange(n) - starts[group[order]]
    rho = radii[group] * np.sqrt((within + 0.5) / sizes[group]) * 0.95
    theta = within * _GOLDEN + group * 0.7
    xy = centres[group] + np.column_stack([rho * np.cos(theta), rho * np.sin(theta)])
    # 4. pull toward neighbours in the same community (sparse, row-normalised)
    same = (gs == gd) & (src != dst)
    if params.smoothing and same.any():
        A = sp.csr_matrix((np.r_[weight[same], weight[same]], (np.r_[src[same], dst[same]], np.r_[dst[same], src[same]])),
                          shape=(n, n))
        deg = np.asarray(A.sum(axis=1)).ravel()
        has = deg > 0
        P = sp.diags(np.where(has, 1.0 / np.where(has, deg, 1.0), 0.0)) @ A
        spiral = xy.copy()
        for _ in range(params.smoothing):  # one sparse product per round
            pulled = P @ xy
            xy = np.where(has[:, None], 0.5 * spiral + 0.5 * pulled, spiral)
    xy -= xy.mean(axis=0)
    scale = np.abs(xy).max() or 1.0
    return xy / scale
