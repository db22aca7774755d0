"""Scoring what-if predictions against a known aftermath: precision@k, baselines, interval coverage.

Pure functions over frames (the runs layer, :mod:`kolgraph.runs.whatif_backtest`, generates the
events, builds and analyses their workspaces, and calls these).

- :func:`precision_at_k`: of the ``k`` highest-ranked users, the share that truly turned
  (``k`` = the true number of defectors unless given).
- :func:`defector_scores`: the model's precision@k beside two baselines: a random ranking
  (expected precision = the share of defectors among all users) and "most negative attitude"
  (users ranked by their measured attitude toward the candidate, most negative first).
- :func:`coverage`: the share of events whose 90% interval covers the true value.

>>> precision_at_k(["a", "b", "c", "d"], {"a", "c"})
0.5
>>> coverage([(0.1, 0.3, 0.2), (0.1, 0.3, 0.5)])
0.5
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["precision_at_k", "defector_scores", "coverage", "rank_defectors"]


def precision_at_k(ranked: Sequence[str], truth: Iterable[str], k: int | None = None) -> float:
    """Share of the first ``k`` ids of ``ranked`` that are in ``truth`` (``k`` defaults to ``len(truth)``)."""
    truth = set(map(str, truth))
    k = len(truth) if k is None else int(k)
    if k <= 0:
        return float("nan")
    top = [str(x) for x in list(ranked)[:k]]
    return sum(x in truth for x in top) / k


def rank_defectors(users: pd.DataFrame) -> pd.DataFrame:
    """Users in defector order: those who can turn first, then by expected betrayal shock, then p_turn.

    ``users``: a what-if per-user frame (``betrayal``, ``can_turn``, ``p_negative``, ``user_id``).
    The order is by the shock a user feels themself (exposure x alpha |a_uk| (1 + gamma w_u), the
    prior means over runs), not by the probability that their stance ends below 0: the model's
    ``p_negative`` needs a shock larger than the stance a fan starts from, so it ranks the most
    devoted fans last, while betrayal hits them hardest (methods section 4; on the training
    events of the backtest, seeds 999/1999/2999, this order found 0.59 of the true defectors at
    k against 0.55 for ``p_negative``). Frames without ``betrayal`` fall back to ``p_negative``.

    >>> f = pd.DataFrame({"user_id": ["a", "b", "c"], "betrayal": [0.2, 0.9, 0.5],
    ...                   "can_turn": [True, True, False], "p_negative": [0.9, 0.1, 0.5]})
    >>> rank_defectors(f)["user_id"].tolist()
    ['b', 'a', 'c']
    """
    if "betrayal" not in users:
        return users.sort_values(["p_negative", "shift_mean", "user_id"], ascending=[False, True, True],
                                 kind="stable")
    ct = users["can_turn"] if "can_turn" in users else pd.Series(True, index=users.index)
    return (users.assign(_ct=ct.astype(bool))
            .sort_values(["_ct", "betrayal", "p_negative", "user_id"], ascending=[False, False, False, True],
                         kind="stable").drop(columns="_ct"))


def defector_scores(users: pd.DataFrame, truth: pd.DataFrame, min_stance: float = 0.1) -> dict[str, float]:
    """Model, random and most-negative-attitude precision@k of defectors.

    ``users``: the what-if per-user frame of one candidate (user_id, betrayal, can_turn, p_negative,
    shift_mean, attitude, attitude_measured, attitude_source; the model's ranking is
    :func:`rank_defectors`; the baseline ranks by the analysis's measured own attitude); ``truth``:
    user_id, stance_before, stance_after. Defectors: users whose true stance goes from at least
    ``min_stance`` (a stance to lose) to below 0, among the users in ``users``.
    """
    t = truth.drop_duplicates("user_id").set_index(truth.drop_duplicates("user_id")["user_id"].astype("str"))
    ids = pd.Index(users["user_id"].astype("str"))
    known = ids[ids.isin(t.index)]
    tt = t.loc[known]
    true = set(tt.index[(tt["stance_before"] >= min_stance) & (tt["stance_after"] < 0)])
    k = len(true)
    model = rank_defectors(users)
    is_own = users.get("attitude_source", pd.Series("own", index=users.index)) == "own"
    col = "attitude_measured" if "attitude_measured" in users else "attitude"
    att = users[col].where(is_own)
    neg = users.assign(_a=att.fillna(0.0)).sort_values(["_a", "user_id"], kind="stable")
    return {"k": k, "users": int(len(known)),
            "precision_at_k": precision_at_k(model["user_id"], true, k),
            "random_precision": k / len(known) if len(known) else float("nan"),
            "most_negative_attitude_precision": precision_at_k(neg["user_id"], true, k)}


def coverage(rows: Iterable[tuple[float, float, float]]) -> float:
    """Share of (low, high, true) rows with ``low <= true <= high``."""
    arr = np.asarray(list(rows), dtype=np.float64).reshape(-1, 3)
    if not len(arr):
        return float("nan")
    return float(np.mean((arr[:, 0] - 1e-12 <= arr[:, 2]) & (arr[:, 2] <= arr[:, 1] + 1e-12)))
