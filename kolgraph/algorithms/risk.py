"""Risk tiers of scored candidates: red, amber, grey (insufficient evidence) or green, with reasons.

Methods page (docs/methods.md), section 5; every output column in docs/scoring.md. Pure: takes the
metric frame of :func:`kolgraph.algorithms.scoring.candidate_metrics` and returns arrays.

Every threshold is a field of :class:`ScoringParams` (config section ``[scoring]``; defaults in
brackets). Evidence-based signs need enough evidence: a share needs at least ``min_reactions`` [5]
reactions, a mean attitude at least ``min_pairs`` [3] fans.

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
- **grey** ("insufficient evidence") when no sign fired but there is too little to judge: fewer
  than ``min_engagers`` [5] distinct engagers, or no brand-directed evidence at all (no brand
  stance support, no core fan engaging with the candidate, no core-fan reaction or attitude in
  either direction). A candidate nobody in the brand's orbit has met is unknown, never "safe".
- **green** otherwise.

``reasons`` names every sign that fired (red ones first) with its value, evidence and threshold,
e.g. ``32% of core-fan replies/mentions are hostile (29 of 91, sentiment < -0.30; red at >= 25%);
predicted core-fan shift -0.210 [90%: -0.300, -0.120] (red at <= -0.05)``; a green row says
"no warning sign" and lists the checked values; a grey row says what evidence is missing. The
predicted shift is always quoted when it was run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ConfigError
from ..schema import KINDS, normalise_kind
from .roles import has_role

__all__ = ["TIERS", "TIER_LABELS", "ScoringParams", "risk_tiers", "tier_rank"]

#: Risk tiers, riskiest first (grey: insufficient evidence, ranked below amber, above green).
TIERS: tuple[str, ...] = ("red", "amber", "grey", "green")
#: What each tier means, in words (report and CLI).
TIER_LABELS: dict[str, str] = {
    "red": "red: do not partner (a strong warning sign)",
    "amber": "amber: partner only with care (a weaker warning sign)",
    "grey": "grey: insufficient evidence to judge",
    "green": "green: no warning sign found in the evidence",
}


def tier_rank(tiers: Any, order: tuple[str, ...] = TIERS) -> np.ndarray:
    """Position of each tier in ``order`` (unknown or missing tiers after all), as float64."""
    ranks = {t: float(i) for i, t in enumerate(order)}
    return pd.Series(tiers, dtype=object).map(ranks).fillna(float(len(order))).to_numpy(dtype="float64")

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
    min_engagers: int = 5
    reaction_kinds: tuple[str, ...] = ("reply", "mention")
    whatif_runs: int = 50
    interval: float = 0.9

    def __post_init__(self) -> None:
        for name in ("red_shift", "amber_shift", "hostile_below", "red_fan_attitude", "amber_fan_attitude",
                     "amber_attitude_to_fans", "negative_below", "amber_stance"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -1.0 <= float(v) <= 1.0:
                raise ConfigError(f"{name} must be a number in [-1, 1], got {v!r}")
            object.__setattr__(self, name, float(v))
        for name in ("red_hostile_share", "amber_hostile_share", "amber_controversy"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
                raise ConfigError(f"{name} must be a share in [0, 1], got {v!r}")
            object.__setattr__(self, name, float(v))
        for name in ("min_reactions", "min_pairs", "min_stance_support", "min_engagers"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 0:
                raise ConfigError(f"{name} must be a non-negative integer, got {v!r}")
            object.__setattr__(self, name, int(v))
        v = self.whatif_runs
        if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 1:
            raise ConfigError(f"whatif_runs must be a positive integer, got {v!r}")
        object.__setattr__(self, "whatif_runs", int(v))
        if not isinstance(self.interval, (int, float)) or not 0.0 < float(self.interval) < 1.0:
            raise ConfigError(f"interval must be in (0, 1), got {self.interval!r}")
        object.__setattr__(self, "interval", float(self.interval))
        if self.red_shift > self.amber_shift:
            raise ConfigError(f"red_shift ({self.red_shift}) must be <= amber_shift ({self.amber_shift})")
        if self.red_hostile_share < self.amber_hostile_share:
            raise ConfigError(f"red_hostile_share ({self.red_hostile_share}) must be >= amber_hostile_share "
                             f"({self.amber_hostile_share})")
        if self.red_fan_attitude > self.amber_fan_attitude:
            raise ConfigError(f"red_fan_attitude ({self.red_fan_attitude}) must be <= amber_fan_attitude "
                             f"({self.amber_fan_attitude})")
        object.__setattr__(self, "critic_is_red", bool(self.critic_is_red))
        kinds = (self.reaction_kinds,) if isinstance(self.reaction_kinds, str) else tuple(self.reaction_kinds)
        canon = tuple(dict.fromkeys(normalise_kind(k) for k in kinds))
        if not canon or None in canon:
            raise ConfigError(f"reaction_kinds must name kinds among {', '.join(KINDS)}, got {self.reaction_kinds!r}")
        object.__setattr__(self, "reaction_kinds", canon)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["reaction_kinds"] = list(self.reaction_kinds)
        return d



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
           if c in metrics else np.full(n, np.nan)
           for c in ("distinct_engagers", "core_fan_engagers", "whatif_shift", "hostile_fan_share", "fan_reactions", "hostile_fan_reactions", "fan_attitude",
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
    few = ~(col["distinct_engagers"] >= max(p.min_engagers, 1))
    linked = ((col["stance_support"] > 0) | (col["core_fan_engagers"] > 0) | (col["fan_reactions"] > 0)
              | (col["fan_attitude_pairs"] > 0) | (col["attitude_to_fans_pairs"] > 0))
    grey = ~any_red & ~any_amber & (few | ~linked)
    tier = np.where(any_red, "red", np.where(any_amber, "amber", np.where(grey, "grey", "green"))).astype(object)
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
    missing = _join_present([
        _when(few, _cat("distinct engagers ", _int(col["distinct_engagers"]),
                        f" (need >= {max(p.min_engagers, 1)})")),
        _when(~linked, pa.array(["no brand-directed evidence (no brand stance, no core fan engages with, replies "
                                 "to or is addressed by the candidate)"] * n, pa.string())),
    ], "; ", n)
    grey_txt = _cat("insufficient evidence: ", missing)
    lead = pc.if_else(pa.array(tier == "green"), green_txt, pc.if_else(pa.array(tier == "grey"), grey_txt, fired))
    reasons = _join_present([lead, context_shift], "; ", n)
    return tier, reasons


