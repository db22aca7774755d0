"""The contract every algorithm keeps (architecture.md, convention 9).

For each entry of ``ALGORITHMS``: the result carries ``method``, ``parameters`` and the ``seed``
it was given; ``to_frame()`` is keyed by user id (a ``user_id`` column or index) with one row per
user; the same seed gives the same table; an empty graph and a graph without edges work; the input
graph is left exactly as it was. To add an algorithm, add one ``name: run(g, seed) -> result``
entry (wrap extra arguments in the lambda).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.centrality import centrality_table
from kolgraph.algorithms.communities import consensus_communities, detect_communities

ALGORITHMS: dict[str, Callable[[ig.Graph, int], Any]] = {
    "communities.leiden": lambda g, seed: detect_communities(g, method="leiden", seed=seed),
    "communities.louvain": lambda g, seed: detect_communities(g, method="louvain", seed=seed),
    "communities.label_propagation": lambda g, seed: detect_communities(g, method="label_propagation", seed=seed),
    "communities.consensus": lambda g, seed: consensus_communities(g, runs=3, seed=seed),
    "centrality.table_exact": lambda g, seed: centrality_table(
        g, membership=detect_communities(g, seed=seed), betweenness="exact", seed=seed),
    "centrality.table_sampled": lambda g, seed: centrality_table(
        g, betweenness="sampled", betweenness_samples=300, seed=seed),
}


def user_ids(frame: pd.DataFrame) -> list[str]:
    """The user ids a result table is keyed by: its ``user_id`` column, else its index."""
    if "user_id" in frame.columns:
        return list(frame["user_id"])
    assert frame.index.name == "user_id", "to_frame() must be keyed by user_id (column or index)"
    return list(frame.index)


def run_checked(name: str, g: ig.Graph, seed: int, snapshot) -> pd.DataFrame:
    before = snapshot(g)
    result = ALGORITHMS[name](g, seed)
    assert snapshot(g) == before, "the algorithm modified its input graph"
    assert isinstance(result.method, str) and result.method
    assert isinstance(result.parameters, Mapping)
    assert result.seed == seed
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    expected = sorted(g.vs["name"]) if g.vcount() else []
    assert sorted(map(str, user_ids(frame))) == expected
    return frame


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_result_keyed_by_user_and_input_unchanged(name, schema_graph, snapshot):
    frame = run_checked(name, schema_graph, 7, snapshot)
    assert len(frame) == schema_graph.vcount()


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_same_seed_same_result(name, schema_graph, snapshot):
    first = run_checked(name, schema_graph, 3, snapshot)
    again = run_checked(name, schema_graph, 3, snapshot)
    pd.testing.assert_frame_equal(first, again)


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
@pytest.mark.parametrize("graph", ["empty_graph", "edgeless_graph"])
def test_empty_and_edgeless_graphs(name, graph, request, snapshot):
    g = request.getfixturevalue(graph)
    frame = run_checked(name, g, 0, snapshot)
    numeric = frame.select_dtypes("number")
    assert not np.isinf(numeric.to_numpy(dtype=float)).any()
