"""Batch scoring of candidate KOLs: reach, audience, stance, antagonism, what-if and a risk tier with reasons.

Methods page (docs/methods.md), section 5; every output column in docs/scoring.md and
:mod:`kolgraph.algorithms.scoring_columns`. Pure: :func:`candidate_metrics` takes the rows that touch
the candidates (:class:`ScoringInputs`, read from a workspace by :mod:`kolgraph.runs.score`) and
reduces them with grouped operations; nothing loops over candidates against the graph. The tier
rule lives in :mod:`kolgraph.algorithms.risk`.

Per candidate (columns of the output; NaN where the data has no answer):

- **Reach**: ``followers`` (users table; NaN when not given), ``pagerank``, ``pagerank_pct``
  (0-100) and ``distinct_engagers`` from the analysis.
- **Engagement**: ``interactions_received`` (reposts, replies and mentions of the candidate by
  others), ``active_days`` (distinct UTC days on which the candidate made or received an
  interaction), ``engagement_per_active_day`` = interactions received / active days, and
  ``engagement_per_1k_followers``. *Why not per post*: the interaction schema has no parent-post
  id (``post_id`` names the acting post itself), so the candidate's own posts cannot be counted;
  days with activity are the honest denominator the data allows (NaN without timestamps).
- **Audience overlap with core fans**: ``core_fan_engagers`` (core fans who reposted, replied to or
  mentioned the candidate), ``core_fan_share`` = core_fan_engagers / the candidate's distinct
  engagers (0-1), ``core_fan_reach`` = core_fan_engagers / all core fans (0-1).
- **Own brand stance**: ``stance`` in [-1, 1] with ``stance_support`` (methods page, section 2).
- **Antagonism with core fans**: ``fan_attitude`` = mean signed attitude of core fans toward the
  candidate over ``fan_attitude_pairs`` fans; ``attitude_to_fans`` = mean attitude of the
  candidate toward core fans over ``attitude_to_fans_pairs`` fans; ``hostile_fan_share`` =
  ``hostile_fan_reactions`` / ``fan_reactions``: the share of core fans' replies and mentions of the
  candidate (rows with known sentiment; ``reaction_kinds``) whose sentiment is below
  ``hostile_below`` (-0.3).
- **Controversy**: ``controversy`` = ``negative_reactions`` / ``reactions``: the share of all
  replies and mentions the candidate received (known sentiment, self excluded) with sentiment below
  ``negative_below`` (-0.3).
- **Bridging**: ``community``, ``in_brand_community``, ``participation``, ``betweenness``,
  ``bridge`` and ``brand_bridge`` (role tags), plus all ``roles``.
- **What-if**: ``whatif_shift`` = the mean predicted shift of core fans' brand stance if the brand
  partners with the candidate, with its ``interval`` (90%) bounds ``whatif_low`` / ``whatif_high``
  over ``whatif_runs`` Monte Carlo runs, every candidate under the same random draws
  (:mod:`kolgraph.algorithms.whatif`, methods page section 4; priors, q and tolerance from the
  config's ``[whatif]`` section). Computed by :func:`core_fan_shifts`: the simulator's model and
  draws, but one adjoint solve shared by all candidates instead of a propagation per candidate
  (1,000 candidates on a 1M-user graph in seconds; the simulator's own numbers to within its
  tolerance). Brand accounts are not simulated (the brand cannot partner with itself).

Tiers and reasons: :mod:`kolgraph.algorithms.risk` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .._arrays import unique_sorted
from .risk import TIERS, ScoringParams, risk_tiers
from .roles import has_role

__all__ = [
    "ScoringParams",
    "ScoringInputs",
    "TIERS",
    "METRIC_COLUMNS",
    "OUTPUT_COLUMNS",
    "USER_COLUMNS",
    "WHATIF_COLUMNS",
    "WhatifFn",
    "candidate_metrics",
    "core_fan_shifts",
    "risk_tiers",
    "typed_columns",
]

#: Per-candidate metric columns, in output order (module docstring).
METRIC_COLUMNS: tuple[str, ...] = (
    "display_name", "followers", "verified", "pagerank", "pagerank_pct", "distinct_engagers",
    "interactions_received", "active_days", "engagement_per_active_day", "engagement_per_1k_followers",
    "core_fan_engagers", "core_fan_share", "core_fan_reach",
    "stance", "stance_support",
    "fan_attitude", "fan_attitude_pairs", "attitude_to_fans", "attitude_to_fans_pairs",
    "fan_reactions", "hostile_fan_reactions", "hostile_fan_share",
    "reactions", "negative_reactions", "controversy",
    "community", "in_brand_community", "participation", "betweenness", "bridge", "brand_bridge", "roles",
    "whatif_shift", "whatif_low", "whatif_high", "whatif_runs",
)
#: The columns scoring adds after the input's own columns (``input_row`` comes first of all).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "status", "risk_tier", "reasons", "user_id", "match_method", "match_candidates", "duplicate_of",
    "handle_normalised",
) + METRIC_COLUMNS

USER_COLUMNS = ("user_id", "display_name", "followers", "verified", "community", "pagerank", "pagerank_pct",
                 "distinct_engagers", "participation", "betweenness", "stance", "stance_support", "roles")
_DAY = 86400.0


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, eq=False)
class ScoringInputs:
    """What the metrics read, restricted to rows touching the candidates (see :func:`kolgraph.runs.score.load_scoring_inputs`).

    ``users``: analysis users table rows of the candidates (columns of ``USER_COLUMNS``);
    ``edges``: src, dst, count for edges into a candidate; ``attitudes``: src, dst, attitude rows
    with a candidate on either side; ``reactions``: src, dst, kind, sentiment per interaction row into
    a candidate; ``activity``: src, dst, timestamp per interaction row touching a candidate (None
    when the workspace has no timestamps); ``core_fans``: ids of all core fans; ``brand_communities``:
    community ids; ``stance``: brand stance of every user (index user id, for the what-if);
    ``brand_accounts``: the analysis's brand accounts plus users tagged ``brand_account``.
    """

    users: pd.DataFrame
    edges: pd.DataFrame
    attitudes: pd.DataFrame
    reactions: pd.DataFrame
    activity: pd.DataFrame | None
    core_fans: pd.Index
    stance: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))
    brand_communities: tuple[int, ...] = ()
    brand_accounts: tuple[str, ...] = ()



# --------------------------------------------------------------------------- metrics


def _pos(index: pd.Index, values: Any) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent), by Arrow hashing (fast at millions of rows)."""
    from ..build.graph import index_of

    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return index_of(index, values) if len(index) else np.full(len(values), -1, dtype=np.int64)


def _member(values: Any, ids: pd.Index) -> np.ndarray:
    return _pos(ids, values) >= 0


def _differ(a: Any, b: Any) -> np.ndarray:
    """Element-wise ``a != b`` for two string columns (Arrow compute)."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    ne = pc.not_equal(pa.array(pd.Series(a).astype("str")), pa.array(pd.Series(b).astype("str")))
    return np.asarray(pc.fill_null(ne, True).to_numpy(zero_copy_only=False), dtype=bool)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def candidate_metrics(user_ids: Sequence[str], inputs: ScoringInputs, *,
                      params: ScoringParams | None = None) -> pd.DataFrame:
    """Per-candidate metrics (module docstring), one row per id of ``user_ids`` in order, keyed by user_id.

    Vectorised: every count is a ``bincount`` over candidate positions of the (already restricted)
    rows; distinct pairs use ``numpy.unique`` on packed integer keys. Ids missing from the analysis
    get NaN metrics. The what-if columns are left NaN (see :func:`score_candidates`).
    """
    params = params or ScoringParams()
    ids = pd.Index(pd.array([str(u) for u in user_ids], dtype="str"), name="user_id")
    if ids.has_duplicates:
        raise ValueError("user_ids must be unique")
    m = len(ids)
    out = pd.DataFrame({"user_id": pd.array(ids, dtype="str")})
    users = inputs.users.drop_duplicates("user_id").set_index("user_id").reindex(ids)
    for col in ("display_name", "roles"):
        out[col] = pd.array(users[col].astype(object).where(users[col].notna(), None) if col in users
                            else [None] * m, dtype="str")
    for col in ("followers", "pagerank", "pagerank_pct", "distinct_engagers", "participation", "betweenness",
                "stance", "stance_support", "community"):
        out[col] = pd.to_numeric(users[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) \
            if col in users else np.nan
    out["verified"] = users["verified"].to_numpy() if "verified" in users else np.nan
    fans = pd.Index(inputs.core_fans.astype("str")).unique()

    # --- engagement and audience: edges into a candidate, self-loops excluded
    e = inputs.edges
    e_pos = _pos(ids, e["dst"])
    keep = (e_pos >= 0) & _differ(e["src"], e["dst"])
    e_pos = e_pos[keep]
    e_src = e["src"][keep]
    e_count = e["count"].to_numpy(dtype="float64")[keep] if len(e) else np.zeros(0)
    out["interactions_received"] = np.bincount(e_pos, weights=e_count, minlength=m)
    src_codes, src_names = pd.factorize(e_src) if len(e_src) else (np.zeros(0, np.int64), pd.Index([], dtype="str"))
    n_src = max(len(src_names), 1)
    pairs = unique_sorted(e_pos.astype(np.int64) * n_src + src_codes)        # distinct (candidate, engager)
    pair_pos = pairs // n_src
    engagers = np.bincount(pair_pos, minlength=m).astype("float64")
    fan_code = _member(pd.Series(src_names, dtype="str"), fans) if len(src_names) else np.zeros(1, dtype=bool)
    fan_engagers = np.bincount(pair_pos[fan_code[pairs % n_src]], minlength=m).astype("float64")
    out["core_fan_engagers"] = fan_engagers
    out["core_fan_share"] = _ratio(fan_engagers, engagers)
    out["core_fan_reach"] = _ratio(fan_engagers, np.full(m, float(len(fans))))
    fill = (out["distinct_engagers"].isna() & (engagers > 0)).to_numpy()
    out.loc[fill, "distinct_engagers"] = engagers[fill]

    # --- active days
    act = inputs.activity
    if act is not None and len(act):
        ts = pd.to_numeric(act["timestamp"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        day = np.floor(ts / _DAY)
        ok = np.isfinite(day)
        a_src, a_dst = _pos(ids, act["src"]), _pos(ids, act["dst"])
        who = np.concatenate([a_src[ok], a_dst[ok]])
        days = np.concatenate([day[ok], day[ok]]).astype(np.int64)
        good = who >= 0
        who, days = who[good], days[good]
        if who.size:
            base = days.min()
            span = int(days.max() - base) + 1
            uniq = unique_sorted(who.astype(np.int64) * span + (days - base))
            active = np.bincount(uniq // span, minlength=m).astype("float64")
        else:
            active = np.zeros(m)
        has_ts = bool(ok.any())
    else:
        active = np.zeros(m)
        has_ts = False
    out["active_days"] = active if has_ts else np.nan
    out["engagement_per_active_day"] = _ratio(out["interactions_received"].to_numpy(), active) if has_ts else np.nan
    out["engagement_per_1k_followers"] = 1000.0 * _ratio(out["interactions_received"].to_numpy(),
                                                         out["followers"].to_numpy())

    # --- attitudes with core fans
    att = inputs.attitudes
    if len(att):
        a_src, a_dst = att["src"], att["dst"]
        a_val = pd.to_numeric(att["attitude"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        valid = np.isfinite(a_val) & _differ(a_src, a_dst)
        to_c, from_c = _pos(ids, a_dst), _pos(ids, a_src)
        fan_src, fan_dst = _member(a_src, fans), _member(a_dst, fans)
        sel = valid & (to_c >= 0) & fan_src
        n_in = np.bincount(to_c[sel], minlength=m).astype("float64")
        s_in = np.bincount(to_c[sel], weights=a_val[sel], minlength=m)
        sel = valid & (from_c >= 0) & fan_dst
        n_out = np.bincount(from_c[sel], minlength=m).astype("float64")
        s_out = np.bincount(from_c[sel], weights=a_val[sel], minlength=m)
    else:
        n_in = s_in = n_out = s_out = np.zeros(m)
    out["fan_attitude"] = _ratio(s_in, n_in)
    out["fan_attitude_pairs"] = n_in
    out["attitude_to_fans"] = _ratio(s_out, n_out)
    out["attitude_to_fans_pairs"] = n_out

    # --- reactions: replies / mentions into a candidate with known sentiment
    r = inputs.reactions
    if len(r):
        r_pos = _pos(ids, r["dst"])
        s = pd.to_numeric(r["sentiment"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        kind = r["kind"].astype("str").isin(list(params.reaction_kinds)).to_numpy(dtype=bool)
        sel = (r_pos >= 0) & kind & np.isfinite(s) & _differ(r["src"], r["dst"])
        fan = _member(r["src"], fans)
        total = np.bincount(r_pos[sel], minlength=m).astype("float64")
        neg = np.bincount(r_pos[sel & (s < params.negative_below)], minlength=m).astype("float64")
        f_total = np.bincount(r_pos[sel & fan], minlength=m).astype("float64")
        f_hostile = np.bincount(r_pos[sel & fan & (s < params.hostile_below)], minlength=m).astype("float64")
    else:
        total = neg = f_total = f_hostile = np.zeros(m)
    out["fan_reactions"] = f_total
    out["hostile_fan_reactions"] = f_hostile
    out["hostile_fan_share"] = _ratio(f_hostile, f_total)
    out["reactions"] = total
    out["negative_reactions"] = neg
    out["controversy"] = _ratio(neg, total)

    # --- bridging
    comm = out["community"].to_numpy(dtype="float64")
    out["in_brand_community"] = np.isin(comm, np.asarray(inputs.brand_communities, dtype="float64")) & np.isfinite(comm)
    roles = out["roles"]
    out["bridge"] = has_role(roles, "bridge")
    out["brand_bridge"] = has_role(roles, "brand_bridge")
    for col in ("whatif_shift", "whatif_low", "whatif_high"):
        out[col] = np.nan
    out["whatif_runs"] = 0
    return typed_columns(out[["user_id", *METRIC_COLUMNS]])


_INT_COLUMNS = ("followers", "distinct_engagers", "interactions_received", "active_days", "core_fan_engagers",
                "stance_support", "fan_attitude_pairs", "attitude_to_fans_pairs", "fan_reactions",
                "hostile_fan_reactions", "reactions", "negative_reactions", "community", "whatif_runs")
_BOOL_COLUMNS = ("verified", "in_brand_community", "bridge", "brand_bridge")
_TEXT_COLUMNS = ("display_name", "roles", "risk_tier", "reasons")


def typed_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers, flags as nullable booleans, texts as strings (missing = NA)."""
    out = frame.copy()
    for c in out.columns:
        if c in _INT_COLUMNS or c in _BOOL_COLUMNS:
            if out[c].dtype in ("Int64", "boolean"):
                continue
            col = out[c].astype(object).where(out[c].notna(), np.nan)
            v = pd.array(pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan),
                         dtype="Float64")
            if c in _BOOL_COLUMNS:
                out[c] = v.astype("boolean")
            else:
                finite = v.to_numpy(dtype="float64", na_value=np.nan)
                finite = finite[~np.isnan(finite)]
                out[c] = v.astype("Int64") if np.array_equal(finite, np.round(finite)) else v
        elif c in _TEXT_COLUMNS:
            out[c] = pd.array(out[c].astype(object).where(out[c].notna(), None), dtype="str")
    return out


# --------------------------------------------------------------------------- what-if


WhatifFn = Callable[..., pd.DataFrame]
WHATIF_COLUMNS = ("user_id", "whatif_shift", "whatif_low", "whatif_high", "whatif_runs", "whatif_shocked")


def core_fan_shifts(network, stance: pd.Series, attitudes: pd.DataFrame, core_fans: Iterable[str],
                    brand_accounts: Iterable[str], candidates: Sequence[str], scenario, *, interval: float = 0.9,
                    chunk: int = 100, on_progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Predicted core-fan stance shift per candidate, for many candidates at once (methods page, section 4).

    The same model, priors and random draws as :func:`kolgraph.algorithms.whatif.simulate_partnership`
    (exposure uniforms are counter-based per user and run, so every candidate sees the same draws,
    here and there), but only the one number scoring needs: the mean shift over core fans per
    run. That number is linear in the shock, so one adjoint solve shared by all candidates replaces
    a propagation per candidate: with ``c`` the core-fan averaging vector,
    ``y_r = (I - lambda_r W^T)^-1 c`` (a power series over all runs at once, to ``scenario.tol``)
    and ``z_r = (1 - lambda_r D) y_r``, the core-fan shift of candidate k in run r is
    ``sum_u z_r[u] d*_ur(k)`` over the users u with an attitude toward k. The cost per candidate is
    its number of such users times the runs; the graph is traversed once.

    ``network``: a :class:`~kolgraph.algorithms.whatif.WhatIfNetwork`; ``stance``: brand stance per
    user id; ``attitudes``: (src, dst, attitude[, support]) rows (only rows toward candidates are
    used); ``scenario``: a :class:`~kolgraph.algorithms.whatif.WhatIfScenario` (runs, seed, priors,
    q, tol; its ``candidates`` are ignored). Returns one row per candidate (in order): user_id,
    whatif_shift (mean over runs), whatif_low / whatif_high (the ``interval`` percentile bounds over
    runs), whatif_runs, whatif_shocked (users with an attitude toward the candidate who can be
    exposed). Candidates not in the graph, brand accounts, and every candidate when there is no core
    fan, get NaN and 0 runs.
    """
    from . import whatif as wi

    names = network.names
    n = network.n
    R = int(scenario.runs)
    cands = pd.Index(pd.array([str(c) for c in dict.fromkeys(candidates)], dtype="str"))
    K = len(cands)
    out = pd.DataFrame({"user_id": pd.array(cands, dtype="str"), "whatif_shift": np.nan, "whatif_low": np.nan,
                        "whatif_high": np.nan, "whatif_runs": 0, "whatif_shocked": 0})
    bidx = network.index_of(list(brand_accounts))
    brand_idx = unique_sorted(bidx[bidx >= 0])
    cidx = network.index_of(list(core_fans))
    core_idx = unique_sorted(cidx[cidx >= 0])
    core_idx = core_idx[~np.isin(core_idx, brand_idx)]
    is_brand = np.zeros(n, dtype=bool)
    is_brand[brand_idx] = True
    kidx = network.index_of(list(cands))
    valid = (kidx >= 0) & ~is_brand[np.where(kidx >= 0, kidx, 0)]
    if K == 0 or core_idx.size == 0 or not valid.any():
        if on_progress:
            on_progress(K)
        return out
    draws = wi.draw_runs(scenario)
    lam = draws.lam
    # ---- the attitude pairs (u, k) that can carry a shock
    att = attitudes.drop_duplicates(["src", "dst"])
    kp = cands.get_indexer(pd.Index(att["dst"].astype("str"), dtype="str"))
    u = names.get_indexer(pd.Index(att["src"].astype("str"), dtype="str"))
    a = np.clip(pd.to_numeric(att["attitude"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan), -1, 1)
    keep = (kp >= 0) & (u >= 0) & np.isfinite(a) & (a != 0)
    keep[keep] &= valid[kp[keep]] & ~is_brand[u[keep]] & (u[keep] != kidx[kp[keep]])
    u, kp, a = u[keep], kp[keep], a[keep]
    # exposure: interactions with brand accounts and with k (every kind, self-loops excluded)
    counts = network.counts
    m_brand = np.asarray(counts[:, brand_idx].sum(axis=1)).ravel() if brand_idx.size else np.zeros(n)
    vpos = np.cumsum(valid) - 1
    sub = counts[:, kidx[valid]].tocoo()
    Kv = int(valid.sum())
    sub_key = sub.row.astype(np.int64) * Kv + sub.col
    order = np.argsort(sub_key, kind="stable")
    sub_key, sub_val = sub_key[order], np.asarray(sub.data, dtype="float64")[order]
    pair_key = u.astype(np.int64) * Kv + vpos[kp]
    at = np.searchsorted(sub_key, pair_key)
    found = (at < sub_key.size) & (sub_key[np.minimum(at, max(sub_key.size - 1, 0))] == pair_key) if sub_key.size \
        else np.zeros(pair_key.size, dtype=bool)
    c_uk = np.where(found, sub_val[np.minimum(at, max(sub_val.size - 1, 0))] if sub_val.size else 0.0, 0.0)
    p = 1.0 - (1.0 - scenario.q) ** (m_brand[u] + c_uk)
    live = p > 0
    u, kp, a, p = u[live], kp[live], a[live], p[live]
    out["whatif_shocked"] = np.bincount(kp, minlength=K).astype(np.int64)
    # ---- measured stance of the users who can be shocked (missing: 0, as in the simulator)
    users_s, inv = np.unique(u, return_inverse=True)
    st = pd.Series(stance)
    where = _pos(pd.Index(st.index.astype("str"), dtype="str"), pd.Series(names[users_s], dtype="str"))
    vals = pd.to_numeric(st, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    s0 = np.zeros(n)
    s0[users_s] = np.clip(np.nan_to_num(np.where(where >= 0, vals[np.maximum(where, 0)], 0.0)), -1.0, 1.0)
    # ---- one adjoint solve for all candidates: z_r = (1 - lambda_r D) (I - lambda_r W^T)^-1 c
    W, D = _listening_operator(network, brand_idx)
    c = np.zeros(n)
    c[core_idx] = 1.0 / core_idx.size
    y = _adjoint_series(W, c, lam, users_s, tol=scenario.tol / 2, max_iter=scenario.max_iter)
    z = (1.0 - lam[None, :] * D[users_s, None]) * y
    # ---- per candidate chunk: exposure draws, shocks, and their weighted sums
    shift_runs = np.zeros((K, R))
    by_cand = np.argsort(kp, kind="stable")
    bounds = np.searchsorted(kp[by_cand], np.arange(0, K + chunk, chunk))
    runs = np.arange(R)
    done = 0
    for i, k0 in enumerate(range(0, K, chunk)):
        rows = by_cand[bounds[i]:bounds[i + 1]]
        if rows.size:
            su, sinv = np.unique(u[rows], return_inverse=True)
            U = wi.exposure_uniforms(draws.key, names[su], runs)[sinv]
            s_u = s0[u[rows]][:, None]
            a_neg = np.minimum(a[rows], 0.0)[:, None]
            a_pos = (np.maximum(a[rows], 0.0) * (1.0 - s0[u[rows]]))[:, None]
            delta = draws.alpha[None, :] * a_neg + draws.beta[None, :] * a_pos
            dstar = (U < p[rows, None]) * (np.clip(s_u + delta, -1.0, 1.0) - s_u)
            contrib = dstar * z[inv[rows]]
            k1 = min(K, k0 + chunk)
            ind = sp.csr_matrix((np.ones(rows.size), (kp[rows] - k0, np.arange(rows.size))), shape=(k1 - k0, rows.size))
            shift_runs[k0:k1] += ind @ contrib
        step = min(K, k0 + chunk) - k0
        done += step
        if on_progress:
            on_progress(step)
    lo_q, hi_q = 50.0 * (1.0 - interval), 100.0 - 50.0 * (1.0 - interval)
    lo, hi = np.percentile(shift_runs, [lo_q, hi_q], axis=1)
    out["whatif_shift"] = np.where(valid, shift_runs.mean(axis=1), np.nan)
    out["whatif_low"] = np.where(valid, lo, np.nan)
    out["whatif_high"] = np.where(valid, hi, np.nan)
    out["whatif_runs"] = np.where(valid, R, 0).astype(np.int64)
    return out


def _listening_operator(network, stubborn: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """W (rows of the listening matrix normalised to 1; stubborn rows and non-listeners zero) and D (0/1).

    The simulator's operator (methods page, section 4; :mod:`kolgraph.algorithms.whatif` step 3).
    """
    listen = network.listen
    rowsum = np.asarray(listen.sum(axis=1)).ravel()
    rowsum[stubborn] = 0.0
    inv = np.divide(1.0, rowsum, out=np.zeros_like(rowsum), where=rowsum > 0)
    W = sp.csr_matrix(sp.diags(inv) @ listen)
    return W, (rowsum > 0).astype(np.float64)


def _adjoint_series(W: sp.csr_matrix, c: np.ndarray, lam: np.ndarray, rows: np.ndarray, *, tol: float,
                    max_iter: int, block: int = 16) -> np.ndarray:
    """``[(I - lam_r W^T)^-1 c][rows]`` for every run r, as the power series ``sum_t lam_r^t (W^T)^t c``.

    W's rows sum to at most 1, so W^T does not grow the 1-norm; the series stops once the tail
    bound ``||(W^T)^t c||_1 lam_max^(t+1) / (1 - lam_max)`` is at most ``tol``, which bounds the error
    of every shift ``z^T d*`` with ``|d*| <= 1`` per user. Terms are buffered and applied to all runs
    with one dense product per ``block`` terms.
    """
    from .whatif import WhatIfConvergenceError

    lam = np.asarray(lam, dtype=np.float64)
    R = lam.size
    out = np.zeros((rows.size, R))
    if rows.size == 0 or R == 0:
        return out
    WT = sp.csr_matrix(W.T)
    lam_max = float(lam.max())
    x = np.asarray(c, dtype=np.float64)
    buf: list[np.ndarray] = []
    t0 = t = 0
    while True:
        buf.append(x[rows])
        norm = float(np.abs(x).sum())
        bound = norm * lam_max ** (t + 1) / (1.0 - lam_max) if lam_max > 0 else 0.0
        done = bound <= tol or norm == 0.0
        if done or len(buf) == block:
            powers = lam[None, :] ** (t0 + np.arange(len(buf)))[:, None]      # T x R
            out += np.column_stack(buf) @ powers
            buf, t0 = [], t + 1
        if done:
            return out
        if t + 1 >= max_iter:
            raise WhatIfConvergenceError(f"the core-fan adjoint series did not converge in max_iter={max_iter} terms "
                                         f"(tail bound {bound:.2e} > tol {tol:.2e}); raise [whatif] max_iter or tol")
        x = WT @ x
        t += 1


