"""Shared graph fixtures, all built through kolgraph.build.graph so they carry the real schema."""

from __future__ import annotations

import itertools

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from kolgraph.build.graph import graph_from_interactions

#: Zachary (1977) karate club: the faction each member joined after the split ("Mr. Hi" = 0,
#: "Officer" = 1), members numbered 1..34 as in the paper (igraph's Famous("Zachary") order).
KARATE_MR_HI = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 17, 18, 20, 22}


def interactions_graph(rows, users=()) -> ig.Graph:
    """Schema graph from (src, dst, kind) rows (repeat a row to repeat the interaction) + extra users."""
    frame = pd.DataFrame(list(rows), columns=["src", "dst", "kind"]).astype("str")
    table = pd.DataFrame({"user_id": pd.Series(list(users), dtype="str")}) if users else None
    return graph_from_interactions(frame, table)


@pytest.fixture
def make_graph():
    """The :func:`interactions_graph` builder: ``make_graph(rows, users=())``."""
    return interactions_graph


@pytest.fixture
def two_cliques_graph() -> ig.Graph:
    """Two 6-user groups (a0..a5, b0..b5) reposting each other, joined only by user ``x``, who
    reposts a0, a1, a2 and b0, b1, b2; plus ``loner``, a user without interactions."""
    rows = [(f"{p}{i}", f"{p}{j}", "repost") for p in "ab" for i, j in itertools.permutations(range(6), 2)]
    rows += [("x", f"{p}{i}", "repost") for p in "ab" for i in range(3)]
    return interactions_graph(rows, users=["loner"])


@pytest.fixture
def karate_graph() -> ig.Graph:
    """Zachary's karate club (34 members named "1".."34", 78 ties as reposts)."""
    edges = ig.Graph.Famous("Zachary").get_edgelist()
    return interactions_graph([(str(u + 1), str(v + 1), "repost") for u, v in edges])


@pytest.fixture
def karate_factions() -> dict[str, int]:
    """Member name -> faction after the split (0 = Mr. Hi, 1 = Officer), Zachary 1977."""
    return {str(i): 0 if i in KARATE_MR_HI else 1 for i in range(1, 35)}


@pytest.fixture
def schema_graph() -> ig.Graph:
    """A small mixed graph: 40 users, 300 interactions of all kinds with repeats, a self-loop,
    a heavy-tailed target popularity and one user (``quiet``) without interactions."""
    rng = np.random.default_rng(11)
    src = rng.integers(0, 40, 300)
    dst = np.minimum((rng.pareto(1.5, 300) * 4).astype(int), 39)
    kind = rng.choice(["repost", "reply", "mention"], 300, p=[0.5, 0.3, 0.2])
    rows = [(f"u{s}", f"u{d}", k) for s, d, k in zip(src, dst, kind)] + [("u1", "u1", "repost")]
    return interactions_graph(rows, users=["quiet"])


@pytest.fixture
def empty_graph() -> ig.Graph:
    """No users at all."""
    return interactions_graph([])


@pytest.fixture
def edgeless_graph() -> ig.Graph:
    """Three users, no interactions."""
    return interactions_graph([], users=["a", "b", "c"])


def graph_snapshot(g: ig.Graph):
    """Everything a caller could observe about a graph: size, edges, all attributes (NaN-safe)."""
    def norm(values):
        return [("nan" if isinstance(v, float) and v != v else v) for v in values]
    return (g.is_directed(), g.vcount(), g.get_edgelist(),
            {a: g[a] for a in g.attributes()},
            {a: norm(g.vs[a]) for a in sorted(g.vs.attributes())},
            {a: norm(g.es[a]) for a in sorted(g.es.attributes())})


@pytest.fixture
def snapshot():
    """``snapshot(g)`` -> a comparable record of the graph, to check an algorithm left it unchanged."""
    return graph_snapshot
