"""The random draws of a what-if: per-run parameters and counter-based exposure uniforms.

One ``numpy.random.default_rng(seed)`` draws a key and the per-run parameters as a ``runs x 5``
matrix of uniforms (alpha, beta, lambda, gamma, q), so run r's parameters are the same whatever
the number of runs (400 runs extend 200). Exposure uniforms are counter-based (splitmix64 of the
key, a hash of the user id and the run), so a user's draw in run r is the same for every
candidate: candidates compare under common random numbers, within one call and across calls
with the same seed (scoring uses the same draws through :func:`draw_runs` and
:func:`exposure_uniforms`). A user is exposed in run r when ``U_ur < 1 - (1 - q_r)^m_u``, so a
larger q never un-exposes anyone.

Example::

    >>> from kolgraph.algorithms.whatif import WhatIfScenario
    >>> d = draw_runs(WhatIfScenario(runs=3, seed=1))
    >>> d.alpha.shape, bool(((d.q >= 0.2) & (d.q <= 0.4)).all())
    ((3,), True)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .scenario import WhatIfScenario

__all__ = ["Draws", "draw_runs", "exposure_draws", "exposure_uniforms", "exposure_probability",
           "reaction_factors", "user_hashes"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (vectorised, wrapping uint64 arithmetic)."""
    z = z ^ (z >> np.uint64(30))
    z = z * _M1
    z = z ^ (z >> np.uint64(27))
    z = z * _M2
    return z ^ (z >> np.uint64(31))


def user_hashes(ids: Sequence[str] | pd.Index) -> np.ndarray:
    """The 64-bit hash of each user id that the counter-based draws start from (one per id)."""
    ids = pd.Index(ids, dtype="str")
    return pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False).astype(np.uint64)


def _hash_draws(key: int, ids: Sequence[str] | pd.Index | None, runs: np.ndarray,
                hashes: np.ndarray | None = None) -> np.ndarray:
    """splitmix64 of (user id hash, key, run): one uint64 per (user, run)."""
    h = user_hashes(ids) if hashes is None else np.asarray(hashes, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = _mix(h ^ np.uint64(key))
        x = base[:, None] + (np.asarray(runs, dtype=np.uint64)[None, :] + np.uint64(1)) * _GOLD
        return _mix(x)


_REACTION_LEVELS = 2048  # the reaction factor reads the hash's low 11 bits, the exposure uniform its top 53


@functools.lru_cache(maxsize=16)
def _reaction_table(sd: float) -> np.ndarray:
    """Lognormal quantiles at the 2,048 level midpoints, rescaled to mean exactly 1."""
    from scipy.special import ndtri

    t = np.exp(sd * ndtri((np.arange(_REACTION_LEVELS) + 0.5) / _REACTION_LEVELS))
    t = t / t.mean()
    t.setflags(write=False)
    return t


def exposure_draws(key: int, ids: Sequence[str] | pd.Index | None, runs: np.ndarray, reaction_sd: float = 0.0, *,
                   hashes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """(exposure uniforms, personal reaction factors) per (user id, run), from one hash each.

    The uniform in [0, 1) is the hash's top 53 bits (what :func:`exposure_uniforms` returns); the
    reaction factor (None when ``reaction_sd`` is 0) its low 11 bits, read through a table of
    lognormal quantiles with log-sd ``reaction_sd`` and mean exactly 1: people differ in how hard
    the same betrayal hits them. Both are counter-based: a user's values in run r are the same for
    every candidate and whoever else is asked, and the factor costs no second hash. ``hashes``
    (:func:`user_hashes` of the ids, computed once by a caller that draws for the same users
    many times) replaces ``ids``.
    """
    if hashes is None:
        hashes = user_hashes(ids)
    runs = np.asarray(runs)
    if len(hashes) == 0 or len(runs) == 0:
        shape = (len(hashes), len(runs))
        return np.zeros(shape), (np.ones(shape) if reaction_sd else None)
    x = _hash_draws(key, None, runs, hashes)
    u = (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
    if not reaction_sd:
        return u, None
    z = _reaction_table(float(reaction_sd))[(x & np.uint64(_REACTION_LEVELS - 1)).astype(np.intp)]
    return u, z


def exposure_uniforms(key: int, ids: Sequence[str] | pd.Index, runs: np.ndarray) -> np.ndarray:
    """Counter-based uniforms in [0, 1) (len(ids) x len(runs)): one per (user id, run) under ``key``,
    independent of which other users are asked."""
    return exposure_draws(key, ids, runs)[0]


def reaction_factors(key: int, ids: Sequence[str] | pd.Index, runs: np.ndarray, sd: float) -> np.ndarray | None:
    """Per (user, run) factors on the shock (lognormal, mean 1, log-sd ``sd``; None for 0): the ones
    :func:`exposure_draws` gives beside the exposure uniforms.

    >>> f = reaction_factors(1, [str(i) for i in range(4000)], np.arange(50), 0.5)
    >>> f.shape, bool(abs(f.mean() - 1) < 0.02)
    ((4000, 50), True)
    """
    return exposure_draws(key, ids, runs, sd)[1]


def exposure_probability(m: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """``1 - (1 - q)^m``: the chance that a user with ``m`` relevant interactions sees the announcement.

    ``m`` an n-vector and ``q`` a scalar give an n-vector; ``q`` an R-vector gives n x R.

    >>> exposure_probability(np.array([0, 1, 2]), 0.5).tolist()
    [0.0, 0.5, 0.75]
    """
    m = np.asarray(m, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if q.ndim == 0:
        return 1.0 - (1.0 - q) ** m
    return 1.0 - (1.0 - q[None, :]) ** m[:, None]


@dataclass(frozen=True)
class Draws:
    """Per-run draws: ``key`` for :func:`exposure_uniforms`, and alpha, beta, gamma, lam, q (R-vectors)."""

    key: int
    alpha: np.ndarray
    beta: np.ndarray
    lam: np.ndarray
    gamma: np.ndarray
    q: np.ndarray


def draw_runs(scenario: WhatIfScenario) -> Draws:
    """The per-run draws of a scenario (run r's values do not depend on the number of runs)."""
    rng = np.random.default_rng(scenario.seed)
    key = int(rng.integers(0, 2**63 - 1))
    u = rng.random((scenario.runs, 5))

    def uniform(lohi: tuple[float, float], col: int) -> np.ndarray:
        lo, hi = lohi
        return lo + (hi - lo) * u[:, col]

    if scenario.susceptibility is not None:
        lam = np.full(scenario.runs, scenario.susceptibility)
    else:
        a, b = scenario.susceptibility_beta
        lam = stats.beta.ppf(u[:, 2], a, b)
    lam = np.minimum(lam, scenario.susceptibility_max)
    return Draws(key=key, alpha=uniform(scenario.alpha_range, 0), beta=uniform(scenario.beta_range, 1), lam=lam,
                 gamma=uniform(scenario.gamma_range, 3), q=uniform(scenario.q_range, 4))
