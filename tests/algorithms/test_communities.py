"""Communities: what the partitions mean on graphs with known answers, and how they are labelled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from kolgraph.algorithms.communities import (
    METHODS,
    CommunityResult,
    ConsensusResult,
    consensus_communities,
    detect_communities,
)
from kolgraph.algorithms.projection import undirected_projection
from kolgraph.schema import ConfigError


def by_user(result: CommunityResult) -> dict[str, int]:
    frame = result.to_frame()
    return dict(zip(frame["user_id"], frame["community"]))


def karate_nmi(result: CommunityResult, factions: dict[str, int]) -> float:
    truth = [factions[name] for name in result.names]
    return normalized_mutual_info_score(truth, result.membership)


@pytest.fixture
def random_graph(make_graph):
    """120 users, 500 random interactions: weak structure, so seeds change the partition."""
    rng = np.random.default_rng(3)
    src, dst = rng.integers(0, 120, 500), rng.integers(0, 120, 500)
    kinds = rng.choice(["repost", "reply", "mention"], 500)
    return make_graph([(f"u{s}", f"u{d}", k) for s, d, k in zip(src, dst, kinds)])


@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_two_cliques_are_two_communities(two_cliques_graph, method):
    res = detect_communities(two_cliques_graph, method=method, seed=0)
    labels = by_user(res)
    a = {labels[f"a{i}"] for i in range(6)}
    b = {labels[f"b{i}"] for i in range(6)}
    assert len(a) == 1 and len(b) == 1 and a != b
    assert labels["x"] in a | b
    # the loner has no ties: its own community, the smallest, so the last label
    assert labels["loner"] == res.n_communities - 1 == 2
    assert list(res.sizes) == [7, 6, 1]
    assert res.modularity > 0.4


def test_karate_leiden_recovers_the_factions(karate_graph, karate_factions):
    """Leiden at resolution 1 finds the modularity optimum (Q = 0.4198, 4 groups) whose NMI with
    Zachary's two factions is 0.588; at resolution 0.5 it finds 2 groups with NMI 0.677."""
    res = detect_communities(karate_graph, method="leiden", seed=0, resolution=1.0)
    assert res.n_communities == 4
    assert res.modularity == pytest.approx(0.4198, abs=1e-3)
    assert karate_nmi(res, karate_factions) >= 0.58
    two = detect_communities(karate_graph, method="leiden", seed=0, resolution=0.5)
    assert two.n_communities == 2
    assert two.modularity > 0.35
    assert karate_nmi(two, karate_factions) >= 0.67
    # the two leaders end up on opposite sides
    labels = by_user(two)
    assert labels["1"] != labels["34"]


def test_karate_consensus_is_as_good(karate_graph, karate_factions):
    res = consensus_communities(karate_graph, runs=8, seed=0, resolution=1.0)
    assert isinstance(res, ConsensusResult)
    assert res.modularity > 0.41
    assert karate_nmi(res, karate_factions) >= 0.58
    res2 = consensus_communities(karate_graph, runs=8, seed=0, resolution=0.5)
    assert karate_nmi(res2, karate_factions) >= 0.67


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_partition(random_graph, method):
    first = detect_communities(random_graph, method=method, seed=5)
    again = detect_communities(random_graph, method=method, seed=5)
    assert np.array_equal(first.membership, again.membership)
    assert first.modularity == again.modularity


@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_seed_reaches_igraph(random_graph, method):
    partitions = {tuple(detect_communities(random_graph, method=method, seed=s).membership) for s in range(6)}
    assert len(partitions) > 1


def test_seeding_leaves_python_random_alone(random_graph):
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    detect_communities(random_graph, seed=1)
    assert random.random() == expected


def test_labels_by_size_then_smallest_member(make_graph):
    rows = [("z1", "z2", "repost"), ("z2", "z3", "repost"), ("z3", "z1", "reply"),
            ("d", "a", "mention"), ("c", "b", "repost")]
    res = detect_communities(make_graph(rows, users=["e"]), seed=0)
    labels = by_user(res)
    assert labels["z1"] == labels["z2"] == labels["z3"] == 0   # largest first
    assert labels["a"] == labels["d"] == 1                     # tie on size 2: "a" < "b"
    assert labels["b"] == labels["c"] == 2
    assert labels["e"] == 3
    assert list(res.community_frame()["size"]) == [3, 2, 2, 1]


def test_projection_sums_directions_and_kinds_drops_self_loops(make_graph):
    rows = [("a", "b", "repost"), ("a", "b", "repost"), ("b", "a", "reply"), ("a", "b", "mention"),
            ("a", "a", "repost"), ("b", "c", "reply")]
    g = make_graph(rows)
    h = undirected_projection(g)
    assert not h.is_directed()
    assert h.vs["name"] == g.vs["name"]
    assert h.vs.attributes() == ["name"] and h.es.attributes() == ["weight"]
    weights = {frozenset((h.vs[e.source]["name"], h.vs[e.target]["name"])): e["weight"] for e in h.es}
    assert weights == {frozenset("ab"): pytest.approx(2 * 1.0 + 0.5 + 0.3), frozenset("bc"): 0.5}


def test_modularity_is_that_of_the_weighted_projection(schema_graph):
    res = detect_communities(schema_graph, seed=0)
    h = undirected_projection(schema_graph)
    assert res.modularity == pytest.approx(h.modularity(res.membership.tolist(), weights="weight"))


def test_resolution_controls_granularity(karate_graph):
    sizes = [detect_communities(karate_graph, seed=0, resolution=r).n_communities for r in (0.3, 1.0, 2.0)]
    assert sizes[0] < sizes[1] < sizes[2]


def test_consensus_confidence_marks_the_ambiguous_user(two_cliques_graph):
    """x ties equally to both groups: some runs put it with the other group, so it has the lowest
    confidence; group b never changes."""
    res = consensus_communities(two_cliques_graph, runs=20, seed=0)
    frame = res.to_frame().set_index("user_id")
    confidence = frame["community_confidence"]
    assert confidence["x"] < confidence.drop("x").min()
    assert (confidence[[f"b{i}" for i in range(6)]] == 1.0).all()
    assert confidence["loner"] == 1.0


def test_consensus_stability_is_mean_member_confidence(random_graph):
    res = consensus_communities(random_graph, runs=6, seed=2)
    frame = res.to_frame()
    assert frame["community_confidence"].between(0, 1).all()
    assert frame["community_confidence"].min() < 1.0             # weak structure: runs disagree
    by_community = frame.groupby("community")["community_confidence"].mean()
    stability = res.community_frame().set_index("community")["stability"]
    assert np.allclose(by_community.sort_index().to_numpy(), stability.to_numpy())
    # the chosen run agrees best with the others, and it is the partition returned
    assert res.agreement[res.chosen_run] == max(res.agreement)
    chosen = detect_communities(random_graph, seed=res.run_seeds[res.chosen_run])
    assert np.array_equal(chosen.membership, res.membership)
    assert res.run_seeds == tuple(int(s) for s in np.random.default_rng(2).integers(0, 2**31 - 1, 6))


def test_consensus_same_seed_same_result(random_graph):
    a = consensus_communities(random_graph, runs=4, seed=9)
    b = consensus_communities(random_graph, runs=4, seed=9)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_consensus_in_worker_processes_equals_serial(random_graph, method):
    serial = consensus_communities(random_graph, method=method, runs=5, seed=4, workers=1)
    parallel = consensus_communities(random_graph, method=method, runs=5, seed=4, workers=2)
    assert len(set(serial.agreement)) > 1            # the runs differ, so order and seeding matter
    pd.testing.assert_frame_equal(serial.to_frame(), parallel.to_frame())
    assert serial.agreement == parallel.agreement and serial.chosen_run == parallel.chosen_run


def _consensus_frame(g):
    return consensus_communities(g, runs=3, seed=4, workers=2).to_frame()


def test_consensus_inside_a_pool_worker_runs_serially(random_graph):
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:   # daemonic: may not start children
        frame = pool.apply(_consensus_frame, (random_graph,))
    pd.testing.assert_frame_equal(frame, consensus_communities(random_graph, runs=3, seed=4, workers=1).to_frame())


@pytest.mark.parametrize("workers", [0, 1.5, -2])
def test_consensus_workers_must_be_a_positive_integer(random_graph, workers):
    with pytest.raises(ConfigError):
        consensus_communities(random_graph, runs=2, workers=workers)


@pytest.mark.parametrize("kwargs", [{"method": "walktrap"}, {"resolution": 0}, {"max_iterations": 0}])
def test_bad_parameters_are_config_errors(random_graph, kwargs):
    with pytest.raises(ConfigError):
        detect_communities(random_graph, **kwargs)


def test_consensus_needs_two_runs(random_graph):
    with pytest.raises(ConfigError):
        consensus_communities(random_graph, runs=1)


def test_edgeless_graph_gives_singletons_and_nan_modularity(edgeless_graph):
    res = detect_communities(edgeless_graph, seed=0)
    assert list(res.to_frame()["community"]) == [0, 1, 2]   # a < b < c
    assert np.isnan(res.modularity)
    cons = consensus_communities(edgeless_graph, runs=3, seed=0)
    assert (cons.to_frame()["community_confidence"] == 1.0).all()


def test_started_in_a_worker_gives_the_same_partition_and_coreness(random_graph, monkeypatch):
    """start_communities in a forked worker = detect_communities here (same seed), and the
    worker's coreness = igraph's on the projection; a worker failure is reported, not hidden."""
    from kolgraph.algorithms.communities import start_communities
    from kolgraph.algorithms.projection import edge_arrays
    from kolgraph.schema import KolgraphError

    edges = edge_arrays(random_graph)
    here = detect_communities(random_graph, seed=4)
    job = start_communities(edge_arrays(random_graph), seed=4, background=True)
    assert job.background
    there = job.result()
    assert not job.background and job.result() is there
    assert there.names == here.names and np.array_equal(there.membership, here.membership)
    assert there.modularity == here.modularity and there.parameters == here.parameters
    assert not there.membership.flags.writeable
    assert np.array_equal(job.coreness, np.asarray(undirected_projection(random_graph).coreness()))
    inline = start_communities(edges, seed=4, background=False)
    assert not inline.background and np.array_equal(inline.result().membership, here.membership)
    assert inline.coreness is None
    import kolgraph.algorithms.communities as module

    def fails(*args, **kwargs):
        raise MemoryError("out of memory in the worker")

    monkeypatch.setattr(module, "detect_communities", fails)  # the forked worker inherits it
    broken = start_communities(edge_arrays(random_graph), seed=4, background=True)
    with pytest.raises(KolgraphError, match="worker process: MemoryError: out of memory"):
        broken.result()
    def slow(*args, **kwargs):
        import time
        time.sleep(60)

    monkeypatch.setattr(module, "detect_communities", slow)
    stopped = start_communities(edge_arrays(random_graph), seed=4, background=True)
    assert stopped.background
    stopped.cancel()  # ends the worker at once (it holds no lock while it sleeps): no 60 s wait
    assert not stopped.background
