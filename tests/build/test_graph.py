"""Graph build: one edge per (src, dst, kind), counts and weights exact, ids never replaced by indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolgraph.build.graph import (build_graph, collapse_interactions, edge_frame, graph_from_interactions,
                                  to_networkx, vertex_frame)


def interactions(rows):
    frame = pd.DataFrame(rows, columns=["src", "dst", "kind", "timestamp", "sentiment"])
    frame["kind"] = pd.Categorical(frame["kind"], categories=["repost", "reply", "mention"])
    frame["weight"] = 1.0
    return frame


def test_repeated_interactions_collapse_with_statistics():
    frame = interactions([
        ("u", "v", "repost", 10.0, np.nan),
        ("u", "v", "repost", 30.0, np.nan),
        ("u", "v", "reply", 20.0, -0.5),
        ("u", "v", "reply", np.nan, 0.1),
        ("u", "v", "reply", 5.0, np.nan),
        ("v", "u", "mention", np.nan, np.nan),
        ("u", "u", "repost", 1.0, np.nan),
    ])
    edges = collapse_interactions(frame).set_index(["src", "dst", "kind"])
    rep = edges.loc[("u", "v", "repost")]
    assert (rep["count"], rep["weight"], rep["first_ts"], rep["last_ts"]) == (2, 2.0, 10.0, 30.0)
    assert np.isnan(rep["sentiment"])
    reply = edges.loc[("u", "v", "reply")]
    assert reply["count"] == 3 and reply["weight"] == pytest.approx(1.5)
    assert (reply["first_ts"], reply["last_ts"]) == (5.0, 20.0)
    assert reply["sentiment"] == pytest.approx(-0.2)
    mention = edges.loc[("v", "u", "mention")]
    assert mention["weight"] == pytest.approx(0.3) and np.isnan(mention["first_ts"])
    # self-loops are kept in the counts
    assert edges.loc[("u", "u", "repost")]["count"] == 1


def test_row_weights_and_custom_kind_weights():
    frame = interactions([("a", "b", "repost", 0, np.nan), ("a", "b", "repost", 1, np.nan)])
    frame["weight"] = [2.0, 0.5]
    edges = collapse_interactions(frame, kind_weights={"repost": 3.0})
    assert edges["count"].tolist() == [2] and edges["weight"].tolist() == [pytest.approx(7.5)]


def test_graph_schema_and_vertex_attributes():
    frame = interactions([("fan", "brand", "repost", 1, 0.5), ("fan", "critic", "reply", 2, -0.8)])
    users = pd.DataFrame({"user_id": ["brand", "lurker"], "display_name": ["星澜", "潜水"],
                          "followers": [42e6, 3.0], "verified": [1.0, 0.0]})
    g = graph_from_interactions(frame, users)
    assert g.is_directed()
    assert g.vs["name"] == ["brand", "lurker", "fan", "critic"]
    assert g.vs.find(name="brand")["display_name"] == "星澜"
    assert g.vs.find(name="lurker").degree() == 0  # users-table accounts stay, even without interactions
    assert np.isnan(g.vs.find(name="fan")["followers"])
    edges = edge_frame(g).set_index(["src", "dst"])
    assert edges.loc[("fan", "critic"), "kind"] == "reply"
    assert edges.loc[("fan", "critic"), "sentiment"] == pytest.approx(-0.8)
    assert set(g.es.attributes()) == {"kind", "count", "weight", "first_ts", "last_ts", "sentiment"}


def test_networkx_conversion_keeps_everything():
    frame = interactions([("a", "b", "repost", 1, np.nan), ("a", "b", "reply", 2, 0.2), ("b", "c", "mention", 3, np.nan)])
    g = graph_from_interactions(frame)
    nxg = to_networkx(g)
    assert nxg.number_of_nodes() == 3 and nxg.number_of_edges() == 3
    assert nxg["a"]["b"]["reply"]["sentiment"] == pytest.approx(0.2)
    assert nxg["a"]["b"]["repost"]["weight"] == 1.0


def test_empty_edge_table_builds_an_empty_graph():
    edges = collapse_interactions(interactions([]))
    g = build_graph(edges, pd.Index(["only"]))
    assert g.vcount() == 1 and g.ecount() == 0
    assert vertex_frame(g)["user_id"].tolist() == ["only"]


ids = st.sampled_from(["a", "b", "c", "d", "星", "e f", "0", "00"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(ids, ids, st.sampled_from(["repost", "reply", "mention"]),
                          st.one_of(st.just(np.nan), st.floats(0, 2e9)),
                          st.one_of(st.just(np.nan), st.floats(-1, 1))), max_size=60))
def test_graph_round_trips_the_interactions(rows):
    frame = interactions(rows)
    g = graph_from_interactions(frame)
    edges = edge_frame(g)
    assert edges["count"].sum() == len(frame)
    # The edge table rebuilt from the graph gives the same graph again.
    again = edge_frame(build_graph(edges, vertex_frame(g)))
    pd.testing.assert_frame_equal(edges, again)
    # Per (src, dst, kind) the count matches a plain groupby.
    if len(frame):
        expected = {(s, d, str(k)): n for (s, d, k), n in frame.groupby(["src", "dst", "kind"], observed=True).size().items()}
        got = {(s, d, k): n for s, d, k, n in edges[["src", "dst", "kind", "count"]].itertuples(index=False)}
        assert got == expected


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 30), m=st.integers(0, 120), seed=st.integers(0, 2**32 - 1))
def test_graph_from_arrays_keeps_every_edge_in_order(n, m, seed):
    """The load path: edge i is src[i] -> dst[i] with its values (self-loops, repeats, isolated and
    trailing vertices included), vertex j is row j of the vertex table."""
    from kolgraph.build.graph import graph_from_arrays
    from kolgraph.schema import KINDS

    rng = np.random.default_rng(seed)
    m = m if n else 0
    arrays = {"src": rng.integers(0, max(n, 1), m), "dst": rng.integers(0, max(n, 1), m),
              "kind": rng.integers(0, len(KINDS), m).astype(np.int8), "count": rng.integers(1, 5, m)}
    for attribute in ("weight", "first_ts", "last_ts", "sentiment"):
        arrays[attribute] = np.where(rng.random(m) < 0.2, np.nan, rng.normal(size=m))
    vertices = pd.DataFrame({"user_id": [f"u{j}" for j in range(n)], "followers": rng.integers(0, 9, n) * 1.0})
    g = graph_from_arrays(arrays, vertices)
    assert g.is_directed() and g.vcount() == n and g.ecount() == m
    assert g.get_edgelist() == list(zip(arrays["src"].tolist(), arrays["dst"].tolist()))
    assert g.vs["name"] == vertices["user_id"].tolist() and g.vs["followers"] == vertices["followers"].tolist()
    assert g.es["kind"] == [KINDS[k] for k in arrays["kind"]] and g.es["count"] == arrays["count"].tolist()
    for attribute in ("weight", "first_ts", "last_ts", "sentiment"):
        np.testing.assert_array_equal(np.asarray(g.es[attribute], dtype=float), arrays[attribute])
