"""Maps: what each view selects, what it says it left out, and that the page is offline and escaped."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kolgraph.build.graph import edge_frame
from kolgraph.cli import main
from kolgraph.schema import KolgraphError, UnknownAccountError
from kolgraph.viz import maps
from kolgraph.viz.safe_html import page_script_hashes
from vizdata import COMMENT_NAME, QUOTE_NAME, REASON_PAYLOAD, SCRIPT_NAME, XSS_NAME


@pytest.fixture(scope="module")
def inputs(planted_ws):
    return maps.load_map_inputs(planted_ws)


def payload_of(html: str) -> dict:
    """The map's embedded data, parsed back the way the page's script reads it."""
    block = re.search(r'<script type="application/json" id="kolgraph-map-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def induced_edges(ws, ids) -> pd.DataFrame:
    edges = edge_frame(ws.graph())
    ids = set(ids)
    return edges[edges["src"].isin(ids) & edges["dst"].isin(ids) & (edges["src"] != edges["dst"])]


# ---- selection -------------------------------------------------------------------------------


def test_backbone_keeps_priority_users_first(inputs):
    data = maps.backbone_map(inputs, max_nodes=5, per_community=1)
    ids = list(data.nodes["id"])
    # brand account and critic KOL first, then each community's PageRank leader.
    assert set(ids[:2]) == {"brand", "critic_kol"}
    assert set(ids[2:5]) == {"kol_a", "kol_c", "u1_1"} or {"kol_a", "kol_c"} <= set(ids[2:5])
    assert data.total_nodes == len(inputs.users) and data.omitted_nodes == len(inputs.users) - 5


def test_backbone_draws_exactly_the_edges_among_chosen_users(planted_ws, inputs):
    data = maps.backbone_map(inputs, max_nodes=40, max_edges=10_000)
    expected = induced_edges(planted_ws, data.nodes["id"])
    drawn = data.edges[["src", "dst", "kind"]].sort_values(["src", "dst", "kind"]).reset_index(drop=True)
    want = expected[["src", "dst", "kind"]].astype(str).sort_values(["src", "dst", "kind"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(drawn.astype(str), want)
    assert data.omitted_edges == len(inputs.edges) - len(expected)
    assert "self-loops" in data.notes[1] and f"{len(inputs.users) - 40:,} users" in data.notes[1]


def test_edge_cap_keeps_the_heaviest(inputs):
    full = maps.backbone_map(inputs, max_nodes=200, max_edges=10_000)
    capped = maps.backbone_map(inputs, max_nodes=200, max_edges=25)
    assert len(capped.edges) == 25
    threshold = np.sort(full.edges["weight"].to_numpy())[::-1][24]
    assert capped.edges["weight"].min() >= threshold
    assert f"{len(full.edges) - 25:,} lighter edges" in capped.notes[1]


def test_community_map_sums_links_between_communities(planted_ws, inputs):
    data = maps.community_map(inputs)
    assert list(data.nodes["id"]) == ["c0", "c1", "c2"] or sorted(data.nodes["id"]) == ["c0", "c1", "c2"]
    community = dict(zip(inputs.users["user_id"], inputs.users["community"]))
    edges = edge_frame(planted_ws.graph())
    edges["cs"] = edges["src"].map(community)
    edges["cd"] = edges["dst"].map(community)
    between = edges[edges["cs"] != edges["cd"]]
    expected = between.groupby(["cs", "cd", "kind"])["weight"].sum()
    got = data.edges.assign(cs=data.edges["src"].str[1:].astype(int), cd=data.edges["dst"].str[1:].astype(int)) \
        .set_index(["cs", "cd", "kind"])["weight"]
    assert len(got) == len(expected)
    for key, weight in expected.items():
        assert got[key] == pytest.approx(weight)
    assert (data.edges["src"] != data.edges["dst"]).all()  # links inside a community are not drawn
    sizes = dict(zip(data.nodes["id"], data.nodes["size"]))
    assert sizes == {f"c{c}": n for c, n in inputs.users["community"].value_counts().items()}
    tips = dict(zip(data.nodes["id"], data.nodes["tooltip"]))
    assert ["top members", f"{XSS_NAME}, fan 1-1"] in tips["c1"]


def test_community_map_needs_an_analysis(raw_ws, tmp_path):
    raw = maps.load_map_inputs(raw_ws)
    with pytest.raises(KolgraphError, match="kolgraph analyze"):
        maps.community_map(raw)
    with pytest.raises(KolgraphError, match="kolgraph analyze"):
        maps.write_map(raw_ws, tmp_path / "c.html", communities=True)


def test_ego_map_follows_edges_both_ways(planted_ws, inputs):
    g = planted_ws.graph()
    focus = g.vs.find(name="kol_a").index
    one = {g.vs[v]["name"] for v in g.neighborhood(focus, order=1, mode="all")}
    two = {g.vs[v]["name"] for v in g.neighborhood(focus, order=2, mode="all")}
    data1 = maps.ego_map(inputs, "kol_a", hops=1)
    data2 = maps.ego_map(inputs, "kol_a", hops=2)
    assert set(data1.nodes["id"]) == one and set(data2.nodes["id"]) == two
    assert data1.nodes["id"].iloc[0] == "kol_a" and data1.nodes["is_focus"].sum() == 1
    assert set(data2.nodes.loc[data2.nodes["hop"] == 1, "id"]) == one - {"kol_a"}
    # Truncation keeps the focus and the nearest users first.
    small = maps.ego_map(inputs, "kol_a", hops=2, max_nodes=10)
    assert len(small.nodes) == 10 and small.nodes["hop"].tolist() == sorted(small.nodes["hop"].tolist())
    assert f"{len(two) - 10:,} users in reach beyond --max-nodes" in small.notes[1]


def test_ego_map_lets_every_role_group_take_turns(planted_ws, inputs):
    g = planted_ws.graph()
    one = {g.vs[v]["name"] for v in g.neighborhood(g.vs.find(name="kol_a").index, order=1, mode="all")} - {"kol_a"}
    roles = inputs.users.set_index("user_id")["roles"]
    groups = {next((r for r in maps.EGO_GROUPS if r in roles[u].split("|")), "none") for u in one}
    assert len(groups) >= 4  # brand account, core fans, critics, bridges, no role
    data = maps.ego_map(inputs, "kol_a", max_nodes=1 + len(groups), max_edges=3)
    drawn = [next((r for r in maps.EGO_GROUPS if r in roles[u].split("|")), "none") for u in data.nodes["id"][1:]]
    assert set(drawn) == groups  # one of each group before a second of any
    # Under the edge cap the focus's own edges come first.
    assert ((data.edges["src"] == "kol_a") | (data.edges["dst"] == "kol_a")).all() and len(data.edges) == 3


def test_ego_map_attitudes_and_focus_by_name(inputs, planted_ws):
    attitudes = planted_ws.read_result_table("analysis", "attitudes.parquet")
    data = maps.ego_map(inputs, QUOTE_NAME, attitudes=attitudes)  # a unique display name works too
    assert data.focus == "kol_a"
    by_id = data.nodes.set_index("id")
    expected = attitudes.set_index(["src", "dst"]).loc[("u1_0", "kol_a"), "attitude"]
    assert expected < 0 and by_id.loc["u1_0", "attitude_to_focus"] == pytest.approx(expected)
    assert ["attitude toward focus", f"{expected:+.2f}"] in by_id.loc["u1_0", "tooltip"]
    with pytest.raises(UnknownAccountError, match="no user"):
        maps.ego_map(inputs, "nobody")


def test_raw_workspace_draws_pagerank_backbone(raw_ws, planted_ws):
    raw = maps.load_map_inputs(raw_ws)
    assert not raw.analysis and raw.users["roles"].eq("").all() and (raw.users["community"] == -1).all()
    g = planted_ws.graph()
    g.delete_edges([e.index for e in g.es if e.source == e.target])
    expected = np.asarray(g.pagerank(weights="weight"))
    assert np.allclose(raw.users["pagerank"].to_numpy(), expected)
    data = maps.backbone_map(raw, max_nodes=10)
    top = raw.users.sort_values("pagerank", ascending=False)["user_id"].head(10)
    assert set(data.nodes["id"]) == set(top)
    assert any("kolgraph analyze" in note for note in data.notes)


# ---- the page --------------------------------------------------------------------------------


def test_page_is_offline_escaped_and_complete(inputs):
    data = maps.backbone_map(inputs)
    html = maps.render_map_html(data)
    # No markup from users: the payloads appear only escaped (HTML entities or JSON \u003c).
    for payload in (XSS_NAME, SCRIPT_NAME, COMMENT_NAME, REASON_PAYLOAD):
        assert payload not in html
    assert "\\u003cimg src=x onerror=" in html  # in the data block, as JSON escapes (the legend is built from it)
    assert html.count("</script>") == 4  # data block, vis-network, colours, our code: nothing else closes a script
    # Nothing is fetched: no src/href attributes or CSS urls pointing at the network, a strict policy.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    assert "default-src &#x27;none&#x27;" in html and len(page_script_hashes(html)) == 3
    payload = payload_of(html)
    assert payload["nodes"]["id"] == data.nodes["id"].tolist()
    assert len(payload["edges"]["src"]) == len(data.edges) and payload["meta"]["nodes"] == len(data.nodes)
    names = dict(zip(payload["nodes"]["id"], payload["nodes"]["name"]))
    assert names["critic_kol"] == XSS_NAME and names["kol_c"] == SCRIPT_NAME  # literal text survives the trip
    tips = dict(zip(payload["nodes"]["id"], payload["nodes"]["tooltip"]))
    assert ["why", REASON_PAYLOAD] in tips["critic_kol"]
    assert ["roles", "critic_kol, critic"] in tips["critic_kol"]
    shapes = dict(zip(payload["nodes"]["id"], payload["nodes"]["shape"]))
    assert shapes["brand"] == "square" and shapes["critic_kol"] == "triangleDown" and shapes["kol_a"] == "star"
    colours = dict(zip(payload["nodes"]["id"], payload["nodes"]["colour"]))
    assert colours["u0_5"] == colours["kol_a"] != colours["u1_5"]  # coloured by community
    sizes = dict(zip(payload["nodes"]["id"], payload["nodes"]["size_score"]))
    assert sizes["brand"] == max(sizes.values())  # the highest PageRank is the largest node
    assert payload["options"]["physics"]["stabilization"]["enabled"] is True


def test_same_seed_same_page(inputs):
    data = maps.backbone_map(inputs, max_nodes=50)
    assert maps.render_map_html(data, seed=3) == maps.render_map_html(data, seed=3)
    assert maps.render_map_html(data, seed=3) != maps.render_map_html(data, seed=4)


def test_empty_selection_renders(inputs):
    empty = maps.MapData(mode="backbone", nodes=maps.backbone_map(inputs, max_nodes=1).nodes.iloc[:0],
                         edges=maps.backbone_map(inputs, max_nodes=1).edges.iloc[:0], total_nodes=0, total_edges=0,
                         analysis=True, parameters={})
    html = maps.render_map_html(empty)
    assert payload_of(html)["nodes"]["id"] == []


# ---- GEXF ------------------------------------------------------------------------------------


def test_gexf_holds_the_full_graph_with_attributes(planted_ws, tmp_path):
    out = tmp_path / "g.gexf"
    nodes, edges = maps.write_gexf(planted_ws, out, chunk=50)  # several chunks
    g = planted_ws.graph()
    assert (nodes, edges) == (g.vcount(), g.ecount())
    ET.parse(out)  # well-formed XML
    G = nx.read_gexf(out)
    assert G.number_of_nodes() == g.vcount() and G.number_of_edges() == g.ecount()
    critic = G.nodes["critic_kol"]
    assert critic["label"] == XSS_NAME and critic["roles"] == "critic_kol|critic" and critic["community"] == 1
    assert critic["reasons"] == REASON_PAYLOAD
    e = edge_frame(g).iloc[0]
    stored = G.get_edge_data(e["src"], e["dst"])
    assert stored["kind"] == e["kind"] and stored["weight"] == pytest.approx(e["weight"])


def test_gexf_strips_characters_xml_cannot_hold():
    text = maps.xml_text(pd.Series(["a\x01b<c>&\"'\x0bz", "中文"]))
    assert text.to_pylist() == ["ab&lt;c&gt;&amp;&quot;&apos;z", "中文"]


# ---- command line ----------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, ["--quiet", *map(str, args)])


def test_cli_map_views_and_formats(planted_ws, tmp_path):
    for args, name in (((), "b.html"), (("--communities",), "c.html"), (("--focus", "kol_a", "--hops", "2"), "f.html")):
        result = run("map", planted_ws.path, "-o", tmp_path / name, *args)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(tmp_path / name)
        assert "vis-network" in (tmp_path / name).read_text(encoding="utf-8")[:5_000_000]
    result = run("map", planted_ws.path, "-o", tmp_path / "g.gexf")
    assert result.exit_code == 0 and (tmp_path / "g.gexf").read_text(encoding="utf-8").startswith("<?xml")


def test_cli_map_errors_are_one_line(planted_ws, tmp_path):
    result = run("map", planted_ws.path, "-o", tmp_path / "x.html", "--focus", "nobody")
    assert result.exit_code == 2 and "no user with this id" in result.output and "Traceback" not in result.output
    result = run("map", planted_ws.path, "-o", tmp_path / "x.html", "--focus", "kol_a", "--communities")
    assert result.exit_code == 2 and "either --communities or --focus" in result.output
    assert not (tmp_path / "x.html").exists()


# ---- the sample event: role-aware backbone and edge sentiment ----------------------------------


@pytest.fixture(scope="module")
def sample_inputs(sample_ws):
    return maps.load_map_inputs(sample_ws)


def test_default_backbone_keeps_the_planted_people_a_pr_team_asks_about(sample_inputs):
    from kolgraph.datasets import load_sample

    truth = pd.read_csv(load_sample().truth, dtype={"user_id": str}).set_index("user_id")
    data = maps.backbone_map(sample_inputs)  # defaults: --max-nodes 1000
    drawn = set(data.nodes["id"])
    assert len(drawn) == 1000 < len(sample_inputs.users)
    for flag in ("is_critic_kol", "is_brand_account"):
        planted = set(truth.index[truth[flag]])
        assert planted and planted <= drawn, (flag, planted - drawn)
    for flag in ("is_critic", "is_core_fan"):
        planted = set(truth.index[truth[flag]])
        assert len(planted & drawn) >= 0.9 * len(planted), (flag, len(planted & drawn), len(planted))
    # and every account the analysis gave one of these roles
    roles = sample_inputs.users.set_index("user_id")["roles"]
    for tag in ("brand_account", "critic_kol", "kol", "core_fan", "critic"):
        tagged = set(roles.index[roles.str.contains(tag, regex=False)])
        assert tagged <= drawn, tag
    assert data.notes[2].startswith("Left out by role:")


def test_small_backbone_says_which_roles_it_left_out(sample_inputs):
    data = maps.backbone_map(sample_inputs, max_nodes=100)
    note = data.notes[2]
    left = sample_inputs.users.loc[~sample_inputs.users["user_id"].isin(set(data.nodes["id"]))]
    n_core = int(left["roles"].str.contains("core_fan").sum())
    assert n_core > 0 and f"{n_core:,} of" in note and "core fans" in note
    # brand accounts and the critic KOL come first, then KOLs
    head = data.nodes["roles"].iloc[:12]
    assert head.str.contains("brand_account|critic_kol").all()


def test_vetted_candidates_are_kept_first(sample_inputs):
    users = sample_inputs.users
    nobody = users.loc[users["roles"] == ""].sort_values("pagerank")["user_id"].iloc[0]
    assert nobody not in set(maps.backbone_map(sample_inputs, max_nodes=50).nodes["id"])
    vetted = maps.MapInputs(**{**sample_inputs.__dict__, "candidates": (nobody,)})
    assert nobody in set(maps.backbone_map(vetted, max_nodes=50).nodes["id"])


def test_edges_carry_the_mean_sentiment_of_their_interactions(sample_ws, sample_inputs):
    from kolgraph.build.workspace import open_workspace

    ws = open_workspace(sample_ws)
    scored = pd.read_parquet(ws.result_path("analysis", "interaction_sentiment.parquet"))
    inter = ws.interactions(["src", "dst", "kind"]).iloc[scored["row"]].reset_index(drop=True)
    inter["sentiment"] = scored["sentiment"].to_numpy()
    expected = inter.dropna(subset=["sentiment"]).groupby(["src", "dst", "kind"])["sentiment"].agg(["mean", "size"])
    ids = sample_inputs.users["user_id"].to_numpy()
    e = sample_inputs.edges
    got = pd.DataFrame({"src": ids[e["src"]], "dst": ids[e["dst"]], "kind": e["kind"].astype(str),
                        "sentiment": e["sentiment"], "n": e["sentiment_n"]}).set_index(["src", "dst", "kind"])
    # The sample has no sentiment column: every score comes from the text model, and reaches the edges.
    assert ws.interactions(["sentiment"])["sentiment"].isna().all()
    joined = got.join(expected, how="inner")
    assert len(joined) == len(expected) > 0.5 * len(got)
    np.testing.assert_allclose(joined["sentiment"], joined["mean"], atol=1e-12)
    assert (joined["n"] == joined["size"]).all()
    assert np.isfinite(e["attitude"]).mean() > 0.5


def test_gexf_carries_edge_sentiment_and_attitude(sample_ws, tmp_path):
    out = tmp_path / "sample.gexf"
    maps.write_gexf(sample_ws, out)
    root = ET.parse(out).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    titles = {a.get("title"): a.get("id") for a in root.find("g:graph/g:attributes[@class='edge']", ns)}
    assert {"sentiment", "attitude"} <= set(titles)
    values = [float(v.get("value")) for v in root.find("g:graph/g:edges", ns).iter("{http://gexf.net/1.3}attvalue")
              if v.get("for") == titles["sentiment"]]
    assert len(values) > 10_000 and min(values) < -0.5 < 0.5 < max(values)
