"""The one loader of ``WORKSPACE/whatif/`` for the report, tolerant of older outputs.

:func:`load_whatif` reads summary.json and the CSVs; :func:`candidate_views` turns each candidate of
summary.json into a :class:`CandidateView` with the fields of the what-if output contract
(verdict, core fans turning against the brand, comment-section flood, friendly KOLs at risk,
defectors, carriers, safer alternatives, aftermath). Keys an older ``kolgraph whatif`` did not write
are left empty and listed in ``missing``, so the report can say "re-run kolgraph whatif" instead of
showing a blank. :func:`staleness` tells a what-if of the current analysis from one of an older run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

__all__ = ["WhatIfResults", "CandidateView", "load_whatif", "candidate_views", "staleness", "CONTRACT_KEYS"]

#: Per-candidate keys of the contract the report shows (absent in outputs of older versions).
CONTRACT_KEYS: tuple[str, ...] = ("verdict", "core_fans", "comment_flood", "friendly_kols_at_risk",
                                  "defectors_top", "carriers_top", "safer_alternatives")


@dataclass(frozen=True)
class WhatIfResults:
    """What ``kolgraph whatif`` wrote under ``WORKSPACE/whatif/`` (each part None when absent).

    ``summary``: summary.json (method, parameters, seed, ``analysis_run_id``, ``definitions``,
    candidates[]); ``runs``: runs.csv (per candidate and Monte Carlo run); ``defectors``,
    ``carriers``: the CSVs of that name; ``sensitivity``: sensitivity.csv; ``users``: users.parquet
    (per user and candidate: stance, stance_after, shift_mean, core_fan, ...).
    """

    summary: Mapping[str, Any] | None = None
    runs: pd.DataFrame | None = None
    defectors: pd.DataFrame | None = None
    carriers: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    users: pd.DataFrame | None = None

    def __bool__(self) -> bool:
        return bool(self.summary and self.summary.get("candidates")) or self.sensitivity is not None


@dataclass(frozen=True)
class CandidateView:
    """One vetted candidate as the report shows it (contract fields; None / empty when absent)."""

    candidate: str
    display_name: str | None = None
    tier: str | None = None
    line: str | None = None
    reasons: tuple[str, ...] = ()
    core_fans: int | None = None
    turning_count: Mapping[str, Any] | None = None
    turning_share: Mapping[str, Any] | None = None
    cooling_share: Mapping[str, Any] | None = None
    cooling_threshold: float | None = None
    stance_before: Any = None
    stance_after: Any = None
    core_fan_shift: Mapping[str, Any] | None = None
    comment_flood: tuple[Mapping[str, Any], ...] = ()
    friendly_at_risk: tuple[Mapping[str, Any], ...] = ()
    defectors: tuple[Mapping[str, Any], ...] = ()
    carriers: tuple[Mapping[str, Any], ...] = ()
    safer: tuple[Mapping[str, Any], ...] = ()
    aftermath: Mapping[str, Any] | None = None
    missing: tuple[str, ...] = field(default=())


def load_whatif(folder: str | os.PathLike) -> WhatIfResults:
    """Read the what-if outputs in ``folder`` (missing or unreadable files are left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        return WhatIfResults()
    summary = None
    path = folder / "summary.json"
    if path.is_file():
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            summary = None
    if not isinstance(summary, Mapping) or not isinstance(summary.get("candidates"), list):
        summary = None

    def table(name: str) -> pd.DataFrame | None:
        file = folder / name
        if not file.is_file():
            return None
        try:
            if file.suffix == ".parquet":
                return pd.read_parquet(file)
            return pd.read_csv(file, dtype={"user_id": "str", "candidate": "str"})
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError):
            return None

    return WhatIfResults(summary=summary, runs=table("runs.csv"), defectors=table("defectors.csv"),
                         carriers=table("carriers.csv"), sensitivity=table("sensitivity.csv"),
                         users=table("users.parquet"))


def _interval(v: Any) -> Mapping[str, Any] | None:
    return v if isinstance(v, Mapping) and v.get("mean") is not None else None


def _records(v: Any) -> tuple[Mapping[str, Any], ...]:
    return tuple(x for x in v if isinstance(x, Mapping)) if isinstance(v, list) else ()


def _scaled(v: Mapping[str, Any] | None, factor: float) -> Mapping[str, Any] | None:
    if v is None:
        return None
    return {k: (float(x) * factor if isinstance(x, (int, float)) and k != "mc_se" else x) for k, x in v.items()} | (
        {"mc_se": float(v["mc_se"]) * factor} if isinstance(v.get("mc_se"), (int, float)) else {})


def candidate_views(whatif: WhatIfResults) -> list[CandidateView]:
    """A :class:`CandidateView` per candidate of summary.json, contract keys first, older keys as fallback.

    Older summaries (before the contract) give the core-fan count, ``core_fans_turning_negative``
    (a share; the count is share x core fans) and the core-fan shift; everything else is listed
    in ``missing``.
    """
    if not whatif.summary:
        return []
    views = []
    for c in whatif.summary.get("candidates", []):
        if not isinstance(c, Mapping) or c.get("candidate") is None:
            continue
        missing = [k for k in CONTRACT_KEYS if k not in c]
        verdict = c.get("verdict") if isinstance(c.get("verdict"), Mapping) else {}
        cf = c.get("core_fans")
        if isinstance(cf, Mapping):
            n = cf.get("count")
            turning = cf.get("turning_against") if isinstance(cf.get("turning_against"), Mapping) else {}
            count, share = _interval(turning.get("count")), _interval(turning.get("share"))
            cooling, threshold = _interval(cf.get("cooling_share")), cf.get("cooling_threshold")
            before, after = cf.get("stance_before"), cf.get("stance_after")
        else:
            n = cf if isinstance(cf, (int, float)) else None
            share = _interval(c.get("core_fans_turning_negative"))
            count = _scaled(share, float(n)) if share is not None and n else None
            cooling = threshold = before = after = None
        views.append(CandidateView(
            candidate=str(c["candidate"]), display_name=c.get("display_name"), tier=verdict.get("tier"),
            line=verdict.get("line"), reasons=tuple(str(r) for r in verdict.get("reasons") or ()),
            core_fans=None if n is None else int(n), turning_count=count, turning_share=share,
            cooling_share=cooling, cooling_threshold=threshold, stance_before=before, stance_after=after,
            core_fan_shift=_interval(c.get("core_fan_shift")), comment_flood=_records(c.get("comment_flood")),
            friendly_at_risk=_records(c.get("friendly_kols_at_risk")), defectors=_records(c.get("defectors_top")),
            carriers=_records(c.get("carriers_top")), safer=_records(c.get("safer_alternatives")),
            aftermath=c.get("aftermath") if isinstance(c.get("aftermath"), Mapping) else None,
            missing=tuple(missing)))
    return views


def staleness(whatif: WhatIfResults, current_run_id: str | None, *, whatif_created: str | None = None,
              analysis_created: str | None = None) -> str | None:
    """Why the what-if results do not belong to the current analysis, or None when they do (or cannot tell).

    Compares the ``analysis_run_id`` stamped in summary.json with the current analysis's; outputs
    without a stamp fall back to the manifest's times (a what-if older than the analysis is stale).
    """
    if not whatif.summary:
        return None
    stamped = whatif.summary.get("analysis_run_id")
    if stamped:
        if str(stamped) != str(current_run_id):
            return (f"the what-if results were computed on analysis run {stamped}, but the workspace now holds "
                    f"analysis run {current_run_id or '(not stamped)'}: re-run `kolgraph whatif` before trusting them")
        return None
    if whatif_created and analysis_created and str(whatif_created) < str(analysis_created):
        return (f"the what-if results ({whatif_created}) are older than the current analysis ({analysis_created}): "
                "re-run `kolgraph whatif` before trusting them")
    return None
