"""Batch scoring of candidate KOLs: reach, audience, stance, antagonism, what-if and a risk tier with reasons.

Methods page, section 5. Agencies hand over lists of 50 to 5,000 accounts; :func:`score_candidates`
matches each input row to a user (:mod:`kolgraph.candidates`) and scores every matched account in
one vectorised pass over the analysed workspace (``kolgraph analyze`` first): each table (edges,
attitudes, per-interaction sentiment, timestamps) is read once, restricted to rows that touch a
candidate, and reduced with grouped operations; nothing loops over candidates against the graph.

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

Risk tier (every threshold a field of :class:`ScoringParams`, config section ``[scoring]``;
defaults in brackets). Evidence-based signs need enough evidence: a share needs at least
``min_reactions`` [5] reactions, a mean attitude at least ``min_pairs`` [3] fans.

- **red** when any of:
  the candidate is a critic of the brand (roles ``critic`` / ``critic_kol``; ``critic_is_red`` [on]);
  predicted core-fan shift mean <= ``red_shift`` [-0.05];
  hostile share of core-fan reactions >= ``red_hostile_share`` [25%];
  core fans' mean attitude toward the candidate <= ``red_fan_attitude`` [-0.3].
- **amber** when none of those but any of:
  shift mean <= ``amber_shift`` [-0.01];
  hostile core-fan share >= ``amber_hostile_share`` [10%];
  core fans' mean attitude <= ``amber_fan_attitude`` [-0.1];
  the candidate's mean attitude toward core fans <= ``amber_attitude_to_fans`` [-0.2];
  controversy >= ``amber_controversy`` [35%];
  own brand stance <= ``amber_stance`` [-0.1] with support >= ``min_stance_support`` [2].
- **green** otherwise.

``reasons`` names every sign that fired (red ones first) with its value, evidence and threshold,
e.g. ``32% of core-fan replies/mentions are hostile (29 of 91, sentiment < -0.30; red at >= 25%);
predicted core-fan shift -0.210 [90%: -0.300, -0.120] (red at <= -0.05)``; a green row says
"no warning sign" and lists the checked values. The predicted shift is always quoted when it was run.

Rows and order (:data:`STATUSES` from :mod:`kolgraph.candidates`): the output has exactly one row
per input row. Rows with status ``ok`` come first, ordered by tier (red, amber, green), then
predicted shift (most negative first, missing last), then input order; then every other row
(duplicate, ambiguous, unknown, blank) in input order. A duplicate carries the scores of the first
row naming the same account. "Best" (``--top``): ``ok`` rows by tier (green, amber, red), then
reach (PageRank percentile, highest first), then predicted shift (highest first), then input order.
"""

from __future__ import annotations

import json
import math
import os
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .._arrays import unique_sorted
from .._io import write_table
from ..candidates import STATUSES, CandidateTable, HandleIndex, read_candidates, resolve_candidates
from ..config import KolgraphConfig, load_config, params_from_mapping
from ..progress import progress
from ..schema import ConfigError, KINDS, KolgraphError, normalise_kind
from .roles import has_role
from .whatif.batch import BATCH_COLUMNS, core_fan_shifts

__all__ = [
    "ScoringParams",
    "ScoringInputs",
    "ScoreResult",
    "TIERS",
    "METRIC_COLUMNS",
    "OUTPUT_COLUMNS",
    "candidate_metrics",
    "risk_tiers",
    "load_scoring_inputs",
    "score_candidates",
    "score_file",
]

#: Risk tiers, riskiest first.
TIERS: tuple[str, ...] = ("red", "amber", "green")

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

_USER_COLUMNS = ("user_id", "display_name", "followers", "verified", "community", "pagerank", "pagerank_pct",
                 "distinct_engagers", "participation", "betweenness", "stance", "stance_support", "roles")
_DAY = 86400.0


@dataclass(frozen=True)
class ScoringParams:
    """Risk-tier thresholds and metric definitions (config section ``[scoring]``; module docstring).

    Shifts are in stance units ([-1, 1] scale); shares in [0, 1]; attitudes and sentiments in [-1, 1].
    """

    red_shift: float = -0.05
    amber_shift: float = -0.01
    red_hostile_share: float = 0.25
    amber_hostile_share: float = 0.10
    hostile_below: float = -0.3
    red_fan_attitude: float = -0.3
    amber_fan_attitude: float = -0.1
    amber_attitude_to_fans: float = -0.2
    amber_controversy: float = 0.35
    negative_below: float = -0.3
    amber_stance: float = -0.1
    critic_is_red: bool = True
    min_reactions: int = 5
    min_pairs: int = 3
    min_stance_support: int = 2
    reaction_kinds: tuple[str, ...] = ("reply", "mention")
    whatif_runs: int = 50
    interval: float = 0.9

    def __post_init__(self) -> None:
        for name in ("red_shift", "amber_shift", "hostile_below", "red_fan_attitude", "amber_fan_attitude",
                     "amber_attitude_to_fans", "negative_below", "amber_stance"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -1.0 <= float(v) <= 1.0:
                raise ValueError(f"{name} must be a number in [-1, 1], got {v!r}")
            object.__setattr__(self, name, float(v))
        for name in ("red_hostile_share", "amber_hostile_share", "amber_controversy"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"{name} must be a share in [0, 1], got {v!r}")
            object.__setattr__(self, name, float(v))
        for name in ("min_reactions", "min_pairs", "min_stance_support"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
            object.__setattr__(self, name, int(v))
        v = self.whatif_runs
        if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 1:
            raise ValueError(f"whatif_runs must be a positive integer, got {v!r}")
        object.__setattr__(self, "whatif_runs", int(v))
        if not isinstance(self.interval, (int, float)) or not 0.0 < float(self.interval) < 1.0:
            raise ValueError(f"interval must be in (0, 1), got {self.interval!r}")
        object.__setattr__(self, "interval", float(self.interval))
        if self.red_shift > self.amber_shift:
            raise ValueError(f"red_shift ({self.red_shift}) must be <= amber_shift ({self.amber_shift})")
        if self.red_hostile_share < self.amber_hostile_share:
            raise ValueError(f"red_hostile_share ({self.red_hostile_share}) must be >= amber_hostile_share "
                             f"({self.amber_hostile_share})")
        if self.red_fan_attitude > self.amber_fan_attitude:
            raise ValueError(f"red_fan_attitude ({self.red_fan_attitude}) must be <= amber_fan_attitude "
                             f"({self.amber_fan_attitude})")
        object.__setattr__(self, "critic_is_red", bool(self.critic_is_red))
        kinds = (self.reaction_kinds,) if isinstance(self.reaction_kinds, str) else tuple(self.reaction_kinds)
        canon = tuple(dict.fromkeys(normalise_kind(k) for k in kinds))
        if not canon or None in canon:
            raise ValueError(f"reaction_kinds must name kinds among {', '.join(KINDS)}, got {self.reaction_kinds!r}")
        object.__setattr__(self, "reaction_kinds", canon)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["reaction_kinds"] = list(self.reaction_kinds)
        return d


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, eq=False)
class ScoringInputs:
    """What the metrics read, restricted to rows touching the candidates (see :func:`load_scoring_inputs`).

    ``users``: analysis users table rows of the candidates (columns of ``_USER_COLUMNS``);
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


def _arrow_ids(values: Iterable[str]) -> pa.Array:
    return pa.array([str(v) for v in values], pa.string())


def _read_touching(path: Path, columns: Sequence[str], ids: pa.Array, on: Sequence[str]) -> pd.DataFrame:
    """Rows of a Parquet table whose ``on`` columns hold one of ``ids``.

    Reads the columns with the multi-threaded Parquet reader and filters with a hashed ``is_in``
    in Arrow, so only the matching rows ever become pandas objects.
    """
    table = _read_columns(path, columns)
    return _to_frame(table.filter(_touching(table, ids, on)))


def _read_columns(path: Path, columns: Sequence[str]) -> pa.Table:
    schema = pq.read_schema(path)
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise KolgraphError(f"{path}: missing column(s) {', '.join(missing)}; re-run `kolgraph analyze` "
                            "with this kolgraph version")
    return pq.read_table(path, columns=list(columns))


def _touching(table: pa.Table, ids: pa.Array, on: Sequence[str]) -> pa.ChunkedArray:
    """Row mask: any of the ``on`` columns holds one of ``ids`` (nulls never match)."""
    mask = None
    for col in on:
        values = table[col]
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        hit = pc.fill_null(pc.is_in(values, value_set=ids.cast(values.type)), False)
        mask = hit if mask is None else pc.or_(mask, hit)
    return mask


def _to_frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    for col in ("src", "dst", "user_id", "kind"):
        if col in frame:
            frame[col] = frame[col].astype("str")
    return frame


def _analysis_file(ws, name: str) -> Path:
    path = Path(ws.path) / "analysis" / name
    if not path.is_file():
        raise KolgraphError(f"{path}: not found; run `kolgraph analyze {ws.path}` before scoring")
    return path


def load_scoring_inputs(ws, user_ids: Sequence[str]) -> ScoringInputs:
    """Read what scoring needs from an analysed workspace, restricted to rows touching ``user_ids``.

    Reads ``analysis/users.parquet`` (the candidates' rows and the core-fan list),
    ``analysis/communities.csv``, ``analysis/attitudes.parquet``,
    ``analysis/interaction_sentiment.parquet``, ``analysis/analysis.json`` and the workspace's
    ``edges.parquet`` / ``interactions.parquet`` (timestamps); each is filtered inside Arrow.
    """
    ids = _arrow_ids(dict.fromkeys(user_ids))
    users_path = _analysis_file(ws, "users.parquet")
    have = set(pq.read_schema(users_path).names)
    if "user_id" not in have or "roles" not in have:
        raise KolgraphError(f"{users_path}: not an analysis users table (no user_id / roles); "
                            "re-run `kolgraph analyze`")
    cols = [c for c in _USER_COLUMNS if c in have]
    every = pq.read_table(users_path, columns=cols)
    padded = pc.binary_join_element_wise("|", pc.fill_null(every["roles"].cast(pa.string()), ""), "|", "")
    all_ids = every["user_id"].cast(pa.string())
    core_fans = pd.Index(pd.array(pc.filter(all_ids, pc.match_substring(padded, "|core_fan|")), dtype="str"))
    tagged_brand = pc.filter(all_ids, pc.match_substring(padded, "|brand_account|")).to_pylist()
    stance = pd.Series(every["stance"].to_numpy() if "stance" in have else np.zeros(len(all_ids)),
                       index=pd.Index(pd.array(all_ids, dtype="str"), dtype="str"), dtype="float64")
    users = _to_frame(every.filter(_touching(every, ids, ["user_id"])))
    del every, padded
    meta = json.loads(_analysis_file(ws, "analysis.json").read_text(encoding="utf-8"))
    brand_accounts = tuple(dict.fromkeys([*meta.get("parameters", {}).get("brand", {}).get("accounts", []),
                                          *tagged_brand]))
    comm_path = Path(ws.path) / "analysis" / "communities.csv"
    brand_comms: tuple[int, ...] = ()
    if comm_path.is_file():
        comms = pd.read_csv(comm_path, usecols=lambda c: c in ("community", "is_brand_community"))
        if "is_brand_community" in comms:
            flag = comms["is_brand_community"].astype("str").str.lower().isin(["true", "1"])
            brand_comms = tuple(int(c) for c in comms.loc[flag.to_numpy(), "community"])
    edges = _read_touching(Path(ws.path) / "edges.parquet", ["src", "dst", "count"], ids, ["dst"])
    att = _read_touching(_analysis_file(ws, "attitudes.parquet"), ["src", "dst", "attitude"], ids, ["src", "dst"])
    # One pass over the interaction rows: those touching a candidate give the active days, and
    # those into a candidate the reactions, with the sentiment the analysis used for that row.
    inter_path = Path(ws.path) / "interactions.parquet"
    has_ts = "timestamp" in pq.read_schema(inter_path).names
    inter = _read_columns(inter_path, ["src", "dst", "kind"] + (["timestamp"] if has_ts else []))
    touch = _touching(inter, ids, ["src", "dst"])
    sent_path = _analysis_file(ws, "interaction_sentiment.parquet")
    sent = _read_columns(sent_path, ["row", "sentiment"])
    rows = sent["row"].to_numpy()
    if sent.num_rows != inter.num_rows or not np.array_equal(rows, np.arange(inter.num_rows)):
        raise KolgraphError(f"{sent_path}: does not match the workspace's interactions (rows differ); re-run "
                            f"`kolgraph analyze {ws.path}`")
    rows_touch = inter.append_column("sentiment", sent["sentiment"]).filter(touch)
    del inter, sent, touch
    activity = _to_frame(rows_touch.select(["src", "dst", "timestamp"])) if has_ts else None
    into = _touching(rows_touch, ids, ["dst"])
    reactions = _to_frame(rows_touch.select(["src", "dst", "kind", "sentiment"]).filter(into))
    return ScoringInputs(users=users, edges=edges, attitudes=att, reactions=reactions, activity=activity,
                         core_fans=core_fans, stance=stance, brand_communities=brand_comms,
                         brand_accounts=brand_accounts)


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
    return _typed(out[["user_id", *METRIC_COLUMNS]])


_INT_COLUMNS = ("followers", "distinct_engagers", "interactions_received", "active_days", "core_fan_engagers",
                "stance_support", "fan_attitude_pairs", "attitude_to_fans_pairs", "fan_reactions",
                "hostile_fan_reactions", "reactions", "negative_reactions", "community", "whatif_runs")
_BOOL_COLUMNS = ("verified", "in_brand_community", "bridge", "brand_bridge")
_TEXT_COLUMNS = ("display_name", "roles", "risk_tier", "reasons")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- tiers and reasons


def _fixed(values: np.ndarray, decimals: int = 2, sign: bool = False) -> pa.Array:
    """Fixed-point strings, vectorised (``-0.21``; ``+0.02`` with ``sign``); NaN gives ``nan``."""
    v = np.asarray(values, dtype="float64")
    finite = np.isfinite(v)
    scale = 10 ** decimals
    scaled = np.round(np.abs(np.where(finite, v, 0.0)) * scale).astype(np.int64)
    whole = pc.cast(pa.array(scaled // scale), pa.string())
    if decimals:
        frac = pc.utf8_lpad(pc.cast(pa.array(scaled % scale), pa.string()), width=decimals, padding="0")
        text = pc.binary_join_element_wise(whole, frac, ".")
    else:
        text = whole
    neg = (v < 0) & (scaled > 0)
    prefix = pa.array(np.where(neg, "-", np.where(sign & (scaled > 0), "+", "")).tolist(), pa.string())
    text = pc.binary_join_element_wise(prefix, text, "")
    return pc.if_else(pa.array(finite), text, pa.scalar("nan"))


def _pct(share: np.ndarray) -> pa.Array:
    return _cat(_fixed(100.0 * np.asarray(share, dtype="float64"), 0), "%")


def _int(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.nan_to_num(np.asarray(values, dtype="float64")).astype(np.int64)), pa.string())


def _cat(*parts: Any) -> pa.Array:
    arrays = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _join_present(arrays: list[pa.Array], sep: str, n: int) -> pa.Array:
    if not arrays:
        return pa.array([""] * n, pa.string())
    joined = pc.binary_join_element_wise(pa.array([""] * n, pa.string()), *arrays, sep, null_handling="skip")
    return pc.utf8_slice_codeunits(joined, len(sep))


def _when(mask: np.ndarray, text: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), text, pa.scalar(None, pa.string()))


def _shift_text(metrics: pd.DataFrame, params: ScoringParams) -> pa.Array:
    pct = f"{params.interval:.0%}"
    return _cat("predicted core-fan shift ", _fixed(metrics["whatif_shift"], 3, True), f" [{pct}: ",
                _fixed(metrics["whatif_low"], 3, True), ", ", _fixed(metrics["whatif_high"], 3, True), "]")


def risk_tiers(metrics: pd.DataFrame, params: ScoringParams | None = None) -> tuple[np.ndarray, pa.Array]:
    """(tier per row, reasons per row) by the rule of the module docstring, vectorised over rows.

    ``metrics`` has the columns of :func:`candidate_metrics` (what-if columns may be NaN).
    """
    p = params or ScoringParams()
    n = len(metrics)
    col = {c: pd.to_numeric(metrics[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
           for c in ("whatif_shift", "hostile_fan_share", "fan_reactions", "hostile_fan_reactions", "fan_attitude",
                     "fan_attitude_pairs", "attitude_to_fans", "attitude_to_fans_pairs", "controversy",
                     "reactions", "negative_reactions", "stance", "stance_support")}
    roles = metrics["roles"] if "roles" in metrics else pd.Series([""] * n)
    is_critic = has_role(roles, "critic", "critic_kol")
    is_critic_kol = has_role(roles, "critic_kol")
    enough_r = col["fan_reactions"] >= max(p.min_reactions, 1)
    enough_all = col["reactions"] >= max(p.min_reactions, 1)
    enough_in = col["fan_attitude_pairs"] >= max(p.min_pairs, 1)
    enough_out = col["attitude_to_fans_pairs"] >= max(p.min_pairs, 1)
    enough_st = col["stance_support"] >= p.min_stance_support
    shift = col["whatif_shift"]
    with np.errstate(invalid="ignore"):
        red = {
            "critic": is_critic & p.critic_is_red,
            "shift": np.isfinite(shift) & (shift <= p.red_shift),
            "hostile": enough_r & (col["hostile_fan_share"] >= p.red_hostile_share),
            "fan_att": enough_in & (col["fan_attitude"] <= p.red_fan_attitude),
        }
        amber = {
            "shift": np.isfinite(shift) & (shift <= p.amber_shift) & ~red["shift"],
            "hostile": enough_r & (col["hostile_fan_share"] >= p.amber_hostile_share) & ~red["hostile"],
            "fan_att": enough_in & (col["fan_attitude"] <= p.amber_fan_attitude) & ~red["fan_att"],
            "att_fans": enough_out & (col["attitude_to_fans"] <= p.amber_attitude_to_fans),
            "controversy": enough_all & (col["controversy"] >= p.amber_controversy),
            "stance": enough_st & (col["stance"] <= p.amber_stance) & ~red["critic"],
        }
    any_red = np.logical_or.reduce(list(red.values())) if n else np.zeros(0, bool)
    any_amber = np.logical_or.reduce(list(amber.values())) if n else np.zeros(0, bool)
    tier = np.where(any_red, "red", np.where(any_amber, "amber", "green")).astype(object)
    if n == 0:
        return tier, pa.array([], pa.string())

    hostile_txt = _cat(_pct(col["hostile_fan_share"]), " of core-fan replies/mentions are hostile (",
                       _int(col["hostile_fan_reactions"]), " of ", _int(col["fan_reactions"]),
                       f", sentiment < {p.hostile_below:.2f}; ")
    fan_att_txt = _cat("core fans' mean attitude toward the candidate ", _fixed(col["fan_attitude"], 2, True),
                       " over ", _int(col["fan_attitude_pairs"]), " fans (")
    shift_txt = _shift_text(metrics, p)
    who = pa.array(np.where(is_critic_kol, "critic KOL", "critic").tolist(), pa.string())
    signs = [
        _when(red["critic"], _cat(who, " of the brand: own brand stance ", _fixed(col["stance"], 2, True),
                                  " (support ", _int(col["stance_support"]), ")")),
        _when(red["hostile"], _cat(hostile_txt, f"red at >= {p.red_hostile_share:.0%})")),
        _when(red["fan_att"], _cat(fan_att_txt, f"red at <= {p.red_fan_attitude:+.2f})")),
        _when(red["shift"], _cat(shift_txt, f" (red at <= {p.red_shift:+.2f})")),
        _when(amber["hostile"], _cat(hostile_txt, f"amber at >= {p.amber_hostile_share:.0%})")),
        _when(amber["fan_att"], _cat(fan_att_txt, f"amber at <= {p.amber_fan_attitude:+.2f})")),
        _when(amber["att_fans"], _cat("the candidate's mean attitude toward core fans ",
                                      _fixed(col["attitude_to_fans"], 2, True), " over ",
                                      _int(col["attitude_to_fans_pairs"]), " fans (amber at <= ",
                                      f"{p.amber_attitude_to_fans:+.2f})")),
        _when(amber["controversy"], _cat(_pct(col["controversy"]), " of replies/mentions received are negative (",
                                         _int(col["negative_reactions"]), " of ", _int(col["reactions"]),
                                         f", sentiment < {p.negative_below:.2f}; amber at >= "
                                         f"{p.amber_controversy:.0%})")),
        _when(amber["stance"], _cat("own brand stance ", _fixed(col["stance"], 2, True), " (support ",
                                    _int(col["stance_support"]), f"; amber at <= {p.amber_stance:+.2f})")),
        _when(amber["shift"], _cat(shift_txt, f" (amber at <= {p.amber_shift:+.2f})")),
    ]
    fired = _join_present(signs, "; ", n)
    has_shift = np.isfinite(shift)
    shown_shift = red["shift"] | amber["shift"]
    # Context for every row: the what-if result (when run and not already quoted) ...
    context_shift = _when(has_shift & ~shown_shift, shift_txt)
    # ... and, for green rows, the values that were checked.
    checked = _join_present([
        _when(np.isfinite(col["stance"]), _cat("own brand stance ", _fixed(col["stance"], 2, True), " (support ",
                                                _int(col["stance_support"]), ")")),
        _when(col["fan_reactions"] > 0, _cat(_pct(col["hostile_fan_share"]), " of core-fan replies/mentions hostile (",
                                             _int(col["hostile_fan_reactions"]), " of ", _int(col["fan_reactions"]),
                                             ")")),
        _when(col["fan_reactions"] <= 0, pa.array(["no core-fan replies/mentions"] * n, pa.string())),
        _when(col["reactions"] > 0, _cat(_pct(col["controversy"]), " of reactions negative (",
                                         _int(col["negative_reactions"]), " of ", _int(col["reactions"]), ")")),
    ], ", ", n)
    green_txt = _cat("no warning sign: ", checked)
    lead = pc.if_else(pa.array(tier == "green"), green_txt, fired)
    reasons = _join_present([lead, context_shift], "; ", n)
    return tier, reasons


# --------------------------------------------------------------------------- what-if


WhatifFn = Callable[..., pd.DataFrame]
_WHATIF_COLUMNS = BATCH_COLUMNS  # core_fan_shifts: kolgraph.algorithms.whatif.batch (the what-if's own batched model)


def _default_whatif(ws, user_ids: Sequence[str], *, runs: int, seed: int, interval: float, quiet: bool,
                    config: KolgraphConfig | None = None, inputs: "ScoringInputs | None" = None,
                    on_progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Core-fan shift per candidate on a workspace (:func:`core_fan_shifts`, ``[whatif]`` priors)."""
    from .whatif import WhatIfScenario

    scen_cfg = dict((config or KolgraphConfig()).section("whatif"))
    scen_cfg.pop("candidates", None)
    scenario = params_from_mapping(WhatIfScenario, scen_cfg, "whatif", runs=runs, seed=seed)
    network = _whatif_network(ws, scenario.listen_kinds)
    if inputs is None:
        inputs = load_scoring_inputs(ws, user_ids)
    return core_fan_shifts(network, inputs.stance, inputs.attitudes, inputs.core_fans, inputs.brand_accounts,
                           user_ids, scenario, interval=interval, on_progress=on_progress)


def _whatif_network(ws, listen_kinds: Sequence[str]):
    """The simulator's sparse network from the workspace tables (Arrow hash look-ups, no per-edge loop)."""
    from ..build.graph import index_of
    from .whatif import WhatIfNetwork

    names = pd.Index(pd.read_parquet(Path(ws.path) / "vertices.parquet", columns=["user_id"])["user_id"].astype("str"),
                     dtype="str")
    edges = pd.read_parquet(Path(ws.path) / "edges.parquet", columns=["src", "dst", "kind", "count", "weight"])
    src, dst = index_of(names, edges["src"]), index_of(names, edges["dst"])
    if (src < 0).any() or (dst < 0).any():
        raise KolgraphError(f"{ws.path}: edges name users missing from vertices.parquet; rebuild the workspace")
    kind = np.asarray(pd.Categorical(edges["kind"].astype("str"), categories=list(KINDS)).codes, np.int64)
    return WhatIfNetwork.from_arrays(names, src, dst, kind, edges["weight"].to_numpy(dtype="float64"),
                                     edges["count"].to_numpy(dtype="float64"), listen_kinds=listen_kinds)


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class ScoreResult:
    """A scored candidate list: ``table`` (one row per input row, in the documented order) and how.

    ``counts``: rows per status and per tier; ``parameters``: the thresholds, seed, runs and
    sources; ``renamed``: input columns renamed because scoring writes a column of that name.
    """

    table: pd.DataFrame = field(repr=False)
    parameters: Mapping[str, Any] = field(repr=False)
    counts: Mapping[str, int]
    handle_column: str
    handle_source: str
    renamed: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    method: str = "kolgraph.scoring"
    path: Path | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __len__(self) -> int:
        return len(self.table)

    def best(self, n: int = 10) -> pd.DataFrame:
        """The best ``n`` scored rows: lowest risk, then highest reach, then highest predicted shift.

        Only ``ok`` rows, brand accounts left out (the brand cannot partner with itself).
        """
        t = self.table
        ok = t[(t["status"] == "ok").to_numpy() & ~has_role(t["roles"], "brand_account")]
        rank = ok["risk_tier"].map({"green": 0, "amber": 1, "red": 2}).fillna(3).to_numpy()
        pr = -ok["pagerank_pct"].to_numpy(dtype="float64", na_value=np.nan)
        sh = -ok["whatif_shift"].to_numpy(dtype="float64", na_value=np.nan)
        order = np.lexsort((ok["input_row"].to_numpy(), np.nan_to_num(sh, nan=np.inf),
                            np.nan_to_num(pr, nan=np.inf), rank))
        return ok.iloc[order[:max(int(n), 0)]]

    def top_table(self, n: int = 10) -> str:
        """The best ``n`` rows as a fixed-width text table (for ``--top``)."""
        best = self.best(n)
        head = (f"{'#':>3} {'row':>5} {'tier':<6} {'user_id':<20} {'display_name':<16} {'PR pct':>6} "
                f"{'engagers':>8} {'fan share':>9} {'stance':>6} {'shift':>7} {'90% interval':>16}")
        lines = [f"best {len(best)} of {self.counts.get('ok', 0):,} scored candidates "
                 "(lowest risk, then highest reach):", head]
        for i, row in enumerate(best.itertuples(index=False), start=1):
            name = "" if pd.isna(row.display_name) else str(row.display_name)
            interval = ("" if pd.isna(row.whatif_low) else f"[{row.whatif_low:+.3f}, {row.whatif_high:+.3f}]")
            shift = "" if pd.isna(row.whatif_shift) else f"{row.whatif_shift:+.3f}"
            lines.append(f"{i:>3} {int(row.input_row):>5} {str(row.risk_tier):<6} {str(row.user_id)[:20]:<20} "
                         f"{_clip(name, 16)} {_num(row.pagerank_pct, 1):>6} {_num(row.distinct_engagers, 0):>8} "
                         f"{_num(100 * row.core_fan_share, 0, '%'):>9} {_num(row.stance, 2):>6} {shift:>7} "
                         f"{interval:>16}")
        return "\n".join(lines)

    def summary_line(self) -> str:
        c = self.counts
        tiers = ", ".join(f"{c.get(t, 0):,} {t}" for t in TIERS)
        others = ", ".join(f"{c.get(s, 0):,} {s}" for s in STATUSES[1:] if c.get(s, 0))
        whatif = (f"what-if {self.parameters.get('whatif_runs')} runs, seed {self.seed}"
                  if self.parameters.get("whatif") else "what-if not run")
        where = f" -> {self.path}" if self.path else ""
        return (f"scored {len(self.table):,} rows: {c.get('ok', 0):,} ok ({tiers})"
                + (f", {others}" if others else "") + f"; {whatif}{where}")


def _num(v: Any, decimals: int, suffix: str = "") -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(f) else f"{f:.{decimals}f}{suffix}"


def _clip(text: str, width: int) -> str:
    """Cut and pad text to a display width (wide CJK characters count double), for the --top table.

    Returns a string whose ``len`` may be less than ``width``: the caller pads with ``:<width``
    minus the extra display width of wide characters, so columns line up in a terminal.
    """
    out, used = [], 0
    for ch in " ".join(str(text).split()):
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


# --------------------------------------------------------------------------- orchestration


def _resolve_params(cfg: KolgraphConfig, params: ScoringParams | None, runs: int | None) -> ScoringParams:
    if params is not None:
        return params if runs is None else ScoringParams(**{**asdict(params), "whatif_runs": runs})
    return params_from_mapping(ScoringParams, cfg.section("scoring"), "scoring", whatif_runs=runs)


def score_candidates(workspace, candidates: CandidateTable | str | os.PathLike, *,
                     handle_column: str | None = None, config: KolgraphConfig | str | os.PathLike | None = None,
                     params: ScoringParams | None = None, runs: int | None = None, seed: int = 0,
                     whatif: bool | WhatifFn = True, quiet: bool = True) -> ScoreResult:
    """Score a candidate list against an analysed workspace (module docstring for every column and rule).

    ``candidates``: a :class:`~kolgraph.candidates.CandidateTable` or a file path (read with
    :func:`~kolgraph.candidates.read_candidates`). ``params`` (or the config's ``[scoring]``
    section, with ``runs`` overriding ``whatif_runs``) sets the thresholds. ``whatif=False`` skips
    the simulation (tiers then rest on the other signs); a callable replaces the simulator (tests).
    ``seed`` drives the what-if draws; the same inputs and seed give the same table.

    Example::

        res = score_candidates("ws", "candidates.csv", seed=0)
        print(res.summary_line()); print(res.top_table(10))
    """
    from ..build.workspace import Workspace, open_workspace

    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    p = _resolve_params(cfg, params, runs)
    table = candidates if isinstance(candidates, CandidateTable) else read_candidates(candidates,
                                                                                      handle_column=handle_column)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    # ---- match handles against ids and display names (one index over all users)
    users_path = _analysis_file(ws, "users.parquet")
    names = set(pq.read_schema(users_path).names)
    lk = pq.read_table(users_path, columns=[c for c in ("user_id", "display_name", "pagerank") if c in names])
    lk = lk.to_pandas()
    rank = -pd.to_numeric(lk["pagerank"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) \
        if "pagerank" in lk else None
    index = HandleIndex.from_users(lk["user_id"].astype("str"), lk["display_name"] if "display_name" in lk else None,
                                   rank=rank)
    del lk
    match = resolve_candidates(table.handles, index)
    timings["match"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()

    ok = (match["status"] == "ok").to_numpy()
    scored_ids = list(dict.fromkeys(match.loc[ok, "user_id"].astype("str")))
    bar = progress(total=len(scored_ids), quiet=quiet, desc="score", unit="candidate")
    try:
        inputs = load_scoring_inputs(ws, scored_ids)
        timings["load"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        metrics = candidate_metrics(scored_ids, inputs, params=p)
        timings["metrics"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        whatif_note = "not run"
        if whatif and scored_ids:
            brand = set(inputs.brand_accounts)
            sim_ids = [u for u in scored_ids if u not in brand]
            fn = whatif if callable(whatif) else _default_whatif
            shifts = fn(ws, sim_ids, runs=p.whatif_runs, seed=seed, interval=p.interval, quiet=True, config=cfg,
                        inputs=inputs, on_progress=bar.update) if sim_ids else \
                pd.DataFrame({c: [] for c in _WHATIF_COLUMNS})
            sh = shifts.assign(user_id=shifts["user_id"].astype("str")).drop_duplicates("user_id").set_index("user_id")
            sh = sh.reindex(pd.Index(metrics["user_id"].astype("str")))
            for c in ("whatif_shift", "whatif_low", "whatif_high"):
                metrics[c] = pd.to_numeric(sh[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            metrics["whatif_runs"] = pd.to_numeric(sh["whatif_runs"], errors="coerce").fillna(0).to_numpy(
                dtype=np.int64)
            whatif_note = f"{p.whatif_runs} runs"
        bar.update(len(scored_ids) - bar.n)
        timings["whatif"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
    finally:
        bar.close()
    tier, reasons = risk_tiers(metrics, p)
    metrics["risk_tier"] = pd.array(tier, dtype="str")
    metrics["reasons"] = pd.array(reasons, dtype="str")
    brand = np.isin(metrics["user_id"].astype("str").to_numpy(), list(inputs.brand_accounts))
    if brand.any():
        note = "a brand account (no partnership to simulate)"
        metrics.loc[brand, "reasons"] = (note + "; " + metrics.loc[brand, "reasons"].astype("str")).to_numpy()
    if whatif is False and len(metrics):
        metrics["reasons"] = (metrics["reasons"].astype("str") + "; what-if not run").to_numpy()

    out = _assemble(table, match, metrics, p)
    timings["tiers"] = round(time.perf_counter() - clock, 3)
    status_counts = out["status"].value_counts()
    counts = {s: int(status_counts.get(s, 0)) for s in STATUSES}
    tier_counts = out.loc[out["status"] == "ok", "risk_tier"].value_counts()
    counts.update({t: int(tier_counts.get(t, 0)) for t in TIERS})
    renamed = out.attrs.pop("renamed", {})
    parameters = {**p.to_dict(), "seed": seed, "whatif": bool(whatif) and bool(scored_ids),
                  "whatif_note": whatif_note, "workspace": str(ws.path), "candidates": table.path,
                  "handle_column": table.handle_column, "handle_source": table.handle_source,
                  "timings_seconds": timings}
    return ScoreResult(table=out, parameters=parameters, counts=counts, handle_column=table.handle_column,
                       handle_source=table.handle_source, renamed=renamed, seed=seed)


def _assemble(table: CandidateTable, match: pd.DataFrame, metrics: pd.DataFrame, p: ScoringParams) -> pd.DataFrame:
    """One output row per input row: input columns, then status, tier, reasons, match and metrics; sorted."""
    n = len(table)
    inp = table.frame.copy()
    ours = set(OUTPUT_COLUMNS) | {"input_row"}
    renamed: dict[str, str] = {}
    for c in list(inp.columns):
        if c in ours:
            new = f"{c}_input"
            while new in inp.columns or new in ours:
                new += "_"
            renamed[c] = new
    inp = inp.rename(columns=renamed)
    has = match["user_id"].notna().to_numpy() & match["status"].isin(["ok", "duplicate"]).to_numpy()
    pos = pd.Index(metrics["user_id"].astype("str")).get_indexer(match["user_id"].fillna("").astype("str"))
    pos = np.where(has, pos, -1)
    joined = metrics.drop(columns=["user_id"]).reset_index(drop=True).reindex(pos).reset_index(drop=True)
    joined = _typed(joined)
    status = match["status"].astype("str")
    reasons = joined["reasons"].astype(object).to_numpy() if "reasons" in joined else np.full(n, None, object)
    reasons = np.array(reasons, dtype=object)
    dup = (status == "duplicate").to_numpy()
    dup_of = match["duplicate_of"].astype("Int64")
    if dup.any():
        prefix = ("same account as row " + dup_of[dup].astype("str")).to_numpy(dtype=object)
        base = np.where(pd.isna(reasons[dup]), "", "; " + reasons[dup].astype(str))
        base = np.where(match.loc[dup, "user_id"].isna().to_numpy(), "; not scored (" +
                        np.where(match.loc[dup, "match_candidates"].notna().to_numpy(), "ambiguous", "unknown")
                        + " handle)", base)
        reasons[dup] = prefix + base
    unk = (status == "unknown").to_numpy()
    reasons[unk] = "not in the graph: no user id or display name matches '" + match.loc[unk, "handle_key"].astype(
        "str").to_numpy(dtype=object) + "' (the analysed workspace has no interactions of this account)"
    amb = (status == "ambiguous").to_numpy()
    reasons[amb] = ("ambiguous: several users match by " + match.loc[amb, "match_method"].astype("str").str.replace(
        "_", " ").to_numpy(dtype=object) + " (" + match.loc[amb, "match_candidates"].astype("str").to_numpy(
        dtype=object) + "); give the user id instead")
    blank = (status == "blank").to_numpy()
    reasons[blank] = "blank handle: nothing to score"
    tier = joined["risk_tier"].astype(object).to_numpy() if "risk_tier" in joined else np.full(n, None, object)
    tier = np.where(status.isin(["ok", "duplicate"]).to_numpy(), tier, None)
    front = pd.DataFrame({
        "status": pd.array(status.to_numpy(), dtype="str"),
        "risk_tier": pd.array(tier, dtype="str"),
        "reasons": pd.array(reasons, dtype="str"),
        "user_id": pd.array(match["user_id"].astype(object).where(match["user_id"].notna(), None), dtype="str"),
        "match_method": pd.array(match["match_method"].astype(object).where(match["match_method"].notna(), None),
                                 dtype="str"),
        "match_candidates": pd.array(match["match_candidates"].astype(object).where(
            match["match_candidates"].notna(), None), dtype="str"),
        "duplicate_of": dup_of.to_numpy(),
        "handle_normalised": pd.array(match["handle_key"], dtype="str"),
    })
    front["duplicate_of"] = pd.array(front["duplicate_of"], dtype="Int64")
    body = joined[list(METRIC_COLUMNS)]
    lead = pd.DataFrame({"input_row": match["input_row"].to_numpy(dtype=np.int64)})
    out = pd.concat([lead, inp.reset_index(drop=True), front, body], axis=1)
    # ---- order: ok rows by tier, shift, input order; then the rest in input order
    is_ok = (out["status"] == "ok").to_numpy()
    tier_rank = out["risk_tier"].map({"red": 0, "amber": 1, "green": 2}).fillna(3).to_numpy(dtype="float64")
    shift = pd.to_numeric(out["whatif_shift"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((out["input_row"].to_numpy(),
                        np.where(is_ok, np.nan_to_num(shift, nan=np.inf), 0.0),
                        np.where(is_ok, tier_rank, 0.0),
                        ~is_ok))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs["renamed"] = renamed
    return out


def score_file(workspace, candidates: str | os.PathLike, out: str | os.PathLike, *,
               handle_column: str | None = None, config: KolgraphConfig | str | os.PathLike | None = None,
               params: ScoringParams | None = None, runs: int | None = None, seed: int = 0,
               whatif: bool = True, quiet: bool = True) -> ScoreResult:
    """Read a candidate list, score it (:func:`score_candidates`) and write the table to ``out``.

    The output format follows the extension of ``out`` (``.csv``, ``.tsv``, ``.json``, ``.jsonl``,
    ``.parquet``), written atomically; the run is recorded in the workspace manifest
    (``results.score``).
    """
    from .._io import TABLE_FORMATS
    from ..build.workspace import Workspace, open_workspace

    out = Path(out)
    suffixes = [s.lower().lstrip(".") for s in out.suffixes if s.lower() != ".gz"]
    if not suffixes or suffixes[-1] not in TABLE_FORMATS:
        raise ConfigError(f"{out}: unknown output format; end the file name with one of "
                          + ", ".join("." + f for f in TABLE_FORMATS))
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    result = score_candidates(ws, candidates, handle_column=handle_column, config=config, params=params, runs=runs,
                              seed=seed, whatif=whatif, quiet=quiet)
    write_table(_for_output(result.table, suffixes[-1]), out)
    try:
        params = {k: v for k, v in result.parameters.items() if k != "timings_seconds"}
        ws.record_result("score", {"output": str(out), "counts": dict(result.counts), "parameters": params})
    except OSError:
        pass  # a read-only workspace still scores; the output file is what matters
    return ScoreResult(table=result.table, parameters=result.parameters, counts=result.counts,
                       handle_column=result.handle_column, handle_source=result.handle_source,
                       renamed=result.renamed, seed=result.seed, path=out)


def _for_output(table: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Make mixed object columns writable (Parquet needs one type per column)."""
    if fmt != "parquet":
        return table
    out = table.copy()
    for c in out.columns:
        if out[c].dtype == object:
            kinds = {type(v) for v in out[c].dropna().tolist()}
            if len(kinds) > 1:
                out[c] = out[c].astype("str").where(out[c].notna(), None)
    return out
