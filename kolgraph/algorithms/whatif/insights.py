"""The strategist's figures built on a simulated candidate: defectors, carriers, comment flood,
friendly KOLs at risk, safer alternatives, the verdict, and the score against a known aftermath.

Every figure has a one-line definition in :data:`kolgraph.algorithms.whatif.results.DEFINITIONS`.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..propagation import power_series
from ..row_blocks import ROW_CHUNK
from .draws import Draws
from .backtest import rank_defectors
from .inputs import Prepared
from .results import CandidateOutcome, Estimate, plain
from .scenario import WhatIfScenario

__all__ = ["community_shifts", "carriers", "carriers_empty", "defectors", "display_name", "comment_flood",
           "friendly_kols_at_risk", "verdict", "safer_alternatives", "reach_into_targets", "score_aftermath",
           "RED_TURNING", "RED_COOLING", "AMBER_TURNING", "AMBER_COOLING", "AMBER_SHIFT", "FRIENDLY_ENGAGER_SHARE",
           "FRIENDLY_ATTITUDE"]

#: Verdict thresholds (see DEFINITIONS["verdict"]).
RED_TURNING, RED_COOLING = 0.05, 0.20
AMBER_TURNING, AMBER_COOLING, AMBER_SHIFT = 0.01, 0.05, -0.05
#: A friendly KOL is at risk when at least this share of their engagers is predicted to turn (mean p_turn).
FRIENDLY_ENGAGER_SHARE = 0.10
#: ... or when their own attitude toward the candidate is at most this (clearly negative, not noise).
FRIENDLY_ATTITUDE = -0.2


def display_name(prep: Prepared, user_id: str) -> str:
    names = prep.observables.display_names
    if names is not None and user_id in names.index:
        value = names.loc[user_id]
        if isinstance(value, pd.Series):
            value = value.iloc[0]
        if isinstance(value, str) and value.strip():
            return value
    return user_id


def _names_for(prep: Prepared, ids: Sequence[str]) -> list[str]:
    return [display_name(prep, str(i)) for i in ids]


def community_shifts(prep: Prepared, shift: np.ndarray) -> pd.DataFrame:
    """Mean shift per community with its 90% interval over runs, largest communities first."""
    frame = pd.DataFrame(columns=["community", "size", "shift_mean", "shift_p05", "shift_p95"])
    if prep.communities is None:
        return frame
    n, R = shift.shape
    labels = prep.communities
    known = labels.notna().to_numpy()
    if not known.any():
        return frame
    codes, uniq = pd.factorize(labels[known])
    rows_known = np.flatnonzero(known)
    ind = sp.csr_matrix((np.ones(rows_known.size), (codes, rows_known)), shape=(len(uniq), n))
    sizes = np.bincount(codes, minlength=len(uniq)).astype(np.float64)
    sums = np.zeros((len(uniq), R))
    for a0 in range(0, n, ROW_CHUNK):
        a1 = min(n, a0 + ROW_CHUNK)
        sums += ind[:, a0:a1] @ shift[a0:a1].astype(np.float64)
    means = sums / sizes[:, None]
    q05, q95 = np.percentile(means, [5, 95], axis=1) if R else (np.nan, np.nan)
    frame = pd.DataFrame({"community": [plain(x) for x in uniq], "size": sizes.astype(np.int64),
                          "shift_mean": means.mean(axis=1), "shift_p05": q05, "shift_p95": q95})
    return frame.sort_values(["size", "shift_mean"], ascending=[False, True], kind="stable").reset_index(drop=True)


def carriers_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["user_id", "display_name", "stance", "attitude", "own_shock", "listeners",
                                 "backlash_on_others", "core_fan_contribution", "core_fan"])


def carriers(prep: Prepared, sim: Mapping[str, Any], draws: Draws, scenario: WhatIfScenario) -> pd.DataFrame:
    """Accounts whose own shock carries most of the backlash: ``c_v = (M^T 1)_v d*_v`` minus v's own term.

    Computed by the adjoint series ``(I - lambda W^T)^-1 1`` (never a matrix inverse); also each
    carrier's contribution to the core-fan mean shift.
    """
    S, dstar = sim["S"], sim["dstar"]
    if not S.size:
        return carriers_empty()
    op, n, lam = prep.op, prep.net.n, draws.lam
    R = len(lam)
    core = prep.core_idx
    Vw = np.zeros((n, 2))
    Vw[:, 0] = 1.0 / n
    if core.size:
        Vw[core, 1] = 1.0 / core.size
    # run means of factor x z x d* per row, reduced chunk by chunk as the series is applied (no S x R z)
    others = np.zeros(S.size)
    core_contrib = np.zeros(S.size)
    D_S = op.D[S]

    def consume(g: int, a0: int, a1: int, part: np.ndarray) -> None:
        weighted = (1.0 - lam[None, :] * D_S[a0:a1, None]) * dstar[a0:a1] * part
        (others if g == 0 else core_contrib)[a0:a1] += weighted.mean(axis=1)

    power_series(op.WT_rows.matmul, Vw, lam, np.ones((2, R)), np.array([0, 0]), [None, None], [0, 1], rows=S,
                 tol=scenario.tol, max_iter=scenario.max_iter, norm="one", what="the carrier series",
                 consume=consume, block=48)  # each flush reduces S x R: flush rarely
    others *= n
    for a0 in range(0, S.size, ROW_CHUNK):  # minus each carrier's own term: mean of factor x d*
        a1 = min(S.size, a0 + ROW_CHUNK)
        others[a0:a1] -= ((1.0 - lam[None, :] * D_S[a0:a1, None]) * dstar[a0:a1]).mean(axis=1)
    listeners = np.diff(op.WT.indptr)[S]
    own_shock = dstar.mean(axis=1, dtype=np.float64)
    ids = pd.array(prep.net.names[S], dtype="str")
    out = pd.DataFrame({
        "user_id": ids, "stance": prep.s0[S], "attitude": sim["a"][S],
        "own_shock": own_shock, "listeners": listeners.astype(np.int64), "backlash_on_others": others,
        "core_fan_contribution": core_contrib, "core_fan": np.isin(S, core),
    })
    out = out[out["backlash_on_others"] < 0].sort_values(["backlash_on_others", "user_id"], kind="stable")
    out = out.head(scenario.top_carriers).reset_index(drop=True)
    out.insert(1, "display_name", _names_for(prep, list(out["user_id"])))  # names only for the rows shown
    return out


def defectors(users: pd.DataFrame, prep: Prepared, own_shock: np.ndarray, cand: str,
              scenario: WhatIfScenario) -> pd.DataFrame:
    """Users most likely to turn (:func:`rank_defectors`), with reasons (attachment, attitude, exposure)."""
    neg_own = (own_shock < 0).astype(np.float64)
    hit_share = prep.op.W @ neg_own  # share of u's listening weight on users with a negative own shock
    rows = users[(users["p_negative"] > 0) & (users["shift_mean"] <= -scenario.min_defector_shift)
                 & (users["stance"] >= scenario.defector_min_stance)]
    top = rank_defectors(rows).head(scenario.top_defectors)
    cname = display_name(prep, cand)
    reasons = []
    for i, row in zip(top.index.to_numpy(), top.itertuples(index=False)):  # at most top_defectors rows
        parts = []
        if row.attachment > 0:
            parts.append(f"attachment {row.attachment:.2f} (stance {row.stance:+.2f}, brand engagement)")
        if row.attitude_source == "own":
            parts.append(f"own attitude toward {cname} {row.attitude:+.2f} (support {int(row.attitude_support)})")
        elif row.attitude_source == "community":
            parts.append(f"community's attitude toward {cname} {row.attitude:+.2f} (no replies of their own)")
        else:
            parts.append(f"no attitude toward {cname}")
        parts.append(f"exposure {row.exposure:.0%}, expected betrayal shock {row.betrayal:.2f}, own shock "
                     f"{row.own_shock:+.2f}")
        if hit_share[i] > 0:
            parts.append(f"{hit_share[i]:.0%} of whom they listen to is shocked against the brand")
        if row.core_fan:
            parts.append("core fan")
        reasons.append("; ".join(parts))
    out = pd.DataFrame({
        "user_id": top["user_id"].to_numpy(), "display_name": _names_for(prep, list(top["user_id"])),
        "core_fan": top["core_fan"].to_numpy(), "community": top["community"].to_numpy(),
        "stance_before": top["stance"].to_numpy(), "baseline": top["baseline"].to_numpy(),
        "stance_after": top["stance_after"].to_numpy(), "shift": top["shift_mean"].to_numpy(),
        "probability_negative": top["p_negative"].to_numpy(), "betrayal": top["betrayal"].to_numpy(),
        "attachment": top["attachment"].to_numpy(),
        "attitude": top["attitude"].to_numpy(), "attitude_source": top["attitude_source"].to_numpy(),
        "attitude_support": top["attitude_support"].to_numpy(), "exposure": top["exposure"].to_numpy(),
        "why": reasons,
    })
    out["user_id"] = out["user_id"].astype("str")
    return out.reset_index(drop=True)


def comment_flood(prep: Prepared, accounts: Sequence[str], flood_runs: np.ndarray | None) -> tuple[dict, ...]:
    """Per brand account (founder first, then by expected volume): hostile replies and mentions per day
    before (measured) and expected from the users predicted to turn, and their ratio."""
    if flood_runs is None or not len(accounts):
        return ()
    obs = prep.observables
    rows = []
    for j, acc in enumerate(accounts):
        before = float(obs.hostile_per_day.get(acc, 0.0))
        exp = Estimate.of(flood_runs[j])
        mult = Estimate.of(flood_runs[j] / before) if before > 0 else None
        rows.append({"account": acc, "display_name": display_name(prep, acc), "is_founder": acc == obs.founder,
                     "hostile_per_day_before": round(before, 4), "hostile_per_day_expected": exp.to_dict(),
                     "multiple": mult.to_dict() if mult else None, "_order": exp.mean})
    rows.sort(key=lambda r: (not r["is_founder"], -(r["_order"] if math.isfinite(r["_order"]) else 0), r["account"]))
    for r in rows:
        r.pop("_order")
    return tuple(rows)


def friendly_kols_at_risk(prep: Prepared, users: pd.DataFrame, k: int, own: np.ndarray,
                          a: np.ndarray, top: int = 10) -> tuple[dict, ...]:
    """KOLs with a positive brand stance whose own attitude toward k is negative, or a large share of
    whose engagers (users who interact with them) are predicted to turn."""
    kols = prep.net.index_of(list(prep.observables.kols))
    kols = kols[(kols >= 0) & (kols != k) & ~np.isin(kols, prep.brand_idx)]
    kols = kols[prep.s0[kols] > 0]
    if not kols.size:
        return ()
    counts = prep.net.counts[:, kols]                          # n x K (who engages each KOL)
    engaged = counts.copy()
    engaged.data[:] = 1.0
    n_eng = np.asarray(engaged.sum(axis=0)).ravel()
    p_turn = users["p_negative"].to_numpy()
    share = np.asarray(engaged.T @ p_turn).ravel() / np.maximum(n_eng, 1)
    att = np.where(own[kols], a[kols], np.nan)
    hostile = np.nan_to_num(att, nan=0.0) <= FRIENDLY_ATTITUDE
    risky = hostile | (share >= FRIENDLY_ENGAGER_SHARE)
    cname = display_name(prep, str(prep.net.names[k]))
    out = []
    for j in np.flatnonzero(risky):
        v = int(kols[j])
        reasons = []
        if hostile[j]:
            reasons.append(f"own attitude toward {cname} {att[j]:+.2f}: may end their own partnership")
        if share[j] >= FRIENDLY_ENGAGER_SHARE:
            reasons.append(f"{share[j]:.0%} of their {int(n_eng[j])} engagers predicted to turn against the brand")
        uid = str(prep.net.names[v])
        out.append({"user_id": uid, "display_name": display_name(prep, uid), "stance": round(float(prep.s0[v]), 4),
                    "attitude_to_candidate": None if not np.isfinite(att[j]) else round(float(att[j]), 4),
                    "engagers": int(n_eng[j]), "engagers_turning_share": round(float(share[j]), 4),
                    "reasons": reasons})
    out.sort(key=lambda r: (r["attitude_to_candidate"] if r["attitude_to_candidate"] is not None else 0.0,
                            -r["engagers_turning_share"], r["user_id"]))
    return tuple(out[:top])


def _pct(e: Estimate | None) -> str:
    if e is None or not math.isfinite(e.mean):
        return "n/a"
    return f"{100 * e.mean:.0f}% [{100 * e.p05:.0f}%, {100 * e.p95:.0f}%]"


def verdict(o: CandidateOutcome) -> dict[str, Any]:
    """Tier (red / amber / green / grey), one line, and the reasons, most important first."""
    name = o.display_name or o.candidate
    turn, cool, shift = o.core_fans_turning_negative, o.core_cooling_share, o.core_fan_shift
    reasons: list[str] = []
    if o.core_fans == 0 or o.attitudes.get("users", 0) + o.attitudes.get("from_community", 0) == 0:
        why = "no core fans in the graph" if o.core_fans == 0 else f"nobody has an attitude toward {name}"
        return {"tier": "grey", "line": f"GREY: not enough evidence to judge signing {name} ({why})",
                "reasons": [why]}
    tm, tp95 = turn.mean, turn.p95
    cm = cool.mean if cool is not None and math.isfinite(cool.mean) else 0.0
    if tm >= RED_TURNING or cm >= RED_COOLING:
        tier = "red"
    elif tp95 >= AMBER_TURNING or cm >= AMBER_COOLING or shift.mean <= AMBER_SHIFT:
        tier = "amber"
    else:
        tier = "green"
    reasons.append(f"{_pct(turn)} of {o.core_fans} core fans predicted to turn against the brand")
    if cool is not None:
        reasons.append(f"{_pct(cool)} cool by >= {o.cooling_threshold:g}")
    if o.core_stance_before is not None and o.core_stance_after is not None:
        reasons.append(f"mean core-fan stance {o.core_stance_before.mean:+.2f} -> {o.core_stance_after.mean:+.2f}")
    flood = [f for f in o.comment_flood if f.get("multiple")]
    if flood:
        f0 = flood[0]
        reasons.append(f"{f0['display_name']}'s comments: new hostile volume {f0['multiple']['mean']:.1f}x the daily "
                       "hostile volume before")
    if o.friendly_kols_at_risk:
        reasons.append(f"{len(o.friendly_kols_at_risk)} friendly KOL(s) at risk")
    att = o.attitudes
    reasons.append(f"{att.get('negative', 0)} users dislike {name}, {att.get('positive', 0)} like them")
    verb = {"red": "turns", "amber": "may turn", "green": "turns"}[tier]
    line = (f"{tier.upper()}: signing {name} {verb} {_pct(turn)} of {o.core_fans} core fans against the brand; "
            f"{_pct(cool)} cool by >= {o.cooling_threshold:g}")
    if flood:
        line += f"; {flood[0]['display_name']}'s comments +{flood[0]['multiple']['mean']:.1f}x hostile/day"
    return {"tier": tier, "line": line, "reasons": reasons}


def reach_into_targets(prep: Prepared, kidx: np.ndarray) -> np.ndarray:
    """Reach of each account into the brand's target communities: distinct engagers per community,
    weighted by the community's share of core fans (0 without communities or core fans)."""
    codes = prep.community_codes
    core = prep.core_idx
    if not kidx.size or not core.size or not (codes >= 0).any():
        return np.zeros(kidx.size)
    C = int(codes.max()) + 1
    cc = codes[core]
    weight = np.bincount(cc[cc >= 0], minlength=C) / core.size
    user_w = np.where(codes >= 0, weight[np.maximum(codes, 0)], 0.0)
    engaged = prep.net.counts[:, kidx].copy()
    engaged.data[:] = 1.0
    return np.asarray(engaged.T @ user_w).ravel()


def safer_alternatives(prep: Prepared, cand_idx: Sequence[int], outcomes: Sequence[CandidateOutcome],
                       scenario: WhatIfScenario,
                       simulate: Callable[[list[str]], Mapping[str, CandidateOutcome]]) -> dict[str, list[dict]]:
    """Per candidate: KOLs with comparable reach into the target communities and the least core-fan damage.

    Pool: the observables' KOLs that are neither brand accounts, critics nor simulated candidates.
    Kept: reach >= ``alternative_reach_min`` x the candidate's reach. Ranked by the batch core-fan shift
    (:mod:`.batch`, same draws); the best ``alternative_shortlist`` are simulated in full and listed by
    the predicted share of core fans turning, then the shift.
    """
    from .batch import core_fan_shift_runs

    obs = prep.observables
    pool = prep.net.index_of(list(obs.kols))
    excluded = set(prep.brand_idx.tolist()) | set(int(i) for i in cand_idx)
    excluded |= set(int(i) for i in prep.net.index_of(list(obs.critics)) if i >= 0)
    pool = np.array(sorted({int(i) for i in pool if i >= 0 and int(i) not in excluded}), dtype=np.int64)
    if not pool.size or not prep.core_idx.size:
        return {}
    reach_pool = reach_into_targets(prep, pool)
    reach_cand = reach_into_targets(prep, np.asarray(cand_idx, dtype=np.int64))
    # only accounts with comparable reach to some candidate can be listed: rank just those
    comparable = (reach_pool[:, None] >= scenario.alternative_reach_min * reach_cand[None, :]).any(axis=1)
    pool, reach_pool = pool[comparable], reach_pool[comparable]
    if not pool.size:
        return {}
    shifts, _ = core_fan_shift_runs(prep.net, prep.s0, prep.att, prep.core_idx, prep.brand_idx, pool, scenario,
                                    community_codes=prep.community_codes)
    batch_mean = shifts.mean(axis=1)
    wanted: dict[str, np.ndarray] = {}
    for o, rc in zip(outcomes, reach_cand):
        ok = reach_pool >= scenario.alternative_reach_min * rc
        order = np.lexsort((pool, -batch_mean))
        order = order[ok[order]][:scenario.alternative_shortlist]
        wanted[o.candidate] = order
    ids = sorted({str(prep.net.names[pool[j]]) for order in wanted.values() for j in order})
    full = simulate(ids) if ids else {}
    out: dict[str, list[dict]] = {}
    for o, rc in zip(outcomes, reach_cand):
        rows = []
        for j in wanted[o.candidate]:
            uid = str(prep.net.names[pool[j]])
            alt = full[uid]
            overlap = float(reach_pool[j] / rc) if rc > 0 else float("inf")
            rows.append({"user_id": uid, "display_name": display_name(prep, uid),
                         "reach_overlap": round(overlap, 4) if math.isfinite(overlap) else None,
                         "core_fans_turning_share": alt.core_fans_turning_negative.to_dict(),
                         "core_fan_shift": alt.core_fan_shift.to_dict(), "tier": alt.verdict.get("tier"),
                         "reasons": [f"reach into the brand's target communities {overlap:.0%} of "
                                     f"{o.display_name or o.candidate}'s" if math.isfinite(overlap) else
                                     "reach into the brand's target communities where the candidate has none",
                                     f"predicted core fans turning {_pct(alt.core_fans_turning_negative)}, "
                                     f"core-fan shift {alt.core_fan_shift.text()}",
                                     f"{alt.attitudes.get('negative', 0)} users dislike them, "
                                     f"{alt.attitudes.get('positive', 0)} like them"],
                         "_key": (alt.core_fans_turning_negative.mean, -alt.core_fan_shift.mean, uid)})
        rows.sort(key=lambda r: r["_key"])
        for r in rows:
            r.pop("_key")
        out[o.candidate] = rows[:scenario.alternatives]
    return out


def score_aftermath(prep: Prepared, o: CandidateOutcome, min_stance: float = 0.1) -> dict[str, Any] | None:
    """Compare the prediction with a known after-slice (true stance before and after per user)."""
    truth = prep.observables.aftermath
    if truth is None or not len(truth):
        return None
    if "candidate" in truth and not (truth["candidate"].astype("str") == o.candidate).any():
        return None
    t = truth.drop_duplicates("user_id").set_index(truth.drop_duplicates("user_id")["user_id"].astype("str"))
    core_ids = pd.Index(prep.net.names[prep.core_idx].astype("str"))
    known = core_ids[core_ids.isin(t.index)]
    if not len(known):
        return None
    before = t.loc[known, "stance_before"].to_numpy(dtype=np.float64)
    after = t.loc[known, "stance_after"].to_numpy(dtype=np.float64)
    true_share = float(((after < 0) & (before >= 0)).mean())
    est = o.core_fans_turning_negative
    from .backtest import defector_scores

    scores = defector_scores(o.users, truth.assign(user_id=truth["user_id"].astype("str")), min_stance)
    return plain({"true_core_fans_turning_share": true_share, "core_fans_scored": int(len(known)),
                  "covered": est.covers(true_share), "predicted": est.to_dict(),
                  "true_defectors": scores["k"], "precision_at_k": scores["precision_at_k"],
                  "random_precision": scores["random_precision"],
                  "most_negative_attitude_precision": scores["most_negative_attitude_precision"]})
