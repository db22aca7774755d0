"""Roles with reasons: KOL, core fan, critic, critic KOL, bridge, brand bridge, amplifier (methods page, section 3).

Roles are tags; a user may hold several. :func:`assign_roles` is a pure function of a per-user
metric table (built by :func:`kolgraph.runs.analyze.analyze_workspace` from centrality, communities and
stance) and returns, per user, the "|"-joined tags and a "; "-joined text of reasons in which every
tag names the metric values and the thresholds that made it, e.g.
``core_fan: stance 0.62 >= 0.30 (support 7 >= 3), 9 brand interactions >= 3, coreness 6 >= community 0 median 4``.

Rules (every threshold is a field of :class:`RoleParams`; defaults in brackets):

- **kol**: PageRank rank <= ``max(kol_min_count [20], ceil(kol_top_share [1%] x users))`` (ties share
  the better rank) and at least ``kol_min_engagers`` [20] distinct engagers.
- **core_fan**: stance >= ``core_fan_min_stance`` [0.3] with support >= ``core_fan_min_support`` [3],
  at least ``core_fan_min_brand_interactions`` [3] interactions with brand accounts, and a member of
  a *brand community* with coreness >= that community's ``core_fan_coreness_quantile`` [0.5, the
  median] coreness. Brand communities: each community's *brand engagement* is the number of
  interactions its members (brand accounts excluded) direct at brand accounts; the community with
  the most is a brand community, and so is every community holding at least
  ``brand_community_min_share`` [20%] of all brand engagement (there may be several).
- **critic**: stance <= ``critic_max_stance`` [-0.3] with support >= ``critic_min_support`` [3].
- **critic_kol**: critic and kol.
- **bridge**: participation coefficient >= ``bridge_min_participation`` [0.5] with degree (distinct
  neighbours in the undirected projection) >= ``bridge_min_degree`` [5], or betweenness rank within
  the top ``bridge_top_betweenness_share`` [1%] (betweenness > 0).
- **brand_bridge**: a bridge with at least ``brand_bridge_min_share`` [10%] of its tie weight to
  members of brand communities and at least that share to members of other communities (needs
  ``links``; without them no brand bridges are assigned, noted in ``parameters``).
- **amplifier**: repost out-strength rank within the top ``amplifier_top_share`` [5%] (> 0) and
  in-strength (weighted engagement received) <= ``amplifier_max_in_strength`` [1.0, one repost or
  two replies].
- **brand_account**: a configured brand account. Brand accounts are never tagged core_fan or critic
  (a brand is not its own fan); they can be KOLs, bridges and amplifiers.

All string building is vectorised (pyarrow compute), and only for the users holding each tag.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import KolgraphError

__all__ = ["ROLE_TAGS", "RoleParams", "RoleResult", "assign_roles", "brand_communities", "brand_link_share",
           "format_fixed", "format_number", "has_role"]

#: Role tags in the order they are listed in ``roles``.
ROLE_TAGS: tuple[str, ...] = ("brand_account", "kol", "core_fan", "critic", "critic_kol", "bridge",
                              "brand_bridge", "amplifier")

#: Metric columns each rule reads.
_NEEDS: dict[str, tuple[str, ...]] = {
    "kol": ("pagerank", "distinct_engagers"),
    "core_fan": ("stance", "stance_support", "brand_interactions", "community", "coreness"),
    "critic": ("stance", "stance_support"),
    "bridge": ("participation", "degree", "betweenness"),
    "amplifier": ("out_strength_repost", "in_strength"),
}


@dataclass(frozen=True)
class RoleParams:
    """Every threshold of the role rules (config section ``[roles]``); see the module docstring."""

    kol_top_share: float = 0.01
    kol_min_count: int = 20
    kol_min_engagers: int = 20
    core_fan_min_stance: float = 0.3
    core_fan_min_support: int = 3
    core_fan_min_brand_interactions: int = 3
    core_fan_coreness_quantile: float = 0.5
    brand_community_min_share: float = 0.2
    critic_max_stance: float = -0.3
    critic_min_support: int = 3
    bridge_min_participation: float = 0.5
    bridge_min_degree: int = 5
    bridge_top_betweenness_share: float = 0.01
    brand_bridge_min_share: float = 0.1
    amplifier_top_share: float = 0.05
    amplifier_max_in_strength: float = 1.0

    def __post_init__(self) -> None:
        for name in ("kol_top_share", "bridge_top_betweenness_share", "amplifier_top_share"):
            v = float(getattr(self, name))
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be a share in [0, 1], got {v!r}")
        for name in ("kol_min_count", "kol_min_engagers", "core_fan_min_support", "core_fan_min_brand_interactions",
                     "critic_min_support", "bridge_min_degree"):
            v = getattr(self, name)
            if isinstance(v, bool) or int(v) != v or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
            object.__setattr__(self, name, int(v))
        for name in ("core_fan_min_stance", "critic_max_stance"):
            v = float(getattr(self, name))
            if not -1.0 <= v <= 1.0:
                raise ValueError(f"{name} must be in [-1, 1], got {v!r}")
        for name in ("core_fan_coreness_quantile", "brand_community_min_share", "bridge_min_participation"):
            v = float(getattr(self, name))
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {v!r}")
        if not 0.0 <= float(self.brand_bridge_min_share) <= 0.5:
            raise ValueError(f"brand_bridge_min_share must be in [0, 0.5], got {self.brand_bridge_min_share!r}")
        if not (math.isfinite(float(self.amplifier_max_in_strength)) and self.amplifier_max_in_strength >= 0):
            raise ValueError(f"amplifier_max_in_strength must be >= 0, got {self.amplifier_max_in_strength!r}")


@dataclass(frozen=True)
class RoleResult:
    """Tags and reasons per user (in the metric table's row order).

    ``flags`` maps each tag of :data:`ROLE_TAGS` to a bool array; ``communities`` has one row per
    community (community, brand_engagement, brand_engagement_share, is_brand, coreness_cutoff);
    ``brand_communities`` lists the brand communities' ids.
    """

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    user_ids: pd.Index
    flags: Mapping[str, np.ndarray] = field(repr=False)
    roles: pd.Series = field(repr=False)
    reasons: pd.Series = field(repr=False)
    brand_communities: tuple[int, ...] = ()
    communities: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """user_id, roles ("|"-joined tags, "" for none), reasons ("; "-joined, "" for none)."""
        return pd.DataFrame({"user_id": pd.array(self.user_ids, dtype="str"),
                             "roles": self.roles.to_numpy(), "reasons": self.reasons.to_numpy()})

    def flag_frame(self) -> pd.DataFrame:
        """user_id plus one bool column ``is_<tag>`` per tag."""
        out = pd.DataFrame({"user_id": pd.array(self.user_ids, dtype="str")})
        for tag in ROLE_TAGS:
            out[f"is_{tag}"] = self.flags[tag]
        return out

    def counts(self) -> dict[str, int]:
        """Users per tag."""
        return {tag: int(self.flags[tag].sum()) for tag in ROLE_TAGS}

    def holders(self, tag: str) -> pd.Index:
        """User ids holding ``tag``."""
        return self.user_ids[self.flags[tag]]


# --------------------------------------------------------------------------- vectorised formatting


def format_fixed(values: Any, decimals: int = 2) -> pa.Array:
    """Numbers as fixed-point strings (``-0.62``, ``7``), vectorised with Arrow; NaN gives ``nan``."""
    v = np.asarray(values, dtype="float64")
    finite = np.isfinite(v)
    scale = 10 ** int(decimals)
    scaled = np.round(np.abs(np.where(finite, v, 0.0)) * scale).astype(np.int64)
    whole = pc.cast(pa.array(scaled // scale), pa.string())
    if decimals > 0:
        frac = pc.utf8_lpad(pc.cast(pa.array(scaled % scale), pa.string()), width=int(decimals), padding="0")
        text = pc.binary_join_element_wise(whole, frac, ".")
    else:
        text = whole
    text = pc.if_else(pa.array((v < 0) & (scaled > 0)), pc.binary_join_element_wise("-", text, ""), text)
    return pc.if_else(pa.array(finite), text, pa.scalar("nan"))


def format_number(values: Any, decimals: int = 2) -> pa.Array:
    """Like :func:`format_fixed`, but whole numbers lose their decimals (``4`` and ``4.50``)."""
    v = np.asarray(values, dtype="float64")
    whole = np.isfinite(v) & (np.round(v, int(decimals)) == np.round(v))
    return pc.if_else(pa.array(whole), format_fixed(v, 0), format_fixed(v, decimals))


def _join(*parts: Any) -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and Python strings."""
    arrays = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _join_present(arrays: list[pa.Array], sep: str) -> pa.Array:
    """Join the non-null values of each row with ``sep`` ("" when a row has none).

    A leading all-"" column keeps rows whose values are all null (pyarrow's ``null_handling="skip"``
    drops such rows otherwise); the separator it adds in front is sliced off.
    """
    n = len(arrays[0])
    joined = pc.binary_join_element_wise(pa.array([""] * n, pa.string()), *arrays, sep, null_handling="skip")
    return pc.utf8_slice_codeunits(joined, len(sep))


def _int_str(values: Any) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


# --------------------------------------------------------------------------- helpers


def _rank_desc(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest; ties share the better (smaller) rank; NaN ranks last."""
    v = np.where(np.isnan(values), -np.inf, values)
    return pd.Series(v).rank(method="min", ascending=False).to_numpy(dtype=np.int64)


def _top_count(n: int, share: float, minimum: int = 0) -> int:
    return min(n, max(int(minimum), math.ceil(share * n - 1e-9)))


def _column(metrics: pd.DataFrame, name: str, dtype: str = "float64") -> np.ndarray:
    return pd.to_numeric(metrics[name], errors="coerce").to_numpy(dtype=dtype, na_value=np.nan)


def brand_communities(metrics: pd.DataFrame, *, brand_accounts: Iterable[str] = (),
                      params: RoleParams | None = None) -> pd.DataFrame:
    """Per community: brand engagement (interactions of non-brand members with brand accounts), its
    share, whether it is a brand community, and the coreness cutoff for core fans.

    Needs columns user_id, community, brand_interactions, coreness. Rows sorted by community id.
    """
    params = params or RoleParams()
    comm = pd.to_numeric(metrics["community"], errors="coerce").to_numpy(dtype="float64")
    valid = np.isfinite(comm) & (comm >= 0)
    comm_i = np.where(valid, comm, -1).astype(np.int64)
    is_brand = metrics["user_id"].astype("str").isin(list(brand_accounts)).to_numpy(dtype=bool)
    engagement = np.nan_to_num(_column(metrics, "brand_interactions"))
    engagement = np.where(is_brand, 0.0, engagement)
    k = int(comm_i.max()) + 1 if valid.any() else 0
    per = np.bincount(comm_i[valid], weights=engagement[valid], minlength=k)
    size = np.bincount(comm_i[valid], minlength=k)
    total = per.sum()
    share = per / total if total > 0 else np.zeros(k)
    brand = share >= params.brand_community_min_share
    if total > 0:
        brand[np.argmax(per)] = True
    brand &= per > 0
    coreness = pd.Series(_column(metrics, "coreness")[valid])
    cutoff = coreness.groupby(comm_i[valid]).quantile(params.core_fan_coreness_quantile).reindex(range(k))
    out = pd.DataFrame({"community": np.arange(k, dtype=np.int64), "size": size.astype(np.int64),
                        "brand_engagement": per.astype(np.int64), "brand_engagement_share": share,
                        "is_brand": brand, "coreness_cutoff": cutoff.to_numpy(dtype="float64")})
    return out[out["size"] > 0].reset_index(drop=True)


def _positions(column: pd.Series, user_ids: pd.Index) -> np.ndarray:
    """Integer positions in ``user_ids``: integer columns are positions already; ids are looked up
    once per distinct id."""
    if pd.api.types.is_integer_dtype(column.dtype):
        pos = column.to_numpy(dtype=np.int64)
        return np.where((pos >= 0) & (pos < len(user_ids)), pos, -1)
    codes, uniques = pd.factorize(column.astype("str"))
    where = np.asarray(user_ids.get_indexer(pd.Index(uniques, dtype="str")), dtype=np.int64) if len(uniques) \
        else np.array([], np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes >= 0, where[np.maximum(codes, 0)] if len(where) else -1, -1)


def brand_link_share(user_ids: pd.Index, community: np.ndarray, brand: np.ndarray, links: pd.DataFrame) -> np.ndarray:
    """Share of each user's tie weight (undirected, self-loops dropped) going to members of brand
    communities; NaN for users without ties. ``community`` per user (-1 none), ``brand`` a bool per
    community id; ``links`` has src, dst (user ids, or integer row positions in ``user_ids``) and
    optionally weight (one per row otherwise)."""
    n = len(user_ids)
    a, b = (_positions(links[c], user_ids) for c in ("src", "dst"))
    w = (pd.to_numeric(links["weight"], errors="coerce").to_numpy(dtype="float64", na_value=0.0)
         if "weight" in links else np.ones(len(links)))
    ok = (a >= 0) & (b >= 0) & (a != b) & (w > 0)
    a, b, w = a[ok], b[ok], w[ok]
    comm = np.asarray(community, dtype=np.int64)
    brand = np.asarray(brand, dtype=bool)
    member_of_brand = np.zeros(n, dtype=bool)  # per user: in a brand community
    ok_c = (comm >= 0) & (comm < len(brand))
    member_of_brand[ok_c] = brand[comm[ok_c]]
    ends = np.r_[a, b]
    other = np.r_[b, a]
    ww = np.r_[w, w]
    total = np.bincount(ends, weights=ww, minlength=n)
    to_brand = np.bincount(ends, weights=ww * member_of_brand[other], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, to_brand / total, np.nan)


# --------------------------------------------------------------------------- the rules


def assign_roles(metrics: pd.DataFrame, *, brand_accounts: Iterable[str] = (), params: RoleParams | None = None,
                 links: pd.DataFrame | None = None) -> RoleResult:
    """Tag every user of ``metrics`` with roles and reasons (module docstring for the rules).

    ``metrics``: one row per user with user_id and the columns the rules read: pagerank,
    distinct_engagers (kol); stance, stance_support, brand_interactions, community, coreness
    (core_fan, critic); participation, degree, betweenness (bridge); out_strength_repost,
    in_strength (amplifier). ``links``: tie table (src, dst, weight) for brand bridges; src and
    dst are user ids, or integer row positions in ``metrics``.
    A missing column raises an error naming it and the rule that needs it.
    """
    params = params or RoleParams()
    missing = {rule: [c for c in cols if c not in metrics] for rule, cols in _NEEDS.items()}
    missing = {rule: cols for rule, cols in missing.items() if cols}
    if "user_id" not in metrics or missing:
        detail = "; ".join(f"{rule} needs {', '.join(cols)}" for rule, cols in missing.items())
        raise KolgraphError(f"assign_roles: metric table lacks columns ({detail or 'user_id'})")
    brand_accounts = tuple(dict.fromkeys(str(a) for a in brand_accounts))
    user_ids = pd.Index(metrics["user_id"].astype("str"), dtype="str", name="user_id")
    n = len(user_ids)
    flags: dict[str, np.ndarray] = {}
    reasons: dict[str, tuple[np.ndarray, pa.Array]] = {}
    derived: dict[str, Any] = {}

    def put(tag: str, mask: np.ndarray, build) -> None:
        flags[tag] = mask
        idx = np.flatnonzero(mask)
        text = build(idx) if idx.size else pa.array([], pa.string())
        reasons[tag] = (idx, text)

    is_brand = user_ids.isin(list(brand_accounts)) if brand_accounts else np.zeros(n, dtype=bool)
    is_brand = np.asarray(is_brand, dtype=bool)
    put("brand_account", is_brand, lambda idx: pa.array(["brand_account: configured brand account"] * len(idx)))

    # --- KOL
    pr = _column(metrics, "pagerank")
    engagers = np.nan_to_num(_column(metrics, "distinct_engagers"))
    k_kol = _top_count(n, params.kol_top_share, params.kol_min_count)
    pr_rank = _rank_desc(pr)
    kol = (pr_rank <= k_kol) & np.isfinite(pr) & (engagers >= params.kol_min_engagers)
    derived["kol_rank_cutoff"] = k_kol
    share_txt = f"top {params.kol_top_share:.0%}, at least {params.kol_min_count}"
    put("kol", kol, lambda idx: _join(
        "kol: PageRank rank ", _int_str(pr_rank[idx]), f" <= {k_kol} ({share_txt}), ",
        _int_str(engagers[idx]), f" distinct engagers >= {params.kol_min_engagers}"))

    # --- stance
    stance = _column(metrics, "stance")
    support = np.nan_to_num(_column(metrics, "stance_support"))
    stance_ok = np.isfinite(stance)

    # --- core fans
    comm_raw = _column(metrics, "community")
    comm = np.where(np.isfinite(comm_raw) & (comm_raw >= 0), comm_raw, -1).astype(np.int64)
    ctable = brand_communities(metrics, brand_accounts=brand_accounts, params=params)
    k_comm = int(ctable["community"].max()) + 1 if len(ctable) else 0
    brand_flag = np.zeros(k_comm, dtype=bool)
    brand_flag[ctable["community"].to_numpy()] = ctable["is_brand"].to_numpy(dtype=bool)
    cutoff = np.full(k_comm, np.nan)
    cutoff[ctable["community"].to_numpy()] = ctable["coreness_cutoff"].to_numpy(dtype="float64")
    in_range = (comm >= 0) & (comm < k_comm)
    safe = np.where(in_range, comm, 0)
    user_brand_comm = in_range & (brand_flag[safe] if k_comm else np.zeros(n, dtype=bool))
    user_cutoff = np.where(in_range, cutoff[safe] if k_comm else np.nan, np.nan)
    coreness = _column(metrics, "coreness")
    brand_int = np.nan_to_num(_column(metrics, "brand_interactions"))
    core_fan = (stance_ok & (stance >= params.core_fan_min_stance) & (support >= params.core_fan_min_support)
                & (brand_int >= params.core_fan_min_brand_interactions) & user_brand_comm
                & (coreness >= user_cutoff) & ~is_brand)
    q = params.core_fan_coreness_quantile
    q_name = "median" if q == 0.5 else f"{q:.0%} quantile"
    put("core_fan", core_fan, lambda idx: _join(
        "core_fan: stance ", format_fixed(stance[idx]), f" >= {params.core_fan_min_stance:.2f} (support ",
        _int_str(support[idx]), f" >= {params.core_fan_min_support}), ", _int_str(brand_int[idx]),
        f" brand interactions >= {params.core_fan_min_brand_interactions}, coreness ",
        format_fixed(coreness[idx], 0), " >= community ", _int_str(comm[idx]), f" {q_name} ",
        format_number(user_cutoff[idx])))

    # --- critics
    critic = (stance_ok & (stance <= params.critic_max_stance) & (support >= params.critic_min_support) & ~is_brand)
    put("critic", critic, lambda idx: _join(
        "critic: stance ", format_fixed(stance[idx]), f" <= {params.critic_max_stance:.2f} (support ",
        _int_str(support[idx]), f" >= {params.critic_min_support})"))
    put("critic_kol", critic & kol, lambda idx: pa.array(["critic_kol: critic and kol"] * len(idx)))

    # --- bridges
    part = _column(metrics, "participation")
    degree = np.nan_to_num(_column(metrics, "degree"))
    btw = _column(metrics, "betweenness")
    k_btw = _top_count(n, params.bridge_top_betweenness_share)
    btw_rank = _rank_desc(btw)
    by_part = np.isfinite(part) & (part >= params.bridge_min_participation) & (degree >= params.bridge_min_degree)
    by_btw = (btw_rank <= k_btw) & np.isfinite(btw) & (btw > 0)
    bridge = by_part | by_btw
    derived["betweenness_rank_cutoff"] = k_btw

    def bridge_text(idx: np.ndarray) -> pa.Array:
        p_txt = _join("participation ", format_fixed(part[idx]), f" >= {params.bridge_min_participation:.2f} "
                      "with degree ", _int_str(degree[idx]), f" >= {params.bridge_min_degree}")
        b_txt = _join("betweenness rank ", _int_str(btw_rank[idx]),
                      f" <= {k_btw} (top {params.bridge_top_betweenness_share:.0%})")
        p_txt = pc.if_else(pa.array(by_part[idx]), p_txt, pa.scalar(None, pa.string()))
        b_txt = pc.if_else(pa.array(by_btw[idx]), b_txt, pa.scalar(None, pa.string()))
        return _join("bridge: ", _join_present([p_txt, b_txt], " and "))

    put("bridge", bridge, bridge_text)

    # --- brand bridges
    if links is not None and k_comm:
        share = brand_link_share(user_ids, comm, brand_flag, links)
        m = params.brand_bridge_min_share
        bb = bridge & np.isfinite(share) & (share >= m) & (1 - share >= m)
        ids_txt = ", ".join(str(c) for c in np.flatnonzero(brand_flag))
        put("brand_bridge", bb, lambda idx: _join(
            "brand_bridge: ", format_fixed(100 * share[idx], 0), f"% of ties to brand communities ({ids_txt}) >= "
            f"{m:.0%}, ", format_fixed(100 * (1 - share[idx]), 0), f"% to other communities >= {m:.0%}"))
        derived["brand_bridge"] = "assigned from links"
    else:
        put("brand_bridge", np.zeros(n, dtype=bool), lambda idx: pa.array([], pa.string()))
        derived["brand_bridge"] = "not assigned: no links given" if links is None else "not assigned: no brand community"

    # --- amplifiers
    rep = np.nan_to_num(_column(metrics, "out_strength_repost"))
    in_s = np.nan_to_num(_column(metrics, "in_strength"))
    k_amp = _top_count(n, params.amplifier_top_share)
    rep_rank = _rank_desc(rep)
    amplifier = (rep_rank <= k_amp) & (rep > 0) & (in_s <= params.amplifier_max_in_strength)
    derived["amplifier_rank_cutoff"] = k_amp
    put("amplifier", amplifier, lambda idx: _join(
        "amplifier: repost out-strength ", format_fixed(rep[idx], 1), " rank ", _int_str(rep_rank[idx]),
        f" <= {k_amp} (top {params.amplifier_top_share:.0%}), in-strength ", format_fixed(in_s[idx], 1),
        f" <= {params.amplifier_max_in_strength:.1f}"))

    roles, reason_text = _combine(n, flags, reasons)
    parameters = {**asdict(params), **derived, "brand_accounts": list(brand_accounts),
                  "brand_communities": [int(c) for c in np.flatnonzero(brand_flag)], "users": n}
    return RoleResult(method="rules", parameters=parameters, seed=None, user_ids=user_ids, flags=flags,
                      roles=roles, reasons=reason_text,
                      brand_communities=tuple(int(c) for c in np.flatnonzero(brand_flag)), communities=ctable)


def _combine(n: int, flags: Mapping[str, np.ndarray], reasons: Mapping[str, tuple[np.ndarray, pa.Array]]):
    """"|"-joined tags and "; "-joined reasons per user, in :data:`ROLE_TAGS` order (vectorised)."""
    null = pa.scalar(None, pa.string())
    tag_cols, reason_cols = [], []
    for tag in ROLE_TAGS:
        mask = flags[tag]
        tag_cols.append(pc.if_else(pa.array(mask), pa.scalar(tag), null))
        idx, text = reasons[tag]
        full = np.full(n, -1, dtype=np.int64)
        full[idx] = np.arange(idx.size)
        taken = pc.take(text, pa.array(np.where(full >= 0, full, 0))) if idx.size else pa.nulls(n, pa.string())
        reason_cols.append(pc.if_else(pa.array(full >= 0), taken, null))
    if n == 0:
        empty = pd.Series([], dtype="str")
        return empty, empty.copy()
    roles = _join_present(tag_cols, "|")
    text = _join_present(reason_cols, "; ")
    return pd.Series(roles, dtype="str"), pd.Series(text, dtype="str")


def has_role(roles: pd.Series, *tags: str) -> np.ndarray:
    """Whether each "|"-joined roles string holds any of ``tags`` (vectorised over users)."""
    padded = "|" + roles.fillna("").astype("str") + "|"
    mask = np.zeros(len(roles), dtype=bool)
    for tag in tags:
        mask |= padded.str.contains(f"|{tag}|", regex=False).to_numpy(dtype=bool, na_value=False)
    return mask
