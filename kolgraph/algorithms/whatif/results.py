"""What a what-if returns: Monte Carlo estimates, per-candidate outcomes, the whole result.

JSON keys (``WhatIfResult.to_dict``, written as ``WORKSPACE/whatif/summary.json``) follow the
what-if output contract: per candidate the legacy keys (core_fan_shift, core_fans_turning_negative,
overall_shift, exposed, audience, communities, defectors, carriers, accuracy) and the strategist's
keys (candidate, display_name, verdict, core_fans, comment_flood, friendly_kols_at_risk,
defectors_top, carriers_top, safer_alternatives, aftermath); top level ``definitions``. An
interval is always ``{"mean", "p05", "p95", "mc_se"}`` over the Monte Carlo runs.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ...errors import UnknownAccountError

__all__ = ["Estimate", "CandidateOutcome", "WhatIfResult", "plain", "records", "DEFINITIONS"]

#: One-line definitions of every figure in summary.json (written beside them).
DEFINITIONS: dict[str, str] = {
    "core_fans.count": "core fans in the graph (role core_fan, brand accounts excluded)",
    "core_fans.turning_against": "core fans whose stance (measured stance plus the run's predicted effect) ends "
                                 "below 0; count and share, mean and 90% interval over runs",
    "core_fans.cooling_share": "share of core fans whose stance falls by at least cooling_threshold",
    "core_fans.stance_before": "mean measured core-fan stance",
    "core_fans.stance_after": "mean core-fan stance with the partnership (measured plus the predicted effect, "
                              "which is scenario minus baseline on the same draws)",
    "comment_flood": "per brand account (founder first): hostile_per_day_before = measured negative replies and "
                     "mentions per day before; hostile_per_day_expected = summed daily brand-directed rates of the "
                     "users predicted to turn against the brand who already write to that account; multiple = "
                     "expected / before",
    "friendly_kols_at_risk": "KOLs with a positive brand stance whose own attitude toward the candidate is <= -0.2 "
                             "or >= 10% of whose engagers are predicted to turn (mean probability)",
    "defectors_top": "users ranked by the probability of turning against the brand (p_turn), with attachment, "
                     "attitude toward the candidate and exposure",
    "carriers_top": "accounts whose own shock carries the most stance shift to others through the network",
    "safer_alternatives": "KOLs with reach into the brand's target communities (communities of core fans) at least "
                          "alternative_reach_min of the candidate's and the least predicted core-fan damage",
    "verdict": "red: >= 5% of core fans predicted to turn (mean) or >= 20% to cool; amber: a 90% interval reaching "
               "1% turning, >= 5% cooling or a mean core-fan shift <= -0.05; green otherwise; grey: no core fans "
               "or no user with an attitude toward the candidate (insufficient evidence)",
    "aftermath": "when the true outcome of an after-slice is known: the true share of core fans turning and "
                 "whether the 90% interval covers it",
}


def plain(obj: Any) -> Any:
    """JSON-ready plain values: numpy scalars to Python, floats rounded to 6 places, NaN and
    infinities as None (containers walked recursively; anything else becomes its text). The files
    are written by the runs layer with :func:`kolgraph._io.write_json`."""
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, np.ndarray)):
        return [plain(v) for v in (obj.tolist() if isinstance(obj, np.ndarray) else obj)]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        obj = float(obj)
    if isinstance(obj, float):
        return round(obj, 6) if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, Estimate):
        return obj.to_dict()
    return str(obj)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as plain dicts."""
    return [plain(row) for row in df.to_dict("records")]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo summary: mean, 90% interval (5th, 95th percentile over runs), standard error of the mean.

    The interval is the spread of the outcome under the priors and exposure draws (it does not
    shrink with more runs); ``mc_se`` is the Monte Carlo error of ``mean`` (it shrinks as
    1/sqrt(runs)).
    """

    mean: float
    p05: float
    p95: float
    mc_se: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Estimate":
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]
        if v.size == 0:
            return cls(float("nan"), float("nan"), float("nan"), float("nan"))
        p05, p95 = np.percentile(v, [5, 95])
        se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
        return cls(float(v.mean()), float(p05), float(p95), se)

    def to_dict(self) -> dict[str, float | None]:
        return {k: (None if not math.isfinite(v) else round(v, 6)) for k, v in dataclasses.asdict(self).items()}

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the 90% interval [p05, p95]."""
        return bool(math.isfinite(value) and self.p05 - 1e-12 <= value <= self.p95 + 1e-12)

    def text(self, percent: bool = False) -> str:
        if not math.isfinite(self.mean):
            return "n/a"
        if percent:
            return f"{100 * self.mean:.1f}% [{100 * self.p05:.1f}, {100 * self.p95:.1f}]"
        return f"{self.mean:+.3f} [{self.p05:+.3f}, {self.p95:+.3f}]"



@dataclass(frozen=True)
class CandidateOutcome:
    """Everything simulated for one candidate (see the package docstring for each field).

    Legacy figures: core_fan_shift, core_fans_turning_negative (share), overall_shift, exposed,
    audience, communities, defectors, carriers, runs (per run), users (per user). Strategist's
    figures: core_turning_count, core_cooling_share, core_stance_before / _after, comment_flood,
    friendly_kols_at_risk, safer_alternatives, verdict, aftermath.
    """

    candidate: str
    attitudes: Mapping[str, Any]
    core_fans: int
    core_fan_shift: Estimate
    core_fans_turning_negative: Estimate
    overall_shift: Estimate
    exposed: Estimate
    audience: Mapping[str, Any]
    communities: pd.DataFrame = field(repr=False)
    defectors: pd.DataFrame = field(repr=False)
    carriers: pd.DataFrame = field(repr=False)
    runs: pd.DataFrame = field(repr=False)
    users: pd.DataFrame = field(repr=False)
    accuracy: Mapping[str, Any] = field(default_factory=dict)
    display_name: str = ""
    core_turning_count: Estimate | None = None
    core_cooling_share: Estimate | None = None
    core_stance_before: Estimate | None = None
    core_stance_after: Estimate | None = None
    cooling_threshold: float = 0.3
    comment_flood: tuple[Mapping[str, Any], ...] = ()
    friendly_kols_at_risk: tuple[Mapping[str, Any], ...] = ()
    safer_alternatives: tuple[Mapping[str, Any], ...] = ()
    verdict: Mapping[str, Any] = field(default_factory=dict)
    aftermath: Mapping[str, Any] | None = None

    def _est(self, e: Estimate | None) -> dict[str, Any] | None:
        return e.to_dict() if e is not None else None

    def to_dict(self, *, top_communities: int = 30) -> dict[str, Any]:
        comm = self.communities.head(top_communities)
        return plain({
            "candidate": self.candidate,
            "display_name": self.display_name or self.candidate,
            "verdict": dict(self.verdict),
            "core_fans": {
                "count": self.core_fans,
                "turning_against": {"count": self._est(self.core_turning_count),
                                    "share": self.core_fans_turning_negative.to_dict()},
                "cooling_share": self._est(self.core_cooling_share),
                "cooling_threshold": self.cooling_threshold,
                "stance_before": self._est(self.core_stance_before),
                "stance_after": self._est(self.core_stance_after),
            },
            "comment_flood": [dict(x) for x in self.comment_flood],
            "friendly_kols_at_risk": [dict(x) for x in self.friendly_kols_at_risk],
            "defectors_top": _defectors_top(self.defectors),
            "carriers_top": _carriers_top(self.carriers),
            "safer_alternatives": [dict(x) for x in self.safer_alternatives],
            "aftermath": dict(self.aftermath) if self.aftermath is not None else None,
            "attitudes": dict(self.attitudes),
            "core_fan_shift": self.core_fan_shift.to_dict(),
            "core_fans_turning_negative": self.core_fans_turning_negative.to_dict(),
            "overall_shift": self.overall_shift.to_dict(),
            "exposed": self.exposed.to_dict(),
            "audience": {k: (v.to_dict() if isinstance(v, Estimate) else v) for k, v in self.audience.items()},
            "communities": [
                {"community": r.community, "size": int(r.size),
                 "shift": {"mean": r.shift_mean, "p05": r.shift_p05, "p95": r.shift_p95}}
                for r in comm.itertuples(index=False)
            ],
            "defectors": records(self.defectors),
            "carriers": records(self.carriers),
            "accuracy": dict(self.accuracy),
        })


def _defectors_top(df: pd.DataFrame, top: int = 20) -> list[dict[str, Any]]:
    out = []
    for r in df.head(top).itertuples(index=False):
        out.append({"user_id": r.user_id, "display_name": getattr(r, "display_name", r.user_id),
                    "p_turn": r.probability_negative, "betrayal": getattr(r, "betrayal", None),
                    "attachment": getattr(r, "attachment", None),
                    "attitude_to_candidate": r.attitude, "attitude_source": getattr(r, "attitude_source", None),
                    "exposure": r.exposure, "stance_before": r.stance_before, "stance_after_mean": r.stance_after,
                    "core_fan": bool(r.core_fan), "reasons": [s for s in str(r.why).split("; ") if s]})
    return out


def _carriers_top(df: pd.DataFrame, top: int = 20) -> list[dict[str, Any]]:
    out = []
    for r in df.head(top).itertuples(index=False):
        reasons = [f"own shock {r.own_shock:+.2f} (attitude toward the candidate {r.attitude:+.2f})",
                   f"{int(r.listeners)} users listen to them"]
        if r.core_fan_contribution < 0:
            reasons.append(f"moves the core-fan mean by {r.core_fan_contribution:+.4f}")
        out.append({"user_id": r.user_id, "display_name": getattr(r, "display_name", r.user_id),
                    "carried_shift": r.backlash_on_others, "reasons": reasons})
    return out


@dataclass(frozen=True)
class WhatIfResult:
    """The simulation of one or more candidates under common random numbers.

    ``outcomes`` in candidate order; ``baseline`` per user (user_id, stance, baseline mean over runs);
    ``draws`` per run (run, alpha, beta, gamma, q, susceptibility).
    """

    method: str
    parameters: Mapping[str, Any]
    seed: int
    outcomes: tuple[CandidateOutcome, ...]
    baseline: pd.DataFrame = field(repr=False)
    draws: pd.DataFrame = field(repr=False)

    def outcome(self, candidate: str) -> CandidateOutcome:
        for o in self.outcomes:
            if o.candidate == candidate:
                return o
        raise UnknownAccountError(f"{candidate!r} was not simulated; candidates: {', '.join(self.candidates)}")

    @property
    def candidates(self) -> tuple[str, ...]:
        return tuple(o.candidate for o in self.outcomes)

    def to_frame(self) -> pd.DataFrame:
        """Per user and candidate (long): candidate, user_id, community, core_fan, stance, attitude,
        attitude_source, attachment, exposure, own_shock, baseline, stance_after, shift_mean,
        shift_p05, shift_p95, p_negative."""
        if not self.outcomes:
            return pd.DataFrame()
        return pd.concat([o.users for o in self.outcomes], ignore_index=True)

    def runs_frame(self) -> pd.DataFrame:
        """Per run and candidate: the draws and the run's summaries."""
        if not self.outcomes:
            return self.draws.copy()
        return pd.concat([o.runs for o in self.outcomes], ignore_index=True)

    def comparison_frame(self) -> pd.DataFrame:
        """One row per candidate: the headline numbers (for the CLI table)."""
        rows = []
        for o in self.outcomes:
            rows.append({
                "candidate": o.candidate,
                "tier": o.verdict.get("tier", ""),
                "core_fan_shift": o.core_fan_shift.mean,
                "core_fan_shift_p05": o.core_fan_shift.p05,
                "core_fan_shift_p95": o.core_fan_shift.p95,
                "core_fans_turning_negative": o.core_fans_turning_negative.mean,
                "core_fans_turning_negative_p05": o.core_fans_turning_negative.p05,
                "core_fans_turning_negative_p95": o.core_fans_turning_negative.p95,
                "core_fans_cooling": o.core_cooling_share.mean if o.core_cooling_share else np.nan,
                "overall_shift": o.overall_shift.mean,
                "audience_users": o.audience.get("users", 0),
                "audience_shift": o.audience["shift"].mean if isinstance(o.audience.get("shift"), Estimate) else np.nan,
                "users_with_attitude": o.attitudes.get("users", 0),
                "top_defectors": "|".join(o.defectors["user_id"].head(5).astype(str)) if len(o.defectors) else "",
                "top_carriers": "|".join(o.carriers["user_id"].head(3).astype(str)) if len(o.carriers) else "",
            })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: method, parameters, seed, definitions, candidates[] (the output contract)."""
        return plain({
            "method": self.method,
            "parameters": self.parameters,
            "seed": self.seed,
            "definitions": DEFINITIONS,
            "candidates": [o.to_dict() for o in self.outcomes],
        })

    def verdict_lines(self) -> list[str]:
        """One verdict line per candidate (what the text output leads with)."""
        return [str(o.verdict.get("line", "")) for o in self.outcomes]

    def summary_lines(self) -> list[str]:
        lines = []
        for o in self.outcomes:
            lines.append(f"{o.candidate}: core-fan shift {o.core_fan_shift.text()}, core fans turning negative "
                         f"{o.core_fans_turning_negative.text(percent=True)} (of {o.core_fans})")
        return lines
