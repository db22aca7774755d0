"""Backtest of the what-if against generated events whose aftermath comes from a different mechanism.

For each event: generate it (varied size, generator parameters and aftermath parameters,
:mod:`kolgraph.datasets.aftermath`: agent-based threshold revolt and bounded confidence), build a
workspace from the before-slice, analyse it, run the what-if for the announced candidate on that
analysis alone, and score against the recorded truth: the share of (analysis) core fans turning
against the brand (is it inside the 90% interval?) and precision@k of predicted defectors beside
the random and "most negative attitude" baselines
(:mod:`kolgraph.algorithms.whatif.backtest`). Nothing of the aftermath is seen before scoring.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..algorithms.whatif.backtest import coverage, defector_scores, precision_at_k
from ..progress import progress

__all__ = ["backtest_events", "backtest_event", "backtest_summary"]


def backtest_event(n_users: int, seed: int, aftermath: Any, *, runs: int = 100, workdir: str | Path | None = None,
                   quiet: bool = True, event_params: dict[str, Any] | None = None) -> dict[str, Any]:
    """One generated event, predicted from its before-slice and scored against its aftermath."""
    from .analyze import analyze_workspace
    from ..build.workspace import build_workspace
    from ..datasets import generate_event, write_event
    from .whatif import whatif_workspace

    ev = generate_event(n_users, seed=seed, aftermath=aftermath, with_sentiment=True, **(event_params or {}))
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        paths = write_event(ev, tmp / "event", quiet=True)
        ws = build_workspace([paths["interactions"]], tmp / "ws", users_path=paths["users"], quiet=True).workspace
        analyze_workspace(ws, ev.brand, seed=seed, quiet=True)
        truth = ev.truth[["user_id", "stance", "stance_after"]].rename(columns={"stance": "stance_before"})
        run = whatif_workspace(ws, [ev.aftermath.candidate], runs=runs, seed=seed, quiet=quiet, write=False,
                               aftermath=truth)
    o = run.result.outcomes[0]
    am = o.aftermath or {}
    scores = defector_scores(o.users, truth)
    at = ev.aftermath.truth
    true = set(at["user_id"][(at["stance_before"] >= 0.1) & (at["stance_after"] < 0)])
    scores["oracle_grievance_precision"] = precision_at_k(
        at.sort_values(["grievance", "user_id"], ascending=[False, True])["user_id"], true)
    est = o.core_fans_turning_negative
    return {"seed": seed, "users": n_users, "candidate": o.candidate, "core_fans": o.core_fans,
            "true_share": am.get("true_core_fans_turning_share", np.nan), "pred_mean": est.mean,
            "pred_p05": est.p05, "pred_p95": est.p95, "covered": bool(am.get("covered", False)),
            **scores, "aftermath": dict(ev.aftermath.parameters)}


def backtest_events(n_events: int = 20, *, seed: int = 1, runs: int = 100, users: tuple[int, int] = (1500, 4000),
                    candidates: tuple[str, ...] = ("critic",), quiet: bool = True,
                    workdir: str | Path | None = None) -> pd.DataFrame:
    """``n_events`` events with varied size and parameters (seeded); one row per event."""
    from ..datasets.aftermath import random_aftermath_params

    rng = np.random.default_rng(seed)
    rows = []
    for i in progress(range(n_events), quiet=quiet, desc="backtest", unit="event"):
        n = int(rng.integers(users[0], users[1] + 1))
        cand = candidates[i % len(candidates)]
        ap = random_aftermath_params(rng, candidate=cand)
        ep = {"core_fan_share": float(rng.uniform(0.04, 0.09)), "tone_noise": float(rng.uniform(0.1, 0.2)),
              "interactions_per_user": float(rng.uniform(8, 12))}
        rows.append(backtest_event(n, int(rng.integers(1, 2**31 - 1)), ap, runs=runs, workdir=workdir,
                                   event_params=ep))
    return pd.DataFrame(rows)


def backtest_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Coverage of the 90% intervals and mean precision@k with its baselines over the events."""
    return {"events": int(len(table)),
            "coverage": coverage(table[["pred_p05", "pred_p95", "true_share"]].itertuples(index=False, name=None)),
            "precision_at_k": float(table["precision_at_k"].mean()),
            "random_precision": float(table["random_precision"].mean()),
            "most_negative_attitude_precision": float(table["most_negative_attitude_precision"].mean()),
            "oracle_grievance_precision": float(table["oracle_grievance_precision"].mean())
            if "oracle_grievance_precision" in table else None,
            "mean_true_share": float(table["true_share"].mean()),
            "mean_predicted_share": float(table["pred_mean"].mean())}
