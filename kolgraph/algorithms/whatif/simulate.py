"""The what-if simulation (methods page, section 4): shock, propagation, baseline, Monte Carlo.

Per run r (draws in :mod:`.draws`): exposure ``E_ur = [U_ur < 1 - (1 - q_r)^m_u]``; the shock
``delta_u = alpha_r a_uk (1 + gamma_r w_u)`` when ``a_uk < 0`` and ``beta_r a_uk (1 - s_u)`` when
``a_uk > 0`` (attitudes and attachment in :mod:`.inputs`); ``d*_u = E_ur (clip(s_u + delta_u, -1, 1)
- s_u)``; the effect ``M(lambda_r) d*`` with ``M = (I - lambda W)^-1 (I - lambda D)``
(:mod:`kolgraph.algorithms.propagation`; brand accounts stubborn); the baseline ``M(lambda_r) s``
on the same draws, so no partnership is exactly zero effect.

Computation (why it scales): the shock splits exactly into a reference expectation and a
fluctuation, ``d*_r = p (alpha_r a- + alpha_r gamma_r a- w + beta_r a+) + f_r`` with ``p`` the
exposure probability at the scenario's q. The first part is rank three per run, so ``M(lambda_r)``
of it is a power series of a few vectors shared by all runs; the fluctuation (exposure noise,
the run's q, clipping) is pushed through ``(I - lambda W)^-1`` by a thresholded residual push.
Both stop on guaranteed bounds, each half of ``tol``: every per-user stance is within ``tol`` of
the exact equilibrium for the same draws. Results are float32.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterable, Mapping

import igraph as ig
import numpy as np
import pandas as pd
from scipy import stats

from ...config import BrandConfig
from ...progress import progress
from ..propagation import power_series, residual_push
from ..row_blocks import map_row_ranges
from . import insights
from .draws import Draws, draw_runs, exposure_draws, exposure_probability, user_hashes
from .inputs import Observables, Prepared, candidate_attitudes, check_candidates, prepare, rates_matrix
from .results import CandidateOutcome, Estimate, WhatIfResult
from .scenario import SENSITIVITY_PARAMETERS, WhatIfNetwork, WhatIfScenario

__all__ = ["METHOD", "simulate_partnership", "sensitivity", "simulate_prepared", "percentile_positions", "interp_percentile"]

METHOD = "attachment_balance_shock_friedkin_johnsen"
_DRAW_CHUNK = 1 << 13    # users per chunk of exposure draws and shocks (temporaries of 8192 x runs)


def _below(scenario: WhatIfScenario) -> float:
    """How far below 0 a stance must end to count as turned: the accuracy bound, at least float32 rounding."""
    return max(scenario.tol, 1e-6)


def percentile_positions(R: int) -> tuple[int, int, float, float]:
    """Order-statistic positions and weights of the 5th and 95th percentiles (numpy's linear method)."""
    lo, hi = 0.05 * (R - 1), 0.95 * (R - 1)
    return int(math.floor(lo)), int(math.floor(hi)), lo - math.floor(lo), hi - math.floor(hi)


def interp_percentile(part: np.ndarray, k: int, w: float) -> np.ndarray:
    """Linear interpolation between order statistics k and k + 1 of a partitioned array (per row)."""
    if w == 0 or k + 1 >= part.shape[1]:
        return part[:, k].astype(np.float64)
    return (1 - w) * part[:, k].astype(np.float64) + w * part[:, k + 1].astype(np.float64)


def _baseline(prep: Prepared, draws: Draws, scenario: WhatIfScenario) -> tuple[np.ndarray, dict[str, Any]]:
    """The no-partnership equilibrium's mean over runs (n x 1: only the per-user mean is reported)."""
    n, R = prep.net.n, len(draws.lam)
    base = np.zeros((n, 1), dtype=np.float32)
    V = np.column_stack([prep.s0, prep.op.D * prep.s0])
    coef = np.vstack([np.ones(R), -np.ones(R)])
    terms, bound = power_series(prep.op.W_rows.matmul, V, draws.lam, coef, np.array([0, 1]), [base], rows=None,
                                tol=scenario.tol / 2, max_iter=scenario.max_iter, what="the baseline series",
                                average=True)
    return base, {"baseline_series_terms": terms, "baseline_bound": bound}


def _shock_matrix(prep: Prepared, k: int, draws: Draws, scenario: WhatIfScenario, bar,
                  base_out: np.ndarray | None = None) -> dict[str, Any]:
    """The shift (n x R float32) of partnering with vertex k, with what the summaries need.

    ``base_out`` (n x 1, zeros): the baseline is wanted too; its two columns then ride along in
    the shock's series (the same products; see :func:`_baseline`), and its terms and bound are in
    the returned accuracy."""
    net, op, s0, w = prep.net, prep.op, prep.s0, prep.w
    n, R = net.n, len(draws.lam)
    lam, alpha, beta, gamma = draws.lam, draws.alpha, draws.beta, draws.gamma
    cols = np.unique(np.r_[prep.brand_idx, k])
    m = np.asarray(net.counts[:, cols].sum(axis=1)).ravel()
    p = exposure_probability(m, scenario.q)
    a, own, support = candidate_attitudes(prep, k, scenario.rho, scenario.attitude_k0, scenario.attitude_prior,
                                         scenario.measured_k0)
    S = np.flatnonzero((a != 0) & (m > 0))
    a_neg = np.minimum(a, 0.0)
    a_pos = np.maximum(a, 0.0) * (1.0 - s0)
    shift = np.zeros((n, R), dtype=np.float32)
    accuracy: dict[str, Any] = {"tol": scenario.tol}
    if S.size:
        v1, v2, v3 = p * a_neg, p * a_neg * w, p * a_pos
        V = np.column_stack([v1, op.D * v1, v2, op.D * v2, v3, op.D * v3])
        ag = alpha * gamma
        coef = np.vstack([alpha, -alpha, ag, -ag, beta, -beta])
        expo, groups, outs, average = np.array([0, 1, 0, 1, 0, 1]), [0] * 6, [shift], [False]
        if base_out is not None:  # the baseline's columns (s, D s) in the same series: the same products
            V = np.column_stack([V, s0, op.D * s0])
            coef = np.vstack([coef, np.ones(R), -np.ones(R)])
            expo, groups, outs, average = np.r_[expo, 0, 1], groups + [1, 1], outs + [base_out], average + [True]
        terms, bound = power_series(op.W_rows.matmul, V, lam, coef, expo, outs, groups, rows=None,
                                    tol=scenario.tol / 2, max_iter=scenario.max_iter, what="the shock series",
                                    average=average)
        accuracy.update(shock_series_terms=terms, shock_series_bound=bound)
        if base_out is not None:
            accuracy.update(baseline_series_terms=terms, baseline_bound=bound)
    elif base_out is not None:
        base_out[:], base_acc = _baseline(prep, draws, scenario)
        accuracy.update(base_acc)
    dstar = np.zeros((S.size, R), dtype=np.float32)
    exposed_runs = np.zeros(R)
    hops_max, push_bound = 0, 0.0
    if S.size:
        # exposure draws and shocks in row chunks (small temporaries): d* per shockable user and run
        hashes = user_hashes(net.names[S])
        runs = np.arange(R)

        def draw(c0: int, c1: int) -> np.ndarray:
            """Rows c0:c1 of d* (threads: each writes its own rows); returns their exposed count per run."""
            Sc = S[c0:c1]
            U, z = exposure_draws(draws.key, None, runs, scenario.reaction_sd, hashes=hashes[c0:c1])  # one hash
            E = U < exposure_probability(m[Sc], draws.q)
            delta = (alpha[None, :] * a_neg[Sc, None] * (1.0 + gamma[None, :] * w[Sc, None])
                     + beta[None, :] * a_pos[Sc, None])
            react = delta if z is None else delta * z  # personal reaction (mean 1: the expectation part holds)
            dstar[c0:c1] = E * (np.clip(s0[Sc, None] + react, -1.0, 1.0) - s0[Sc, None])
            return E.sum(axis=0)

        exposed_runs = np.sum(map_row_ranges(draw, S.size, chunk=_DRAW_CHUNK), axis=0, dtype=np.float64)
        f32 = lambda x: np.asarray(x, dtype=np.float32)  # noqa: E731
        a_neg_S, a_pos_S, w_S, p_S, D_S = (f32(v[S, None]) for v in (a_neg, a_pos, w, p, op.D))

        def fluctuation(cols: np.ndarray) -> np.ndarray:
            """The shock's fluctuation around the expectation part, for the runs ``cols`` (S x len(cols),
            float32), formed per push block from d*, so no second S x R array is held."""
            f = np.empty((S.size, cols.size), dtype=np.float32)
            for j, col in enumerate(cols):  # column by column: a fancy column index is far slower
                f[:, j] = dstar[:, col]
            a_, g_, b_, l_ = (f32(v[None, cols]) for v in (alpha, gamma, beta, lam))
            f -= p_S * (a_ * a_neg_S * (1.0 + g_ * w_S) + b_ * a_pos_S)
            f *= 1.0 - l_ * D_S
            return f

        _, hops_max, push_bound = residual_push(op.WT32, S, fluctuation, lam, scenario.tol / 2, n, scenario.max_iter,
                                                W32=op.W32_rows, out=shift)
    bar.update(R)
    accuracy.update(push_hops=hops_max, push_bound=push_bound)
    return {"shift": shift, "p": p, "a": a, "own": own, "support": support, "S": S, "dstar": dstar,
            "exposed_runs": exposed_runs, "accuracy": accuracy}


def _simulate_candidate(prep: Prepared, k: int, base: np.ndarray, draws: Draws, scenario: WhatIfScenario,
                        bar, *, detail: bool, base_acc: dict[str, Any] | None = None) -> CandidateOutcome:
    """One candidate's outcome. With ``base_acc`` (a dict to fill) ``base`` is still zeros and is
    computed here, inside the candidate's series (its accuracy goes into ``base_acc``)."""
    net, s0 = prep.net, prep.s0
    n, R = net.n, len(draws.lam)
    cand = str(net.names[k])
    sim = _shock_matrix(prep, k, draws, scenario, bar, base_out=base if base_acc is not None else None)
    if base_acc is not None:
        base_acc.update({key: sim["accuracy"].pop(key) for key in ("baseline_series_terms", "baseline_bound")})
    shift, p, a, own, S = sim["shift"], sim["p"], sim["a"], sim["own"], sim["S"]
    core = prep.core_idx
    n_core = int(core.size)
    core_runs: dict[str, np.ndarray] = {}
    if n_core:
        sc = shift[core].astype(np.float64)
        bc = np.repeat(s0[core, None], R, axis=1)  # levels start from the measured stance
        turned = (bc + sc < -_below(scenario)) & (bc >= 0)  # below 0 by more than the accuracy bound
        core_runs = {"core_fan_shift": sc.mean(axis=0), "core_fans_turning_negative": turned.mean(axis=0),
                     "core_fans_turning_count": turned.sum(axis=0).astype(np.float64),
                     "core_fans_cooling": (sc <= -scenario.cooling_threshold).mean(axis=0),
                     "core_stance_before": bc.mean(axis=0), "core_stance_after": np.clip(bc + sc, -1.0, 1.0).mean(axis=0)}
    else:
        core_runs = {key: np.full(R, np.nan) for key in ("core_fan_shift", "core_fans_turning_negative",
                                                          "core_fans_turning_count", "core_fans_cooling",
                                                          "core_stance_before", "core_stance_after")}
    rates, accounts = rates_matrix(prep)
    flood_runs = np.zeros((len(accounts), R)) if rates is not None else None
    overall_runs = np.zeros(R)
    cols = {key: np.zeros(n) for key in ("shift_mean", "shift_p05", "shift_p95", "p_negative", "after")}
    lo_k, hi_k, lo_w, hi_w = percentile_positions(R)
    can_turn = ((s0 >= scenario.defector_min_stance) & (prep.support >= scenario.defector_min_support)).astype(np.float32)
    can_turn[core] = (s0[core] >= 0).astype(np.float32)
    kth = sorted({lo_k, lo_k + 1, hi_k, hi_k + 1} & set(range(R)))

    def summarise(a0: int, a1: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Rows a0:a1's per-user columns; returns their sums over users per run (added up below)."""
        sh = shift[a0:a1]
        after = s0[a0:a1, None].astype(np.float32) + sh
        turned = (after < -_below(scenario)) & (can_turn[a0:a1, None] > 0)
        cols["shift_mean"][a0:a1] = sh.mean(axis=1, dtype=np.float64)
        # measured stance plus the predicted effect, kept in the stance range [-1, 1]
        cols["after"][a0:a1] = np.clip(s0[a0:a1] + cols["shift_mean"][a0:a1], -1.0, 1.0)
        cols["p_negative"][a0:a1] = turned.mean(axis=1, dtype=np.float64)
        if detail:
            part = np.partition(sh, kth, axis=1)
            cols["shift_p05"][a0:a1] = interp_percentile(part, lo_k, lo_w)
            cols["shift_p95"][a0:a1] = interp_percentile(part, hi_k, hi_w)
        flood = np.asarray(rates[a0:a1].T @ turned.astype(np.float64)) if flood_runs is not None else None
        return sh.sum(axis=0, dtype=np.float64), flood

    for part_sum, part_flood in map_row_ranges(summarise, n):  # in row order: the sums do not depend on threads
        overall_runs += part_sum
        if flood_runs is not None:
            flood_runs += part_flood
    overall_runs /= max(n, 1)
    to_k = np.asarray(net.counts[:, [k]].sum(axis=1)).ravel() > 0
    aud = np.flatnonzero(to_k & ~(prep.m_brand > 0))
    aud = aud[aud != k]
    aud_runs = shift[aud].astype(np.float64).mean(axis=0) if aud.size else np.full(R, np.nan)
    audience = {"users": int(aud.size), "shift": Estimate.of(aud_runs),
                "mean_attitude": float(a[aud][own[aud]].mean()) if own[aud].any() else None}
    comm_frame = insights.community_shifts(prep, shift)
    own_shock = np.zeros(n)
    own_shock[S] = sim["dstar"].mean(axis=1, dtype=np.float64) if S.size else 0.0
    carriers = insights.carriers(prep, sim, draws, scenario) if detail else insights.carriers_empty()
    is_core = np.zeros(n, dtype=bool)
    is_core[core] = True
    # the expected betrayal shock u feels themself (exposure x alpha |a| (1 + gamma w), before the stance
    # bound and the network): what the defector ranking orders by (insights.rank_defectors)
    betrayal = p * np.maximum(-a, 0.0) * (draws.alpha.mean() + (draws.alpha * draws.gamma).mean() * prep.w)
    betrayal[prep.brand_idx] = 0.0
    betrayal[k] = 0.0
    measured = (candidate_attitudes(prep, k, 0.0, scenario.attitude_k0)[0] if scenario.attitude_prior is not None
                else np.where(own, a, 0.0))
    source = np.where(own, "own", np.where(a != 0, "community", ""))
    users = pd.DataFrame({
        "candidate": pd.array([cand] * n, dtype="str"),
        "user_id": pd.array(net.names, dtype="str"),
        "community": (prep.communities.to_numpy() if prep.communities is not None else np.full(n, None, dtype=object)),
        "core_fan": is_core,
        "stance": s0,
        "attitude": np.where(a != 0, a, np.where(own, 0.0, np.nan)),
        "attitude_source": pd.array(source, dtype="str"),
        "attitude_measured": np.where(own, measured, np.nan),
        "attitude_support": sim["support"],
        "attachment": prep.w,
        "exposure": p,
        "own_shock": own_shock,
        "baseline": base.mean(axis=1, dtype=np.float64),
        "stance_after": cols["after"],
        "shift_mean": cols["shift_mean"],
        "shift_p05": cols["shift_p05"] if detail else np.nan,
        "shift_p95": cols["shift_p95"] if detail else np.nan,
        "p_negative": cols["p_negative"],
        "betrayal": betrayal,
        "can_turn": can_turn > 0,
    })
    defectors = insights.defectors(users, prep, own_shock, cand, scenario) if detail else users.head(0)
    runs_frame = pd.DataFrame({
        "candidate": pd.array([cand] * R, dtype="str"), "run": np.arange(R), "alpha": draws.alpha,
        "beta": draws.beta, "gamma": draws.gamma, "q": draws.q, "susceptibility": draws.lam,
        "exposed": sim["exposed_runs"], **core_runs, "overall_shift": overall_runs, "audience_shift": aud_runs,
    })
    att_vals = a[own]
    attitudes_info = {"users": int(own.sum()), "negative": int((att_vals < 0).sum()),
                      "positive": int((att_vals > 0).sum()),
                      "mean": float(att_vals.mean()) if att_vals.size else None,
                      "from_community": int(((a != 0) & ~own).sum()), "shockable": int(S.size)}
    outcome = CandidateOutcome(
        candidate=cand, attitudes=attitudes_info, core_fans=n_core,
        core_fan_shift=Estimate.of(core_runs["core_fan_shift"]),
        core_fans_turning_negative=Estimate.of(core_runs["core_fans_turning_negative"]),
        overall_shift=Estimate.of(overall_runs), exposed=Estimate.of(sim["exposed_runs"]), audience=audience,
        communities=comm_frame, defectors=defectors, carriers=carriers, runs=runs_frame, users=users,
        accuracy=sim["accuracy"], display_name=insights.display_name(prep, cand),
        core_turning_count=Estimate.of(core_runs["core_fans_turning_count"]),
        core_cooling_share=Estimate.of(core_runs["core_fans_cooling"]),
        core_stance_before=Estimate.of(core_runs["core_stance_before"]),
        core_stance_after=Estimate.of(core_runs["core_stance_after"]),
        cooling_threshold=scenario.cooling_threshold)
    if detail:
        outcome = dataclasses.replace(
            outcome, comment_flood=insights.comment_flood(prep, accounts, flood_runs),
            friendly_kols_at_risk=insights.friendly_kols_at_risk(prep, users, k, own, a))
    return dataclasses.replace(outcome, verdict=insights.verdict(outcome))


def simulate_prepared(prep: Prepared, scenario: WhatIfScenario, *, quiet: bool = True, detail: bool = True,
                      alternatives: bool = True) -> WhatIfResult:
    """Simulate every candidate of ``scenario`` on prepared inputs (shared draws and baseline)."""
    cand_idx = check_candidates(prep, scenario.candidates)
    draws = draw_runs(scenario)
    R = scenario.runs
    bar = progress(total=R * len(cand_idx), quiet=quiet, desc="what-if runs", unit="run")
    try:
        # the baseline is computed inside the first candidate's series (same products, same bound)
        base, base_acc = np.zeros((prep.net.n, 1), dtype=np.float32), {}
        outcomes = [_simulate_candidate(prep, int(k), base, draws, scenario, bar, detail=detail,
                                        base_acc=base_acc if i == 0 else None) for i, k in enumerate(cand_idx)]
    finally:
        bar.close()
    if detail and alternatives and scenario.alternatives > 0:
        def full(ids: list[str]) -> dict[str, CandidateOutcome]:
            sub = dataclasses.replace(scenario, candidates=tuple(ids))
            idx = check_candidates(prep, sub.candidates)
            alt_bar = progress(total=R * len(idx), quiet=quiet, desc="safer alternatives", unit="run")
            try:
                return {str(prep.net.names[i]): _simulate_candidate(prep, int(i), base, draws, sub, alt_bar,
                                                                    detail=False) for i in idx}
            finally:
                alt_bar.close()
        alt = insights.safer_alternatives(prep, [int(k) for k in cand_idx], outcomes, scenario, full)
        outcomes = [dataclasses.replace(o, safer_alternatives=tuple(alt.get(o.candidate, ()))) for o in outcomes]
    if prep.observables.aftermath is not None:
        outcomes = [dataclasses.replace(o, aftermath=insights.score_aftermath(prep, o, scenario.defector_min_stance)) for o in outcomes]
    net = prep.net
    parameters = {
        **scenario.to_dict(),
        "model": "methods.md section 4: exposure, attitude (own or community x rho), attachment-amplified balance "
                 "shock, Friedkin-Johnsen propagation with stubborn brand accounts, baseline, Monte Carlo",
        "users": net.n,
        "listen_edges": int(net.listen.nnz),
        "listeners": int(prep.op.D.sum()),
        "brand_accounts_in_graph": [str(x) for x in net.names[prep.brand_idx]],
        "brand_accounts_missing": prep.missing["brand_accounts"],
        "core_fans_in_graph": int(prep.core_idx.size),
        "core_fans_missing": prep.missing["core_fans"],
        "stubborn": "brand accounts (lambda = 0) and users who listen to no one (W row zero)",
        "missing_stance": 0.0,
        "accuracy": {**base_acc, "per_user_bound": scenario.tol},
        "computation": "expectation part by power series over all runs + exposure fluctuation by thresholded "
                       "residual push; every per-user stance within tol of the exact equilibrium",
    }
    baseline = pd.DataFrame({"user_id": pd.array(net.names, dtype="str"), "stance": prep.s0,
                             "baseline": base.mean(axis=1, dtype=np.float64)})
    draws_frame = pd.DataFrame({"run": np.arange(R), "alpha": draws.alpha, "beta": draws.beta, "gamma": draws.gamma,
                                "q": draws.q, "susceptibility": draws.lam})
    return WhatIfResult(method=METHOD, parameters=parameters, seed=scenario.seed, outcomes=tuple(outcomes),
                        baseline=baseline, draws=draws_frame)


def simulate_partnership(g: ig.Graph | WhatIfNetwork, stance: pd.Series | Mapping[str, float],
                         attitudes: pd.DataFrame, core_fans: Iterable[str], brand_accounts: Iterable[str] | BrandConfig,
                         scenario: WhatIfScenario, *, communities: pd.Series | None = None,
                         observables: Observables | None = None, quiet: bool = True) -> WhatIfResult:
    """Simulate partnering with each of ``scenario.candidates`` (methods page, section 4).

    ``g``: the interaction graph (or a prebuilt :class:`WhatIfNetwork`); never modified.
    ``stance``: measured brand stance per user id in [-1, 1] (missing users: 0).
    ``attitudes``: signed attitudes (src, dst, attitude in [-1, 1], support) as written by the analysis.
    ``core_fans``, ``brand_accounts``: user ids (ids not in the graph are ignored and counted).
    ``communities``: user id -> community label (per-community shift; community attitudes, rho).
    ``observables``: display names, KOLs, brand-directed rates, aftermath (:class:`Observables`).

    Raises :class:`UnknownAccountError` for a candidate that is not in the graph.

    Example::

        >>> scen = WhatIfScenario(candidates=("critic_kol",), runs=200, seed=0)
        >>> res = simulate_partnership(g, stance, attitudes, core_fans, brand.accounts, scen)  # doctest: +SKIP
        >>> res.outcome("critic_kol").core_fans_turning_negative.mean  # doctest: +SKIP
    """
    prep = prepare(g, stance, attitudes, core_fans, brand_accounts, scenario, communities, observables)
    return simulate_prepared(prep, scenario, quiet=quiet)


def _level_values(scenario: WhatIfScenario) -> dict[str, tuple[float, float, float]]:
    a, b = scenario.susceptibility_beta
    if scenario.susceptibility is not None:
        lam = (scenario.susceptibility,) * 3
    else:
        lam = tuple(float(min(v, scenario.susceptibility_max)) for v in stats.beta.ppf([0.05, 0.5, 0.95], a, b))
    mid = lambda lo, hi: (lo, (lo + hi) / 2, hi)  # noqa: E731
    return {"alpha": mid(*scenario.alpha_range), "beta": mid(*scenario.beta_range),
            "gamma": mid(*scenario.gamma_range), "susceptibility": lam, "q": mid(*scenario.q_range)}


def sensitivity(g: ig.Graph | WhatIfNetwork, stance: pd.Series | Mapping[str, float], attitudes: pd.DataFrame,
                core_fans: Iterable[str], brand_accounts: Iterable[str] | BrandConfig, scenario: WhatIfScenario, *,
                communities: pd.Series | None = None, runs: int | None = None, quiet: bool = True) -> pd.DataFrame:
    """One-at-a-time sweep: each of alpha, beta, gamma, susceptibility, q fixed at low / mid / high.

    The other parameters keep their priors and every row uses the same seed (common random
    numbers), so a row's difference from the ``all priors`` reference row is that parameter's
    doing. Levels: the ends and middle of the Uniform ranges; the 5%, 50% and 95% quantiles of
    the susceptibility prior. ``runs`` defaults to ``scenario.runs``.

    Returns one row per (candidate, parameter, level): value, core_fan_shift mean/p05/p95,
    core_fans_turning_negative mean, overall_shift mean.
    """
    if runs is not None:
        scenario = dataclasses.replace(scenario, runs=runs)
    prep = prepare(g, stance, attitudes, core_fans, brand_accounts, scenario, communities)
    check_candidates(prep, scenario.candidates)
    levels = _level_values(scenario)
    variants = [("all priors", "reference", float("nan"), scenario)]
    field_of = {"alpha": "alpha_range", "beta": "beta_range", "gamma": "gamma_range", "q": "q_range"}
    for name in SENSITIVITY_PARAMETERS:
        for label, value in zip(("low", "mid", "high"), levels[name]):
            if name == "susceptibility":
                s = dataclasses.replace(scenario, susceptibility=value)
            elif name == "q":
                s = dataclasses.replace(scenario, q=value, q_range=(value, value))
            else:
                s = dataclasses.replace(scenario, **{field_of[name]: (value, value)})
            variants.append((name, label, float(value), s))
    rows = []
    for name, label, value, s in progress(variants, quiet=quiet, desc="sensitivity", unit="setting"):
        res = simulate_prepared(prep, s, quiet=True, detail=False)
        for o in res.outcomes:
            rows.append({"candidate": o.candidate, "parameter": name, "level": label, "value": value,
                         "core_fan_shift": o.core_fan_shift.mean, "core_fan_shift_p05": o.core_fan_shift.p05,
                         "core_fan_shift_p95": o.core_fan_shift.p95,
                         "core_fans_turning_negative": o.core_fans_turning_negative.mean,
                         "overall_shift": o.overall_shift.mean})
    out = pd.DataFrame(rows)
    out["candidate"] = out["candidate"].astype("str")
    return out
