"""Role rules on hand-made metric tables: each tag's thresholds, just above and just below."""

from __future__ import annotations

import dataclasses

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.centrality import centrality_table
from kolgraph.algorithms.communities import detect_communities
from kolgraph.algorithms.projection import collapse_undirected, edge_arrays
from kolgraph.algorithms.role_metrics import brand_communities, community_spread
from kolgraph.algorithms.role_text import format_fixed
from kolgraph.algorithms.roles import ROLE_TAGS, RoleParams, assign_roles
from kolgraph.schema import DEFAULT_KIND_WEIGHTS, KINDS, KolgraphError

N_FILLER = 200  # plain users, so that "top 1%" and "top 5%" are small fixed counts


def base_table(n_filler: int = N_FILLER) -> pd.DataFrame:
    """Filler users who hold no role: low PageRank, neutral, in community 1, no reposts."""
    return pd.DataFrame({
        "user_id": [f"f{i}" for i in range(n_filler)],
        "community": 1,
        "pagerank": np.linspace(0.001, 0.002, n_filler),
        "distinct_engagers": 2,
        "coreness": 2.0,
        "participation": 0.1,
        "degree": 3,
        "betweenness": 0.0,
        "stance": 0.0,
        "stance_support": 0,
        "brand_interactions": 0,
        "out_strength_repost": 0.0,
        "in_strength": 5.0,
    })


def with_users(rows: list[dict], n_filler: int = N_FILLER) -> pd.DataFrame:
    base = base_table(n_filler)
    extra = pd.DataFrame([{**base.iloc[0].to_dict(), **r} for r in rows])
    return pd.concat([extra, base], ignore_index=True)


def roles_of(result, user: str) -> set[str]:
    frame = result.to_frame().set_index("user_id")
    tags = frame.loc[user, "roles"]
    return set(tags.split("|")) if tags else set()


def reason_of(result, user: str) -> str:
    return result.to_frame().set_index("user_id").loc[user, "reasons"]


def test_kol_needs_top_rank_and_enough_engagers():
    # 203 users: top 1% -> ceil(2.03) = 3, but at least kol_min_count; use min 2 to probe the edge
    params = RoleParams(kol_min_count=2, kol_top_share=0.01)
    m = with_users([
        {"user_id": "big", "pagerank": 0.5, "distinct_engagers": 20},       # rank 1, engagers at the edge
        {"user_id": "lonely", "pagerank": 0.4, "distinct_engagers": 19},    # rank 2, one engager short
        {"user_id": "third", "pagerank": 0.3, "distinct_engagers": 50},     # rank 3 = cutoff ceil(2.03)=3
        {"user_id": "fourth", "pagerank": 0.2, "distinct_engagers": 50},    # rank 4: just outside
    ])
    res = assign_roles(m, params=params)
    assert "kol" in roles_of(res, "big")
    assert "kol" not in roles_of(res, "lonely")
    assert "kol" in roles_of(res, "third")
    assert "kol" not in roles_of(res, "fourth")
    assert res.parameters["kol_rank_cutoff"] == 3
    assert reason_of(res, "big") == "kol: PageRank rank 1 <= 3 (top 1%, at least 2), 20 distinct engagers >= 20"
    # "at least the top 20" wins over 1% of a small graph
    res20 = assign_roles(m)
    assert res20.parameters["kol_rank_cutoff"] == 20
    assert "kol" in roles_of(res20, "fourth")


def core_fan_row(**kw):
    row = {"user_id": "fan", "community": 0, "stance": 0.62, "stance_support": 7, "brand_interactions": 9,
           "coreness": 6.0}
    row.update(kw)
    return row


def brand_table(rows):
    """A brand community 0 (brand account + members) holding most brand engagement, coreness median 4."""
    members = [{"user_id": f"m{i}", "community": 0, "coreness": c, "brand_interactions": 10}
               for i, c in enumerate([2, 3, 4, 4, 5, 5])]
    return with_users([{"user_id": "brand", "community": 0, "coreness": 4, "brand_interactions": 50}]
                      + members + rows)


def test_core_fan_reason_names_values_and_thresholds():
    res = assign_roles(brand_table([core_fan_row()]), brand_accounts=["brand"])
    assert roles_of(res, "fan") == {"core_fan"}
    assert reason_of(res, "fan") == ("core_fan: stance 0.62 >= 0.30 (support 7 >= 3), 9 brand interactions >= 3, "
                                     "coreness 6 >= community 0 median 4")
    assert res.brand_communities == (0,)


@pytest.mark.parametrize("change, is_fan", [
    ({"stance": 0.30}, True), ({"stance": 0.29}, False),
    ({"stance_support": 3}, True), ({"stance_support": 2}, False),
    ({"brand_interactions": 3}, True), ({"brand_interactions": 2}, False),
    ({"coreness": 4.0}, True), ({"coreness": 3.0}, False),
    ({"community": 1}, False),   # warm and engaged, but outside the brand community (9 of 69 < 20%)
])
def test_core_fan_threshold_edges(change, is_fan):
    res = assign_roles(brand_table([core_fan_row(**change)]), brand_accounts=["brand"])
    assert ("core_fan" in roles_of(res, "fan")) is is_fan


def test_brand_account_is_not_its_own_fan_and_brand_engagement_excludes_it():
    res = assign_roles(brand_table([core_fan_row(user_id="brand2")]), brand_accounts=["brand", "brand2"])
    assert roles_of(res, "brand2") == {"brand_account"}
    assert roles_of(res, "brand") == {"brand_account"}
    table = res.communities.set_index("community")
    # the six members' ten interactions each plus brand2's nine would be 69: brand accounts are excluded
    assert table.loc[0, "brand_engagement"] == 60


def test_several_brand_communities_by_share():
    rows = [{"user_id": f"a{i}", "community": 0, "brand_interactions": 6} for i in range(10)]     # 60
    rows += [{"user_id": f"b{i}", "community": 2, "brand_interactions": 3} for i in range(10)]   # 30
    rows += [{"user_id": f"c{i}", "community": 3, "brand_interactions": 1} for i in range(10)]   # 10
    m = with_users(rows)
    shares = brand_communities(m).set_index("community")
    assert shares.loc[0, "brand_engagement_share"] == pytest.approx(0.6)
    assert bool(shares.loc[0, "is_brand"]) and bool(shares.loc[2, "is_brand"])  # 30% >= 20%
    assert not bool(shares.loc[3, "is_brand"]) and not bool(shares.loc[1, "is_brand"])
    only_top = brand_communities(m, min_share=0.5).set_index("community")
    assert only_top["is_brand"].sum() == 1


@pytest.mark.parametrize("stance, support, is_critic", [
    (-0.30, 3, True), (-0.29, 3, False), (-0.9, 2, False), (-0.9, 3, True)])
def test_critic_threshold_edges(stance, support, is_critic):
    res = assign_roles(with_users([{"user_id": "c", "stance": stance, "stance_support": support}]))
    assert ("critic" in roles_of(res, "c")) is is_critic
    if is_critic:
        assert reason_of(res, "c").startswith(f"critic: stance {stance:.2f} <= -0.30 (support {support} >= 3)")


def test_critic_kol_is_critic_and_kol():
    m = with_users([
        {"user_id": "loud", "stance": -0.7, "stance_support": 9, "pagerank": 0.9, "distinct_engagers": 300},
        {"user_id": "quiet", "stance": -0.7, "stance_support": 9},
        {"user_id": "star", "stance": 0.1, "stance_support": 9, "pagerank": 0.8, "distinct_engagers": 300},
    ])
    res = assign_roles(m)
    assert {"critic", "kol", "critic_kol"} <= roles_of(res, "loud")
    assert "critic_kol" not in roles_of(res, "quiet") and "critic" in roles_of(res, "quiet")
    assert "critic_kol" not in roles_of(res, "star") and "kol" in roles_of(res, "star")
    assert "critic_kol: critic and kol" in reason_of(res, "loud")


@pytest.mark.parametrize("participation, degree, communities, is_bridge", [
    (0.50, 10, 2, True), (0.49, 10, 2, False), (0.50, 9, 2, False), (0.50, 10, 1, False), (0.9, 30, 3, True)])
def test_bridge_by_participation_edges(participation, degree, communities, is_bridge):
    m = with_users([{"user_id": "b", "participation": participation, "degree": degree,
                     "bridge_communities": communities}])
    m["bridge_communities"] = m["bridge_communities"].fillna(0)
    res = assign_roles(m)
    assert ("bridge" in roles_of(res, "b")) is is_bridge
    assert res.parameters["bridge_community_check"] == "from the bridge_communities column"
    if is_bridge:
        assert reason_of(res, "b") == f"bridge: participation {participation:.2f} >= 0.50 with degree {degree} >= 10"


def two_community_links(x_to_a: int, x_to_b: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metric table and links: filler users split into community 0 (f0..f99) and 1 (f100..f199),
    and user x with ties to ``x_to_a`` members of 0 and ``x_to_b`` members of 1 (weight 1 each)."""
    m = with_users([{"user_id": "x", "community": 2, "participation": 0.5, "degree": x_to_a + x_to_b}])
    m.loc[m["user_id"].isin([f"f{i}" for i in range(100)]), "community"] = 0
    dst = [f"f{i}" for i in range(x_to_a)] + [f"f{100 + i}" for i in range(x_to_b)]
    return m, pd.DataFrame({"src": "x", "dst": dst, "weight": 1.0})


@pytest.mark.parametrize("x_to_a, x_to_b, is_bridge", [
    (6, 6, True),      # two communities, half the ties and 6 neighbours each
    (10, 3, False),    # community 1 holds 23% of the ties but only 3 neighbours: below the floor of 4
    (16, 4, True),     # 4 / 20 = 20% and 4 neighbours: at both floors
    (17, 4, False),    # 4 / 21 = 19%: below the share
])
def test_bridge_needs_two_communities_holding_its_ties(x_to_a, x_to_b, is_bridge):
    m, links = two_community_links(x_to_a, x_to_b)
    res = assign_roles(m, links=links)
    assert ("bridge" in roles_of(res, "x")) is is_bridge
    if is_bridge:
        assert "2 communities >= 20% of ties (>= 4 neighbours each; top two: community 0" in reason_of(res, "x")


def test_community_spread_counts_weight_share_and_neighbours():
    m, links = two_community_links(6, 4)
    links = pd.concat([links, pd.DataFrame({"src": ["f100"], "dst": ["x"], "weight": [2.0]})])  # both ways summed
    ids = pd.Index(m["user_id"].astype("str"))
    out = community_spread(ids, m["community"].to_numpy(), links, min_share=0.2, min_neighbours=4)
    x = ids.get_loc("x")
    assert out["communities"][x] == 2
    assert out["first"][x] == 0 and out["first_share"][x] == pytest.approx(6 / 12)
    assert out["second"][x] == 1 and out["second_share"][x] == pytest.approx(6 / 12)
    strict = community_spread(ids, m["community"].to_numpy(), links, min_share=0.2, min_neighbours=5)
    assert strict["communities"][x] == 1 and strict["second"][x] == -1 and np.isnan(strict["second_share"][x])
    f0 = ids.get_loc("f0")
    assert out["communities"][f0] == 0     # one tie: one neighbour, below the floor


def test_bridge_by_top_betweenness():
    # 203 users: top 1% = 3 ranks; betweenness 0 never counts
    m = with_users([{"user_id": f"t{i}", "betweenness": 0.5 - 0.1 * i} for i in range(4)])
    res = assign_roles(m)
    assert [("bridge" in roles_of(res, f"t{i}")) for i in range(4)] == [True, True, True, False]
    assert reason_of(res, "t0") == "bridge: betweenness rank 1 <= 3 (top 1%)"
    assert res.counts()["bridge"] == 3


def test_brand_bridge_needs_ties_on_both_sides():
    # brand community 0 (brand + m0..m5), filler community 1, and five users g0..g4 in community 3
    m = brand_table([{"user_id": f"g{i}", "community": 3} for i in range(5)] + [
        {"user_id": "x", "community": 1, "participation": 0.6, "degree": 10},
        {"user_id": "y", "community": 1, "participation": 0.6, "degree": 10},
    ])
    links = pd.DataFrame({
        "src": ["x"] * 10 + ["y"] * 10,
        # x: 5 of 10 ties to the brand community; y: community 1 and community 3, none to the brand's
        "dst": [f"m{i}" for i in range(5)] + [f"f{i}" for i in range(5)]
        + [f"f{i}" for i in range(5)] + [f"g{i}" for i in range(5)],
        "weight": 1.0,
    })
    res = assign_roles(m, brand_accounts=["brand"], links=links)
    assert {"bridge", "brand_bridge"} <= roles_of(res, "x")
    assert "brand_bridge: 50% of ties to brand communities (0) >= 10%, 50% to other communities >= 10%" \
        in reason_of(res, "x")
    assert "brand_bridge" not in roles_of(res, "y") and "bridge" in roles_of(res, "y")
    no_links = assign_roles(m, brand_accounts=["brand"])
    assert no_links.counts()["brand_bridge"] == 0
    assert no_links.parameters["brand_bridge"] == "not assigned: no links given"
    assert no_links.empty_reasons["brand_bridge"] == "not assigned: no links given"
    assert no_links.parameters["bridge_community_check"] == "not checked: no links given"


def test_amplifier_top_reposts_and_rarely_engaged():
    # 204 users: top 5% = ceil(10.2) = 11 ranks
    rows = [{"user_id": "amp", "out_strength_repost": 50.0, "in_strength": 1.0},
            {"user_id": "popular", "out_strength_repost": 60.0, "in_strength": 1.5},
            {"user_id": "low", "out_strength_repost": 1.0, "in_strength": 0.0}]
    rows += [{"user_id": f"r{i}", "out_strength_repost": 10.0 + i} for i in range(9)]  # ranks 3..11
    rows.append({"user_id": "r_edge", "out_strength_repost": 5.0, "in_strength": 0.0})  # rank 12
    res = assign_roles(with_users(rows))
    assert "amplifier" in roles_of(res, "amp")
    assert reason_of(res, "amp") == ("amplifier: repost out-strength 50.0 rank 2 <= 11 (top 5%), "
                                     "50 reposts >= 10, in-strength 1.0 <= 1.0")
    assert "amplifier" not in roles_of(res, "popular")   # engaged with: in-strength above 1.0
    assert "amplifier" not in roles_of(res, "r_edge")    # rank 12 > 11
    assert "amplifier" not in roles_of(res, "low")


def test_amplifier_floor_and_counts():
    # 220 users: top 5% = 11 ranks. Ten heavy reposters, then a tie at the cut-off, and one at 9 reposts
    rows = [{"user_id": f"r{i}", "out_strength_repost": 40.0 + i, "in_strength": 0.0} for i in range(10)]
    rows += [{"user_id": f"tie{i}", "out_strength_repost": 12.0, "in_strength": 0.0} for i in range(5)]
    rows += [{"user_id": "nine", "out_strength_repost": 9.0, "in_strength": 0.0, "out_count_repost": 9}]
    m = with_users(rows)
    m["out_count_repost"] = m["out_count_repost"].fillna(m["out_strength_repost"])
    res = assign_roles(m)
    # the five users tied at rank 11 would make 15 > 11: a tie is never resolved by taking everyone
    assert set(res.holders("amplifier")) == {f"r{i}" for i in range(10)}
    assert res.parameters["amplifier_tied_out"] == 5
    assert res.parameters["amplifier_repost_count"] == "out_count_repost"
    # the count floor: top-ranked, but 9 reposts < 10
    few = with_users([{"user_id": "nine", "out_strength_repost": 9.0, "in_strength": 0.0, "out_count_repost": 9}])
    few["out_count_repost"] = few["out_count_repost"].fillna(0)
    res_few = assign_roles(few)
    assert res_few.counts()["amplifier"] == 0
    assert res_few.empty_reasons["amplifier"] == (
        "no user has >= 10 reposts (of 201 users, 1 have repost out-strength rank <= 11 (top 5%, ties inside), "
        "1 have in-strength <= 1.0)")


def test_a_tie_bigger_than_the_cut_off_takes_nobody_and_says_why():
    # everyone ties on PageRank: "top 20" cannot be chosen among 200 equals
    m = base_table().assign(pagerank=0.005, distinct_engagers=50)
    res = assign_roles(m)
    assert res.counts()["kol"] == 0 and res.parameters["kol_tied_out"] == 200
    assert res.empty_reasons["kol"] == ("no user has PageRank rank <= 20 (top 1%, at least 20, ties inside) "
                                        "(of 200 users, 200 have >= 20 distinct engagers)")
    assert "kol: none -- no user has PageRank rank" in res.empty_lines()[1]


def test_every_empty_role_has_a_reason_and_held_roles_have_none():
    res = assign_roles(base_table().assign(distinct_engagers=30))
    counts = res.counts()
    assert set(res.empty_reasons) == {tag for tag in ROLE_TAGS if counts[tag] == 0}
    assert counts["kol"] == 20                              # 200 distinct PageRanks: the top 20 ...
    why = assign_roles(base_table()).empty_reasons           # ... unless nobody has 20 engagers (2 each)
    assert why["kol"] == ("no user has >= 20 distinct engagers (of 200 users, 20 have PageRank rank <= 20 "
                          "(top 1%, at least 20, ties inside))")
    assert why["brand_account"].startswith("no brand account configured")
    assert why["critic"] == "no user has stance <= -0.30 with support >= 3"
    assert why["bridge"].startswith("by participation: no user has participation >= 0.50 or degree >= 10")
    assert why["bridge"].endswith("; by betweenness: no user has betweenness > 0 with rank <= 2 (top 1%, ties inside)")
    assert why["core_fan"].startswith("no user has stance >= 0.30 with support >= 3 or >= 3 brand interactions")
    one_short = base_table().assign(stance=0.5, stance_support=5)   # warm, but no brand interactions
    assert assign_roles(one_short).empty_reasons["core_fan"].startswith(
        "no user has >= 3 brand interactions or a brand community with coreness >= its median (of 200 users, "
        "200 have stance >= 0.30 with support >= 3)")


def test_brand_accounts_are_listed_apart_from_kols():
    m = brand_table([{"user_id": "star", "pagerank": 0.8, "distinct_engagers": 300,
                      "participation": 0.9, "degree": 50, "betweenness": 0.5}])
    m.loc[m["user_id"] == "brand", ["pagerank", "distinct_engagers", "betweenness", "out_strength_repost"]] = \
        [0.9, 500, 0.9, 99.0]
    m.loc[m["user_id"] == "brand", "in_strength"] = 0.0
    res = assign_roles(m, brand_accounts=["brand"])
    assert roles_of(res, "brand") == {"brand_account"}
    assert reason_of(res, "brand") == "brand_account: configured brand account (PageRank rank 1; listed apart from KOLs)"
    assert "kol" in roles_of(res, "star") and reason_of(res, "star").startswith("kol: PageRank rank 2 <= 20")
    assert "brand" not in set(res.holders("kol")) | set(res.holders("bridge")) | set(res.holders("amplifier"))


def test_roles_and_reasons_are_joined_in_tag_order():
    m = brand_table([{"user_id": "multi", "community": 0, "stance": -0.8, "stance_support": 5,
                      "participation": 0.7, "degree": 10, "pagerank": 0.9, "distinct_engagers": 99}])
    res = assign_roles(m, brand_accounts=["brand"])
    frame = res.to_frame().set_index("user_id")
    assert frame.loc["multi", "roles"] == "kol|critic|critic_kol|bridge"
    parts = frame.loc["multi", "reasons"].split("; ")
    assert [p.split(":")[0] for p in parts] == ["kol", "critic", "critic_kol", "bridge"]
    assert frame.loc["f5", "roles"] == "" and frame.loc["f5", "reasons"] == ""
    flags = res.flag_frame().set_index("user_id")
    assert list(flags.columns) == [f"is_{t}" for t in ROLE_TAGS]
    assert bool(flags.loc["multi", "is_critic_kol"]) and not bool(flags.loc["f5", "is_critic"])


def test_missing_columns_are_named():
    m = base_table().drop(columns=["coreness", "in_strength"])
    with pytest.raises(KolgraphError, match="core_fan needs coreness.*amplifier needs in_strength"):
        assign_roles(m)


def test_params_validate_and_are_recorded():
    with pytest.raises(ValueError):
        RoleParams(kol_top_share=1.5)
    with pytest.raises(ValueError):
        RoleParams(core_fan_min_support=-1)
    with pytest.raises(ValueError):
        RoleParams(core_fan_min_stance=2)
    res = assign_roles(base_table(), params=RoleParams(critic_max_stance=-0.5))
    assert res.parameters["critic_max_stance"] == -0.5
    assert set(dataclasses.asdict(RoleParams())) <= set(res.parameters)


def test_pure_and_deterministic():
    m = brand_table([core_fan_row()])
    before = m.copy()
    a = assign_roles(m, brand_accounts=["brand"]).to_frame()
    b = assign_roles(m, brand_accounts=["brand"]).to_frame()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(m, before)
    empty = assign_roles(base_table(0))
    assert len(empty.to_frame()) == 0


def test_format_fixed_is_fixed_point():
    assert format_fixed([-0.624, 0.004, 12, np.nan, -0.0001], 2).to_pylist() == ["-0.62", "0.00", "12.00", "nan",
                                                                                "0.00"]
    assert format_fixed([6.0, 4.4], 0).to_pylist() == ["6", "4"]


# --------------------------------------------------------------------------- at scale, with ties


def heavy_tailed_cascade(n: int, seed: int) -> tuple[ig.Graph, np.random.Generator]:
    """A repost-cascade-shaped graph made with numpy: most users act once or twice (the 95th
    percentile of repost out-strength is a tie at 2, as on the real Weibo cascades), 3% act a
    Pareto-tailed number of times; targets are a member of the user's circle of ~150 or a
    Pareto-popular account; 4% of rows go to five brand accounts u0..u4. Collapsed per (src, dst,
    kind) like kolgraph.build does (count, weight = kind weight x count)."""
    rng = np.random.default_rng(seed)
    act = 1 + rng.poisson(0.25, n)
    tail = rng.random(n) < 0.03
    act[tail] += np.minimum(np.ceil(rng.pareto(1.1, int(tail.sum())) * 4), 3000).astype(np.int64)
    src = np.repeat(np.arange(n), act)
    m = len(src)
    circle = rng.integers(0, n // 150, n)
    pop = rng.pareto(0.9, n) + 1
    popular = rng.choice(n, m, p=pop / pop.sum())
    order = np.argsort(circle, kind="stable")
    lo = np.searchsorted(circle[order], circle[src], "left")
    hi = np.searchsorted(circle[order], circle[src], "right")
    local = order[lo + (rng.random(m) * (hi - lo)).astype(np.int64)]
    dst = np.where(rng.random(m) < 0.5, local, popular)
    to_brand = rng.random(m) < 0.04
    dst[to_brand] = rng.integers(0, 5, int(to_brand.sum()))
    kind = rng.choice(3, m, p=[0.7, 0.2, 0.1])
    keep = src != dst
    key = (src[keep] * n + dst[keep]) * 3 + kind[keep]
    unique, count = np.unique(key, return_counts=True)
    code, pair = unique % 3, unique // 3
    g = ig.Graph(n=n, edges=np.column_stack([pair // n, pair % n]).tolist(), directed=True)
    g.vs["name"] = [f"u{i}" for i in range(n)]
    g.es["kind"] = np.array(KINDS, dtype=object)[code].tolist()
    g.es["count"] = count.tolist()
    g.es["weight"] = (np.array([DEFAULT_KIND_WEIGHTS[k] for k in KINDS])[code] * count).tolist()
    return g, rng


def test_no_role_holds_more_than_two_percent_of_a_large_heavy_tailed_graph():
    """Methods section 3: on a real-cascade-shaped graph of 200,000 users with huge ties at small
    counts, no role but "none" holds more than 2% of users (the old top-5% rule took every user
    tied at the cut-off: over 5% amplifiers)."""
    g, rng = heavy_tailed_cascade(200_000, seed=1)
    n = g.vcount()
    comm = detect_communities(g, seed=1, max_iterations=3)
    cent = centrality_table(g, membership=comm, betweenness="sampled", betweenness_samples=1000, seed=1).to_frame()
    e = edge_arrays(g)
    to_brand = e.dst < 5
    brand_int = np.bincount(e.src[to_brand], weights=e.count[to_brand], minlength=n)
    support = brand_int.astype(np.int64)
    stance = np.where(support > 0, rng.normal(0.1, 0.5, n) * support / (support + 2), np.nan)
    a, b, _ = collapse_undirected(n, e.src, e.dst, e.weight)
    metrics = cent.assign(community=comm.membership, stance=stance, stance_support=support,
                          degree=np.bincount(a, minlength=n) + np.bincount(b, minlength=n),
                          brand_interactions=brand_int)
    links = pd.DataFrame({"src": e.src, "dst": e.dst, "weight": e.weight})
    res = assign_roles(metrics, brand_accounts=[f"u{i}" for i in range(5)], links=links)

    # the graph has the real data's problem: the top-5% repost cut-off sits inside a tie of > 5% of users
    rep = cent["out_strength_repost"].to_numpy()
    at_cutoff = np.sort(rep)[::-1][res.parameters["amplifier_rank_cutoff"] - 1]
    assert (rep >= at_cutoff).mean() > 0.05 and res.parameters["amplifier_tied_out"] > 0
    shares = {tag: count / n for tag, count in res.counts().items()}
    assert max(shares.values()) <= 0.02, shares
    assert res.counts()["kol"] >= 20 and res.counts()["amplifier"] > 0 and res.counts()["bridge"] > 0
    held = res.flag_frame().drop(columns="user_id").to_numpy().any(axis=1)
    assert held.mean() < 0.05


# --------------------------------------------------------------------------- planted roles in generated events


def _precision_recall(found: set[str], truth: set[str]) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / max(len(found), 1), hit / max(len(truth), 1)


@pytest.fixture(scope="module", params=[(1500, 3), (3000, 1), (6000, 5)], ids=lambda p: f"{p[0]}users-seed{p[1]}")
def planted_run(request, tmp_path_factory):
    from kolgraph.build.workspace import build_workspace
    from kolgraph.datasets import generate_event, write_event
    from kolgraph.runs.analyze import analyze_workspace

    size, seed = request.param
    event = generate_event(size, seed=seed)
    folder = tmp_path_factory.mktemp(f"event{size}_{seed}")
    paths = write_event(event, folder / "event", format="parquet", quiet=True)
    ws = build_workspace(paths["interactions"], folder / "ws", users_path=paths["users"]).workspace
    return event, analyze_workspace(ws, event.brand, seed=0, write=False)


@pytest.mark.parametrize("tag, floor", [("kol", 0.9), ("core_fan", 0.9), ("critic", 0.9), ("bridge", 0.7)])
def test_planted_roles_on_generated_events(planted_run, tag, floor):
    """Issue 18: bridge precision and recall >= 0.7; KOL, core fan, critic >= 0.9. Brand accounts are
    listed apart from KOLs (methods section 3), so the planted brand hubs are not KOL truth."""
    event, result = planted_run
    truth_table = event.truth[~event.truth["is_brand_account"]]
    truth = set(truth_table.loc[truth_table[f"is_{tag}"], "user_id"])
    found = set(result.users.loc[result.users[f"is_{tag}"].to_numpy(dtype=bool), "user_id"])
    p, r = _precision_recall(found, truth)
    assert p >= floor and r >= floor, f"{tag}: precision {p:.2f}, recall {r:.2f} ({len(found)} found, {len(truth)} planted)"
    assert not found & set(event.brand.accounts)


def test_community_spread_from_the_projection_equals_the_tie_table():
    """The undirected projection (one tie per pair) takes the fast path; same answer as the rows."""
    rng = np.random.default_rng(3)
    n = 300
    ids = pd.Index([f"u{i}" for i in range(n)])
    src, dst = rng.integers(0, n, 4000), (rng.pareto(1.2, 4000) * 5).astype(int) % n
    weight = rng.choice([1.0, 0.5, 0.3], 4000)
    community = rng.integers(0, 4, n)
    rows = pd.DataFrame({"src": src, "dst": dst, "weight": weight})
    a, b, w = collapse_undirected(n, src, dst, weight)
    slow = community_spread(ids, community, rows, min_share=0.2, min_neighbours=3)
    fast = community_spread(ids, community, (a, b, w), min_share=0.2, min_neighbours=3)
    for key in slow:
        assert np.allclose(slow[key], fast[key], equal_nan=True, rtol=0, atol=1e-12), key
    assert (fast["communities"] >= 2).sum() > 10   # the comparison covers real bridges
