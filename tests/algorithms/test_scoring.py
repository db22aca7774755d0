"""Batch scoring: the planted critic KOL scores red for the hostility, friendly tech KOLs green, every input
row comes back (unknown, blank, duplicate, ambiguous included, extra columns intact), deterministic under a seed.

The sample event (``data/sample``) is built and analysed once per module; the metric and tier rules
are also checked on hand-made tables where every number can be worked out by hand.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kolgraph.runs.score import score_candidates, score_file
from kolgraph.algorithms.scoring import (
    OUTPUT_COLUMNS,
    ScoringInputs,
    ScoringParams,
    candidate_metrics,
    core_fan_shifts,
    risk_tiers,
)
from kolgraph.candidates import MAX_LISTED
from kolgraph.cli import main
from kolgraph.datasets import load_sample
from kolgraph.schema import ConfigError, KolgraphError

RUNS = 30  # quick what-if: enough to separate the critic from the tech KOLs


# --------------------------------------------------------------------------- the analysed sample


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def truth(sample) -> pd.DataFrame:
    return pd.read_csv(sample.truth, dtype={"user_id": str})


@pytest.fixture(scope="module")
def ws(tmp_path_factory, sample):
    from kolgraph.runs.analyze import analyze_workspace
    from kolgraph.build.workspace import build_workspace

    path = tmp_path_factory.mktemp("score") / "ws"
    build_workspace([sample.interactions], path, users_path=sample.users)
    analyze_workspace(path, config=sample.config, seed=0)
    return path


@pytest.fixture(scope="module")
def names(sample) -> pd.Series:
    users = pd.read_csv(sample.users, dtype={"user_id": str})
    return users.set_index("user_id")["display_name"]


@pytest.fixture(scope="module")
def candidates_csv(tmp_path_factory, truth, names):
    """The critic KOL, every tech KOL, media, a brand account and the awkward rows an agency sends."""
    critic = truth.loc[truth["is_critic_kol"], "user_id"].tolist()
    tech = truth.loc[truth["group"] == "tech_kol", "user_id"].tolist()
    media = truth.loc[truth["group"] == "media", "user_id"].tolist()
    rows = [{"handle": h, "fee": f"¥{50 + i}k", "notes": "critic"} for i, h in enumerate(critic)]
    rows += [{"handle": h, "fee": f"¥{10 + i}k", "notes": "tech, \"friendly\""} for i, h in enumerate(tech)]
    rows += [{"handle": h, "fee": "", "notes": "media"} for h in media]
    rows += [
        {"handle": "no_such_account_123", "fee": "007", "notes": "unknown; keep me"},
        {"handle": "", "fee": "1", "notes": "blank row"},
        {"handle": "＠" + names[critic[0]] + "\u3000", "fee": "2", "notes": "critic by display name, full-width"},
        {"handle": " @" + critic[0].upper(), "fee": "3", "notes": "critic id, shouted"},
        {"handle": "lanyou_official", "fee": "0", "notes": "brand account"},
    ]
    path = tmp_path_factory.mktemp("cands") / "candidates.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def scored(ws, candidates_csv):
    return score_candidates(ws, candidates_csv, runs=RUNS, seed=0)


def row_of(result, handle: str) -> pd.Series:
    t = result.table
    hit = t[t["handle"] == handle]
    assert len(hit) == 1, handle
    return hit.iloc[0]


def test_planted_critic_kol_scores_red_for_hostility(scored, truth):
    critic = truth.loc[truth["is_critic_kol"], "user_id"].tolist()
    assert len(critic) == 1
    row = row_of(scored, critic[0])
    assert row["status"] == "ok" and row["risk_tier"] == "red"
    assert row["user_id"] == critic[0] and row["match_method"] == "id"
    reasons = row["reasons"]
    assert "hostile" in reasons and "critic KOL" in reasons
    assert row["hostile_fan_share"] >= 0.25 and row["fan_reactions"] >= 5
    assert row["fan_attitude"] < 0 and row["stance"] < -0.3
    # the what-if agrees: partnering with him costs core-fan stance, and says so in the reasons
    assert row["whatif_shift"] <= -0.05 and row["whatif_low"] <= row["whatif_shift"] <= row["whatif_high"]
    assert "predicted core-fan shift" in reasons and "90%" in reasons
    assert row["core_fan_engagers"] > 0 and 0 < row["core_fan_share"] <= 1


def test_friendly_tech_kols_score_green(scored, truth):
    tech = truth.loc[truth["group"] == "tech_kol", "user_id"].tolist()
    rows = scored.table[scored.table["handle"].isin(tech)]
    assert len(rows) == len(tech) > 5
    assert (rows["status"] == "ok").all()
    assert (rows["risk_tier"] == "green").all(), rows[["handle", "risk_tier", "reasons"]].to_string()
    assert rows["reasons"].str.startswith("no warning sign").all()
    critic_shift = scored.table.loc[scored.table["handle"] == truth.loc[truth["is_critic_kol"], "user_id"].iloc[0],
                                    "whatif_shift"].iloc[0]
    assert (rows["whatif_shift"] > critic_shift).all()
    assert (rows["whatif_shift"].abs() < 0.01).all()


def test_every_input_row_comes_back_once_with_its_columns(scored, candidates_csv):
    inp = pd.read_csv(candidates_csv, dtype=str, keep_default_na=False)
    out = scored.table
    assert len(out) == len(inp)
    assert sorted(out["input_row"]) == list(range(1, len(inp) + 1))
    back = out.sort_values("input_row")
    for col in ("handle", "fee", "notes"):
        assert back[col].tolist() == inp[col].tolist()
    assert set(OUTPUT_COLUMNS) <= set(out.columns)


def test_unknown_blank_and_duplicates_are_reported_not_dropped(scored, truth):
    t = scored.table
    unknown = row_of(scored, "no_such_account_123")
    assert unknown["status"] == "unknown" and pd.isna(unknown["risk_tier"]) and pd.isna(unknown["user_id"])
    assert unknown["fee"] == "007" and unknown["notes"] == "unknown; keep me"
    assert "not in the graph" in unknown["reasons"]
    blank = t[t["notes"] == "blank row"].iloc[0]
    assert blank["status"] == "blank"
    critic = truth.loc[truth["is_critic_kol"], "user_id"].iloc[0]
    first = row_of(scored, critic)
    dups = t[t["notes"].isin(["critic by display name, full-width", "critic id, shouted"])]
    assert (dups["status"] == "duplicate").all() and (dups["user_id"] == critic).all()
    assert (dups["duplicate_of"] == first["input_row"]).all()
    assert (dups["risk_tier"] == "red").all()          # a duplicate carries the account's scores
    assert dups["reasons"].str.startswith(f"same account as row {first['input_row']}").all()
    assert scored.counts["unknown"] == 1 and scored.counts["blank"] == 1 and scored.counts["duplicate"] == 2
    line = scored.summary_line()
    assert "1 unknown" in line and "1 blank" in line and "2 duplicate" in line and "1 red" in line


def test_sort_order_ok_rows_by_tier_then_shift_then_the_rest_in_input_order(scored):
    t = scored.table
    ok = t["status"] == "ok"
    n_ok = int(ok.sum())
    assert ok.iloc[:n_ok].all() and not ok.iloc[n_ok:].any()
    rank = t.loc[ok, "risk_tier"].map({"red": 0, "amber": 1, "green": 2}).to_numpy()
    assert (np.diff(rank) >= 0).all()
    head = t[ok]
    for tier in ("red", "amber", "green"):
        shifts = head.loc[head["risk_tier"] == tier, "whatif_shift"].dropna().to_numpy()
        assert (np.diff(shifts) >= 0).all()
    assert (np.diff(t.loc[~ok, "input_row"].to_numpy()) > 0).all()


def test_brand_account_is_scored_but_not_simulated_nor_best(scored):
    row = row_of(scored, "lanyou_official")
    assert row["status"] == "ok" and "brand account" in row["reasons"]
    assert pd.isna(row["whatif_shift"]) and row["whatif_runs"] == 0
    assert "lanyou_official" not in scored.best(100)["user_id"].tolist()


def test_best_is_lowest_risk_then_highest_reach(scored):
    best = scored.best(5)
    assert len(best) == 5 and (best["risk_tier"] == "green").all()
    assert (np.diff(best["pagerank_pct"].to_numpy()) <= 0).all()
    text = scored.top_table(3)
    lines = text.splitlines()
    assert best["user_id"].iloc[0] in text and lines[0].startswith("best 3 of")
    # The red rows come after the best ones, whatever --top: the critic KOL is always shown.
    red_at = lines.index(next(line for line in lines if line.startswith("red: do not partner")))
    assert red_at == 6 and "laozhong_zhenhua" in "\n".join(lines[red_at:])
    assert "laozhong_zhenhua" in scored.top_table(0)


def test_deterministic_under_a_seed(ws, candidates_csv, scored):
    again = score_candidates(ws, candidates_csv, runs=RUNS, seed=0)
    pd.testing.assert_frame_equal(again.table, scored.table)
    other = score_candidates(ws, candidates_csv, runs=RUNS, seed=1)
    a = scored.table.set_index("input_row").sort_index()
    b = other.table.set_index("input_row").sort_index()
    assert not np.allclose(a["whatif_shift"].dropna(), b["whatif_shift"].dropna())
    assert (a["risk_tier"].fillna("") == b["risk_tier"].fillna("")).all()   # the tiers are not seed noise


def test_whatif_shift_matches_the_simulator(ws, truth, scored):
    """The batch adjoint gives the simulator's own core-fan shift (same draws), for several candidates."""
    from kolgraph.algorithms.whatif import WhatIfScenario, simulate_partnership
    from kolgraph.runs.whatif import load_whatif_inputs

    cands = [truth.loc[truth["is_critic_kol"], "user_id"].iloc[0],
             *truth.loc[truth["group"] == "tech_kol", "user_id"].iloc[:2], *truth.loc[truth["group"] == "media",
                                                                                     "user_id"].iloc[:1]]
    scen = WhatIfScenario(candidates=tuple(cands), runs=RUNS, seed=0, tol=1e-5)
    inp = load_whatif_inputs(ws)
    sim = simulate_partnership(inp.network, inp.stance, inp.attitudes, inp.core_fans, inp.brand, scen)
    batch = core_fan_shifts(inp.network, inp.stance, inp.attitudes, inp.core_fans, inp.brand.accounts, cands, scen)
    for c, row in zip(cands, batch.itertuples(index=False)):
        est = sim.outcome(c).core_fan_shift
        assert row.whatif_shift == pytest.approx(est.mean, abs=2e-5)
        assert row.whatif_low == pytest.approx(est.p05, abs=2e-5)
        assert row.whatif_high == pytest.approx(est.p95, abs=2e-5)
    # score_candidates uses the model with community attitudes (rho): the batch's numbers with the
    # analysis's communities, and the simulator's with them up to the batch's expectation over
    # exposure for community-attitude users (default tolerance)
    t = scored.table.set_index("handle")
    with_comm = core_fan_shifts(inp.network, inp.stance, inp.attitudes, inp.core_fans, inp.brand.accounts, cands,
                                WhatIfScenario(candidates=tuple(cands), runs=RUNS, seed=0),
                                communities=inp.communities)
    assert t.loc[cands[0], "whatif_shift"] == pytest.approx(with_comm["whatif_shift"].iloc[0], abs=2e-3)
    sim_c = simulate_partnership(inp.network, inp.stance, inp.attitudes, inp.core_fans, inp.brand,
                                 WhatIfScenario(candidates=(cands[0],), runs=RUNS, seed=0, alternatives=0),
                                 communities=inp.communities)
    mean_c = sim_c.outcome(cands[0]).core_fan_shift.mean
    assert sim_c.outcome(cands[0]).attitudes["from_community"] > 0
    assert t.loc[cands[0], "whatif_shift"] == pytest.approx(mean_c, abs=0.01 + 0.02 * abs(mean_c))


def test_ambiguous_display_name_is_reported_with_the_candidates(ws, names, tmp_path):
    shared = names.value_counts()
    name = shared.index[0]
    assert shared.iloc[0] > 1
    path = tmp_path / "c.txt"
    path.write_text(f"@{name}\n", encoding="utf-8")
    res = score_candidates(ws, path, whatif=False)
    row = res.table.iloc[0]
    assert row["status"] == "ambiguous" and pd.isna(row["user_id"]) and pd.isna(row["risk_tier"])
    listed = row["match_candidates"].split("|")
    holders = set(names.index[names == name])
    if len(holders) <= MAX_LISTED:
        assert set(listed) == holders
    else:
        assert set(listed[:-1]) <= holders and listed[-1] == f"+{len(holders) - MAX_LISTED} more"
    assert "ambiguous" in row["reasons"] and "give the user id" in row["reasons"]


@pytest.mark.parametrize("fmt", ["txt", "jsonl", "parquet", "tsv"])
def test_each_input_format_scores_the_same(ws, candidates_csv, fmt, tmp_path):
    base = score_candidates(ws, candidates_csv, whatif=False).table
    df = pd.read_csv(candidates_csv, dtype=str, keep_default_na=False)
    path = tmp_path / f"c.{fmt}"
    if fmt == "txt":
        path.write_text("\n".join(df["handle"]) + "\n", encoding="utf-8")
    elif fmt == "jsonl":
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, sep="\t", index=False)
    out = score_candidates(ws, path, whatif=False).table
    cols = ["input_row", "status", "risk_tier", "user_id", "pagerank", "hostile_fan_share"]
    pd.testing.assert_frame_equal(out[cols], base[cols])


@pytest.mark.parametrize("ext", ["csv", "tsv", "json", "jsonl", "parquet"])
def test_output_format_follows_the_extension(ws, candidates_csv, ext, tmp_path):
    from kolgraph._io import read_table

    res = score_file(ws, candidates_csv, tmp_path / f"out.{ext}", whatif=False)
    back = read_table(tmp_path / f"out.{ext}")
    assert len(back) == len(res.table) and list(back.columns) == list(res.table.columns)
    assert back["risk_tier"].fillna("").astype(str).tolist() == res.table["risk_tier"].fillna("").tolist()
    manifest = json.loads((ws / "manifest.json").read_text())
    assert manifest["results"]["score"]["output"] == str(tmp_path / f"out.{ext}")


def test_bad_output_extension_fails_before_work(ws, candidates_csv, tmp_path):
    with pytest.raises(ConfigError, match=r"\.csv.*\.xlsx"):
        score_file(ws, candidates_csv, tmp_path / "out.xls")
    assert not (tmp_path / "out.xls").exists()


def test_input_columns_named_like_ours_are_kept_under_a_new_name(ws, tmp_path, truth):
    critic = truth.loc[truth["is_critic_kol"], "user_id"].iloc[0]
    path = tmp_path / "c.csv"
    pd.DataFrame({"user_id": [critic, "nobody"], "followers": ["4.6M (agency)", "?"],
                  "status": ["shortlist", "maybe"]}).to_csv(path, index=False)
    res = score_candidates(ws, path, whatif=False)
    assert res.renamed == {"user_id": "user_id_input", "followers": "followers_input", "status": "status_input"}
    t = res.table.set_index("user_id_input")
    assert t.loc[critic, "followers_input"] == "4.6M (agency)" and t.loc[critic, "status_input"] == "shortlist"
    assert t.loc[critic, "status"] == "ok" and t.loc[critic, "followers"] > 1_000_000
    assert t.loc["nobody", "status"] == "unknown" and t.loc["nobody", "status_input"] == "maybe"


def test_no_whatif_says_so(ws, candidates_csv):
    res = score_candidates(ws, candidates_csv, whatif=False)
    ok = res.table[res.table["status"] == "ok"]
    assert ok["whatif_shift"].isna().all() and ok["reasons"].str.endswith("what-if not run").all()
    assert "what-if not run" in res.summary_line()


def test_config_section_sets_thresholds(ws, candidates_csv, tmp_path, truth):
    cfg = tmp_path / "k.toml"
    cfg.write_text("[scoring]\ncritic_is_red = false\nred_shift = -1.0\namber_shift = -1.0\n"
                   "min_reactions = 1000000\nmin_pairs = 1000000\nmin_stance_support = 1000000\n")
    res = score_candidates(ws, candidates_csv, config=cfg, runs=5)
    critic = truth.loc[truth["is_critic_kol"], "user_id"].iloc[0]
    assert row_of(res, critic)["risk_tier"] == "green"       # every sign switched off
    cfg.write_text("[scoring]\nred_hostile_shares = 0.5\n")
    with pytest.raises(ConfigError, match="red_hostile_shares"):
        score_candidates(ws, candidates_csv, config=cfg)


def test_needs_an_analysis_first(tmp_path, sample, candidates_csv):
    from kolgraph.build.workspace import build_workspace

    build_workspace([sample.interactions], tmp_path / "raw", users_path=sample.users)
    with pytest.raises(KolgraphError, match="kolgraph analyze"):
        score_candidates(tmp_path / "raw", candidates_csv)


def test_cli_score(ws, candidates_csv, tmp_path):
    out = tmp_path / "scored.csv"
    result = CliRunner().invoke(main, ["score", str(ws), str(candidates_csv), "-o", str(out), "--top", "3",
                                       "--runs", "5", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(out)
    assert "best 3 of" in result.stdout
    assert "scored" in result.stderr and "1 unknown" in result.stderr and "handles: auto-detected" in result.stderr
    assert len(pd.read_csv(out)) == len(pd.read_csv(candidates_csv))
    quiet = CliRunner().invoke(main, ["score", str(ws), str(candidates_csv), "-o", str(out), "--no-whatif", "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    bad = CliRunner().invoke(main, ["score", str(ws), str(candidates_csv), "-o", str(tmp_path / "x.docx")])
    assert bad.exit_code != 0 and "unknown output format" in bad.output and "Traceback" not in bad.output
    missing = CliRunner().invoke(main, ["score", str(ws), str(tmp_path / "nope.csv"), "-o", str(out)])
    assert missing.exit_code != 0 and "file not found" in missing.output


# --------------------------------------------------------------------------- metrics and tiers by hand


def hand_inputs(**overrides) -> ScoringInputs:
    """Candidate k: engaged by fans f1-f3 and outsiders o1-o2; fans hostile in replies; k cold toward fans."""
    edges = pd.DataFrame({
        "src": ["f1", "f1", "f2", "f3", "o1", "o2", "k"],
        "dst": ["k", "k", "k", "k", "k", "k", "k"],
        "kind": ["repost", "reply", "reply", "mention", "repost", "reply", "repost"],
        "count": [2, 3, 1, 1, 4, 2, 9],          # k's self-repost is not engagement
    })
    reactions = pd.DataFrame({
        "src": ["f1", "f1", "f1", "f2", "f3", "o2", "o2", "f1", "k"],
        "dst": ["k"] * 9,
        "kind": ["reply", "reply", "reply", "reply", "mention", "reply", "reply", "repost", "reply"],
        "sentiment": [-0.8, -0.5, 0.2, -0.9, np.nan, 0.6, -0.4, -0.9, -1.0],
    })
    attitudes = pd.DataFrame({"src": ["f1", "f2", "o2", "k", "k"], "dst": ["k", "k", "k", "f1", "o1"],
                              "attitude": [-0.6, -0.2, 0.5, -0.4, 0.9]})
    day = 86400.0
    activity = pd.DataFrame({"src": ["f1", "f2", "o1", "k", "k"], "dst": ["k", "k", "k", "f1", "o1"],
                             "timestamp": [0.5 * day, 0.7 * day, 2.1 * day, 5.0 * day, np.nan]})
    users = pd.DataFrame({"user_id": ["k"], "display_name": ["K"], "followers": [2000.0], "verified": [1.0],
                          "community": [3], "pagerank": [0.01], "pagerank_pct": [99.0], "distinct_engagers": [5],
                          "participation": [0.4], "betweenness": [0.1], "stance": [0.1], "stance_support": [2],
                          "roles": ["kol|bridge"]})
    base = dict(users=users, edges=edges, attitudes=attitudes, reactions=reactions, activity=activity,
                core_fans=pd.Index(["f1", "f2", "f3", "f4"]), brand_communities=(3,))
    base.update(overrides)
    return ScoringInputs(**base)


def test_metrics_by_hand():
    m = candidate_metrics(["k", "ghost"], hand_inputs()).set_index("user_id")
    k = m.loc["k"]
    assert k["interactions_received"] == 13               # 2 + 3 + 1 + 1 + 4 + 2, not the self-repost
    assert k["core_fan_engagers"] == 3 and k["core_fan_share"] == pytest.approx(3 / 5)
    assert k["core_fan_reach"] == pytest.approx(3 / 4)
    # fans' replies/mentions with known sentiment: f1 x3, f2 x1 (f3's is NaN, f1's repost is no reaction)
    assert k["fan_reactions"] == 4 and k["hostile_fan_reactions"] == 3
    assert k["hostile_fan_share"] == pytest.approx(0.75)
    assert k["reactions"] == 6 and k["negative_reactions"] == 4 and k["controversy"] == pytest.approx(4 / 6)
    assert k["fan_attitude"] == pytest.approx(-0.4) and k["fan_attitude_pairs"] == 2
    assert k["attitude_to_fans"] == pytest.approx(-0.4) and k["attitude_to_fans_pairs"] == 1
    assert k["active_days"] == 3                           # days 0, 2 and 5; the NaN timestamp is no day
    assert k["engagement_per_active_day"] == pytest.approx(13 / 3)
    assert k["engagement_per_1k_followers"] == pytest.approx(6.5)
    assert bool(k["in_brand_community"]) and bool(k["bridge"]) and not bool(k["brand_bridge"])
    ghost = m.loc["ghost"]
    assert ghost["interactions_received"] == 0 and pd.isna(ghost["pagerank"]) and pd.isna(ghost["controversy"])


def test_no_timestamps_gives_no_engagement_per_day():
    m = candidate_metrics(["k"], hand_inputs(activity=None))
    assert pd.isna(m["active_days"].iloc[0]) and pd.isna(m["engagement_per_active_day"].iloc[0])


def metrics_row(**values) -> pd.DataFrame:
    base = {"whatif_shift": np.nan, "whatif_low": np.nan, "whatif_high": np.nan, "hostile_fan_share": 0.0,
            "fan_reactions": 20, "hostile_fan_reactions": 0, "fan_attitude": 0.2, "fan_attitude_pairs": 10,
            "attitude_to_fans": 0.1, "attitude_to_fans_pairs": 10, "controversy": 0.05, "reactions": 40,
            "negative_reactions": 2, "stance": 0.3, "stance_support": 4, "roles": "kol", "distinct_engagers": 50,
            "core_fan_engagers": 10}
    base.update(values)
    return pd.DataFrame([base])


@pytest.mark.parametrize("values, tier, words", [
    ({}, "green", "no warning sign"),
    ({"roles": "kol|critic|critic_kol", "stance": -0.6}, "red", "critic KOL of the brand"),
    ({"hostile_fan_share": 0.25, "hostile_fan_reactions": 5}, "red", "25% of core-fan replies/mentions are hostile"),
    ({"hostile_fan_share": 0.24, "hostile_fan_reactions": 5}, "amber", "amber at >= 10%"),
    ({"hostile_fan_share": 0.9, "fan_reactions": 4, "hostile_fan_reactions": 4}, "green", "no warning sign"),
    ({"whatif_shift": -0.05, "whatif_low": -0.08, "whatif_high": -0.02}, "red",
     "predicted core-fan shift -0.050 [90%: -0.080, -0.020] (red at <= -0.05)"),
    ({"whatif_shift": -0.02, "whatif_low": -0.03, "whatif_high": -0.01}, "amber", "(amber at <= -0.01)"),
    ({"fan_attitude": -0.3}, "red", "core fans' mean attitude toward the candidate -0.30 over 10 fans"),
    ({"fan_attitude": -0.5, "fan_attitude_pairs": 2}, "green", "no warning sign"),
    ({"attitude_to_fans": -0.25}, "amber", "mean attitude toward core fans -0.25"),
    ({"controversy": 0.4, "negative_reactions": 16}, "amber", "40% of replies/mentions received are negative"),
    ({"stance": -0.15, "stance_support": 2}, "amber", "own brand stance -0.15"),
    ({"stance": -0.15, "stance_support": 1}, "green", "no warning sign"),
])
def test_tier_rule_at_its_thresholds(values, tier, words):
    tiers, reasons = risk_tiers(metrics_row(**values))
    assert tiers[0] == tier
    assert words in reasons.to_pylist()[0]


def test_green_rows_quote_the_shift_and_red_lists_every_sign():
    _, reasons = risk_tiers(metrics_row(whatif_shift=0.004, whatif_low=0.001, whatif_high=0.008))
    assert reasons.to_pylist()[0].endswith("predicted core-fan shift +0.004 [90%: +0.001, +0.008]")
    tiers, reasons = risk_tiers(metrics_row(hostile_fan_share=0.32, hostile_fan_reactions=6, whatif_shift=-0.21,
                                            whatif_low=-0.3, whatif_high=-0.12, controversy=0.5))
    text = reasons.to_pylist()[0]
    assert tiers[0] == "red"
    assert text.index("hostile") < text.index("predicted core-fan shift") < text.index("negative")


def test_params_validate():
    with pytest.raises(ValueError, match="red_shift"):
        ScoringParams(red_shift=-0.01, amber_shift=-0.05)
    with pytest.raises(ValueError, match="reaction_kinds"):
        ScoringParams(reaction_kinds=("like",))
    p = ScoringParams(reaction_kinds=("评论",))
    assert p.reaction_kinds == ("reply",)
    assert dataclasses.replace(p, whatif_runs=7).whatif_runs == 7


# --------------------------------------------------------------------------- output an agency can open


HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture(scope="module")
def agency_list(tmp_path_factory, ws, sample):
    """The sample's agency list, plus a barely active real user, plus hostile cells in a note column."""
    users = pd.read_parquet(ws / "analysis" / "users.parquet")
    quiet = users[(users["distinct_engagers"].fillna(0) <= 1) & ~users["roles"].fillna("").str.contains("brand")]
    quiet_id = str(quiet.sort_values("user_id")["user_id"].iloc[0])
    base = pd.read_csv(sample.folder / "candidates.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame([{"handle": quiet_id, "category": "lifestyle", "fee_cny": "007", "agency_note": h}
                          for h in HOSTILE[:1]])
    hostile = pd.DataFrame([{"handle": "u" + str(i), "category": h, "fee_cny": "1", "agency_note": h}
                            for i, h in enumerate(HOSTILE)])
    path = tmp_path_factory.mktemp("agency") / "agency.csv"
    pd.concat([base, extra, hostile], ignore_index=True).to_csv(path, index=False, lineterminator="\r\n")
    return path, quiet_id


def test_xlsx_keeps_ids_as_text_and_greys_a_candidate_without_evidence(ws, agency_list, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path, quiet_id = agency_list
    out = tmp_path / "scored.xlsx"
    res = score_file(ws, path, out, runs=5, seed=0)
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    assert list(head) == [str(c) for c in res.table.columns]
    col = {name: i for i, name in enumerate(head)}
    got = {r[col["input_row"]]: r for r in rows[1:]}
    for expect in res.table.itertuples(index=False):
        r = got[expect.input_row]
        uid = None if pd.isna(expect.user_id) else expect.user_id
        assert r[col["user_id"]] == uid and (uid is None or isinstance(r[col["user_id"]], str))
        assert r[col["handle"]] == (None if expect.handle == "" else expect.handle)
    fee = [r[col["fee_cny"]] for r in rows[1:] if r[col["user_id"]] == quiet_id]
    assert fee == ["007"]  # leading zeros: a text cell, not the number 7
    grey = [r for r in rows[1:] if r[col["user_id"]] == quiet_id][0]
    assert grey[col["risk_tier"]] == "grey" and "insufficient evidence" in grey[col["reasons"]]
    critic = [r for r in rows[1:] if r[col["user_id"]] == "laozhong_zhenhua" and r[col["status"]] == "ok"][0]
    assert critic[col["risk_tier"]] == "red"
    # Hostile cells: stored as plain strings, never formulas, shown with Excel's quote prefix.
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.startswith(tuple("=+-@\t\r"))]
    assert {c.value for c in risky} >= set(HOSTILE) - {"\rCR"}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    # XML turns a stored CR into LF on reading; the cell is still plain text, never a formula.
    assert any(c.value == "\nCR" and c.data_type == "s" for c in cells)


def test_csv_neutralises_formulas_and_excel_flag_adds_a_bom(ws, agency_list, tmp_path):
    path, _ = agency_list
    out = tmp_path / "scored.csv"
    score_file(ws, path, out, whatif=False, excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in ("handle", "category", "fee_cny", "agency_note", "reasons", "display_name", "handle_normalised"):
        assert not back[col].str.startswith(tuple("=+-@\t\r")).any(), col
    assert set(HOSTILE) <= {v[1:] for v in back["agency_note"] if v.startswith("'")}
    plain = tmp_path / "plain.csv"
    score_file(ws, path, plain, whatif=False)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_dash_writes_csv_to_standard_output(ws, agency_list):
    path, _ = agency_list
    result = CliRunner().invoke(main, ["score", str(ws), str(path), "-o", "-", "--no-whatif", "-q"])
    assert result.exit_code == 0, result.output
    import io
    back = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert len(back) == len(pd.read_csv(path, dtype=str, keep_default_na=False))
    assert "risk_tier" in back.columns and "laozhong_zhenhua" in set(back["user_id"])


def test_json_output_follows_its_schema(ws, agency_list):
    import jsonschema  # a test dependency (setup.cfg [test]): never skipped
    from kolgraph.algorithms.scoring_columns import SCORE_JSON_SCHEMA

    path, quiet_id = agency_list
    result = CliRunner().invoke(main, ["score", str(ws), str(path), "--json", "--runs", "3", "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCORE_JSON_SCHEMA)
    assert doc["counts"]["red"] == 1 and doc["counts"]["grey"] >= 1
    assert doc["analysis_run_id"]
    tiers = {r["user_id"]: r["risk_tier"] for r in doc["rows"] if r["status"] == "ok"}
    assert tiers["laozhong_zhenhua"] == "red" and tiers[quiet_id] == "grey"
    # The schema is not a rubber stamp: a wrong tier or a missing column fails it.
    broken = json.loads(result.stdout)
    broken["rows"][0]["risk_tier"] = "purple"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCORE_JSON_SCHEMA)
    del broken["rows"][0]["risk_tier"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCORE_JSON_SCHEMA)


def test_every_output_column_is_in_the_data_dictionary(scored):
    from kolgraph.algorithms.scoring_columns import COLUMNS

    ours = [c for c in scored.table.columns if c not in ("handle", "fee", "notes")]
    assert ours == [c for c in COLUMNS if c in ours] and set(ours) == set(COLUMNS)
    result = CliRunner().invoke(main, ["score", "--columns"])
    assert result.exit_code == 0
    for c in COLUMNS.values():
        assert c.name in result.stdout and c.definition in result.stdout


def test_unknown_handles_get_did_you_mean(ws, tmp_path):
    (tmp_path / "typo.csv").write_text("handle\nlaozhong_zhenhau\nzzzz_qqqq_xxxx\n", encoding="utf-8")
    res = score_candidates(ws, tmp_path / "typo.csv", whatif=False)
    reasons = res.table.set_index("handle")["reasons"]
    assert reasons["laozhong_zhenhau"].endswith("did you mean laozhong_zhenhua?")
    assert "did you mean" not in reasons["zzzz_qqqq_xxxx"]


def test_chinese_handle_columns_are_detected(ws, tmp_path, names):
    frame = pd.DataFrame({"序号": ["1", "2"], "微博昵称": [names["laozhong_zhenhua"], "x"],
                          "微博ID": ["laozhong_zhenhua", "u15241630"], "报价": ["1", "2"]})
    path = tmp_path / "agency.csv"
    frame.to_csv(path, index=False)
    res = score_candidates(ws, path, whatif=False)
    assert res.handle_column == "微博ID"
    only_names = tmp_path / "names.csv"
    frame[["微博昵称", "报价"]].to_csv(only_names, index=False)
    res = score_candidates(ws, only_names, whatif=False)
    assert res.handle_column == "微博昵称"
    assert res.table.loc[res.table["status"] == "ok", "user_id"].tolist() == ["laozhong_zhenhua"]


def test_score_records_the_analysis_run_it_used(ws, candidates_csv, tmp_path):
    res = score_file(ws, candidates_csv, tmp_path / "s.csv", whatif=False)
    manifest = json.loads((ws / "manifest.json").read_text())
    assert manifest["results"]["score"]["analysis_run_id"] == res.parameters["analysis_run_id"] is not None


@pytest.mark.parametrize("command", [["analyze"], ["whatif"], ["whatif", "run"], ["score"], ["map"], ["report"]])
def test_every_help_that_prints_a_metric_points_to_the_methods(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Definitions: docs/methods.md" in result.output


def test_docs_define_every_column_and_tier():
    from pathlib import Path

    from kolgraph.algorithms.risk import TIERS
    from kolgraph.algorithms.scoring_columns import COLUMNS

    root = Path(__file__).resolve().parents[2] / "docs"
    scoring = (root / "scoring.md").read_text(encoding="utf-8")
    methods = (root / "methods.md").read_text(encoding="utf-8")
    for c in COLUMNS.values():
        assert f"| `{c.name}` | {c.type} | {c.unit} | {c.definition} |" in scoring, c.name
    for tier in TIERS:
        assert f"**{tier}**" in methods and f"| {tier} |" in scoring
    for name, default in ScoringParams().to_dict().items():
        assert name in scoring, name
    for page in ("importers.md", "sentiment.md", "roles.md", "whatif.md", "maps.md", "neo4j.md", "scoring.md"):
        assert f"]({page})" in methods


@pytest.mark.parametrize("values, words", [
    ({"distinct_engagers": 4}, "insufficient evidence: distinct engagers 4 (need >= 5)"),
    ({"stance_support": 0, "core_fan_engagers": 0, "fan_reactions": 0, "fan_attitude_pairs": 0,
      "attitude_to_fans_pairs": 0}, "insufficient evidence: no brand-directed evidence"),
])
def test_grey_when_there_is_too_little_evidence_never_green(values, words):
    tiers, reasons = risk_tiers(metrics_row(**values))
    assert tiers[0] == "grey" and reasons.to_pylist()[0].startswith(words)
    # A red sign still wins over thin evidence: grey only replaces green.
    tiers, _ = risk_tiers(metrics_row(**values, roles="critic", stance=-0.6))
    assert tiers[0] == "red"
