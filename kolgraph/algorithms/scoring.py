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
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrays import unique_sorted
from .risk import TIERS, ScoringParams, risk_tiers
from .roles import has_role
from .whatif.batch import BATCH_COLUMNS, core_fan_shifts

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
    ``brand_accounts``: the analysis's brand accounts plus users tagged ``brand_account``;
    ``communities``: community of every user (index user id; the what-if's community attitudes,
    methods section 4 step 2), None when the analysis has none.
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
    communities: pd.Series | None = None



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
WHATIF_COLUMNS = BATCH_COLUMNS  # core_fan_shifts: kolgraph.algorithms.whatif.batch (the what-if's own batched model)


