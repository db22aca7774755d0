"""Calibration of the what-if model: parameter recovery on events with known parameters, workspace modes, CLI."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

from kolgraph.errors import InputError
from click.testing import CliRunner

from kolgraph.algorithms.calibration import CalibrationParams, calibrate, calibrate_event, measure_period
from kolgraph.datasets import simulate_partnership_event
from kolgraph.runs.whatif import calibrate_cutoff, calibrate_workspaces
from kolgraph.algorithms.whatif import WhatIfNetwork, WhatIfScenario
from kolgraph.config import params_from_mapping
from kolgraph.schema import ConfigError, KolgraphError, UnknownAccountError

ALPHA, BETA, LAMBDA = 0.7, 0.3, 0.5


@pytest.mark.parametrize("seed", [0, 1])
def test_calibration_recovers_alpha_and_beta_within_20_percent(seed):
    ev = simulate_partnership_event(5000, seed=seed, alpha=ALPHA, beta=BETA, susceptibility=LAMBDA,
                                    interactions_per_user=25)
    res = calibrate_event(ev, params=CalibrationParams(bootstrap=40, seed=seed))
    assert abs(res.alpha.value / ALPHA - 1) < 0.2, res.alpha
    assert abs(res.beta.value / BETA - 1) < 0.2, res.beta
    assert abs(res.susceptibility.value - LAMBDA) < 0.15
    # the interval is honest about the size of the error: the truth lies within a few standard errors
    assert abs(res.alpha.value - ALPHA) < 4 * res.alpha.se and res.alpha.ci90[0] < res.alpha.value < res.alpha.ci90[1]
    assert res.users > 500 and 0 < res.r2 <= 1


@pytest.fixture(scope="module")
def small_event():
    return simulate_partnership_event(3000, seed=3, alpha=ALPHA, beta=BETA, susceptibility=LAMBDA)


def test_event_truth_follows_the_forward_model(small_event):
    ev = small_event
    t = ev.truth.set_index("user_id")
    brand = list(ev.brand.accounts)
    # brand accounts are stubborn; unexposed users without listeners to shocked users do not move
    assert (t.loc[brand, "effect"] == 0).all() and (t.loc[brand, "shock"] == 0).all()
    assert (t.loc[~t["exposed"], "shock"] == 0).all()
    hostile = t["attitude"] < 0
    shocks = t.loc[hostile & t["exposed"], "shock"]
    assert (shocks <= 0).all() and (shocks < 0).mean() > 0.95
    assert t.loc[ev.candidate, "shock"] == 0
    # the after period is one period later, with the same brand; the cut-off separates them
    assert pd.to_datetime(ev.before["timestamp"]).max() < pd.Timestamp(ev.cutoff)
    assert pd.to_datetime(ev.after["timestamp"]).min() >= pd.Timestamp(ev.cutoff)
    # no partnership strength, no effect
    none = simulate_partnership_event(3000, seed=3, alpha=0.0, beta=0.0, susceptibility=LAMBDA)
    assert (none.truth["effect"] == 0).all()


def test_same_event_same_fit(small_event):
    a = calibrate_event(small_event, params=CalibrationParams(bootstrap=20, seed=1))
    b = calibrate_event(small_event, params=CalibrationParams(bootstrap=20, seed=1))
    assert a.to_dict() == b.to_dict()
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_fit_without_a_shock_is_not_identified_and_unknown_candidate_errors(small_event):
    from kolgraph.algorithms.calibration import epoch_frame as _epoch_frame
    from kolgraph.build.graph import collapse_interactions, vertex_names

    ev = small_event
    before = _epoch_frame(ev.before)
    names = vertex_names(before, ev.users)
    net = WhatIfNetwork.from_edges(collapse_interactions(before, names=names), names)
    s0, att = measure_period(before, ev.brand, ev.candidate, users=names)
    s1, _ = measure_period(ev.after, ev.brand)
    loner = ev.truth.loc[ev.truth["group"] == "ordinary", "user_id"].iloc[0]
    with pytest.raises(KolgraphError, match="not identified"):
        calibrate(net, s0, s1, att[att["dst"] == "nobody"], ev.brand, loner)
    with pytest.raises(UnknownAccountError, match="not_a_user"):
        calibrate(net, s0, s1, att, ev.brand, "not_a_user")
    with pytest.raises(ConfigError, match="brand account"):
        calibrate(net, s0, s1, att, ev.brand, ev.brand.accounts[0])


def test_fitted_priors_round_trip_into_a_scenario(small_event):
    res = calibrate_event(small_event, params=CalibrationParams(bootstrap=30))
    section = tomllib.loads(res.to_toml("test"))["whatif"]
    scen = params_from_mapping(WhatIfScenario, section, "whatif", candidates=("x",))
    assert scen.alpha_range[0] <= res.alpha.value <= scen.alpha_range[1]
    assert scen.beta_range[0] <= res.beta.value <= scen.beta_range[1]
    if scen.susceptibility is None:
        a, b = scen.susceptibility_beta
        assert abs(a / (a + b) - res.bootstrap["susceptibility"].mean()) < 1e-3
    d = json.loads(json.dumps(res.to_dict()))
    assert {"alpha", "beta", "susceptibility", "drift", "users", "profile"} <= set(d)


@pytest.fixture(scope="module")
def event_workspaces(small_event, tmp_path_factory):
    from kolgraph.build.workspace import build_workspace

    root = tmp_path_factory.mktemp("cal")
    paths = small_event.write(root / "event")
    before = build_workspace([paths["before"]], root / "before", users_path=paths["users"])
    after = build_workspace([paths["after"]], root / "after", users_path=paths["users"])
    both = build_workspace([paths["combined"]], root / "both", users_path=paths["users"])
    return paths, before.workspace, after.workspace, both.workspace


def test_workspace_modes_agree_with_the_in_memory_fit(small_event, event_workspaces):
    paths, before, after, both = event_workspaces
    params = CalibrationParams(bootstrap=0)
    mem = calibrate_event(small_event, params=params)
    two = calibrate_workspaces(before, after, small_event.candidate, config=paths["config"], params=params)
    cut = calibrate_cutoff(both, small_event.cutoff, small_event.candidate, config=paths["config"], params=params)
    for res in (two, cut):
        assert res.alpha.value == pytest.approx(mem.alpha.value, rel=1e-6)
        assert res.beta.value == pytest.approx(mem.beta.value, rel=1e-6)
        assert res.susceptibility.value == mem.susceptibility.value and res.users == mem.users
    assert cut.parameters["rows_before"] == len(small_event.before)
    with pytest.raises(ConfigError, match="cut-off"):  # a cut-off before every row leaves no "before" period
        calibrate_cutoff(both, "2001-01-01", small_event.candidate, config=paths["config"], params=params)
    with pytest.raises(InputError, match="--cutoff.*outside 2000-01-01"):
        calibrate_cutoff(both, "1990-01-01", small_event.candidate, config=paths["config"], params=params)


def test_cli_calibrate_prints_and_writes_a_whatif_section(small_event, event_workspaces, tmp_path):
    from kolgraph.cli import main

    paths, before, after, both = event_workspaces
    out = tmp_path / "fitted.toml"
    runner = CliRunner()
    res = runner.invoke(main, ["whatif", "calibrate", str(before.path), str(after.path), "--kol", small_event.candidate,
                               "--config", str(paths["config"]), "--bootstrap", "20", "--write-config", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert "alpha (betrayal)" in res.output and "susceptibility" in res.output
    section = tomllib.loads(out.read_text(encoding="utf-8"))["whatif"]
    assert section["alpha_range"][0] < section["alpha_range"][1]
    res = runner.invoke(main, ["whatif", "calibrate", str(both.path), "--cutoff", small_event.cutoff, "--kol",
                               small_event.candidate, "--config", str(paths["config"]), "--bootstrap", "0", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["candidate"] == small_event.candidate
    # an existing file is not overwritten; AFTER and --cutoff exclude each other
    res = runner.invoke(main, ["whatif", "calibrate", str(before.path), str(after.path), "--kol", small_event.candidate,
                               "--config", str(paths["config"]), "--write-config", str(out)])
    assert res.exit_code != 0 and "exists" in res.output
    res = runner.invoke(main, ["whatif", "calibrate", str(before.path), "--kol", small_event.candidate])
    assert res.exit_code != 0 and "--cutoff" in res.output
    assert np.isfinite(section["q"])
