"""The graph steps run on a workspace's edge arrays alone (no igraph graph): same answers as on the graph."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.camps import camp_affinity
from kolgraph.algorithms.centrality import centrality_table
from kolgraph.algorithms.communities import consensus_communities, detect_communities
from kolgraph.algorithms.projection import edge_arrays, edge_arrays_from
from kolgraph.build.graph import graph_arrays, graph_from_interactions, edge_frame, vertex_frame


@pytest.fixture(scope="module")
def graph():
    rng = np.random.default_rng(3)
    n, m = 300, 2400
    users = [f"u{i}" for i in range(n)]
    src = rng.integers(0, n, m)
    dst = (src + rng.integers(1, 12, m)) % n  # a ring of neighbourhoods: communities exist
    frame = pd.DataFrame({"src": [users[i] for i in src], "dst": [users[i] for i in dst],
                          "kind": pd.Categorical(rng.choice(["repost", "reply", "mention"], m),
                                                 categories=["repost", "reply", "mention"]),
                          "timestamp": rng.uniform(0, 1e6, m), "sentiment": np.nan, "weight": 1.0})
    return graph_from_interactions(frame)


def _arrays_only(g):
    vertices = vertex_frame(g)
    return edge_arrays_from(graph_arrays(edge_frame(g), vertices), vertices["user_id"])


def test_arrays_equal_the_graphs_own(graph):
    a, b = _arrays_only(graph), edge_arrays(graph)
    for field in ("src", "dst", "weight", "count", "kind"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_communities_centrality_and_camps_need_no_graph(graph):
    edges = _arrays_only(graph)
    one = detect_communities(graph, seed=4, edges=edge_arrays(graph))
    two = detect_communities(None, seed=4, edges=edges)
    assert list(one.membership) == list(two.membership) and len(set(one.membership)) > 1
    c1 = consensus_communities(graph, runs=3, seed=4, edges=edge_arrays(graph))
    c2 = consensus_communities(None, runs=3, seed=4, edges=edges)
    assert list(c1.membership) == list(c2.membership)
    t1 = centrality_table(graph, membership=one.membership, seed=4).to_frame()
    t2 = centrality_table(None, membership=one.membership, seed=4, edges=edges).to_frame()
    pd.testing.assert_frame_equal(t1, t2)
    k1 = camp_affinity(graph, ["u0"], ["u150"], kinds=("repost",), seed=4).to_frame()
    k2 = camp_affinity(None, ["u0"], ["u150"], kinds=("repost",), seed=4, edges=edges)
    pd.testing.assert_frame_equal(k1, k2.to_frame())
    assert k2.parameters == camp_affinity(graph, ["u0"], ["u150"], kinds=("repost",), seed=4).parameters


def test_no_graph_and_no_arrays_is_refused():
    with pytest.raises(TypeError):
        detect_communities(None)
    with pytest.raises(TypeError):
        camp_affinity(None, ["a"])
