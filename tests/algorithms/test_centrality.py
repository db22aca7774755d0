"""Centrality: what each column means on graphs whose answers are known."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.centrality import (
    COLUMNS,
    BetweennessResult,
    CentralityResult,
    betweenness,
    centrality_table,
    coreness,
    distinct_engagers,
    hits,
    pagerank,
    participation_coefficient,
    strengths,
)
from kolgraph.algorithms.communities import detect_communities
from kolgraph.algorithms.projection import igraph_seed, undirected_projection
from kolgraph.schema import KINDS, ConfigError, KolgraphError


def without_loops(g: ig.Graph) -> ig.Graph:
    h = g.copy()
    h.delete_edges([e.index for e in h.es if e.is_loop()])
    return h


@pytest.fixture
def star_graph(make_graph):
    """``star`` is reposted by 20 users; ``side`` by 3 of them; ``star`` reposts ``side`` once."""
    rows = [(f"f{i}", "star", "repost") for i in range(20)]
    rows += [(f"f{i}", "side", "repost") for i in range(3)] + [("star", "side", "repost")]
    return make_graph(rows)


def test_bridge_has_top_betweenness_and_participation(two_cliques_graph):
    comm = detect_communities(two_cliques_graph, seed=0)
    table = centrality_table(two_cliques_graph, membership=comm).to_frame().set_index("user_id")
    assert table["betweenness"].idxmax() == "x"
    assert table["betweenness"]["x"] > 2 * table["betweenness"].drop("x").max()
    # x splits its 6 ties 3/3 between the two communities: P = 1 - (1/2^2 + 1/2^2) = 0.5
    assert table["participation"]["x"] == pytest.approx(0.5)
    assert table["participation"].drop("x").max() < 0.3
    assert table.loc["loner", ["participation", "betweenness", "coreness"]].tolist() == [0.0, 0.0, 0]


def test_pagerank_ranks_the_most_reposted_account_first(star_graph):
    table = centrality_table(star_graph).to_frame().set_index("user_id")
    assert table["pagerank"].idxmax() == "star"
    assert table["pagerank_pct"]["star"] == 100.0
    assert table["pagerank"].sum() == pytest.approx(1.0)
    # the 20 followers are interchangeable: one tied percentile, below both accounts
    followers = table["pagerank_pct"][[f"f{i}" for i in range(3, 20)]]
    assert followers.nunique() == 1 and followers.iloc[0] < table["pagerank_pct"]["side"]
    assert table["authority"].idxmax() == "star" and table["authority"].max() == 1.0


def test_pagerank_and_hits_match_igraph(schema_graph, make_graph):
    h = without_loops(schema_graph)
    pr = pagerank(schema_graph)
    assert np.allclose(pr.to_numpy(), h.pagerank(weights="weight"), atol=1e-9)
    assert list(pr.index) == schema_graph.vs["name"]
    # HITS is unique (and igraph silent) when most users both engage and get engaged
    rng = np.random.default_rng(8)
    rows = [(f"u{s}", f"u{d}", k) for s, d, k in zip(rng.integers(0, 40, 400), rng.integers(0, 40, 400),
                                                      rng.choice(["repost", "reply", "mention"], 400))]
    g = make_graph(rows)
    h = without_loops(g)
    scores = hits(g)
    assert np.allclose(scores["hub"], h.hub_score(weights="weight"), atol=1e-6)
    assert np.allclose(scores["authority"], h.authority_score(weights="weight"), atol=1e-6)


def test_pagerank_ignores_self_loops(make_graph):
    base = [("a", "b", "repost"), ("c", "b", "reply"), ("b", "a", "mention")]
    with_loop = pagerank(make_graph(base + [("a", "a", "repost")] * 5))
    assert np.allclose(with_loop.sort_index(), pagerank(make_graph(base)).sort_index())


def test_distinct_engagers_counts_users_not_interactions(make_graph):
    rows = [("u", "v", "repost")] * 5 + [("u", "v", "reply")] * 2 + [("w", "v", "mention"), ("v", "v", "repost")]
    g = make_graph(rows)
    assert distinct_engagers(g)["v"] == 2
    table = strengths(g)
    assert table.loc["v", "in_count"] == 8                      # self-repost excluded
    assert table.loc["v", "in_strength"] == pytest.approx(5 * 1.0 + 2 * 0.5 + 0.3)
    assert table.loc["v", "in_strength_reply"] == pytest.approx(1.0)
    assert table.loc["u", "out_count"] == 7 and table.loc["u", "out_strength_repost"] == 5.0
    assert table.loc["u", "out_count_repost"] == 5 and table.loc["u", "out_count_reply"] == 2
    assert (table[[f"out_count_{k}" for k in KINDS]].sum(axis=1) == table["out_count"]).all()


def test_per_kind_strengths_sum_to_total(schema_graph):
    table = centrality_table(schema_graph).to_frame()
    for side in ("in", "out"):
        parts = table[[f"{side}_strength_{k}" for k in ("repost", "reply", "mention")]].sum(axis=1)
        assert np.allclose(parts, table[f"{side}_strength"])
    # every edge counted once on each side (self-loop excluded)
    h = without_loops(schema_graph)
    assert table["in_strength"].sum() == pytest.approx(sum(h.es["weight"]))
    assert table["out_count"].sum() == table["in_count"].sum() == sum(h.es["count"])


def test_coreness_on_the_undirected_projection(two_cliques_graph, schema_graph):
    core = coreness(two_cliques_graph)
    assert core["a3"] == 5 and core["x"] == 5 and core["loner"] == 0   # 6-clique; x has 6 ties
    h = undirected_projection(schema_graph)
    assert coreness(schema_graph).tolist() == h.coreness()


def test_participation_formula_and_membership_inputs(make_graph):
    rows = [("u", "a", "repost"), ("u", "a", "repost"), ("u", "b", "repost"), ("a", "b", "reply")]
    g = make_graph(rows, users=["alone"])
    membership = {"u": 0, "a": 0, "b": 1, "alone": 2}
    p = participation_coefficient(g, membership)
    # u: weight 2 to its own group, 1 to the other -> 1 - (2/3)^2 - (1/3)^2
    assert p["u"] == pytest.approx(1 - 4 / 9 - 1 / 9)
    assert p["alone"] == 0.0
    assert participation_coefficient(g, pd.Series(membership)).equals(p)
    in_order = [membership[name] for name in g.vs["name"]]
    assert participation_coefficient(g, np.array(in_order)).equals(p)
    with pytest.raises(KolgraphError):
        participation_coefficient(g, {"u": 0, "a": 0})
    assert centrality_table(g).to_frame()["participation"].isna().all()


def test_sampled_betweenness_within_its_bound(make_graph):
    """1,500 users (preferential attachment): the sampled values sit within the stated epsilon
    of the exact ones, and the sampler is unbiased enough to find the same top broker."""
    with igraph_seed(4):
        edges = ig.Graph.Barabasi(1500, 3, directed=True).get_edgelist()
    rows = [(f"n{u}", f"n{v}", "repost") for u, v in edges]
    g = make_graph(rows)
    exact = betweenness(g, mode="exact")
    sampled = betweenness(g, mode="sampled", epsilon=0.04, delta=0.1, seed=1)
    assert isinstance(sampled, BetweennessResult) and sampled.method == "sampled"
    assert 0.04 <= sampled.epsilon < 0.0401 and sampled.samples > 1000
    error = (sampled.values - exact.values).abs()
    assert error.max() <= sampled.epsilon
    assert exact.values.max() > 3 * sampled.epsilon           # the bound is not vacuous here
    top = set(exact.values.nlargest(3).index)               # three hubs within 0.007 of each other
    assert set(sampled.values.nlargest(3).index) == top
    assert error.mean() < 0.1 * sampled.epsilon


def test_betweenness_matches_igraph_normalised(karate_graph):
    res = betweenness(karate_graph, mode="exact")
    h = undirected_projection(karate_graph)
    expected = np.array(h.betweenness(directed=False, weights=None)) / (33 * 32 / 2)
    assert np.allclose(res.values.to_numpy(), expected)
    assert res.values.idxmax() == "1"                          # Mr. Hi brokers most


def test_betweenness_modes(karate_graph):
    auto_small = centrality_table(karate_graph, exact_max_vertices=100)
    assert auto_small.betweenness_info["method"] == "exact"
    auto_big = centrality_table(karate_graph, exact_max_vertices=10, betweenness_samples=500, seed=3)
    info = auto_big.betweenness_info
    assert info["method"] == "sampled" and info["samples"] == 500 and 0 < info["epsilon"] < 1
    assert info["vertex_diameter_bound"] >= 6                  # karate's vertex diameter is 6
    again = centrality_table(karate_graph, exact_max_vertices=10, betweenness_samples=500, seed=3)
    pd.testing.assert_frame_equal(auto_big.to_frame(), again.to_frame())
    other = centrality_table(karate_graph, exact_max_vertices=10, betweenness_samples=500, seed=4)
    assert not other.to_frame()["betweenness"].equals(auto_big.to_frame()["betweenness"])
    none = centrality_table(karate_graph, betweenness="none").to_frame()
    assert none["betweenness"].isna().all()


def test_table_shape_and_metadata(schema_graph):
    comm = detect_communities(schema_graph, seed=0)
    res = centrality_table(schema_graph, membership=comm, seed=2)
    assert isinstance(res, CentralityResult)
    frame = res.to_frame()
    assert tuple(frame.columns) == COLUMNS
    assert list(frame["user_id"]) == schema_graph.vs["name"]
    assert frame["pagerank_pct"].between(0, 100).all()
    assert frame[["hub", "authority", "betweenness", "participation"]].stack().between(0, 1).all()
    assert res.parameters["membership"] == "leiden" and res.seed == 2
    assert set(res.methods) >= {"pagerank", "betweenness", "participation", "coreness"}
    frame.loc[0, "pagerank"] = -1.0                             # a copy: the result is unchanged
    assert res.to_frame().loc[0, "pagerank"] >= 0


@pytest.mark.parametrize("fixture", ["empty_graph", "edgeless_graph"])
def test_empty_and_edgeless_graphs(fixture, request):
    g = request.getfixturevalue(fixture)
    frame = centrality_table(g, membership=np.zeros(g.vcount(), dtype=int)).to_frame()
    assert tuple(frame.columns) == COLUMNS and len(frame) == g.vcount()
    numeric = frame.drop(columns=["user_id", "pagerank", "pagerank_pct"])
    assert (numeric.to_numpy() == 0).all()
    if g.vcount():
        assert np.allclose(frame["pagerank"], 1 / g.vcount())
        assert (frame["pagerank_pct"] == 50.0).all()           # all tied


@pytest.mark.parametrize("kwargs", [{"betweenness": "approx"}, {"damping": 1.0},
                                    {"betweenness_samples": 0}, {"betweenness_epsilon": 0}])
def test_bad_parameters_are_config_errors(schema_graph, kwargs):
    with pytest.raises(ConfigError):
        centrality_table(schema_graph, **kwargs)


def test_betweenness_started_in_a_worker_equals_the_in_process_values(make_graph):
    """start_betweenness in a forked worker (forced here; automatic from 50k users) gives exactly the
    values centrality_table computes itself, and the table takes them; other options are refused."""
    from kolgraph.algorithms.betweenness import start_betweenness
    from kolgraph.algorithms.projection import edge_arrays

    with igraph_seed(2):
        edges = ig.Graph.Barabasi(600, 2, directed=True).get_edgelist()
    g = make_graph([(f"n{u}", f"n{v}", "repost") for u, v in edges])
    e = edge_arrays(g)
    own = centrality_table(g, exact_max_vertices=100, seed=5).to_frame()
    job = start_betweenness(e, exact_max_vertices=100, seed=5, background=True)
    assert job.background
    shared = centrality_table(g, exact_max_vertices=100, seed=5, edges=e, betweenness_job=job)
    pd.testing.assert_frame_equal(own, shared.to_frame())
    assert shared.betweenness_info["method"] == "sampled"
    inline = start_betweenness(e, exact_max_vertices=100, seed=5, background=False)
    assert not inline.background and np.array_equal(inline.result()[0], own["betweenness"].to_numpy())
    other = start_betweenness(e, exact_max_vertices=100, seed=6, background=True)
    with pytest.raises(KolgraphError, match="other options"):
        centrality_table(g, exact_max_vertices=100, seed=5, betweenness_job=other)


def test_table_from_shared_edge_arrays_equals_the_graphs(schema_graph):
    from kolgraph.algorithms.projection import edge_arrays

    comm = detect_communities(schema_graph, seed=0)
    e = edge_arrays(schema_graph)
    assert np.array_equal(detect_communities(schema_graph, seed=0, edges=e).membership, comm.membership)
    pd.testing.assert_frame_equal(centrality_table(schema_graph, membership=comm).to_frame(),
                                  centrality_table(schema_graph, membership=comm, edges=e).to_frame())
