"""Roles with reasons: KOL, core fan, critic, critic KOL, bridge, brand bridge, amplifier (methods page, section 3).

Roles are tags; a user may hold several. :func:`assign_roles` is a pure function of a per-user
metric table (built by the analyze run from centrality, communities and stance) and returns a
:class:`RoleResult`: per tag a bool array (``flags``, the typed form roles travel in), per user a
"; "-joined text of reasons in which every tag names the metric values and the thresholds that
made it, e.g. ``core_fan: stance 0.62 >= 0.30 (support 7 >= 3), 9 brand interactions >= 3,
coreness 6 >= community 0 median 4``, and for every role nobody holds, a sentence saying which
threshold no one met (``empty_reasons``).

Thresholds hold on real data (a million-user Weibo cascade, heavy tails, huge ties at small
counts): every percentile cut-off has an absolute floor under it, and a tie at a cut-off is never
resolved by taking everyone tied: a user is inside a "top k" only when the whole group tied with
it fits in the top k (its worst-case rank is <= k), so a top-5% rule never tags more than 5%.

Rules (every threshold is a field of :class:`RoleParams`; defaults in brackets):

- **brand_account**: a configured brand account. Brand accounts hold no other tag: they are
  listed as brand accounts, never among the KOLs, fans, critics, bridges or amplifiers a
  strategist reads (their PageRank rank is given in their reason). They still count in every
  ranking (a top-1% cut-off is over all users).
- **kol**: worst-case PageRank rank <= ``max(kol_min_count [20], ceil(kol_top_share [1%] x users))``
  and at least ``kol_min_engagers`` [20] distinct engagers (the floor).
- **core_fan**: stance >= ``core_fan_min_stance`` [0.3] with support >= ``core_fan_min_support`` [3],
  at least ``core_fan_min_brand_interactions`` [3] interactions with brand accounts, and a member of
  a *brand community* with coreness >= that community's ``core_fan_coreness_quantile`` [0.5, the
  median] coreness. Brand communities: each community's *brand engagement* is the number of
  interactions its members (brand accounts excluded) direct at brand accounts; the community with
  the most is a brand community, and so is every community holding at least
  ``brand_community_min_share`` [20%] of all brand engagement (there may be several).
- **critic**: stance <= ``critic_max_stance`` [-0.3] with support >= ``critic_min_support`` [3].
- **critic_kol**: critic and kol.
- **bridge**: links communities, by either of two paths.
  (a) participation coefficient >= ``bridge_min_participation`` [0.5] with degree (distinct
  neighbours in the undirected projection) >= ``bridge_min_degree`` [10], among users with at least
  ``bridge_min_communities`` [2] communities each holding >= ``bridge_min_community_share`` [20%] of
  the user's tie weight and >= ``bridge_min_community_neighbours`` [4] of its distinct neighbours
  (the neighbour floor keeps one or two chance ties from making a "community" of a low-degree
  user). The community check needs ``links`` (or a ``bridge_communities`` column); without either
  it is skipped and ``parameters["bridge_community_check"]`` says so.
  (b) worst-case betweenness rank within the top ``bridge_top_betweenness_share`` [1%] with
  betweenness > ``bridge_min_betweenness`` [0].
- **brand_bridge**: a bridge with at least ``brand_bridge_min_share`` [10%] of its tie weight to
  members of brand communities and at least that share to members of other communities (needs
  ``links``; without them no brand bridges are assigned, noted in ``parameters``).
- **amplifier**: worst-case repost out-strength rank within the top ``amplifier_top_share`` [5%],
  at least ``amplifier_min_reposts`` [10] reposts (column ``out_count_repost``; repost
  out-strength when the table lacks it), and rarely engaged with: in-strength (weighted
  engagement received) <= ``amplifier_max_in_strength`` [1.0, one repost or two replies].

All string building is vectorised (pyarrow compute), and only for the users holding each tag.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ConfigError, KolgraphError
from .role_metrics import (
    brand_communities,
    brand_link_share,
    community_spread,
    resolve_links,
)
from .role_text import format_fixed, format_number, int_text, join_present, join_text

__all__ = ["ROLE_TAGS", "RoleParams", "RoleResult", "assign_roles", "has_role"]

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

_SHARES = ("kol_top_share", "bridge_top_betweenness_share", "amplifier_top_share", "core_fan_coreness_quantile",
           "brand_community_min_share", "bridge_min_participation", "bridge_min_community_share")
_COUNTS = ("kol_min_count", "kol_min_engagers", "core_fan_min_support", "core_fan_min_brand_interactions",
           "critic_min_support", "bridge_min_degree", "bridge_min_communities", "bridge_min_community_neighbours")


@dataclass(frozen=True)
class RoleParams:
    """Every threshold of the role rules (config section ``[roles]``); see the module docstring.

    Validates itself: a bad value raises :class:`~kolgraph.errors.ConfigError` naming the field.
    """

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
    bridge_min_degree: int = 10
    bridge_min_communities: int = 2
    bridge_min_community_share: float = 0.2
    bridge_min_community_neighbours: int = 4
    bridge_top_betweenness_share: float = 0.01
    bridge_min_betweenness: float = 0.0
    brand_bridge_min_share: float = 0.1
    amplifier_top_share: float = 0.05
    amplifier_min_reposts: float = 10
    amplifier_max_in_strength: float = 1.0

    def __post_init__(self) -> None:
        for name in _SHARES:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
                raise ConfigError(f"roles: {name} must be a share in [0, 1], got {v!r}")
        for name in _COUNTS:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 0:
                raise ConfigError(f"roles: {name} must be a non-negative integer, got {v!r}")
            object.__setattr__(self, name, int(v))
        for name in ("core_fan_min_stance", "critic_max_stance"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -1.0 <= float(v) <= 1.0:
                raise ConfigError(f"roles: {name} must be in [-1, 1], got {v!r}")
        if not 0.0 <= float(self.brand_bridge_min_share) <= 0.5:
            raise ConfigError(f"roles: brand_bridge_min_share must be in [0, 0.5], got {self.brand_bridge_min_share!r}")
        for name in ("amplifier_max_in_strength", "amplifier_min_reposts", "bridge_min_betweenness"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v >= 0):
                raise ConfigError(f"roles: {name} must be a finite number >= 0, got {v!r}")


@dataclass(frozen=True)
class RoleResult:
    """Tags and reasons per user (in the metric table's row order).

    ``flags`` maps each tag of :data:`ROLE_TAGS` to a bool array (the typed form roles travel in;
    ``roles`` is the "|"-joined text for people); ``reasons`` the "; "-joined reasons;
    ``empty_reasons`` maps every tag nobody holds to a sentence naming the threshold(s) no one met;
    ``communities`` has one row per community (community, size, brand_engagement,
    brand_engagement_share, is_brand, coreness_cutoff); ``brand_communities`` lists their ids.
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
    empty_reasons: Mapping[str, str] = field(default_factory=dict)

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

    def empty_lines(self) -> list[str]:
        """One line per empty role, ``"<tag>: none -- <why>"``, in :data:`ROLE_TAGS` order (for printing)."""
        return [f"{tag}: none -- {self.empty_reasons[tag]}" for tag in ROLE_TAGS if tag in self.empty_reasons]


# --------------------------------------------------------------------------- helpers


def _ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(best, worst) rank per user, 1 = largest: tied users share best = 1 + users strictly above
    and worst = users at or above. NaN ranks last. One sort."""
    v = np.where(np.isnan(values), -np.inf, np.asarray(values, dtype=np.float64))
    n = len(v)
    best = np.zeros(n, dtype=np.int64)
    worst = np.zeros(n, dtype=np.int64)
    if not n:
        return best, worst
    order = np.argsort(-v, kind="stable")
    ordered = v[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], n]
    best[order] = starts[group] + 1
    worst[order] = ends[group]
    return best, worst


def _top_count(n: int, share: float, minimum: int = 0) -> int:
    return min(n, max(int(minimum), math.ceil(share * n - 1e-9)))


def _column(metrics: pd.DataFrame, name: str, dtype: str = "float64") -> np.ndarray:
    return pd.to_numeric(metrics[name], errors="coerce").to_numpy(dtype=dtype, na_value=np.nan)


def _share_text(share: float) -> str:
    return f"{100 * share:.3g}%"


# --------------------------------------------------------------------------- the rules

#: A rule's conditions for the empty-role sentence: alternative paths (OR), each a label ("" for a
#: single path) and its conditions (AND), each condition a (description, mask) pair.
_Paths = list[tuple[str, list[tuple[str, np.ndarray]]]]


def _why_empty(paths: _Paths, n: int) -> str:
    """Which threshold(s) no one met; when each is met by someone, how many meet each on its own.

    "not a brand account" is named only when brand accounts are what is left.
    """
    if n == 0:
        return "no users"
    parts = []
    for label, conditions in paths:
        conditions = [(d, m) for d, m in conditions if d != "not a brand account" or not m.all()]
        missing = [desc for desc, mask in conditions if not mask.any()]
        met = [f"{int(mask.sum()):,} have {desc}" for desc, mask in conditions if mask.any()]
        if missing:
            text = f"no user has {' or '.join(missing)}"
            if met:
                text += f" (of {n:,} users, {', '.join(met)})"
        else:
            text = f"no user meets all of these at once (of {n:,} users, {', '.join(met)})"
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


def assign_roles(metrics: pd.DataFrame, *, brand_accounts: Iterable[str] = (), params: RoleParams | None = None,
                 links: pd.DataFrame | tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> RoleResult:
    """Tag every user of ``metrics`` with roles and reasons (module docstring for the rules).

    ``metrics``: one row per user with user_id and the columns the rules read: pagerank,
    distinct_engagers (kol); stance, stance_support, brand_interactions, community, coreness
    (core_fan, critic); participation, degree, betweenness (bridge); out_strength_repost,
    in_strength and, if present, out_count_repost (amplifier). ``links``: tie table (src, dst,
    weight) for the bridge community check and brand bridges; src and dst are user ids, or integer
    row positions in ``metrics``; or position arrays ``(src, dst, weight)`` with every weight > 0 and
    no self-loop, e.g. the undirected projection (:attr:`~kolgraph.algorithms.projection.EdgeArrays.undirected`,
    the fastest form: one tie per pair needs no summing). A missing column raises an error naming it
    and the rule that needs it.
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
    empty: dict[str, str] = {}
    derived: dict[str, Any] = {}

    def put(tag: str, mask: np.ndarray, build: Callable[[np.ndarray], pa.Array], paths: _Paths | str) -> None:
        flags[tag] = mask
        idx = np.flatnonzero(mask)
        reasons[tag] = (idx, build(idx) if idx.size else pa.array([], pa.string()))
        if not idx.size:
            empty[tag] = paths if isinstance(paths, str) else _why_empty(paths, n)

    is_brand = np.asarray(user_ids.isin(list(brand_accounts)), dtype=bool) if brand_accounts \
        else np.zeros(n, dtype=bool)
    person = ~is_brand

    # --- KOL: the PageRank cut-off counts every account; brand accounts are listed apart
    pr = _column(metrics, "pagerank")
    engagers = np.nan_to_num(_column(metrics, "distinct_engagers"))
    k_kol = _top_count(n, params.kol_top_share, params.kol_min_count)
    pr_best, pr_worst = _ranks(pr)
    kol_top = (pr_worst <= k_kol) & np.isfinite(pr)
    kol_floor = engagers >= params.kol_min_engagers
    kol = kol_top & kol_floor & person
    derived["kol_rank_cutoff"] = k_kol
    derived["kol_tied_out"] = int(((pr_best <= k_kol) & (pr_worst > k_kol)).sum())
    put("brand_account", is_brand, lambda idx: join_text(
        "brand_account: configured brand account (PageRank rank ", int_text(pr_best[idx]),
        "; listed apart from KOLs)"),
        "no brand account configured (give --brand-account or [brand] accounts)")
    share_txt = f"top {_share_text(params.kol_top_share)}, at least {params.kol_min_count}"
    put("kol", kol, lambda idx: join_text(
        "kol: PageRank rank ", int_text(pr_best[idx]), f" <= {k_kol} ({share_txt}), ",
        int_text(engagers[idx]), f" distinct engagers >= {params.kol_min_engagers}"),
        [("", [(f"PageRank rank <= {k_kol} ({share_txt}, ties inside)", kol_top),
          (f">= {params.kol_min_engagers} distinct engagers", kol_floor), ("not a brand account", person)])])

    # --- stance
    stance = _column(metrics, "stance")
    support = np.nan_to_num(_column(metrics, "stance_support"))
    stance_ok = np.isfinite(stance)

    # --- core fans
    comm_raw = _column(metrics, "community")
    comm = np.where(np.isfinite(comm_raw) & (comm_raw >= 0), comm_raw, -1).astype(np.int64)
    ctable = brand_communities(metrics, brand_accounts=brand_accounts, min_share=params.brand_community_min_share,
                               coreness_quantile=params.core_fan_coreness_quantile)
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
    warm = stance_ok & (stance >= params.core_fan_min_stance) & (support >= params.core_fan_min_support)
    engaged = brand_int >= params.core_fan_min_brand_interactions
    embedded = user_brand_comm & (coreness >= user_cutoff)
    core_fan = warm & engaged & embedded & person
    q = params.core_fan_coreness_quantile
    q_name = "median" if q == 0.5 else f"{q:.0%} quantile"
    put("core_fan", core_fan, lambda idx: join_text(
        "core_fan: stance ", format_fixed(stance[idx]), f" >= {params.core_fan_min_stance:.2f} (support ",
        int_text(support[idx]), f" >= {params.core_fan_min_support}), ", int_text(brand_int[idx]),
        f" brand interactions >= {params.core_fan_min_brand_interactions}, coreness ",
        format_fixed(coreness[idx], 0), " >= community ", int_text(comm[idx]), f" {q_name} ",
        format_number(user_cutoff[idx])),
        [("", [(f"stance >= {params.core_fan_min_stance:.2f} with support >= {params.core_fan_min_support}", warm),
          (f">= {params.core_fan_min_brand_interactions} brand interactions", engaged),
          (f"a brand community with coreness >= its {q_name}", embedded), ("not a brand account", person)])])

    # --- critics
    cold = stance_ok & (stance <= params.critic_max_stance) & (support >= params.critic_min_support)
    critic = cold & person
    put("critic", critic, lambda idx: join_text(
        "critic: stance ", format_fixed(stance[idx]), f" <= {params.critic_max_stance:.2f} (support ",
        int_text(support[idx]), f" >= {params.critic_min_support})"),
        [("", [(f"stance <= {params.critic_max_stance:.2f} with support >= {params.critic_min_support}", cold),
               ("not a brand account", person)])])
    put("critic_kol", critic & kol, lambda idx: pa.array(["critic_kol: critic and kol"] * len(idx)),
        [("", [("the critic tag", critic), ("the kol tag", kol)])])

    # --- bridges
    part = _column(metrics, "participation")
    degree = np.nan_to_num(_column(metrics, "degree"))
    btw = _column(metrics, "betweenness")
    k_btw = _top_count(n, params.bridge_top_betweenness_share)
    btw_best, btw_worst = _ranks(btw)
    m_share, m_nb, m_comms = (params.bridge_min_community_share, params.bridge_min_community_neighbours,
                              params.bridge_min_communities)
    spread: dict[str, np.ndarray] | None = None
    if links is not None:
        links = resolve_links(user_ids, links)  # resolved once for the community check and brand bridges
        spread = community_spread(user_ids, comm, links, min_share=m_share, min_neighbours=m_nb)
        n_comms = spread["communities"]
        derived["bridge_community_check"] = "from links"
    elif "bridge_communities" in metrics:
        n_comms = np.nan_to_num(_column(metrics, "bridge_communities")).astype(np.int64)
        derived["bridge_community_check"] = "from the bridge_communities column"
    else:
        n_comms = np.full(n, m_comms, dtype=np.int64)
        derived["bridge_community_check"] = "not checked: no links given"
    spread_ok = n_comms >= m_comms
    high_part = np.isfinite(part) & (part >= params.bridge_min_participation)
    high_degree = degree >= params.bridge_min_degree
    by_part = high_part & high_degree & spread_ok
    btw_top = (btw_worst <= k_btw) & np.isfinite(btw) & (btw > params.bridge_min_betweenness)
    bridge = (by_part | btw_top) & person
    derived["betweenness_rank_cutoff"] = k_btw
    derived["betweenness_tied_out"] = int(((btw_best <= k_btw) & (btw_worst > k_btw) & (btw > 0)).sum())
    comm_rule = f"{m_comms} communities with >= {m_share:.0%} of tie weight and >= {m_nb} neighbours each"
    btw_rule = f"top {_share_text(params.bridge_top_betweenness_share)}"

    def bridge_text(idx: np.ndarray) -> pa.Array:
        p_txt = join_text("participation ", format_fixed(part[idx]), f" >= {params.bridge_min_participation:.2f} "
                      "with degree ", int_text(degree[idx]), f" >= {params.bridge_min_degree}")
        if spread is not None:
            p_txt = join_text(p_txt, ", ", int_text(n_comms[idx]), f" communities >= {m_share:.0%} of ties "
                          f"(>= {m_nb} neighbours each; top two: community ", int_text(spread["first"][idx]), " ",
                          format_fixed(100 * spread["first_share"][idx], 0), "%, community ",
                          int_text(spread["second"][idx]), " ", format_fixed(100 * spread["second_share"][idx], 0),
                          "%)")
        b_txt = join_text("betweenness rank ", int_text(btw_best[idx]), f" <= {k_btw} ({btw_rule})")
        p_txt = pc.if_else(pa.array(by_part[idx]), p_txt, pa.scalar(None, pa.string()))
        b_txt = pc.if_else(pa.array(btw_top[idx]), b_txt, pa.scalar(None, pa.string()))
        return join_text("bridge: ", join_present([p_txt, b_txt], " and "))

    put("bridge", bridge, bridge_text, [
        ("by participation", [(f"participation >= {params.bridge_min_participation:.2f}", high_part),
         (f"degree >= {params.bridge_min_degree}", high_degree), (comm_rule, spread_ok),
         ("not a brand account", person)]),
        ("by betweenness", [(f"betweenness > {params.bridge_min_betweenness:g} with rank <= {k_btw} "
                             f"({btw_rule}, ties inside)", btw_top), ("not a brand account", person)])])

    # --- brand bridges
    mb = params.brand_bridge_min_share
    if links is not None and brand_flag.any():
        share = brand_link_share(user_ids, comm, brand_flag, links)
        both_sides = np.isfinite(share) & (share >= mb) & (1 - share >= mb)
        ids_txt = ", ".join(str(c) for c in np.flatnonzero(brand_flag))
        put("brand_bridge", bridge & both_sides, lambda idx: join_text(
            "brand_bridge: ", format_fixed(100 * share[idx], 0), f"% of ties to brand communities ({ids_txt}) >= "
            f"{mb:.0%}, ", format_fixed(100 * (1 - share[idx]), 0), f"% to other communities >= {mb:.0%}"),
            [("", [("the bridge tag", bridge),
                   (f">= {mb:.0%} of tie weight to brand communities and >= {mb:.0%} to others", both_sides)])])
        derived["brand_bridge"] = "assigned from links"
    else:
        why = ("not assigned: no links given" if links is None
               else "not assigned: no brand community (nobody engages with a brand account)")
        put("brand_bridge", np.zeros(n, dtype=bool), lambda idx: pa.array([], pa.string()), why)
        derived["brand_bridge"] = why

    # --- amplifiers
    rep = np.nan_to_num(_column(metrics, "out_strength_repost"))
    count_col = "out_count_repost" if "out_count_repost" in metrics else "out_strength_repost"
    reposts = np.nan_to_num(_column(metrics, count_col))
    in_s = np.nan_to_num(_column(metrics, "in_strength"))
    k_amp = _top_count(n, params.amplifier_top_share)
    rep_best, rep_worst = _ranks(rep)
    amp_top = (rep_worst <= k_amp) & (rep > 0)
    amp_floor = reposts >= params.amplifier_min_reposts
    quiet = in_s <= params.amplifier_max_in_strength
    amplifier = amp_top & amp_floor & quiet & person
    derived["amplifier_rank_cutoff"] = k_amp
    derived["amplifier_tied_out"] = int(((rep_best <= k_amp) & (rep_worst > k_amp) & (rep > 0)).sum())
    derived["amplifier_repost_count"] = count_col
    amp_rule = f"top {_share_text(params.amplifier_top_share)}"
    put("amplifier", amplifier, lambda idx: join_text(
        "amplifier: repost out-strength ", format_fixed(rep[idx], 1), " rank ", int_text(rep_best[idx]),
        f" <= {k_amp} ({amp_rule}), ", format_number(reposts[idx]), f" reposts >= {params.amplifier_min_reposts:g}, "
        "in-strength ", format_fixed(in_s[idx], 1), f" <= {params.amplifier_max_in_strength:.1f}"),
        [("", [(f"repost out-strength rank <= {k_amp} ({amp_rule}, ties inside)", amp_top),
          (f">= {params.amplifier_min_reposts:g} reposts", amp_floor),
          (f"in-strength <= {params.amplifier_max_in_strength:.1f}", quiet), ("not a brand account", person)])])

    roles, reason_text = _combine(n, flags, reasons)
    brand_ids = tuple(int(c) for c in np.flatnonzero(brand_flag))
    parameters = {**asdict(params), **derived, "brand_accounts": list(brand_accounts),
                  "brand_communities": list(brand_ids), "users": n}
    return RoleResult(method="rules", parameters=parameters, seed=None, user_ids=user_ids, flags=flags,
                      roles=roles, reasons=reason_text, brand_communities=brand_ids, communities=ctable,
                      empty_reasons={tag: empty[tag] for tag in ROLE_TAGS if tag in empty})


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
        # a null index takes a null: no copy of a reason for each user without the tag
        reason_cols.append(pc.take(text, pa.array(full, mask=full < 0)) if idx.size else pa.nulls(n, pa.string()))
    if n == 0:
        empty = pd.Series([], dtype="str")
        return empty, empty.copy()
    roles = join_present(tag_cols, "|")
    text = join_present(reason_cols, "; ")
    return pd.Series(roles, dtype="str"), pd.Series(text, dtype="str")


def has_role(roles: pd.Series, *tags: str) -> np.ndarray:
    """Whether each "|"-joined roles string holds any of ``tags`` (vectorised over users)."""
    padded = "|" + roles.fillna("").astype("str") + "|"
    mask = np.zeros(len(roles), dtype=bool)
    for tag in tags:
        mask |= padded.str.contains(f"|{tag}|", regex=False).to_numpy(dtype=bool, na_value=False)
    return mask
