"""The graph as arrays: edge arrays, kind codes, the undirected projection, membership alignment, seeding."""

from __future__ import annotations

import random

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.projection import (
    edge_arrays,
    igraph_seed,
    membership_array,
    projection_arrays,
    undirected_projection,
    vertex_names,
)
from kolgraph.errors import KolgraphError
from kolgraph.schema import KINDS, kind_codes


def test_edge_arrays_drop_self_loops_and_code_kinds(make_graph):
    g = make_graph([("a", "b", "repost"), ("a", "b", "repost"), ("b", "a", "reply"), ("c", "c", "mention"),
                    ("c", "a", "mention")])
    e = edge_arrays(g)
    names = list(e.names)
    pairs = sorted((names[s], names[d], KINDS[k], int(c)) for s, d, k, c in zip(e.src, e.dst, e.kind, e.count))
    assert pairs == [("a", "b", "repost", 2), ("b", "a", "reply", 1), ("c", "a", "mention", 1)]
    assert e.n == 3 and e.weight.dtype == np.float64


def test_kind_codes_follow_kinds_and_mark_the_rest():
    assert kind_codes(["mention", "reply", "repost"]).tolist() == [2, 1, 0]
    assert kind_codes(pd.Series(["RT", None, "like"])).tolist() == [-1, -1, -1]
    assert kind_codes(pd.Categorical(["reply"], categories=["reply", "repost"])).tolist() == [1]


def test_projection_sums_both_directions_and_all_kinds(make_graph):
    g = make_graph([("a", "b", "repost"), ("b", "a", "reply"), ("a", "b", "mention"), ("a", "a", "repost")])
    a, b, w = projection_arrays(g)
    assert len(a) == 1 and w[0] == pytest.approx(1.0 + 0.5 + 0.3)
    h = undirected_projection(g)
    assert not h.is_directed() and h.ecount() == 1 and h.vs["name"] == g.vs["name"]
    assert h.es["weight"][0] == pytest.approx(1.8)


def test_membership_is_aligned_by_user_id():
    names = np.array(["a", "b", "c"], dtype=object)
    assert membership_array(pd.Series({"c": "x", "a": "y", "b": "x"}), names).tolist() == [0, 1, 1]
    assert membership_array({"a": 5, "b": 5, "c": 7}, names).tolist() == [0, 0, 1]
    with pytest.raises(KolgraphError, match="lacks user"):
        membership_array(pd.Series({"a": 1, "b": 1}), names)
    with pytest.raises(KolgraphError, match="2 labels for 3 users"):
        membership_array(np.array([0, 1]), names)


def test_vertex_names_must_exist_and_be_unique():
    with pytest.raises(KolgraphError, match="no 'name'"):
        vertex_names(ig.Graph(n=2))
    g = ig.Graph(n=2)
    g.vs["name"] = ["a", "a"]
    with pytest.raises(KolgraphError, match="repeat"):
        vertex_names(g)
    with pytest.raises(TypeError):
        vertex_names("not a graph")


def test_igraph_seed_restores_the_default_generator():
    g = ig.Graph.Famous("Zachary")
    with igraph_seed(3):
        first = g.community_label_propagation().membership
    random.seed(12345)
    expected = random.random()
    random.seed(12345)
    g.community_label_propagation()        # igraph draws from the random module again ...
    assert random.random() != expected     # ... so the module's stream moved on
    with igraph_seed(3):
        assert g.community_label_propagation().membership == first


def test_edge_arrays_from_stored_arrays_equal_the_graphs(schema_graph):
    """A workspace's graph arrays (self-loops included) give the same EdgeArrays as the graph, and
    the shared projection is the one collapse_undirected / projection_arrays give."""
    from kolgraph.algorithms.projection import edge_arrays_from, edge_kinds, edge_list, edge_values

    g = schema_graph
    src, dst = edge_list(g)
    assert (src == dst).any()  # the fixture's self-loop is dropped below
    stored = {"src": src, "dst": dst, "kind": edge_kinds(g), "count": edge_values(g, "count").astype(np.int64),
              "weight": edge_values(g, "weight")}
    e, f = edge_arrays(g), edge_arrays_from(stored, g.vs["name"])
    for field in ("names", "src", "dst", "weight", "count", "kind"):
        assert np.array_equal(getattr(e, field), getattr(f, field)), field
    a, b, w = f.undirected
    ref = projection_arrays(g)
    assert all(np.array_equal(x, y) for x, y in zip((a, b, w), ref))
    assert f.undirected is f.undirected  # computed once
    h = f.undirected_graph
    assert h.ecount() == len(a) and not h.is_directed() and np.allclose(h.es["weight"], w)
    f.release_graph()
    assert f.undirected_graph is not h
    bad = dict(stored, dst=np.r_[g.vcount(), dst[1:]])
    with pytest.raises(KolgraphError, match="out of range"):
        edge_arrays_from(bad, g.vs["name"])
    from kolgraph.algorithms.projection import checked_edges

    with pytest.raises(KolgraphError, match="not the same graph"):
        checked_edges(ig.Graph(n=3, directed=True), f)
