"""The contract every algorithm keeps (architecture.md, convention 9; issue 12).

For each entry of ``ALGORITHMS``: the result carries ``method``, ``parameters`` and its ``seed`` (the
seed it was given; None for an algorithm without randomness); ``to_frame()`` is keyed by user id
(one row per user, or one per ordered pair of users for attitudes, or per candidate and user for
what-if); the same seed gives the same table; an empty graph and a graph without edges work (or,
where the algorithm needs an account that an empty graph cannot hold, fail with a clear
:class:`~kolgraph.errors.KolgraphError`); the input graph is left exactly as it was.

To add an algorithm, add one line to ``ALGORITHMS``: ``Algo(run, keyed=..., random=...)`` with
``run(g, seed) -> result`` (wrap extra arguments in the lambda or a helper below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.camps import camp_affinity
from kolgraph.algorithms.centrality import centrality_table
from kolgraph.algorithms.communities import consensus_communities, detect_communities
from kolgraph.algorithms.projection import collapse_undirected, edge_arrays
from kolgraph.algorithms.roles import assign_roles
from kolgraph.algorithms.stance import attitudes, user_stance
from kolgraph.algorithms.whatif import WhatIfScenario, simulate_partnership
from kolgraph.build.graph import edge_frame
from kolgraph.config import BrandConfig
from kolgraph.errors import KolgraphError


# --------------------------------------------------------------------------- inputs derived from the graph

def _names(g: ig.Graph) -> list[str]:
    return [str(x) for x in g.vs["name"]] if g.vcount() else []


def _by_engagement(g: ig.Graph) -> list[str]:
    """Users by in-degree (most engaged first, ties by id): a stand-in brand account and KOL."""
    names = _names(g)
    deg = g.degree(mode="in") if names else []
    return [n for _, n in sorted(zip((-d for d in deg), names))]


def _interactions(g: ig.Graph) -> tuple[pd.DataFrame, np.ndarray]:
    """The graph's edges as interaction rows, with a fixed sentiment in [-1, 1] per row."""
    frame = edge_frame(g)
    rows = frame[["src", "dst", "kind"]].astype({"src": "str", "dst": "str"}) if len(frame) else \
        pd.DataFrame({"src": pd.Series([], dtype="str"), "dst": pd.Series([], dtype="str"), "kind": []})
    return rows.reset_index(drop=True), np.cos(np.arange(len(rows), dtype=float))


def _brand(g: ig.Graph) -> BrandConfig:
    ranked = _by_engagement(g)
    return BrandConfig(accounts=tuple(ranked[:1]) or ("brand",))


def run_stance(g: ig.Graph, seed: int):
    inter, sentiment = _interactions(g)
    return user_stance(inter, sentiment, _brand(g), users=pd.Index(_names(g), dtype="str"))


def run_attitudes(g: ig.Graph, seed: int):
    inter, sentiment = _interactions(g)
    return attitudes(inter, sentiment, users=pd.Index(_names(g), dtype="str"))


def run_roles(g: ig.Graph, seed: int):
    comm = detect_communities(g, seed=seed)
    cent = centrality_table(g, membership=comm, seed=seed).to_frame()
    stance = run_stance(g, seed).to_frame()
    e = edge_arrays(g)
    n = g.vcount()
    a, b, _ = collapse_undirected(n, e.src, e.dst, e.weight)
    brand = _brand(g).accounts
    is_brand = pd.Index(_names(g)).isin(list(brand))
    to_brand = is_brand[e.dst] if n else np.zeros(0, bool)
    metrics = cent.assign(community=comm.membership, stance=stance["stance"].to_numpy(),
                          stance_support=stance["stance_support"].to_numpy(),
                          degree=np.bincount(a, minlength=n) + np.bincount(b, minlength=n),
                          brand_interactions=np.bincount(e.src[to_brand], weights=e.count[to_brand], minlength=n))
    return assign_roles(metrics, brand_accounts=brand, links=pd.DataFrame({"src": e.src, "dst": e.dst,
                                                                           "weight": e.weight}))


def run_camps(g: ig.Graph, seed: int):
    ranked = _by_engagement(g)
    return camp_affinity(g, ranked[:1] or ["brand"], ranked[1:2], kinds=None, seed=seed)


def run_whatif(g: ig.Graph, seed: int):
    ranked = _by_engagement(g)
    brand, candidate = (ranked[:1] or ["brand"]), (ranked[1:2] or ["nobody"])
    rng = np.random.default_rng(5)
    stance = pd.Series(rng.uniform(-1, 1, len(ranked)), index=_names(g), dtype=float)
    inter, sentiment = _interactions(g)
    att = attitudes(inter, sentiment, users=pd.Index(_names(g), dtype="str")).to_frame()
    fans = [u for u in ranked[2:] if stance[u] > 0.3]
    return simulate_partnership(g, stance, att, fans, brand,
                                WhatIfScenario(candidates=tuple(candidate), runs=5, seed=seed))


# --------------------------------------------------------------------------- the table

@dataclass(frozen=True)
class Algo:
    """``run(g, seed)``; ``keyed``: "user" (one row per user), "pair" (src, dst users) or "candidate"
    (candidate, user_id); ``random``: whether the result carries the seed (else None); ``needs_account``:
    needs an account of the graph, so an empty graph is a clear error."""

    run: Callable[[ig.Graph, int], Any]
    keyed: str = "user"
    random: bool = True
    needs_account: bool = False


ALGORITHMS: dict[str, Algo] = {
    "communities.leiden": Algo(lambda g, seed: detect_communities(g, method="leiden", seed=seed)),
    "communities.louvain": Algo(lambda g, seed: detect_communities(g, method="louvain", seed=seed)),
    "communities.label_propagation": Algo(lambda g, seed: detect_communities(g, method="label_propagation",
                                                                             seed=seed)),
    "communities.consensus": Algo(lambda g, seed: consensus_communities(g, runs=3, seed=seed)),
    "centrality.table_exact": Algo(lambda g, seed: centrality_table(
        g, membership=detect_communities(g, seed=seed), betweenness="exact", seed=seed)),
    "centrality.table_sampled": Algo(lambda g, seed: centrality_table(
        g, betweenness="sampled", betweenness_samples=300, seed=seed)),
    "camps.affinity": Algo(run_camps, needs_account=True),
    "roles.rules": Algo(run_roles, random=False),
    "stance.user_stance": Algo(run_stance, random=False),
    "stance.attitudes": Algo(run_attitudes, keyed="pair", random=False),
    "whatif.simulate_partnership": Algo(run_whatif, keyed="candidate", needs_account=True),
}


# --------------------------------------------------------------------------- checks

def keyed_users(frame: pd.DataFrame, keyed: str) -> list[str]:
    """The user ids a result table is keyed by (see :class:`Algo`)."""
    if keyed == "pair":
        assert {"src", "dst"} <= set(frame.columns), "a pair table has src and dst columns"
        return sorted(set(frame["src"].astype(str)) | set(frame["dst"].astype(str)))
    if "user_id" in frame.columns:
        ids = frame["user_id"]
    else:
        assert frame.index.name == "user_id", "to_frame() must be keyed by user_id (column or index)"
        ids = frame.index.to_series()
    if keyed == "candidate":
        assert "candidate" in frame.columns
        per_candidate = frame.groupby("candidate")["user_id"].apply(lambda s: s.is_unique)
        assert per_candidate.all(), "what-if rows: one per candidate and user"
        return sorted(set(ids.astype(str)))
    assert ids.is_unique, "one row per user"
    return sorted(ids.astype(str))


def run_checked(name: str, g: ig.Graph, seed: int, snapshot) -> pd.DataFrame:
    algo = ALGORITHMS[name]
    before = snapshot(g)
    result = algo.run(g, seed)
    assert snapshot(g) == before, "the algorithm modified its input graph"
    assert isinstance(result.method, str) and result.method
    assert isinstance(result.parameters, Mapping) and result.parameters
    assert result.seed == (seed if algo.random else None)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    users = keyed_users(frame, algo.keyed)
    everyone = sorted(_names(g))
    if algo.keyed == "user":
        assert users == everyone
    else:
        assert set(users) <= set(everyone)
    return frame


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_result_keyed_by_user_and_input_unchanged(name, schema_graph, snapshot):
    frame = run_checked(name, schema_graph, 7, snapshot)
    assert len(frame) > 0
    if ALGORITHMS[name].keyed == "user":
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
    if g.vcount() == 0 and ALGORITHMS[name].needs_account:
        before = snapshot(g)
        with pytest.raises(KolgraphError, match="'(brand|nobody)'"):
            ALGORITHMS[name].run(g, 0)
        assert snapshot(g) == before
        return
    frame = run_checked(name, g, 0, snapshot)
    numeric = frame.select_dtypes("number")
    assert not np.isinf(numeric.to_numpy(dtype=float)).any()
