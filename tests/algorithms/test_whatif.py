"""The what-if simulator (methods page, section 4): values against exact solutions, invariants, the sample event."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kolgraph.algorithms.propagation import ListeningOperator
from kolgraph.algorithms.whatif import (
    AnalysisMissingError,
    WhatIfConvergenceError,
    WhatIfNetwork,
    WhatIfScenario,
    draw_runs,
    exposure_uniforms,
    fj_effect,
    reaction_factors,
    sensitivity,
    simulate_partnership,
)
from kolgraph.algorithms.whatif.simulate import interp_percentile as _interp
from kolgraph.algorithms.whatif.simulate import percentile_positions as _percentile_positions
from kolgraph.runs.whatif import whatif_workspace
from kolgraph.config import params_from_mapping
from kolgraph.schema import ConfigError, DEFAULT_KIND_WEIGHTS, UnknownAccountError

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- helpers


def _edges(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["src", "dst", "kind", "count"])
    df["weight"] = df["kind"].map(DEFAULT_KIND_WEIGHTS) * df["count"]
    return df


def _toy():
    """Brand b, critic k, fans f1..f4, a bystander z who listens to fans only, a loner."""
    rows = [
        ("f1", "b", "repost", 3), ("f2", "b", "repost", 2), ("f3", "b", "reply", 2), ("f4", "b", "repost", 1),
        ("f1", "f2", "repost", 2), ("f2", "f1", "repost", 1), ("f3", "f1", "reply", 1), ("f4", "f3", "repost", 2),
        ("f1", "k", "reply", 2), ("f2", "k", "mention", 1), ("f3", "k", "reply", 1), ("k", "f1", "reply", 1),
        ("z", "f1", "repost", 2), ("z", "f4", "repost", 1), ("k", "c1", "repost", 1), ("c1", "k", "reply", 2),
        ("loner", "b", "mention", 1), ("b", "f1", "reply", 1),
    ]
    names = pd.Index(["b", "k", "f1", "f2", "f3", "f4", "z", "c1", "loner"], dtype="str")
    net = WhatIfNetwork.from_edges(_edges(rows), names)
    stance = pd.Series({"b": 0.9, "k": -0.8, "f1": 0.8, "f2": 0.6, "f3": 0.7, "f4": 0.5, "z": 0.1, "c1": -0.5,
                        "loner": 0.2})
    att = pd.DataFrame({"src": ["f1", "f2", "f3", "c1", "k"], "dst": ["k", "k", "k", "k", "f1"],
                        "attitude": [-0.9, -0.6, -0.4, 0.8, -0.7], "support": [2, 1, 1, 2, 1]})
    return net, stance, att, ["f1", "f2", "f3", "f4"], ["b"]


def _dense_parts(net: WhatIfNetwork, brand: list[str]):
    op = ListeningOperator.build(net.listen, net.index_of(brand))
    return op.W.toarray(), op.D


def _dense_effect(W: np.ndarray, D: np.ndarray, shock: np.ndarray, lam: float) -> np.ndarray:
    n = len(D)
    return np.linalg.solve(np.eye(n) - lam * W, (1 - lam * D) * shock)


def _attachment(net, s0, brand):
    """Reference attachment: positive stance x (mid-rank percentile of brand engagement among engagers)."""
    m = net.counts.toarray()[:, net.index_of(brand)].sum(axis=1)
    w = np.zeros(len(s0))
    eng = np.flatnonzero(m > 0)
    for i in eng:  # a dense reference, written differently from the vectorised code
        below = (m[eng] < m[i]).sum()
        ties = (m[eng] == m[i]).sum()
        w[i] = max(s0[i], 0.0) * (below + (ties + 1) / 2) / len(eng)
    w[net.index_of(brand)] = 0
    return w


def _dstar(net, stance, att, brand, cand, alpha, beta, q, exposed=None, gamma=0.0, react=None, prior=None):
    """Reference shock; ``react``: per-user reaction factors; ``prior``: own attitudes re-estimated as
    (sum + 0) / (n + prior) from the measured (k0 = 2) shrunk mean (the toy has no communities)."""
    names = net.names
    s0 = stance.reindex(names).fillna(0).to_numpy()
    a = np.zeros(len(names))
    sel = att[att["dst"] == cand]
    idx = names.get_indexer(sel["src"])
    a[idx] = sel["attitude"].to_numpy()
    if prior is not None:
        n = sel["support"].to_numpy()
        a[idx] = np.clip(a[idx] * (n + 2.0) / (n + prior), -1, 1)
    a[net.index_of(brand)] = 0
    a[net.index_of([cand])] = 0
    w = _attachment(net, s0, brand)
    delta = np.where(a < 0, alpha * a * (1 + gamma * w), beta * a * (1 - s0))
    if react is not None:
        delta = delta * react
    dstar = np.clip(s0 + delta, -1, 1) - s0
    if exposed is not None:
        dstar = dstar * exposed
    return dstar, s0, a


# --------------------------------------------------------------------------- scenario


def test_scenario_from_config_section_and_validation():
    scen = params_from_mapping(WhatIfScenario, {"alpha_range": [0.5, 0.9], "runs": 40, "q": 0.2}, "whatif",
                               candidates=("k",), seed=3)
    assert scen.alpha_range == (0.5, 0.9) and scen.runs == 40 and scen.q == 0.2 and scen.candidates == ("k",)
    assert scen.seed == 3
    assert WhatIfScenario(susceptibility_beta=(9.0, 3.0)).susceptibility_beta == (9.0, 3.0)  # shapes, not a range
    with pytest.raises(ConfigError, match="unknown parameter"):
        params_from_mapping(WhatIfScenario, {"alfa": 1}, "whatif")
    for bad in ({"alpha_range": [1.0, 0.5]}, {"q": 0}, {"susceptibility_max": 1.0}, {"runs": 0},
                {"listen_kinds": ["like"]}, {"susceptibility": 0.95}, {"beta_range": [-0.1, 0.2]},
                {"susceptibility_beta": [0, 2]}):
        with pytest.raises(ConfigError):
            WhatIfScenario(**bad)


def test_unknown_candidate_is_an_error_that_names_it():
    net, stance, att, core, brand = _toy()
    with pytest.raises(UnknownAccountError, match="'nobody_here'.*not a user in the graph"):
        simulate_partnership(net, stance, att, core, brand, WhatIfScenario(candidates=("nobody_here",), runs=3))
    with pytest.raises(ConfigError, match="brand account"):
        simulate_partnership(net, stance, att, core, brand, WhatIfScenario(candidates=("b",), runs=3))
    with pytest.raises(ConfigError, match="no candidate"):
        simulate_partnership(net, stance, att, core, brand, WhatIfScenario(runs=3))


# --------------------------------------------------------------------------- exact values


def test_fixed_parameters_match_the_exact_equilibrium():
    """q = 1 exposes everyone with an interaction; fixed alpha, beta, lambda make every run the same."""
    net, stance, att, core, brand = _toy()
    scen = WhatIfScenario(candidates=("k",), runs=4, q=1.0, q_range=(1.0, 1.0), alpha_range=(0.8, 0.8),
                          beta_range=(0.3, 0.3), gamma_range=(1.5, 1.5), susceptibility=0.6, tol=1e-7,
                          reaction_sd=0.0, attitude_prior=None)
    res = simulate_partnership(net, stance, att, core, brand, scen)
    W, D = _dense_parts(net, brand)
    dstar, s0, _ = _dstar(net, stance, att, brand, "k", 0.8, 0.3, 1.0, gamma=1.5)
    exact = _dense_effect(W, D, dstar, 0.6)
    users = res.to_frame().set_index("user_id").loc[list(net.names)]
    assert np.allclose(users["shift_mean"].to_numpy(), exact, atol=1e-6)
    assert np.allclose(users["shift_p05"].to_numpy(), exact, atol=1e-6)
    base = _dense_effect(W, D, s0, 0.6)
    assert np.allclose(res.baseline.set_index("user_id").loc[list(net.names), "baseline"], base, atol=1e-6)
    # levels start from the measured stance: after = measured + (scenario - baseline)
    assert np.allclose(users["stance_after"].to_numpy(), s0 + exact, atol=1e-6)
    o = res.outcome("k")
    assert o.core_fan_shift.mean == pytest.approx(exact[net.index_of(core)].mean(), abs=1e-6)
    # the bystander z has no attitude of its own and still moves (through f1 and f4); the loner does not
    assert users.loc["z", "shift_mean"] < -0.01 and users.loc["loner", "shift_mean"] == 0
    # the brand account is stubborn and k has no shock of its own
    assert users.loc["b", "shift_mean"] == 0 and users.loc["k", "own_shock"] == 0


def test_random_exposure_runs_match_exact_per_run_solutions():
    net, stance, att, core, brand = _toy()
    scen = WhatIfScenario(candidates=("k",), runs=6, seed=11, tol=1e-7, reaction_sd=0.5, attitude_prior=0.25)
    res = simulate_partnership(net, stance, att, core, brand, scen)
    draws = draw_runs(scen)
    Z = reaction_factors(draws.key, net.names, np.arange(scen.runs), 0.5)
    W, D = _dense_parts(net, brand)
    counts = net.counts.toarray()
    m = counts[:, net.index_of(brand + ["k"])].sum(axis=1)
    U = exposure_uniforms(draws.key, net.names, np.arange(scen.runs))
    runs = res.outcome("k").runs
    ci = net.index_of(core)
    for r in range(scen.runs):
        p = 1 - (1 - draws.q[r]) ** m  # q is drawn per run from its prior
        dstar, s0, _ = _dstar(net, stance, att, brand, "k", draws.alpha[r], draws.beta[r], scen.q,
                              exposed=U[:, r] < p, gamma=draws.gamma[r], react=Z[:, r], prior=0.25)
        eff = _dense_effect(W, D, dstar, draws.lam[r])
        base = _dense_effect(W, D, s0, draws.lam[r])
        assert runs["core_fan_shift"].iloc[r] == pytest.approx(eff[ci].mean(), abs=1e-6)
        assert runs["overall_shift"].iloc[r] == pytest.approx(eff.mean(), abs=1e-6)
        turned = ((s0 + eff)[ci] < -max(scen.tol, 1e-6)) & (s0[ci] >= 0)  # from the measured stance (not the baseline)
        assert runs["core_fans_turning_negative"].iloc[r] == pytest.approx(turned.mean())
        assert runs["susceptibility"].iloc[r] == draws.lam[r]


def test_carriers_are_column_sums_of_the_operator_applied_to_each_shock():
    net, stance, att, core, brand = _toy()
    scen = WhatIfScenario(candidates=("k",), runs=2, q=1.0, q_range=(1.0, 1.0), alpha_range=(0.7, 0.7),
                          beta_range=(0.2, 0.2), gamma_range=(1.0, 1.0), susceptibility=0.5, tol=1e-8, top_carriers=10,
                          reaction_sd=0.0, attitude_prior=None)
    res = simulate_partnership(net, stance, att, core, brand, scen)
    W, D = _dense_parts(net, brand)
    n = len(D)
    M = np.linalg.solve(np.eye(n) - 0.5 * W, np.diag(1 - 0.5 * D))
    dstar, _, _ = _dstar(net, stance, att, brand, "k", 0.7, 0.2, 1.0, gamma=1.0)
    others = (M.sum(axis=0) - (1 - 0.5 * D)) * dstar
    ci = net.index_of(core)
    to_core = M[ci].mean(axis=0) * dstar
    carriers = res.outcome("k").carriers.set_index("user_id")
    assert len(carriers) and (carriers["backlash_on_others"] < 0).all()
    for uid, row in carriers.iterrows():
        i = net.index_of([uid])[0]
        assert row["backlash_on_others"] == pytest.approx(others[i], abs=1e-5)
        assert row["core_fan_contribution"] == pytest.approx(to_core[i], abs=1e-6)
    # ranked by the backlash they carry, most negative first
    assert list(carriers["backlash_on_others"]) == sorted(carriers["backlash_on_others"])
    # contributions (own term included) add up to the total shift
    assert (M.sum(axis=0) * dstar).sum() == pytest.approx(res.outcome("k").overall_shift.mean * n, abs=1e-5)


def test_percentile_helpers_match_numpy():
    rng = np.random.default_rng(0)
    for R in (1, 2, 7, 20, 200):
        x = rng.normal(size=(5, R)).astype(np.float32)
        lo_k, hi_k, lo_w, hi_w = _percentile_positions(R)
        part = np.sort(x, axis=1)
        ref = np.percentile(x.astype(np.float64), [5, 95], axis=1)
        assert np.allclose(_interp(part, lo_k, lo_w), ref[0], atol=1e-6)
        assert np.allclose(_interp(part, hi_k, hi_w), ref[1], atol=1e-6)


def test_fj_effect_matches_a_dense_solve():
    net, *_ = _toy()
    W, D = _dense_parts(net, ["b"])
    op = ListeningOperator.build(net.listen, net.index_of(["b"]))
    shock = np.linspace(-0.5, 0.5, len(D))
    assert np.allclose(fj_effect(op.W, op.D, shock, 0.7), _dense_effect(W, D, shock, 0.7), atol=1e-8)
    assert np.allclose(fj_effect(op.W, op.D, shock, 0.0), shock)


# --------------------------------------------------------------------------- invariants


def test_no_partnership_has_exactly_zero_effect():
    net, stance, att, core, brand = _toy()
    # z has no attitudes toward it: no shock anywhere
    res = simulate_partnership(net, stance, att, core, brand, WhatIfScenario(candidates=("z",), runs=20))
    users = res.to_frame()
    for col in ("shift_mean", "shift_p05", "shift_p95", "p_negative", "own_shock"):
        assert (users[col] == 0).all(), col
    o = res.outcome("z")
    assert o.core_fan_shift.mean == 0 and o.core_fan_shift.p05 == 0 and o.core_fan_shift.p95 == 0
    assert o.core_fans_turning_negative.mean == 0 and o.overall_shift.mean == 0
    assert o.defectors.empty and o.carriers.empty
    assert (users["stance_after"] == users["stance"]).all()  # levels start from the measured stance
    # attitudes but zero strength: still exactly zero
    res = simulate_partnership(net, stance, att, core, brand,
                               WhatIfScenario(candidates=("k",), runs=20, alpha_range=(0, 0), beta_range=(0, 0)))
    assert (res.to_frame()["shift_mean"] == 0).all() and res.outcome("k").core_fan_shift.mean == 0


_N = 8


@st.composite
def _random_world(draw, positive_only: bool = False):
    names = [f"u{i}" for i in range(_N)]
    pairs = draw(st.lists(st.tuples(st.integers(0, _N - 1), st.integers(0, _N - 1),
                                    st.sampled_from(["repost", "reply", "mention"]), st.integers(1, 4)),
                          min_size=1, max_size=30))
    rows = [(names[a], names[b], k, c) for a, b, k, c in pairs]
    rows = list({(r[0], r[1], r[2]): r for r in rows}.values())
    stance = pd.Series(draw(st.lists(st.floats(-1, 1), min_size=_N, max_size=_N)), index=names)
    low = 0.0 if positive_only else -1.0
    att_vals = draw(st.lists(st.floats(low, 1.0), min_size=_N, max_size=_N))
    att = pd.DataFrame({"src": names[2:], "dst": "u0", "attitude": att_vals[2:], "support": 1})
    return WhatIfNetwork.from_edges(_edges(rows), pd.Index(names, dtype="str")), stance, att


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=_random_world(positive_only=True), seed=st.integers(0, 1000))
def test_a_candidate_nobody_dislikes_cannot_lower_any_stance(world, seed):
    net, stance, att = world
    scen = WhatIfScenario(candidates=("u0",), runs=8, seed=seed, tol=1e-9, q=0.8)
    res = simulate_partnership(net, stance, att, ["u2", "u3", "u4"], ["u1"], scen)
    users = res.to_frame()
    assert users["shift_p05"].min() >= -1e-6  # tol and float32 rounding
    assert users["p_negative"].max() == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=_random_world(), lam=st.floats(0, 0.9), alpha=st.floats(0, 4), beta=st.floats(0, 4))
def test_stances_stay_in_bounds(world, lam, alpha, beta):
    net, stance, att = world
    scen = WhatIfScenario(candidates=("u0",), runs=2, q=1.0, alpha_range=(alpha, alpha), beta_range=(beta, beta),
                          gamma_range=(0.0, 3.0), susceptibility=lam, tol=1e-9)
    users = simulate_partnership(net, stance, att, ["u2", "u3"], ["u1"], scen).to_frame()
    after = users["stance_after"].to_numpy()
    assert after.min() >= -1 - 1e-6 and after.max() <= 1 + 1e-6  # tol and float32 storage
    assert users["baseline"].abs().max() <= 1 + 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=_random_world(), seed=st.integers(0, 1000))
def test_the_effect_grows_with_antagonism(world, seed):
    net, stance, att = world
    core = ["u2", "u3", "u4", "u5"]
    shifts = []
    for scale in (0.25, 0.5, 1.0):
        hostile = att.assign(attitude=np.minimum(att["attitude"], 0.0) * scale)
        scen = WhatIfScenario(candidates=("u0",), runs=10, seed=seed, tol=1e-9)
        users = simulate_partnership(net, stance, hostile, core, ["u1"], scen).to_frame()
        shifts.append(users["shift_mean"].to_numpy())
    # more antagonism never raises anyone's stance (same draws); the total moves down or stays
    assert np.all(shifts[1] <= shifts[0] + 1e-7) and np.all(shifts[2] <= shifts[1] + 1e-7)
    assert shifts[2].sum() <= shifts[0].sum() + 1e-7


# --------------------------------------------------------------------------- a generated event


@pytest.fixture(scope="module")
def event_inputs():
    from kolgraph.algorithms.stance import attitudes, user_stance
    from kolgraph.build.graph import graph_from_interactions
    from kolgraph.datasets import generate_event

    ev = generate_event(1500, seed=4, with_sentiment=True)
    inter = ev.interactions.copy()
    inter["timestamp"] = pd.to_datetime(inter["timestamp"], utc=True).astype("int64") / 1e9
    g = graph_from_interactions(inter, ev.users)
    s = inter["sentiment"].to_numpy()
    stance = user_stance(inter, s, ev.brand, users=pd.Index(g.vs["name"]))
    att = attitudes(inter, s).to_frame()
    t = ev.truth
    critic = t.loc[t["is_critic_kol"], "user_id"].iloc[0]
    tech = att[att["dst"].isin(t.loc[t["group"] == "tech_kol", "user_id"])].groupby("dst").size().idxmax()
    return dict(g=g, stance=pd.Series(stance.stance, index=stance.user_ids), att=att,
                core=t.loc[t["is_core_fan"], "user_id"].tolist(), brand=ev.brand, critic=critic, tech=tech,
                communities=pd.Series(t["community"].to_numpy(), index=t["user_id"]), truth=t)


def _run(ev, *cands, **kw):
    scen = WhatIfScenario(candidates=cands, **{"runs": 60, **kw})
    return simulate_partnership(ev["g"], ev["stance"], ev["att"], ev["core"], ev["brand"], scen,
                                communities=ev["communities"])


def test_same_seed_same_numbers_and_the_graph_is_not_modified(event_inputs):
    g = event_inputs["g"]
    before = (g.vcount(), g.ecount(), list(g.es["weight"][:50]), g.vs["name"][:50])
    a = _run(event_inputs, event_inputs["critic"], seed=5)
    b = _run(event_inputs, event_inputs["critic"], seed=5)
    c = _run(event_inputs, event_inputs["critic"], seed=6)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.runs_frame(), b.runs_frame())
    assert a.to_dict() == b.to_dict()
    assert a.outcomes[0].core_fan_shift.mean != c.outcomes[0].core_fan_shift.mean
    assert (g.vcount(), g.ecount(), list(g.es["weight"][:50]), g.vs["name"][:50]) == before
    assert isinstance(g, ig.Graph)


def test_more_runs_narrow_the_monte_carlo_interval_and_extend_the_same_runs(event_inputs):
    few = _run(event_inputs, event_inputs["critic"], runs=25, seed=2).outcomes[0]
    many = _run(event_inputs, event_inputs["critic"], runs=400, seed=2).outcomes[0]
    # run r is the same run whatever the number of runs (same draws; the numbers agree within tol)
    cols = ["alpha", "beta", "susceptibility", "exposed"]
    pd.testing.assert_frame_equal(few.runs[cols], many.runs[cols].head(25))
    assert np.allclose(few.runs["core_fan_shift"], many.runs["core_fan_shift"].head(25), atol=1e-3, rtol=0)
    # the Monte Carlo error of the mean shrinks like 1/sqrt(runs); the 90% spread of outcomes does not vanish
    assert many.core_fan_shift.mc_se < 0.5 * few.core_fan_shift.mc_se
    assert many.core_fan_shift.p95 - many.core_fan_shift.p05 > 0.3 * (few.core_fan_shift.p95 - few.core_fan_shift.p05)


def test_candidates_share_the_draws(event_inputs):
    alone = _run(event_inputs, event_inputs["critic"], seed=9)
    pair = _run(event_inputs, event_inputs["tech"], event_inputs["critic"], seed=9)
    pd.testing.assert_frame_equal(alone.outcome(event_inputs["critic"]).users,
                                  pair.outcome(event_inputs["critic"]).users)
    assert pair.candidates == (event_inputs["tech"], event_inputs["critic"])
    cmp = pair.comparison_frame()
    assert list(cmp["candidate"]) == list(pair.candidates)


def test_critic_partnership_hurts_core_fans_and_tech_partnership_does_not(event_inputs):
    res = _run(event_inputs, event_inputs["critic"], event_inputs["tech"], runs=100)
    critic, tech = res.outcome(event_inputs["critic"]), res.outcome(event_inputs["tech"])
    assert critic.core_fan_shift.p95 < -0.02 and critic.core_fan_shift.mean < -0.05
    assert tech.core_fan_shift.mean > -0.005 and tech.core_fans_turning_negative.mean == 0
    # the brand community moves most
    comm = critic.communities.set_index("community")
    assert comm.loc["brand", "shift_mean"] == comm["shift_mean"].min()
    # JSON with the documented keys
    d = json.loads(json.dumps(res.to_dict()))
    for c in d["candidates"]:
        assert {"mean", "p05", "p95"} <= set(c["core_fan_shift"]) and "core_fans_turning_negative" in c
        assert isinstance(c["defectors"], list) and "parameters" in d
    assert d["parameters"]["runs"] == 100 and d["parameters"]["accuracy"]["per_user_bound"] == 1e-3


def test_sensitivity_sweeps_each_parameter(event_inputs):
    ev = event_inputs
    scen = WhatIfScenario(candidates=(ev["critic"],), runs=40, seed=1)
    table = sensitivity(ev["g"], ev["stance"], ev["att"], ev["core"], ev["brand"], scen)
    assert len(table) == 1 + 5 * 3  # gamma (attachment amplification) joined the swept priors
    assert set(table["parameter"]) == {"all priors", "alpha", "beta", "gamma", "susceptibility", "q"}
    gamma = table[table["parameter"] == "gamma"].set_index("level")["core_fan_shift"]
    assert gamma["high"] < gamma["mid"] < gamma["low"] < 0
    alpha = table[table["parameter"] == "alpha"].set_index("level")["core_fan_shift"]
    assert alpha["high"] < alpha["mid"] < alpha["low"] < 0
    q = table[table["parameter"] == "q"].set_index("level")["core_fan_shift"]
    assert q["high"] < q["low"]
    ref = table[table["parameter"] == "all priors"]["core_fan_shift"].iloc[0]
    full = simulate_partnership(ev["g"], ev["stance"], ev["att"], ev["core"], ev["brand"], scen)
    assert ref == pytest.approx(full.outcomes[0].core_fan_shift.mean)


def test_convergence_failure_is_an_error():
    net, stance, att, core, brand = _toy()
    with pytest.raises(WhatIfConvergenceError, match="max_iter"):
        simulate_partnership(net, stance, att, core, brand,
                             WhatIfScenario(candidates=("k",), runs=3, susceptibility=0.8, max_iter=2, tol=1e-9))


# --------------------------------------------------------------------------- the sample event, end to end


@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory):
    from kolgraph.runs.analyze import analyze_workspace
    from kolgraph.build.workspace import build_workspace
    from kolgraph.config import load_config
    from kolgraph.datasets import load_sample

    paths = load_sample()
    ws = tmp_path_factory.mktemp("whatif") / "ws"
    build_workspace([paths.interactions], ws, users_path=paths.users)
    bare = tmp_path_factory.mktemp("bare") / "ws"
    build_workspace([paths.interactions], bare, users_path=paths.users)
    analyze_workspace(ws, load_config(paths.config).brand, config=paths.config, seed=0)
    truth = pd.read_csv(paths.truth)
    return ws, bare, truth, paths


def test_sample_event_critic_versus_friendly_tech_kol(sample_workspace):
    """Issue 15's acceptance on the shipped sample: the critic's predicted share of core fans turning
    excludes 0 and covers what the generated aftermath (a different mechanism) did; the friendly
    tech KOL's includes 0."""
    ws, _, truth, paths = sample_workspace
    critic = truth.loc[truth["is_critic_kol"], "user_id"].iloc[0]
    att = pd.read_parquet(ws / "analysis" / "attitudes.parquet")
    techs = truth.loc[truth["group"] == "tech_kol", "user_id"]
    tech = att[att["dst"].isin(techs)].groupby("dst").size().idxmax()  # the most engaged tech KOL
    run = whatif_workspace(ws, ["老钟说真话", tech], config=paths.config, runs=200, seed=0, aftermath=paths.truth)
    res = run.result
    c, t = res.outcome(critic), res.outcome(tech)
    assert c.core_fans_turning_negative.p05 > 0
    assert c.aftermath is not None and c.aftermath["covered"], (c.core_fans_turning_negative, c.aftermath)
    assert 0.2 < c.aftermath["true_core_fans_turning_share"] < 0.8
    assert c.aftermath["precision_at_k"] > 3 * c.aftermath["random_precision"]
    assert t.core_fans_turning_negative.p05 == 0 <= t.core_fans_turning_negative.p95 < 0.05
    assert t.aftermath is None  # the sample's aftermath is about the critic
    assert c.verdict["tier"] == "red" and t.verdict["tier"] == "green"
    assert c.verdict["line"].startswith("RED: signing 老钟说真话")
    # the planted antagonists (on the brand's side, hostile to the critic) lead the defectors
    tr = truth.set_index("user_id")
    top = c.defectors["user_id"].head(10)
    antagonist = (tr.loc[top, "stance"] > 0) & (tr.loc[top, "critic_attitude"] < -0.2)
    assert len(top) == 10 and antagonist.sum() >= 8
    # the comment flood lists the founder's account first, with the measured volume before
    assert c.comment_flood[0]["account"] == "zhouyuchuan" and c.comment_flood[0]["is_founder"]
    assert c.comment_flood[0]["hostile_per_day_before"] > 0 and c.comment_flood[0]["multiple"]["mean"] > 0
    assert all(k["stance"] > 0 for k in c.friendly_kols_at_risk)
    alts = c.safer_alternatives
    assert alts and all(a["core_fans_turning_share"]["mean"] < c.core_fans_turning_negative.mean for a in alts)
    assert critic not in {a["user_id"] for a in alts} and all(a["reach_overlap"] >= 0.3 for a in alts)
    # files, committed as one set with the analysis run id
    out = ws / "whatif"
    per_user = pd.read_parquet(out / "users.parquet")
    assert len(per_user) == 2 * len(truth) and set(per_user["candidate"]) == {critic, tech}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    stamp = json.loads((ws / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    assert summary["analysis_run_id"] == stamp["run_id"]
    assert [x["candidate"] for x in summary["candidates"]] == [critic, tech]
    cand = summary["candidates"][0]
    for key in ("candidate", "display_name", "verdict", "core_fans", "comment_flood", "friendly_kols_at_risk",
                "defectors_top", "carriers_top", "safer_alternatives", "aftermath"):
        assert key in cand, key
    share = cand["core_fans"]["turning_against"]["share"]
    assert set(share) == {"mean", "p05", "p95", "mc_se"} and cand["display_name"] == "老钟说真话"
    assert set(summary["definitions"]) >= {"comment_flood", "verdict", "safer_alternatives"}
    for name in ("defectors.csv", "carriers.csv", "runs.csv", "alternatives.csv", "whatif.json"):
        assert (out / name).is_file(), name
    assert not [p for p in ws.iterdir() if p.name.startswith(".whatif")]  # no temporary folder left


def test_cli_whatif_table_json_and_sensitivity(sample_workspace):
    from kolgraph.cli import main

    ws, bare, truth, _ = sample_workspace
    critic = truth.loc[truth["is_critic_kol"], "user_id"].iloc[0]
    runner = CliRunner()
    res = runner.invoke(main, ["whatif", str(ws), "--kol", critic, "--runs", "30", "--quiet"])
    assert res.exit_code == 0, res.output
    assert critic in res.output and "core-fan shift" in res.output
    assert res.output.splitlines()[0].startswith(("RED:", "AMBER:", "GREEN:", "GREY:"))  # verdict first
    res = runner.invoke(main, ["whatif", "run", str(ws), "--kol", critic, "--runs", "30", "--json", "-q",
                               "--no-write"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["candidates"][0]["core_fan_shift"]["mean"] < 0 and d["parameters"]["runs"] == 30
    res = runner.invoke(main, ["whatif", str(ws), "--kol", "no_such_user", "-q"])
    assert res.exit_code != 0 and "no_such_user" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["whatif", str(ws), "--kol", "老钟说真活", "-q", "--no-write"])  # a typo
    assert res.exit_code == 2 and "did you mean" in res.output and "老钟说真话" in res.output
    res = runner.invoke(main, ["whatif", str(bare), "--kol", critic, "-q"])
    assert res.exit_code != 0 and "kolgraph analyze" in res.output
    cfg = ws.parent / "w.toml"
    cfg.write_text("[whatif]\nalpha_range = [0.9, 0.9]\nruns = 20\n", encoding="utf-8")
    res = runner.invoke(main, ["whatif", "sensitivity", str(ws), "--kol", critic, "--config", str(cfg), "-q"])
    assert res.exit_code == 0, res.output
    assert "susceptibility" in res.output and (ws / "whatif" / "sensitivity.csv").is_file()
    assert tomllib.loads(cfg.read_text())["whatif"]["runs"] == 20


def test_missing_analysis_is_a_clear_error(sample_workspace):
    _, bare, _, _ = sample_workspace
    with pytest.raises(AnalysisMissingError, match="run `kolgraph analyze"):
        whatif_workspace(bare, ["laozhong_zhenhua"], runs=5)
    assert not (bare / "whatif").exists()


def test_workspace_what_if_uses_the_analysis_attitude_shrinkage(sample_workspace):
    """The what-if re-estimates own attitudes from the analysis's shrunk means: it reads the k0 the
    analysis used (analysis.json) rather than assuming the default."""
    from kolgraph.runs.whatif import load_whatif_inputs

    ws, _, truth, paths = sample_workspace
    stamp = json.loads((ws / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    inputs = load_whatif_inputs(ws)
    assert inputs.measured_k0 == stamp["parameters"]["stance"]["k0"]
    critic = truth.loc[truth["is_critic_kol"], "user_id"].iloc[0]
    run = whatif_workspace(ws, [critic], runs=20, seed=1, write=False)
    assert run.result.parameters["measured_k0"] == inputs.measured_k0
    users = run.result.outcome(critic).users
    own = users["attitude_source"] == "own"
    # hostile own attitudes come out sharper after the re-estimate (0.25 pseudo-rows instead of k0 = 2 at 0)
    hostile = own & (users["attitude_measured"] < -0.05)
    assert hostile.sum() > 10
    assert users.loc[hostile, "attitude"].mean() < 1.3 * users.loc[hostile, "attitude_measured"].mean()
