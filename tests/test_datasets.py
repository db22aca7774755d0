"""The event generator: determinism, planted structure, text tone, files, and the shipped sample."""

from __future__ import annotations

import math
import shlex
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kolgraph import datasets
from kolgraph._io import read_table
from kolgraph.cli import main
from kolgraph.config import load_config
from kolgraph.datasets import SAMPLE_COMMAND, generate_event, load_sample, write_event
from kolgraph.schema import DEFAULT_KIND_WEIGHTS, KINDS, ConfigError

N_USERS, N_INTERACTIONS = 3000, 30000


@pytest.fixture(scope="module")
def event():
    return generate_event(N_USERS, N_INTERACTIONS, seed=7, with_sentiment=True)


def _brand_directed(ev) -> np.ndarray:
    df = ev.interactions
    low = df["text"].str.lower()
    named = np.zeros(len(df), dtype=bool)
    for k in ev.brand.keywords:
        named |= low.str.contains(k.lower(), regex=False).to_numpy()
    return df["dst"].isin(ev.brand.accounts).to_numpy() | named


def _members(ev, column: str) -> set[str]:
    return set(ev.truth.loc[ev.truth[column], "user_id"])


def _group(ev, name: str) -> set[str]:
    return set(ev.truth.loc[ev.truth["group"] == name, "user_id"])


# ------------------------------------------------------------------ determinism


def test_same_seed_same_frames_and_different_seed_differs(event):
    again = generate_event(N_USERS, N_INTERACTIONS, seed=7, with_sentiment=True)
    pd.testing.assert_frame_equal(event.interactions, again.interactions)
    pd.testing.assert_frame_equal(event.users, again.users)
    pd.testing.assert_frame_equal(event.truth, again.truth)
    other = generate_event(N_USERS, N_INTERACTIONS, seed=8, with_sentiment=True)
    assert not event.interactions["dst"].equals(other.interactions["dst"])
    assert not event.interactions["text"].equals(other.interactions["text"])
    assert set(event.users["user_id"]) != set(other.users["user_id"])


def test_sentiment_column_only_when_asked():
    plain = generate_event(500, 5000, seed=1)
    assert "sentiment" not in plain.interactions.columns
    assert list(plain.interactions.columns) == ["src", "dst", "kind", "timestamp", "text", "post_id"]
    with_s = generate_event(500, 5000, seed=1, with_sentiment=True)
    s = with_s.interactions["sentiment"]
    assert s.between(-1, 1).all()
    # the sentiment flag does not change the event itself
    pd.testing.assert_frame_equal(plain.interactions, with_s.interactions.drop(columns="sentiment"))


# ------------------------------------------------------------------ ids, references, schema


def test_ids_unique_and_edges_reference_known_users(event):
    users, df = event.users, event.interactions
    assert users["user_id"].is_unique
    assert df["post_id"].is_unique and df["post_id"].is_monotonic_increasing
    known = set(users["user_id"])
    assert set(df["src"]) <= known and set(df["dst"]) <= known
    assert not (df["src"] == df["dst"]).any(), "no self-interactions are planted"
    assert set(df["kind"]) == set(KINDS)
    assert len(df) == N_INTERACTIONS and len(users) == N_USERS
    assert list(event.truth["user_id"]) == list(users["user_id"])


def test_timestamps_iso_utc_sorted_within_window(event):
    ts = event.interactions["timestamp"]
    assert ts.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    parsed = pd.to_datetime(ts, utc=True)
    assert parsed.is_monotonic_increasing
    start = pd.Timestamp(event.params.start)
    assert parsed.min() >= start
    assert parsed.max() < start + pd.Timedelta(days=event.params.days)
    per_day = parsed.dt.floor("D").value_counts()
    assert len(per_day) >= 25 and per_day.max() > 2 * per_day.median(), "a window of weeks with bursts"


def test_brand_is_fictional_config_with_accounts_and_keywords(event):
    b = event.brand
    assert b.name and "岚柚" in b.keywords
    assert set(b.accounts) == _group(event, "brand")
    roles = dict(zip(event.truth["user_id"], event.truth["brand_account"]))
    assert {roles[a] for a in b.accounts} >= {"company", "founder", "phone", "car", "home", "ecosystem",
                                             "service", "store", "sub_brand", "executive"}


# ------------------------------------------------------------------ planted structure


def test_every_role_present_in_the_planned_proportions(event):
    t = event.truth
    p = event.params
    n_kol = max(p.min_kols, math.ceil(p.kol_share * N_USERS))
    assert t["is_kol"].sum() == n_kol
    assert t["is_critic_kol"].sum() == 1
    assert t["is_brand_account"].sum() == len(datasets.BRAND_ACCOUNTS)
    for group, share in [("core_fan", p.core_fan_share), ("active_fan", p.active_fan_share),
                         ("critic", p.critic_share), ("amplifier", p.amplifier_share),
                         ("bridge", p.bridge_share), ("tech_audience", p.tech_audience_share),
                         ("critic_follower", p.critic_follower_share)]:
        assert (t["group"] == group).sum() == round(share * N_USERS), group
    assert set(t["group"]) == set(datasets.GROUPS)
    # tags follow the groups, and the roles string lists exactly the true flags
    assert _members(event, "is_core_fan") == _group(event, "core_fan")
    assert _members(event, "is_critic") == _group(event, "critic") | _group(event, "critic_kol")
    assert _members(event, "is_amplifier") == _group(event, "amplifier")
    for tag in datasets.ROLE_TAGS:
        has = t["roles"].str.split("|").apply(lambda r, tag=tag: tag in r)
        assert (has == t[f"is_{tag}"]).all(), tag
    assert t.loc[t["group"] == "ordinary", "community"].str.startswith("general-").all()
    assert set(t.loc[t["is_core_fan"], "community"]) == {"brand"}
    assert set(t.loc[t["is_critic"], "community"]) == {"critic"}


def test_heavy_tail_of_attention_and_followers(event):
    df, users = event.interactions, event.users
    received = df["dst"].value_counts()
    top = received.iloc[: N_USERS // 100]
    assert top.sum() / len(df) > 0.3, "the top 1% of accounts receive a large share of interactions"
    assert set(top.index) <= _members(event, "is_kol")
    active = df["src"].value_counts().reindex(users["user_id"], fill_value=0)
    assert active.median() <= 8 and active.max() > 10 * active.median(), "most users act a handful of times"
    followers = users.set_index("user_id")["followers"]
    assert followers.idxmax() == "lanyou_official"
    assert followers[list(_group(event, "ordinary"))].median() < 1000


def test_brand_accounts_repost_each_other(event):
    df = event.interactions
    accounts = set(event.brand.accounts)
    internal = df[df["src"].isin(accounts) & df["dst"].isin(accounts) & (df["kind"] == "repost")]
    assert set(internal["src"]) == accounts and set(internal["dst"]) == accounts
    assert internal.groupby("src")["dst"].nunique().min() >= 3


def test_planted_support_and_realized_stance(event):
    t = event.truth.set_index("user_id")
    directed = _brand_directed(event)
    df = event.interactions
    support = df["src"][directed].value_counts().reindex(t.index, fill_value=0)
    assert (support == t["brand_support"]).all(), "truth counts what the text and targets say"
    tone = pd.Series(df["sentiment"].to_numpy()[directed]).groupby(df["src"].to_numpy()[directed]).sum()
    realized = (tone.reindex(t.index, fill_value=0.0) / (support + 2)).round(4)
    assert np.allclose(realized, t["realized_stance"], atol=2e-3)
    by = t.groupby("group")["brand_support"]
    assert by.min()["core_fan"] >= 4 and by.min()["critic"] >= 4
    assert by.max()["active_fan"] <= 2 and by.min()["active_fan"] >= 1
    for g in ("bridge", "tech_kol", "tech_audience", "critic_follower", "ordinary"):
        assert by.max()[g] <= 2, g
    core, critic = t[t["is_core_fan"]], t[t["is_critic"]]
    assert (core["realized_stance"] >= 0.3).all() and (core["stance"] > 0.5).all()
    assert (critic["realized_stance"] <= -0.3).all()
    assert t.loc[t["group"] == "core_fan", "critic_attitude"].max() < -0.5
    assert t.loc[t["group"] == "critic_follower", "critic_attitude"].min() > 0.3
    assert np.isnan(t.loc[t["is_critic_kol"], "critic_attitude"]).all()


def test_fans_hostile_to_the_critic_and_warm_to_the_brand(event):
    df = event.interactions
    fans = _group(event, "core_fan") | _group(event, "active_fan")
    critic = event.truth.loc[event.truth["is_critic_kol"], "user_id"].item()
    to_critic = df[df["src"].isin(fans) & (df["dst"] == critic) & (df["kind"] != "repost")]
    to_brand = df[df["src"].isin(fans) & df["dst"].isin(event.brand.accounts)]
    assert len(to_critic) > 50 and len(to_brand) > 500
    assert to_critic["sentiment"].mean() < -0.5 and (to_critic["sentiment"] < 0).mean() > 0.9
    assert to_brand["sentiment"].mean() > 0.5 and (to_brand["sentiment"] > 0).mean() > 0.95
    # the text says so too: hostile words toward the critic, no brand keyword in it
    assert to_critic["text"].str.contains("滚|恶心|无耻|无语|失望|垃圾|烦|无聊|\\[怒").mean() > 0.8
    assert not to_critic["text"].str.contains("岚柚|Lanyou|青柚").any()
    assert to_brand["text"].str.contains("岚柚|Lanyou").mean() > 0.8
    # he answers with contempt, and his followers repost him and reply coldly to the brand
    from_critic = df[(df["src"] == critic) & df["dst"].isin(fans)]
    assert len(from_critic) > 50 and from_critic["sentiment"].mean() < -0.5
    followers = _group(event, "critic_follower")
    f_rows = df[df["src"].isin(followers)]
    assert (f_rows["dst"] == critic).mean() > 0.4
    assert f_rows.loc[f_rows["dst"].isin(event.brand.accounts), "sentiment"].mean() < -0.2


def test_texts_are_varied_and_tone_binned(event):
    df = event.interactions
    texts = df["text"]
    assert texts.nunique() > 3000
    assert texts.str.contains(r"\[[^\]]+\]").mean() > 0.5 and texts.str.contains("#[^#]+#").any()
    s = df["sentiment"]
    strong_neg, strong_pos = texts[s < -0.55], texts[s > 0.55]
    negative_cue = "垃圾|恶心|滚|失望|无耻|可悲|可笑|烦|气死|伤心|后悔|骗子|离谱|造谣|没救|\\[(?:怒|失望|哼|吐|微笑|黑线|白眼)"
    assert strong_neg.str.contains(negative_cue).mean() > 0.95
    assert not strong_pos.str.contains("垃圾|恶心|滚|无耻").any()


def test_planted_kols_are_the_top_pagerank_accounts(event):
    # the KOL rule of methods.md section 3 on the collapsed, weighted graph recovers the planted hubs
    df = event.interactions
    names = pd.Index(event.users["user_id"])
    w = df["kind"].map(DEFAULT_KIND_WEIGHTS).to_numpy(dtype=float)
    e = pd.DataFrame({"s": names.get_indexer(df["src"]), "d": names.get_indexer(df["dst"]), "w": w})
    e = e.groupby(["s", "d"], as_index=False)["w"].sum()
    g = ig.Graph(n=len(names), edges=list(zip(e["s"], e["d"])), directed=True, edge_attrs={"weight": e["w"].tolist()})
    pr = np.asarray(g.pagerank(weights="weight"))
    k = max(20, math.ceil(0.01 * len(names)))
    engagers = df.groupby("dst")["src"].nunique()
    found = {u for u in names[np.argsort(-pr)[:k]] if engagers.get(u, 0) >= 20}
    planted = _members(event, "is_kol")
    tp = len(found & planted)
    assert tp / len(found) >= 0.9 and tp / len(planted) >= 0.9


# ------------------------------------------------------------------ parameters and errors


def test_bad_parameters_are_config_errors():
    with pytest.raises(ConfigError, match="unknown parameter"):
        generate_event(500, seed=0, core_fan_sharee=0.1)
    with pytest.raises(ConfigError, match="n_users"):
        generate_event(100)
    with pytest.raises(ConfigError, match="n_interactions"):
        generate_event(500, 600)
    with pytest.raises(ConfigError, match="seed"):
        generate_event(500, seed=-1)
    with pytest.raises(ConfigError, match="shares"):
        generate_event(500, core_fan_share=0.9)
    small = generate_event(500, seed=2, core_fan_share=0.1, days=7)
    assert (small.truth["group"] == "core_fan").sum() == 50
    ts = pd.to_datetime(small.interactions["timestamp"], utc=True)
    assert ts.max() - ts.min() < pd.Timedelta(days=7)


def test_population_hook_redraws_with_shifted_stance():
    # the what-if hook: same population, shifted stance, new interactions with known parameters
    import dataclasses

    p = datasets.EventParams()
    rng = np.random.default_rng(3)
    pop = datasets.plant_population(1000, p, rng)
    raw = datasets.draw_interactions(pop, p, 10_000, rng)
    fans = pop.members("core_fan")
    soured = dataclasses.replace(pop, stance=np.where(np.isin(np.arange(pop.n), fans), -0.8, pop.stance))
    raw2 = datasets.draw_interactions(soured, p, 10_000, np.random.default_rng(3))
    brand = pop.members("brand")
    before = raw.tone[np.isin(raw.src, fans) & np.isin(raw.dst, brand)].mean()
    after = raw2.tone[np.isin(raw2.src, fans) & np.isin(raw2.dst, brand)].mean()
    assert before > 0.5 and after < -0.5
    assert len(raw.src) == len(raw2.src) == 10_000


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_event_round_trips(tmp_path, fmt):
    ev = generate_event(400, 4000, seed=3, with_sentiment=True)
    paths = write_event(ev, tmp_path / "ev", format=fmt, quiet=True)
    assert paths["interactions"].name == f"interactions.{fmt}"
    got = read_table(paths["interactions"])
    got["text"] = got["text"].fillna("")
    want = ev.interactions
    pd.testing.assert_frame_equal(got.astype({c: "str" for c in ("src", "dst", "kind", "timestamp", "text")}),
                                  want, check_dtype=False)
    pd.testing.assert_frame_equal(read_table(paths["users"]), ev.users, check_dtype=False)
    truth = read_table(paths["truth"])
    truth[["brand_account", "roles"]] = truth[["brand_account", "roles"]].fillna("")
    pd.testing.assert_frame_equal(truth, ev.truth, check_dtype=False)
    cfg = load_config(paths["config"])
    assert cfg.brand == ev.brand
    assert not list((tmp_path / "ev").glob(".*.tmp")), "writes are atomic, no temporaries left"


def test_write_event_rejects_bad_format(tmp_path):
    ev = generate_event(400, 4000, seed=3)
    with pytest.raises(ConfigError):
        write_event(ev, tmp_path, format="xlsx")


def test_cli_generate_writes_files_and_reports(tmp_path):
    out = tmp_path / "gen"
    result = CliRunner().invoke(main, ["generate", "-o", str(out), "--users", "400", "--interactions", "4000",
                                       "--seed", "2", "--format", "parquet", "--with-sentiment"])
    assert result.exit_code == 0, result.output
    assert "planted" in result.output and "core_fan" in result.output
    assert (out / "interactions.parquet").is_file() and (out / "truth.csv").is_file()
    assert "sentiment" in pd.read_parquet(out / "interactions.parquet").columns
    bad = CliRunner().invoke(main, ["generate", "-o", str(out), "--users", "400", "--interactions", "500"])
    assert bad.exit_code != 0 and "n_interactions" in bad.output and "Traceback" not in bad.output


# ------------------------------------------------------------------ the shipped sample


def test_shipped_sample_matches_the_documented_command(tmp_path):
    assert SAMPLE_COMMAND in datasets.__doc__
    sample = load_sample()
    args = shlex.split(SAMPLE_COMMAND)
    assert args[:2] == ["kolgraph", "generate"] and "--with-sentiment" not in args
    args = [str(tmp_path) if a == "data/sample" else a for a in args[1:]]
    result = CliRunner().invoke(main, ["--quiet", *args])
    assert result.exit_code == 0, result.output
    for name in ("interactions.csv", "users.csv", "truth.csv", "aftermath.csv"):
        pd.testing.assert_frame_equal(read_table(sample.folder / name), read_table(tmp_path / name), obj=name)
    assert (sample.config.read_text(encoding="utf-8") == (tmp_path / "kolgraph.toml").read_text(encoding="utf-8"))
    assert "sentiment" not in read_table(sample.interactions).columns


def test_shipped_sample_is_small_and_loadable():
    sample = load_sample()
    files = [p for p in sample.folder.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 5 * 2**20
    assert sample.interactions.is_file() and sample.users.is_file() and sample.truth.is_file()
    assert load_config(sample.config).brand.accounts[0] == "lanyou_official"
    assert Path(sample.folder, "__init__.py").is_file()
