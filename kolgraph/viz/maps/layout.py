"""Initial node positions for a map page (seeded Fruchterman-Reingold; loose users in rows below)."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd

from ...algorithms.projection import igraph_seed
from .tables import MapData

__all__ = ["GRID_STEP", "initial_layout"]


GRID_STEP = 45.0


def initial_layout(data: MapData, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Initial positions (vis.js units) and which nodes lie outside the main connected group.

    The main group (the largest connected component, ignoring direction) gets a seeded
    Fruchterman-Reingold layout that vis.js physics then refines. Users not connected to it are
    lined up in a grid below it, their component members side by side, and stay out of the
    physics: left to the simulation they would drift into a wide ring around the main group and
    shrink it to a dot when the view fits everything.
    """
    n = len(data.nodes)
    if n == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype=bool)
    index = pd.Index(data.nodes["id"])
    pairs = np.column_stack([index.get_indexer(data.edges["src"]), index.get_indexer(data.edges["dst"])])
    g = ig.Graph(n=n, edges=pairs.astype(np.int64), directed=False)
    membership = np.asarray(g.connected_components().membership)
    sizes = np.bincount(membership)
    giant = int(np.argmax(sizes))
    main = membership == giant
    if data.mode == "focus":
        main = membership == membership[0]
    if sizes.max() < 2:  # nothing is connected: lay everything out together
        main = np.ones(n, dtype=bool)
    inner = np.flatnonzero(main)
    sub = g.induced_subgraph(inner.tolist())
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(len(inner), 2)) * np.sqrt(len(inner))
    weight = data.edges["weight"].to_numpy(dtype="float64")
    inside = main[pairs[:, 0]] & main[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
    weights = (np.log1p(weight[inside]) + 0.1).tolist() if inside.any() else None
    with igraph_seed(seed):  # igraph's generator is process-wide: the one seeding helper, with its lock
        layout = sub.layout_fruchterman_reingold(weights=weights, niter=300, seed=start.tolist(),
                                                 grid="auto" if len(inner) > 1000 else "nogrid")
    xy_main = np.asarray(layout.coords, dtype="float64").reshape(-1, 2)
    xy_main -= xy_main[0] if data.mode == "focus" else xy_main.mean(axis=0)  # the focus sits in the middle
    span = np.abs(xy_main).max() or 1.0
    xy = np.zeros((n, 2))
    xy[inner] = xy_main / span * (60.0 * np.sqrt(len(inner)) + 100.0)
    rest = np.flatnonzero(~main)
    if len(rest):
        order = rest[np.lexsort((rest, membership[rest], -sizes[membership[rest]]))]
        left, bottom = xy[inner, 0].min(), xy[inner, 1].max()
        columns = max(int((xy[inner, 0].max() - left) // GRID_STEP), 10)
        k = np.arange(len(order))
        xy[order, 0] = left + (k % columns) * GRID_STEP
        xy[order, 1] = bottom + 150.0 + (k // columns) * GRID_STEP
    return xy, ~main

