"""``kolgraph demo``: every analysis on the shipped sample event, end to end.

Each step calls the same public function its CLI command calls, so the demo is also a smoke test of
the whole pipeline on realistic data. The outputs land in one folder whose paths are printed.
Which KOLs the what-if compares is read from the analysis, not fixed: the most influential critic
KOL against the most influential KOL who is neither a brand account nor a critic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    """Where the demo wrote its outputs, step by step, plus a few headline lines."""

    out: Path
    outputs: list[tuple[str, Path]] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [f"kolgraph demo on the sample event -> {self.out}"]
        lines += [f"  {name:<16} {path}" for name, path in self.outputs]
        lines += [""] + self.headlines
        return lines


def _top_holder(users, tag: str, exclude: tuple[str, ...] = ()) -> str | None:
    """The highest-PageRank user holding role ``tag`` and none of ``exclude`` (``users`` has ``is_<tag>`` columns)."""
    mask = users[f"is_{tag}"].to_numpy(dtype=bool).copy()
    for other in exclude:
        mask &= ~users[f"is_{other}"].to_numpy(dtype=bool)
    chosen = users[mask].sort_values("pagerank", ascending=False)
    return None if chosen.empty else str(chosen["user_id"].iloc[0])


def _has_aftermath(path: Path) -> bool:
    import pandas as pd

    return {"stance_after", "aftermath_candidate"} <= set(pd.read_csv(path, nrows=1).columns)


def side_by_side(result) -> list[str]:
    """The candidates' headline figures in columns, and what happened where an aftermath is known."""
    import pandas as pd

    rows = {}
    for o in result.outcomes:
        col = {"verdict": o.verdict.get("tier", ""),
               "core fans turning": o.core_fans_turning_negative.text(percent=True),
               "cooling >= 0.3": o.core_cooling_share.text(percent=True) if o.core_cooling_share else "n/a",
               "core-fan shift": o.core_fan_shift.text(),
               "friendly KOLs at risk": str(len(o.friendly_kols_at_risk))}
        flood = next((f for f in o.comment_flood if f.get("multiple")), None)
        col["founder's comments"] = (f"+{flood['multiple']['mean']:.1f}x hostile/day" if flood else "n/a")
        if o.aftermath:
            col["what happened"] = (f"{100 * o.aftermath['true_core_fans_turning_share']:.1f}% turned "
                                    f"({'covered' if o.aftermath['covered'] else 'NOT covered'})")
        rows[o.display_name or o.candidate] = col
    return pd.DataFrame(rows).fillna("n/a (no known aftermath)").to_string().splitlines()


def run_demo(out: str | os.PathLike = "kolgraph-demo", *, quiet: bool = True, runs: int = 200,
             seed: int = 0) -> DemoResult:
    """Build a workspace from the sample event and run every analysis on it; returns what was written."""
    from .score import score_file
    from .whatif import whatif_workspace
    from ..build.workspace import build_workspace
    from ..config import load_config
    from ..datasets import load_sample
    from .analyze import analyze_workspace

    sample = load_sample()
    out = Path(out)
    result = DemoResult(out=out)
    report = build_workspace([sample.interactions], out / "workspace", users_path=sample.users, quiet=quiet)
    ws = report.workspace
    result.outputs += [("workspace", ws.path), ("rejects", report.rejects_path)]
    result.headlines.append(report.summary())

    config = load_config(sample.config)
    analysis = analyze_workspace(ws, config.brand, config=config, seed=seed, quiet=quiet)
    result.outputs += [(f"analysis {name}", Path(path)) for name, path in analysis.files.items()
                       if str(path).endswith((".csv", ".json"))]
    result.headlines += analysis.summary_lines()

    critic = _top_holder(analysis.users, "critic_kol")
    friendly = _top_holder(analysis.users, "kol", exclude=("brand_account", "critic", "critic_kol"))
    candidates = [c for c in (critic, friendly) if c]
    if candidates:
        # the sample's truth.csv carries the generated aftermath (a different mechanism than the model)
        aftermath = sample.truth if _has_aftermath(sample.truth) else None
        run = whatif_workspace(ws, candidates, config=config, runs=runs, seed=seed, quiet=quiet, write=False,
                               aftermath=aftermath)
        first = run.result.outcomes[0]
        alternative = next((a["user_id"] for a in first.safer_alternatives if a["user_id"] not in candidates), None)
        if alternative:  # rerun with the suggested alternative side by side (same draws)
            candidates.append(alternative)
        run = whatif_workspace(ws, candidates, config=config, runs=runs, seed=seed, quiet=quiet,
                               aftermath=aftermath)
        result.outputs += [(f"whatif {name}", Path(path)) for name, path in run.files.items()
                           if str(path).endswith((".json", ".csv"))][:3]
        result.headlines += ["", "what-if (partner with ...): critic KOL, top friendly KOL, suggested safer "
                                 "alternative"] + ["  " + line for line in run.result.verdict_lines()]
        result.headlines += ["  " + line for line in side_by_side(run.result)]

    candidate_list = sample.folder / "candidates.csv"
    if candidate_list.is_file():
        scored_path = out / "scored_candidates.csv"
        scored = score_file(ws, candidate_list, scored_path, config=config, seed=seed, quiet=quiet)
        result.outputs.append(("scored list", scored_path))
        result.headlines += ["", "batch scoring: " + scored.summary_line()]

    try:
        from ..viz.maps import write_map
        from ..viz.report import write_report
    except ImportError:  # the viz layer is optional in a partial install
        return result
    map_path = out / "map.html"
    write_map(ws, map_path)
    result.outputs.append(("map", map_path))
    report_path = out / "report.html"
    write_report(ws, report_path)
    result.outputs.append(("report", report_path))
    return result
