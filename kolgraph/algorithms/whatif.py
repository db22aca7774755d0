"""What-if: simulate the brand partnering with a KOL (methods page, section 4).

The question: if the brand publicly partners with account ``k``, how does brand stance move, above
all among core fans, and who moves? The model, per Monte Carlo run ``r``:

1. **Exposure.** User u sees the announcement with probability ``p_u = 1 - (1 - q)^m_u``, where
   ``m_u`` is the number of u's interactions (every kind, self-loops excluded) with brand accounts
   and with k. Run r draws ``E_ur ~ Bernoulli(p_u)``.
2. **Balance shock.** An exposed u with measured attitude ``a_uk`` toward k gets
   ``delta_u = alpha * a_uk`` when ``a_uk < 0`` (betrayal) and ``delta_u = beta * a_uk * (1 - s_u)``
   when ``a_uk > 0`` (k's own fans warm to the brand); ``s*_u = clip(s_u + delta_u, -1, 1)``.
   Users with no attitude toward k (no reply or mention of k) get no shock of their own. Brand
   accounts and k itself get none (they made the deal).
3. **Propagation.** Friedkin-Johnsen: ``s(t+1) = (I - L) s* + L W s(t)``. ``W_uv`` is the share of
   u's listening weight on v: edges u -> v of the kinds in ``listen_kinds`` (default reposts and
   replies: u reposts or answers v's posts), their ``weight`` (kind weight x count), self-loops
   excluded, rows normalised to 1. ``L = diag(lambda_u)`` with ``lambda_u = lambda`` (the run's
   population susceptibility) for users who listen to someone and 0 for users who listen to no one
   (they keep their own opinion ``s*``) and for brand accounts (stubborn: the brand does not change
   its mind about itself). The equilibrium is ``s = (I - lambda W)^-1 (I - L) s*``.
4. **Baseline.** The same propagation from the measured stances without the shock, on the same
   draws. The reported effect is scenario minus baseline, ``M (s* - s)`` with
   ``M = (I - lambda W)^-1 (I - L)``; without a partnership it is exactly zero.
5. **Uncertainty.** Monte Carlo over exposure draws and the priors
   ``alpha ~ Uniform(alpha_range)`` (default 0.4..1.0), ``beta ~ Uniform(beta_range)`` (0.1..0.5),
   ``lambda ~ Beta(susceptibility_beta)`` (default Beta(6, 6): mean 0.5, 90% of draws in about
   0.27..0.73), capped at ``susceptibility_max`` (0.9). Every summary is a mean with a 90%
   interval (5th and 95th percentiles over runs) and the Monte Carlo standard error of the mean.

Seeds and draws. Measured stances seed the model (missing users have stance 0, the value the
shrunk stance gives a user with no brand-directed interaction); nothing is random but the draws.
One ``numpy.random.default_rng(seed)`` draws a key and the per-run parameters as a ``runs x 3``
matrix of uniforms (run r's parameters are the same whatever the number of runs, so 400 runs
extend 200). Exposure uniforms are counter-based (splitmix64 of the key, a hash of the user id
and the run), so a user's draw in run r is the same for every candidate: candidates compare under
common random numbers, within one call and across calls with the same seed.

Computation (why it scales). All runs are propagated at once, as an n x R matrix, without a
Python loop over users or edges. The shock splits exactly into its expectation over exposure and
a fluctuation, ``d*_r = p (alpha_r a- + beta_r a+) + f_r``:

- the expectation part is rank two per run, so ``M(lambda_r)`` applied to it is a power series
  ``sum_t lambda^t W^t (v - lambda D v)`` of a few vectors (sparse matrix-vector products shared
  by all runs), evaluated for every run with one dense matrix product; the baseline likewise;
- the fluctuation ``f_r`` (exposure noise and clipping) is pushed through ``(I - lambda W)^-1``
  with a thresholded residual push (Andersen-Chung-Lang style): only residual rows above
  ``eps_r`` spread further. Zero-mean noise averages out after a few hops, so the push touches
  a shrinking region.

Both parts stop on a guaranteed a-posteriori bound, each with half of ``tol`` (default 1e-3): every
reported per-user stance is within ``tol`` of the exact Friedkin-Johnsen equilibrium for the same
draws (series tail ``||W^t v|| lambda_r^(t+1) / (1 - lambda_r)``, checked per run; push remainder
``lambda max|r| / (1 - lambda)``; both use ``||W||_inf <= 1``). What the push leaves out (the
residual below ``eps_r = tol (1 - lambda_r) / (2 lambda_r)`` in rows it does not spread from) is
inside that bound; rows the push never reaches get no fluctuation at all, which is exact.
Results are stored as float32 (rounding about 1e-7). The invariants below (no partnership gives
exactly 0; a candidate nobody dislikes lowers no stance; stances stay in [-1, 1]) hold exactly
for the first and to within ``tol`` for the others. ``max_iter`` caps series terms and push
hops; exceeding it raises :class:`WhatIfConvergenceError`.

Outputs per candidate (``CandidateOutcome``; JSON keys of :meth:`WhatIfResult.to_dict`):

- ``core_fan_shift`` {mean, p05, p95, mc_se}: the mean stance shift over core fans, per run.
- ``core_fans_turning_negative`` {mean, p05, p95, mc_se}: share of core fans whose stance is < 0
  with the partnership while >= 0 without it (same run).
- ``overall_shift``: mean shift over all users; ``exposed``: shocked users exposed per run.
- ``defectors``: users ranked by the probability of turning negative (with ``stance_before``
  measured, ``baseline`` and ``stance_after`` run means, ``shift``, ``attitude`` toward k and its
  support, ``exposure`` probability, ``why``). Listed are users whose mean shift is at least
  ``min_defector_shift`` (0.05) and whose baseline is at least ``defector_min_baseline`` (0.05):
  a neutral user pushed from +0.001 to -0.001 is not a defector.
- ``audience``: users who engaged with k but never with a brand account (the candidate's own
  audience): count and mean shift.
- ``communities``: mean shift per community (when communities are given).
- ``carriers``: the accounts whose own shock carries most of the backlash to others: for each
  shocked user v, ``c_v = (M^T 1)_v d*_v`` minus v's own direct term, i.e. the column sum of M
  applied to v's shock (the sum over v of ``(M^T 1)_v d*_v`` is the total shift). Computed by the
  adjoint series ``(I - lambda W^T)^-1 1``, never by inverting a matrix. Also each carrier's
  contribution to the core-fan mean shift.
- ``parameters``: the scenario, the derived counts and the accuracy achieved.

Several candidates are simulated under identical draws (the baseline is shared).
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .._arrays import unique_sorted
from ..config import BrandConfig, KolgraphConfig, load_config, params_from_mapping
from ..progress import progress
from ..errors import AnalysisMissingError, WhatIfConvergenceError
from ..schema import (DEFAULT_KIND_WEIGHTS, KINDS, ConfigError, InputError, UnknownAccountError,
                      normalise_kind)
from .roles import has_role

__all__ = [
    "WhatIfScenario",
    "WhatIfNetwork",
    "WhatIfInputs",
    "Estimate",
    "CandidateOutcome",
    "WhatIfResult",
    "WhatIfRun",
    "WhatIfConvergenceError",
    "AnalysisMissingError",
    "simulate_partnership",
    "sensitivity",
    "fj_effect",
    "draw_runs",
    "exposure_uniforms",
    "load_whatif_inputs",
    "whatif_workspace",
    "sensitivity_workspace",
    "SENSITIVITY_PARAMETERS",
]

METHOD = "balance_shock_friedkin_johnsen"
#: Parameters swept one at a time by :func:`sensitivity`.
SENSITIVITY_PARAMETERS: tuple[str, ...] = ("alpha", "beta", "susceptibility", "q")
_RUN_BLOCK = 100         # runs pushed together (bounds the push's memory: 2 x n x block float32)
_ROW_CHUNK = 1 << 16     # rows per dense product / summary chunk
_SERIES_BLOCK = 48       # series terms buffered per dense product (n x 48 x c float32)


# --------------------------------------------------------------------------- scenario


def _pair(value: Any, name: str, ordered: bool = True) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be two numbers [low, high], got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or (ordered and lo > hi):
        raise ConfigError(f"{name} must be finite with low <= high, got [{lo}, {hi}]")
    return lo, hi


@dataclass(frozen=True)
class WhatIfScenario:
    """A what-if scenario: candidates, priors, exposure rate, runs, seed, accuracy (``[whatif]`` section).

    - ``candidates``: account ids of the KOLs to partner with (compared side by side).
    - ``runs`` (>= 1) Monte Carlo runs; ``seed`` (>= 0).
    - ``q`` in (0, 1]: per-interaction chance of seeing the announcement.
    - ``alpha_range``: Uniform prior of the betrayal strength alpha (>= 0); low == high fixes it.
    - ``beta_range``: Uniform prior of the warming strength beta (>= 0).
    - ``susceptibility_beta``: (a, b) of the Beta prior of lambda; ``susceptibility`` fixes lambda
      instead; either way capped at ``susceptibility_max`` < 1.
    - ``q_range``: the range :func:`sensitivity` sweeps q over (the runs use ``q``).
    - ``listen_kinds``: edge kinds that make u listen to v (default repost, reply).
    - ``tol``: bound on the error of every per-user stance (stance units); ``max_iter`` caps the
      series terms and push hops.
    - ``top_defectors``, ``top_carriers``: rows listed in the summaries; a listed defector's mean
      shift is at least ``min_defector_shift`` in absolute value and its mean stance without the
      partnership (baseline) at least ``defector_min_baseline`` (it had a positive stance to lose).
    """

    candidates: tuple[str, ...] = ()
    runs: int = 200
    seed: int = 0
    q: float = 0.3
    alpha_range: tuple[float, float] = (0.4, 1.0)
    beta_range: tuple[float, float] = (0.1, 0.5)
    susceptibility_beta: tuple[float, float] = (6.0, 6.0)
    susceptibility: float | None = None
    susceptibility_max: float = 0.9
    q_range: tuple[float, float] = (0.1, 0.5)
    listen_kinds: tuple[str, ...] = ("repost", "reply")
    tol: float = 1e-3
    max_iter: int = 1000
    top_defectors: int = 25
    top_carriers: int = 15
    min_defector_shift: float = 0.05
    defector_min_baseline: float = 0.05

    def __post_init__(self) -> None:
        cands = (self.candidates,) if isinstance(self.candidates, str) else tuple(self.candidates)
        cands = tuple(dict.fromkeys(str(c).strip() for c in cands))
        if any(not c for c in cands):
            raise ConfigError("candidate ids must not be empty")
        object.__setattr__(self, "candidates", cands)
        for name in ("runs", "seed", "max_iter", "top_defectors", "top_carriers"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value:
                raise ConfigError(f"{name} must be an integer, got {value!r}")
            object.__setattr__(self, name, int(value))
        if self.runs < 1 or self.seed < 0 or self.max_iter < 1 or self.top_defectors < 0 or self.top_carriers < 0:
            raise ConfigError("runs and max_iter must be >= 1; seed, top_defectors, top_carriers >= 0")
        for name in ("alpha_range", "beta_range", "q_range", "susceptibility_beta"):
            object.__setattr__(self, name, _pair(getattr(self, name), name, ordered=name != "susceptibility_beta"))
        if self.alpha_range[0] < 0 or self.beta_range[0] < 0:
            raise ConfigError("alpha_range and beta_range must be >= 0 (the sign comes from the attitude)")
        if not (0 < self.q_range[0] and self.q_range[1] <= 1):
            raise ConfigError(f"q_range must lie in (0, 1], got {list(self.q_range)}")
        if min(self.susceptibility_beta) <= 0:
            raise ConfigError("susceptibility_beta must be two shape parameters > 0")
        for name in ("q", "susceptibility_max", "tol", "min_defector_shift", "defector_min_baseline"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if not 0 < self.q <= 1:
            raise ConfigError(f"q must be in (0, 1], got {self.q}")
        if not 0 <= self.susceptibility_max < 1:
            raise ConfigError(f"susceptibility_max must be in [0, 1), got {self.susceptibility_max}")
        if self.susceptibility is not None:
            object.__setattr__(self, "susceptibility", float(self.susceptibility))
            if not 0 <= self.susceptibility <= self.susceptibility_max:
                raise ConfigError(f"susceptibility must be in [0, susceptibility_max={self.susceptibility_max}], "
                                  f"got {self.susceptibility}")
        if not (self.tol > 0 and math.isfinite(self.tol)) or self.min_defector_shift < 0:
            raise ConfigError("tol must be > 0 and min_defector_shift >= 0")
        kinds = (self.listen_kinds,) if isinstance(self.listen_kinds, str) else tuple(self.listen_kinds)
        canon = tuple(dict.fromkeys(normalise_kind(k) for k in kinds))
        if not canon or None in canon:
            raise ConfigError(f"listen_kinds must be among {', '.join(KINDS)}, got {list(kinds)}")
        object.__setattr__(self, "listen_kinds", canon)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        out["priors"] = {
            "alpha": f"Uniform({self.alpha_range[0]}, {self.alpha_range[1]})",
            "beta": f"Uniform({self.beta_range[0]}, {self.beta_range[1]})",
            "susceptibility": (f"fixed {self.susceptibility}" if self.susceptibility is not None else
                               f"Beta({self.susceptibility_beta[0]}, {self.susceptibility_beta[1]}) "
                               f"capped at {self.susceptibility_max}"),
            "exposure": f"Bernoulli(1 - (1 - {self.q})^m)",
        }
        return out


# --------------------------------------------------------------------------- network


@dataclass(frozen=True, eq=False)
class WhatIfNetwork:
    """The sparse structure the simulator needs, built once from a graph or an edge table.

    ``listen`` (CSR, n x n): summed edge weight of u -> v over ``listen_kinds``, self-loops dropped
    (not normalised; the simulator normalises rows after making brand accounts stubborn).
    ``counts`` (CSC, n x n): interaction counts u -> v over every kind, self-loops dropped (for
    exposure and the candidate's audience). ``names``: user ids in vertex order.
    """

    names: pd.Index
    listen: sp.csr_matrix = field(repr=False)
    counts: sp.csc_matrix = field(repr=False)
    listen_kinds: tuple[str, ...] = ("repost", "reply")

    @property
    def n(self) -> int:
        return len(self.names)

    def index_of(self, ids: Iterable[str]) -> np.ndarray:
        """Vertex indices of user ids (-1 where unknown)."""
        ids = pd.Index([str(i) for i in ids], dtype="str")
        return self.names.get_indexer(ids).astype(np.int64) if len(ids) else np.empty(0, np.int64)

    @classmethod
    def from_arrays(cls, names: Sequence[str] | pd.Index, src: np.ndarray, dst: np.ndarray, kind: np.ndarray,
                    weight: np.ndarray, count: np.ndarray | None = None, *,
                    listen_kinds: Sequence[str] = ("repost", "reply")) -> "WhatIfNetwork":
        """From integer edge arrays: ``src``, ``dst`` vertex indices, ``kind`` codes into ``KINDS``."""
        names = pd.Index(pd.Index(names).astype("str"), dtype="str", name="user_id")
        if names.has_duplicates:
            raise InputError("(graph)", "user ids must be unique")
        n = len(names)
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        kind = np.asarray(kind, dtype=np.int64)
        weight = np.asarray(weight, dtype=np.float64)
        count = np.ones(len(src)) if count is None else np.asarray(count, dtype=np.float64)
        if not (len(src) == len(dst) == len(kind) == len(weight) == len(count)):
            raise InputError("(graph)", "edge arrays differ in length")
        if len(src) and (src.min() < 0 or dst.min() < 0 or max(src.max(), dst.max()) >= n):
            raise InputError("(graph)", "an edge names a vertex outside the vertex list")
        if np.any(~np.isfinite(weight)) or np.any(weight < 0):
            raise InputError("(graph)", "edge weights must be finite and >= 0")
        listen_kinds = WhatIfScenario(listen_kinds=tuple(listen_kinds)).listen_kinds
        codes = [KINDS.index(k) for k in listen_kinds]
        not_self = src != dst
        lm = not_self & np.isin(kind, codes)
        listen = sp.csr_matrix((weight[lm], (src[lm], dst[lm])), shape=(n, n))
        listen.sum_duplicates()
        counts = sp.csc_matrix((count[not_self], (src[not_self], dst[not_self])), shape=(n, n))
        counts.sum_duplicates()
        return cls(names=names, listen=listen, counts=counts, listen_kinds=listen_kinds)

    @classmethod
    def from_edges(cls, edges: pd.DataFrame, names: Sequence[str] | pd.Index | None = None, *,
                   listen_kinds: Sequence[str] = ("repost", "reply")) -> "WhatIfNetwork":
        """From a collapsed edge table (src, dst, kind, count, weight) as in ``edges.parquet``."""
        missing = {"src", "dst", "kind"} - set(edges.columns)
        if missing:
            raise InputError("(edges)", f"missing column(s) {', '.join(sorted(missing))}")
        src_ids = edges["src"].astype("str")
        dst_ids = edges["dst"].astype("str")
        if names is None:
            _, uniq = pd.factorize(pd.concat([src_ids, dst_ids], ignore_index=True))
            names = pd.Index(uniq, dtype="str")
        names = pd.Index(pd.Index(names).astype("str"), dtype="str")
        src = names.get_indexer(src_ids)
        dst = names.get_indexer(dst_ids)
        if (src < 0).any() or (dst < 0).any():
            raise InputError("(edges)", "an edge names a user missing from the vertex list")
        kind = np.asarray(pd.Categorical(edges["kind"].astype("str"), categories=list(KINDS)).codes, np.int64)
        if (kind < 0).any():
            raise InputError("(edges)", "edge kinds must be repost, reply or mention")
        count = (edges["count"].to_numpy(dtype=np.float64) if "count" in edges else np.ones(len(edges)))
        if "weight" in edges:
            weight = edges["weight"].to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            weight = np.array([DEFAULT_KIND_WEIGHTS[k] for k in KINDS])[kind] * count
        return cls.from_arrays(names, src, dst, kind, weight, count, listen_kinds=listen_kinds)

    @classmethod
    def from_graph(cls, g: ig.Graph, *, listen_kinds: Sequence[str] = ("repost", "reply")) -> "WhatIfNetwork":
        """From the interaction graph (vertex ``name``, edge ``kind``, ``weight``, ``count``)."""
        if g.vcount() and "name" not in g.vs.attributes():
            raise InputError("(graph)", "vertices need a 'name' attribute (the user id)")
        names = pd.Index(g.vs["name"] if g.vcount() else [], dtype="str")
        m = g.ecount()
        if m and "kind" not in g.es.attributes():
            raise InputError("(graph)", "edges need a 'kind' attribute (repost, reply, mention)")
        pairs = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        kind_raw = pd.Series(g.es["kind"] if m else [], dtype="str")
        kind = np.asarray(pd.Categorical(kind_raw, categories=list(KINDS)).codes, np.int64)
        if (kind < 0).any():
            raise InputError("(graph)", "edge kinds must be repost, reply or mention")
        count = np.asarray(g.es["count"], np.float64) if m and "count" in g.es.attributes() else np.ones(m)
        if m and "weight" in g.es.attributes():
            weight = np.asarray(g.es["weight"], np.float64)
        else:
            weight = np.array([DEFAULT_KIND_WEIGHTS[k] for k in KINDS])[kind] * count
        return cls.from_arrays(names, pairs[:, 0], pairs[:, 1], kind, weight, count, listen_kinds=listen_kinds)


def _as_network(g: ig.Graph | WhatIfNetwork, listen_kinds: tuple[str, ...]) -> WhatIfNetwork:
    if isinstance(g, WhatIfNetwork):
        if tuple(g.listen_kinds) != tuple(listen_kinds):
            raise ConfigError(f"the network was built with listen_kinds={list(g.listen_kinds)} but the scenario "
                              f"asks for {list(listen_kinds)}")
        return g
    if isinstance(g, ig.Graph):
        return WhatIfNetwork.from_graph(g, listen_kinds=listen_kinds)
    raise TypeError(f"expected an igraph.Graph or a WhatIfNetwork, got {type(g).__name__}")


@dataclass(frozen=True, eq=False)
class _Operator:
    """Row-normalised listening matrix with stubborn rows zeroed, its transpose and the listener mask."""

    W: sp.csr_matrix
    WT32: sp.csr_matrix
    WT: sp.csr_matrix
    D: np.ndarray  # float 0/1: listens to someone and is not stubborn

    @classmethod
    def build(cls, net: WhatIfNetwork, stubborn: np.ndarray) -> "_Operator":
        listen = net.listen
        rowsum = np.asarray(listen.sum(axis=1)).ravel()
        rowsum[stubborn] = 0.0
        inv = np.divide(1.0, rowsum, out=np.zeros_like(rowsum), where=rowsum > 0)
        W = sp.csr_matrix(sp.diags(inv) @ listen)
        W.eliminate_zeros()
        WT = sp.csr_matrix(W.T)
        return cls(W=W, WT=WT, WT32=WT.astype(np.float32), D=(rowsum > 0).astype(np.float64))


# --------------------------------------------------------------------------- numerical core


def _series(matvec, V: np.ndarray, lam: np.ndarray, coef: np.ndarray, expo: np.ndarray,
            outs: Sequence[np.ndarray], groups: Sequence[int] | None = None, *, rows: np.ndarray | None,
            tol: float, max_iter: int, norm: str = "inf", what: str = "series") -> tuple[int, float]:
    """Accumulate ``outs[g][i, r] += sum_t sum_{j in g} coef[j, r] lam[r]^(t + expo[j]) (A^t V)[rows[i], j]``.

    ``matvec`` applies A (``||A|| <= 1`` in the chosen norm: rows of W sum to at most 1, so W is
    non-expansive in the max norm and W^T in the 1-norm) to an n x c array; column j of V feeds
    output ``groups[j]`` (default all into ``outs[0]``). Run r stops at the first term t whose tail
    bound ``sum_j |coef_jr| lam_r^(expo_j) ||A^t V_j|| lam_r^(t+1) / (1 - lam_r)`` is at most ``tol``
    (the terms after t are no larger than term t); the series ends when every run has stopped.
    Returns (terms used by the slowest run, the largest tail bound).
    """
    lam = np.asarray(lam, dtype=np.float64)
    R = len(lam)
    c = V.shape[1]
    groups = np.zeros(c, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    lam_max = float(lam.max()) if R else 0.0
    absc = np.abs(coef) * lam[None, :] ** expo[:, None] if R else np.zeros((c, 0))  # c x R
    with np.errstate(divide="ignore"):
        tail = np.where(lam < 1, lam / np.maximum(1.0 - lam, 1e-300), np.inf)  # lam^(t+1)/(1-lam) at t = 0
    X = np.array(V, dtype=np.float64, copy=True)
    m = X.shape[0] if rows is None else len(rows)
    # terms are buffered (float32) and applied with dense products, each run only to its own terms
    block = max(1, min(_SERIES_BLOCK, max_iter))
    buf = np.empty((m, block, c), dtype=np.float32)
    stop = np.full(R, -1, dtype=np.int64)  # the last term each run uses (-1: not yet known)
    filled = 0
    t0 = 0
    t = 0
    worst = 0.0

    def flush(T: int) -> None:
        if T == 0 or R == 0 or m == 0:
            return
        # terms of this block each run needs: all of them until it has stopped (later terms get
        # coefficient 0, so a run's value does not depend on the other runs)
        need = np.where(stop < 0, T, np.clip(stop - t0 + 1, 0, T))
        T = int(need.max())
        if T == 0:
            return
        powers = lam[None, None, :] ** (t0 + np.arange(T)[:, None, None] + expo[None, :, None])
        C = coef[None, :, :] * powers * (np.arange(T)[:, None, None] < need[None, None, :])
        C = C.astype(np.float32)  # T x c x R
        tmp = np.empty((min(m, _ROW_CHUNK), R), dtype=np.float32)
        for g, out in enumerate(outs):
            cols = np.flatnonzero(groups == g)
            if cols.size == 0:
                continue
            Cg = np.ascontiguousarray(C[:, cols, :].reshape(T * cols.size, R))
            for a in range(0, m, _ROW_CHUNK):
                rows_a = buf[a:a + _ROW_CHUNK, :T]
                Bg = (rows_a if cols.size == c else rows_a[:, :, cols]).reshape(rows_a.shape[0], T * cols.size)
                part = tmp[:Bg.shape[0]]
                np.matmul(Bg, Cg, out=part)
                out[a:a + _ROW_CHUNK] += part

    while True:
        buf[:, filled] = X if rows is None else X[rows]
        filled += 1
        xn = np.abs(X).max(axis=0) if norm == "inf" else np.abs(X).sum(axis=0)
        if R:
            bound_r = (xn[:, None] * absc).sum(axis=0) * tail * lam ** t  # per run, after term t
            newly = (stop < 0) & ((bound_r <= tol) | (lam == 0) | (not np.any(xn)))
            worst = max(worst, float(bound_r[newly].max())) if newly.any() else worst
            stop[newly] = t
        if R == 0 or (stop >= 0).all():
            flush(filled)
            return t + 1, worst
        if t + 1 >= max_iter:
            bound = float(bound_r[stop < 0].max())
            raise WhatIfConvergenceError(
                f"{what} did not converge in max_iter={max_iter} terms (tail bound {bound:.2e} > tol {tol:.2e}); "
                f"raise max_iter or tol, or lower susceptibility_max (now lambda up to {lam_max:.3f})")
        if filled == block:
            flush(filled)
            t0 = t + 1
            filled = 0
        X = matvec(X)
        t += 1


def _push(WT32: sp.csr_matrix, rows0: np.ndarray, b: np.ndarray, lam: np.ndarray, tol: float, n: int,
          max_iter: int) -> tuple[np.ndarray, int, float]:
    """``(I - lam_r W)^-1 b_r`` for each column r by thresholded residual push; returns (n x R, hops, bound).

    Residual rows with some ``|r_ur| >= eps_r = tol (1 - lam_r) / lam_r`` spread to their listeners
    (``r_u += lam W_uv r_v``); smaller residuals stay. Only rows that just received a push can
    become active, so each hop costs the rows it touches. At the end the residual is added once,
    leaving an error of at most ``lam_r max|r_r| / (1 - lam_r) <= tol`` per entry.
    """
    R = b.shape[1]
    lam32 = lam.astype(np.float32)
    with np.errstate(divide="ignore"):
        eps = np.where(lam > 0, tol * (1.0 - lam) / np.maximum(lam, 1e-300), np.inf)
    eps = np.minimum(eps, np.finfo(np.float32).max).astype(np.float32)
    r = np.zeros((n, R), dtype=np.float32)
    r[rows0] = b
    acc = np.zeros((n, R), dtype=np.float32)
    mark = np.zeros(n, dtype=bool)
    pos = np.zeros(n, dtype=np.int64)
    A = rows0[(np.abs(b) >= eps).any(axis=1)] if rows0.size else rows0
    hops = 0
    while A.size:
        hops += 1
        if hops > max_iter:
            raise WhatIfConvergenceError(f"the exposure-noise push did not settle in max_iter={max_iter} hops; "
                                         "raise max_iter or tol")
        rA = r[A]
        acc[A] += rA
        r[A] = 0.0
        sub = WT32[A]
        if sub.nnz == 0:
            break
        mark[sub.indices] = True
        B = np.flatnonzero(mark)
        mark[B] = False
        pos[B] = np.arange(B.size)
        subc = sp.csr_matrix((sub.data, pos[sub.indices], sub.indptr), shape=(A.size, B.size))
        rB = np.asarray(subc.T @ rA, dtype=np.float32)
        rB *= lam32
        rB += r[B]
        r[B] = rB
        A = B[(np.abs(rB) >= eps).any(axis=1)]
    acc += r
    with np.errstate(divide="ignore", invalid="ignore"):
        per_run = np.where(lam > 0, lam / (1.0 - lam) * np.abs(r).max(axis=0), 0.0) if n else np.zeros(R)
    bound = float(per_run.max()) if per_run.size else 0.0
    return acc, hops, bound


def fj_effect(W: sp.csr_matrix, listener: np.ndarray, shock: np.ndarray, susceptibility: float, *,
              tol: float = 1e-10, max_iter: int = 10000) -> np.ndarray:
    """Friedkin-Johnsen equilibrium ``(I - lambda W)^-1 (I - lambda D) shock`` by plain iteration.

    ``W`` row-(sub)stochastic (rows of stubborn users and non-listeners zero), ``listener`` the 0/1
    mask D, ``shock`` an n-vector or n x R matrix, one ``susceptibility`` in [0, 1). Iterates
    ``x <- b + lambda W x`` until the a-posteriori bound ``lambda/(1-lambda) max|x_t - x_t-1|`` is
    below ``tol``. Used by the event generator in :mod:`kolgraph.algorithms.calibration` and as the
    reference in tests.
    """
    lam = float(susceptibility)
    if not 0 <= lam < 1:
        raise ConfigError(f"susceptibility must be in [0, 1), got {lam}")
    shock = np.asarray(shock, dtype=np.float64)
    D = np.asarray(listener, dtype=np.float64)
    b = shock - lam * (D[:, None] * shock if shock.ndim == 2 else D * shock)
    x = b.copy()
    if lam == 0:
        return x
    for _ in range(max_iter):
        nxt = b + lam * (W @ x)
        change = float(np.abs(nxt - x).max()) if x.size else 0.0
        x = nxt
        if lam / (1 - lam) * change <= tol:
            return x
    raise WhatIfConvergenceError(f"Friedkin-Johnsen iteration did not converge in {max_iter} steps")


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


def _uniforms(key: int, ids: pd.Index, runs: np.ndarray) -> np.ndarray:
    """Counter-based uniforms in [0, 1): one per (user id, run), independent of which users are asked."""
    if len(ids) == 0 or len(runs) == 0:
        return np.zeros((len(ids), len(runs)))
    h = pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False).astype(np.uint64)
    with np.errstate(over="ignore"):
        base = _mix(h ^ np.uint64(key))
        x = base[:, None] + (np.asarray(runs, dtype=np.uint64)[None, :] + np.uint64(1)) * _GOLD
        x = _mix(x)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


@dataclass(frozen=True)
class _Draws:
    key: int
    alpha: np.ndarray
    beta: np.ndarray
    lam: np.ndarray


def _draw(scenario: WhatIfScenario) -> _Draws:
    rng = np.random.default_rng(scenario.seed)
    key = int(rng.integers(0, 2**63 - 1))
    u = rng.random((scenario.runs, 3))
    lo, hi = scenario.alpha_range
    alpha = lo + (hi - lo) * u[:, 0]
    lo, hi = scenario.beta_range
    beta = lo + (hi - lo) * u[:, 1]
    if scenario.susceptibility is not None:
        lam = np.full(scenario.runs, scenario.susceptibility)
    else:
        a, b = scenario.susceptibility_beta
        lam = stats.beta.ppf(u[:, 2], a, b)
    lam = np.minimum(lam, scenario.susceptibility_max)
    return _Draws(key=key, alpha=alpha, beta=beta, lam=lam)


def draw_runs(scenario: WhatIfScenario) -> _Draws:
    """The per-run draws of a scenario: ``key`` (for :func:`exposure_uniforms`), ``alpha``, ``beta``, ``lam``.

    Run r's values do not depend on the number of runs. Other modules that must share the
    simulator's draws (scoring) use this and :func:`exposure_uniforms`.
    """
    return _draw(scenario)


def exposure_uniforms(key: int, ids: Sequence[str] | pd.Index, runs: np.ndarray) -> np.ndarray:
    """The exposure uniforms (len(ids) x len(runs)) of the given user ids and runs under ``key``."""
    return _uniforms(key, pd.Index(ids, dtype="str"), np.asarray(runs))


def _jsonable(obj: Any) -> Any:
    """Plain JSON values (numpy scalars and arrays, tuples; NaN and infinities become None)."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in (obj.tolist() if isinstance(obj, np.ndarray) else obj)]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return None if not math.isfinite(float(obj)) else float(obj)
    return obj


# --------------------------------------------------------------------------- results


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

    def text(self, percent: bool = False) -> str:
        if not math.isfinite(self.mean):
            return "n/a"
        if percent:
            return f"{100 * self.mean:.1f}% [{100 * self.p05:.1f}, {100 * self.p95:.1f}]"
        return f"{self.mean:+.3f} [{self.p05:+.3f}, {self.p95:+.3f}]"


@dataclass(frozen=True)
class CandidateOutcome:
    """Everything simulated for one candidate (see the module docstring for each field)."""

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

    def to_dict(self, *, top_communities: int = 30) -> dict[str, Any]:
        comm = self.communities.head(top_communities)
        return {
            "candidate": self.candidate,
            "attitudes": dict(self.attitudes),
            "core_fans": self.core_fans,
            "core_fan_shift": self.core_fan_shift.to_dict(),
            "core_fans_turning_negative": self.core_fans_turning_negative.to_dict(),
            "overall_shift": self.overall_shift.to_dict(),
            "exposed": self.exposed.to_dict(),
            "audience": {k: (v.to_dict() if isinstance(v, Estimate) else v) for k, v in self.audience.items()},
            "communities": [
                {"community": _plain(r.community), "size": int(r.size),
                 "shift": {"mean": _round(r.shift_mean), "p05": _round(r.shift_p05), "p95": _round(r.shift_p95)}}
                for r in comm.itertuples(index=False)
            ],
            "defectors": _records(self.defectors),
            "carriers": _records(self.carriers),
            "accuracy": dict(self.accuracy),
        }


def _round(v: Any, nd: int = 6) -> Any:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return None if not math.isfinite(f) else round(f, nd)


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return _round(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v if v is None or isinstance(v, (int, str, bool)) else str(v)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]


@dataclass(frozen=True)
class WhatIfResult:
    """The simulation of one or more candidates under common random numbers.

    ``outcomes`` in candidate order; ``baseline`` per user (user_id, stance, baseline mean over runs);
    ``draws`` per run (run, alpha, beta, susceptibility).
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
        exposure, own_shock, baseline, stance_after, shift_mean, shift_p05, shift_p95, p_negative."""
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
                "core_fan_shift": o.core_fan_shift.mean,
                "core_fan_shift_p05": o.core_fan_shift.p05,
                "core_fan_shift_p95": o.core_fan_shift.p95,
                "core_fans_turning_negative": o.core_fans_turning_negative.mean,
                "core_fans_turning_negative_p05": o.core_fans_turning_negative.p05,
                "core_fans_turning_negative_p95": o.core_fans_turning_negative.p95,
                "overall_shift": o.overall_shift.mean,
                "audience_users": o.audience.get("users", 0),
                "audience_shift": o.audience["shift"].mean if isinstance(o.audience.get("shift"), Estimate) else np.nan,
                "users_with_attitude": o.attitudes.get("users", 0),
                "top_defectors": "|".join(o.defectors["user_id"].head(5).astype(str)) if len(o.defectors) else "",
                "top_carriers": "|".join(o.carriers["user_id"].head(3).astype(str)) if len(o.carriers) else "",
            })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: method, parameters, seed, candidates[] (see the module docstring)."""
        return _jsonable({
            "method": self.method,
            "parameters": self.parameters,
            "seed": self.seed,
            "candidates": [o.to_dict() for o in self.outcomes],
        })

    def summary_lines(self) -> list[str]:
        lines = []
        for o in self.outcomes:
            lines.append(f"{o.candidate}: core-fan shift {o.core_fan_shift.text()}, core fans turning negative "
                         f"{o.core_fans_turning_negative.text(percent=True)} (of {o.core_fans})")
        return lines


# --------------------------------------------------------------------------- inputs


def _ids(values: Iterable[Any] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, BrandConfig):
        return list(values.accounts)
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values]


def _stance_vector(stance: pd.Series | Mapping[str, float], names: pd.Index) -> np.ndarray:
    s = stance if isinstance(stance, pd.Series) else pd.Series(dict(stance), dtype="float64")
    s = pd.to_numeric(s, errors="coerce")
    s.index = pd.Index(s.index.astype("str"), dtype="str")
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise InputError("(stance)", f"user {dup!r} appears more than once")
    vals = s.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = vals[np.isfinite(vals)]
    if finite.size and (finite.min() < -1 - 1e-9 or finite.max() > 1 + 1e-9):
        raise InputError("(stance)", "stances must lie in [-1, 1]")
    out = np.zeros(len(names))
    idx = names.get_indexer(s.index)
    ok = (idx >= 0) & np.isfinite(vals)
    out[idx[ok]] = np.clip(vals[ok], -1.0, 1.0)
    return out


def _attitude_frame(attitudes: pd.DataFrame) -> pd.DataFrame:
    missing = {"src", "dst", "attitude"} - set(attitudes.columns)
    if missing:
        raise InputError("(attitudes)", f"missing column(s) {', '.join(sorted(missing))}")
    att = pd.DataFrame({
        "src": attitudes["src"].astype("str"), "dst": attitudes["dst"].astype("str"),
        "attitude": pd.to_numeric(attitudes["attitude"], errors="coerce").astype("float64"),
        "support": (pd.to_numeric(attitudes["support"], errors="coerce").fillna(0).astype("int64")
                    if "support" in attitudes else pd.Series(0, index=attitudes.index, dtype="int64")),
    })
    if att.duplicated(["src", "dst"]).any():
        row = att[att.duplicated(["src", "dst"])].iloc[0]
        raise InputError("(attitudes)", f"pair ({row.src!r}, {row.dst!r}) appears more than once")
    vals = att["attitude"].to_numpy()
    finite = vals[np.isfinite(vals)]
    if finite.size and (finite.min() < -1 - 1e-9 or finite.max() > 1 + 1e-9):
        raise InputError("(attitudes)", "attitudes must lie in [-1, 1]")
    return att


@dataclass(frozen=True, eq=False)
class _Prepared:
    net: WhatIfNetwork
    op: _Operator
    s0: np.ndarray
    brand_idx: np.ndarray
    core_idx: np.ndarray
    communities: pd.Series | None
    att_by_dst: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    missing: Mapping[str, int]


def _prepare(g: ig.Graph | WhatIfNetwork, stance, attitudes: pd.DataFrame, core_fans, brand_accounts,
             scenario: WhatIfScenario, communities: pd.Series | None) -> _Prepared:
    net = _as_network(g, scenario.listen_kinds)
    names = net.names
    brand_ids = _ids(brand_accounts)
    bidx = net.index_of(brand_ids)
    brand_idx = unique_sorted(bidx[bidx >= 0])
    core_ids = _ids(core_fans)
    cidx = net.index_of(core_ids)
    core_idx = unique_sorted(cidx[cidx >= 0])
    core_idx = core_idx[~np.isin(core_idx, brand_idx)]
    s0 = _stance_vector(stance, names)
    att = _attitude_frame(attitudes)
    src = names.get_indexer(pd.Index(att["src"], dtype="str"))
    keep = (src >= 0) & np.isfinite(att["attitude"].to_numpy()) & (att["src"] != att["dst"]).to_numpy()
    att = att[keep]
    src = src[keep]
    wanted = set(scenario.candidates)
    by_dst: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if wanted and len(att):
        sel = att["dst"].isin(list(wanted)).to_numpy()
        sub = att[sel]
        ssrc = src[sel]
        for dst, rows in sub.groupby("dst", sort=False).indices.items():  # one group per candidate
            by_dst[str(dst)] = (ssrc[rows], sub["attitude"].to_numpy()[rows], sub["support"].to_numpy()[rows])
    comm = None
    if communities is not None:
        comm = pd.Series(communities)
        comm.index = pd.Index(comm.index.astype("str"), dtype="str")
        comm = comm[~comm.index.duplicated()]
        comm = comm.reindex(names)
    op = _Operator.build(net, brand_idx)
    missing = {"brand_accounts": int((bidx < 0).sum()), "core_fans": int((cidx < 0).sum())}
    return _Prepared(net=net, op=op, s0=s0, brand_idx=brand_idx, core_idx=core_idx, communities=comm,
                     att_by_dst=by_dst, missing=missing)


def _check_candidates(prep: _Prepared, candidates: Sequence[str]) -> np.ndarray:
    if not candidates:
        raise ConfigError("no candidate given: name the KOL to partner with (--kol ID)")
    idx = prep.net.index_of(candidates)
    unknown = [c for c, i in zip(candidates, idx) if i < 0]
    if unknown:
        raise UnknownAccountError(
            f"unknown candidate account(s) {', '.join(repr(c) for c in unknown)}: not a user in the graph "
            f"({prep.net.n:,} users); user ids are case-sensitive")
    brand = [c for c, i in zip(candidates, idx) if i in set(prep.brand_idx.tolist())]
    if brand:
        raise ConfigError(f"candidate(s) {', '.join(brand)} are brand accounts; a partnership needs an outside account")
    return idx


# --------------------------------------------------------------------------- simulation


def _percentile_positions(R: int) -> tuple[int, int, float, float]:
    """Order-statistic positions and weights of the 5th and 95th percentiles (numpy's linear method)."""
    lo, hi = 0.05 * (R - 1), 0.95 * (R - 1)
    return int(math.floor(lo)), int(math.floor(hi)), lo - math.floor(lo), hi - math.floor(hi)


def _interp(part: np.ndarray, k: int, w: float) -> np.ndarray:
    if w == 0 or k + 1 >= part.shape[1]:
        return part[:, k].astype(np.float64)
    return (1 - w) * part[:, k].astype(np.float64) + w * part[:, k + 1].astype(np.float64)


def _baseline(prep: _Prepared, draws: _Draws, scenario: WhatIfScenario) -> tuple[np.ndarray, dict[str, Any]]:
    n, R = prep.net.n, len(draws.lam)
    base = np.zeros((n, R), dtype=np.float32)
    V = np.column_stack([prep.s0, prep.op.D * prep.s0])
    coef = np.vstack([np.ones(R), -np.ones(R)])
    W = prep.op.W
    terms, bound = _series(lambda X: W @ X, V, draws.lam, coef, np.array([0, 1]), [base], rows=None,
                           tol=scenario.tol / 2, max_iter=scenario.max_iter, what="the baseline series")
    return base, {"baseline_series_terms": terms, "baseline_bound": bound}


def _simulate_candidate(prep: _Prepared, k: int, base: np.ndarray, draws: _Draws, scenario: WhatIfScenario,
                        bar, *, detail: bool) -> CandidateOutcome:
    net, op, s0 = prep.net, prep.op, prep.s0
    n, R = net.n, len(draws.lam)
    cand = str(net.names[k])
    lam, alpha, beta = draws.lam, draws.alpha, draws.beta
    # exposure: interactions with brand accounts and with k
    cols = np.unique(np.r_[prep.brand_idx, k])
    m = np.asarray(net.counts[:, cols].sum(axis=1)).ravel()
    p = 1.0 - (1.0 - scenario.q) ** m
    # attitudes toward k
    a = np.zeros(n)
    att_support = np.zeros(n, dtype=np.int64)
    has_att = np.zeros(n, dtype=bool)
    if cand in prep.att_by_dst:
        src, val, sup = prep.att_by_dst[cand]
        a[src] = np.clip(val, -1.0, 1.0)
        att_support[src] = sup
        has_att[src] = True
    has_att[prep.brand_idx] = False
    has_att[k] = False
    a[~has_att] = 0.0
    S = np.flatnonzero(has_att & (a != 0) & (p > 0))
    a_neg = np.minimum(a, 0.0)
    a_pos = np.maximum(a, 0.0) * (1.0 - s0)
    shift = np.zeros((n, R), dtype=np.float32)
    accuracy: dict[str, Any] = {"tol": scenario.tol}
    # expectation part: M(lambda) p (alpha a- + beta a+)
    if S.size:
        v1 = p * a_neg
        v2 = p * a_pos
        V = np.column_stack([v1, op.D * v1, v2, op.D * v2])
        coef = np.vstack([alpha, -alpha, beta, -beta])
        W = op.W
        terms, bound = _series(lambda X: W @ X, V, lam, coef, np.array([0, 1, 0, 1]), [shift], rows=None,
                               tol=scenario.tol / 2, max_iter=scenario.max_iter, what="the shock series")
        accuracy.update(shock_series_terms=terms, shock_series_bound=bound)
    # per run block: exposure draws, the shock d*, and the push of its fluctuation around p * delta
    runs = np.arange(R)
    ids_S = net.names[S]
    dstar = np.zeros((S.size, R), dtype=np.float32)
    exposed_runs = np.zeros(R)
    hops_max, push_bound = 0, 0.0
    for r0 in range(0, R, _RUN_BLOCK):
        r1 = min(R, r0 + _RUN_BLOCK)
        if S.size:
            E = _uniforms(draws.key, ids_S, runs[r0:r1]) < p[S, None]
            exposed_runs[r0:r1] = E.sum(axis=0)
            delta = alpha[None, r0:r1] * a_neg[S, None] + beta[None, r0:r1] * a_pos[S, None]
            ds = E * (np.clip(s0[S, None] + delta, -1.0, 1.0) - s0[S, None])
            dstar[:, r0:r1] = ds
            fluct = ((1.0 - lam[None, r0:r1] * op.D[S, None]) * (ds - p[S, None] * delta)).astype(np.float32)
            del E, delta, ds
            acc, hops, bnd = _push(op.WT32, S, fluct, lam[r0:r1], scenario.tol / 2, n, scenario.max_iter)
            del fluct
            shift[:, r0:r1] += acc
            del acc
            hops_max, push_bound = max(hops_max, hops), max(push_bound, bnd)
        bar.update(r1 - r0)
    accuracy.update(push_hops=hops_max, push_bound=push_bound)

    # ---- per-run summaries
    core = prep.core_idx
    n_core = int(core.size)
    if n_core:
        sc = shift[core].astype(np.float64)
        bc = base[core].astype(np.float64)
        core_shift_runs = sc.mean(axis=0)
        core_neg_runs = ((bc + sc < 0) & (bc >= 0)).mean(axis=0)
    else:
        core_shift_runs = np.full(R, np.nan)
        core_neg_runs = np.full(R, np.nan)
    overall_runs = np.zeros(R)
    stats_cols = {k_: np.zeros(n) for k_ in ("shift_mean", "shift_p05", "shift_p95", "p_negative", "after")}
    lo_k, hi_k, lo_w, hi_w = _percentile_positions(R)
    for a0 in range(0, n, _ROW_CHUNK):
        a1 = min(n, a0 + _ROW_CHUNK)
        sh = shift[a0:a1]
        bs = base[a0:a1]
        after = bs + sh
        overall_runs += sh.sum(axis=0, dtype=np.float64)
        stats_cols["shift_mean"][a0:a1] = sh.mean(axis=1, dtype=np.float64)
        stats_cols["after"][a0:a1] = after.mean(axis=1, dtype=np.float64)
        stats_cols["p_negative"][a0:a1] = ((after < 0) & (bs >= 0)).mean(axis=1, dtype=np.float64)
        if detail:
            part = np.partition(sh, sorted({lo_k, lo_k + 1, hi_k, hi_k + 1} & set(range(R))), axis=1)
            stats_cols["shift_p05"][a0:a1] = _interp(part, lo_k, lo_w)
            stats_cols["shift_p95"][a0:a1] = _interp(part, hi_k, hi_w)
    overall_runs /= max(n, 1)
    # candidate's own audience: engaged with k, never with a brand account
    to_k = np.asarray(net.counts[:, [k]].sum(axis=1)).ravel() > 0
    to_brand = (np.asarray(net.counts[:, prep.brand_idx].sum(axis=1)).ravel() > 0 if prep.brand_idx.size
                else np.zeros(n, dtype=bool))
    aud = np.flatnonzero(to_k & ~to_brand)
    aud = aud[aud != k]
    aud_runs = shift[aud].astype(np.float64).mean(axis=0) if aud.size else np.full(R, np.nan)
    audience = {"users": int(aud.size), "shift": Estimate.of(aud_runs),
                "mean_attitude": _round(a[aud][has_att[aud]].mean()) if has_att[aud].any() else None}
    # communities
    comm_frame = pd.DataFrame(columns=["community", "size", "shift_mean", "shift_p05", "shift_p95"])
    if prep.communities is not None:
        labels = prep.communities
        known = labels.notna().to_numpy()
        if known.any():
            codes, uniq = pd.factorize(labels[known])
            rows_known = np.flatnonzero(known)
            ind = sp.csr_matrix((np.ones(rows_known.size), (codes, rows_known)), shape=(len(uniq), n))
            sizes = np.bincount(codes, minlength=len(uniq)).astype(np.float64)
            sums = np.zeros((len(uniq), R))
            for a0 in range(0, n, _ROW_CHUNK):
                a1 = min(n, a0 + _ROW_CHUNK)
                sums += ind[:, a0:a1] @ shift[a0:a1].astype(np.float64)
            means = sums / sizes[:, None]
            q05, q95 = np.percentile(means, [5, 95], axis=1) if R else (np.nan, np.nan)
            comm_frame = pd.DataFrame({"community": list(uniq), "size": sizes.astype(np.int64),
                                       "shift_mean": means.mean(axis=1), "shift_p05": q05, "shift_p95": q95})
            comm_frame = comm_frame.sort_values(["size", "shift_mean"], ascending=[False, True],
                                                kind="stable").reset_index(drop=True)
    # carriers: column sums of M applied to each shocked user's shock
    own_shock = np.zeros(n)
    own_shock[S] = dstar.mean(axis=1, dtype=np.float64) if S.size else 0.0
    carriers = pd.DataFrame(columns=["user_id", "stance", "attitude", "own_shock", "listeners",
                                     "backlash_on_others", "core_fan_contribution", "core_fan"])
    if detail and S.size:
        # adjoint series z(lambda) = (I - lambda W^T)^-1 w for w = 1/n (all users) and 1/n_core (core fans),
        # both with 1-norm 1, so one relative tolerance serves both
        WT = op.WT
        Vw = np.zeros((n, 2))
        Vw[:, 0] = 1.0 / n
        if n_core:
            Vw[core, 1] = 1.0 / n_core
        z_all = np.zeros((S.size, R), dtype=np.float32)
        z_core = np.zeros((S.size, R), dtype=np.float32)
        t1, b1 = _series(lambda X: WT @ X, Vw, lam, np.ones((2, R)), np.array([0, 0]), [z_all, z_core], [0, 1],
                         rows=S, tol=scenario.tol, max_iter=scenario.max_iter, norm="one",
                         what="the carrier series")
        factor = 1.0 - lam[None, :] * op.D[S, None]
        others = (factor * (n * z_all.astype(np.float64) - 1.0) * dstar).mean(axis=1)
        core_contrib = (factor * z_core.astype(np.float64) * dstar).mean(axis=1)
        accuracy.update(carrier_series_terms=t1, carrier_series_bound_relative=b1)
        listeners = np.diff(op.WT.indptr)[S]
        carriers = pd.DataFrame({
            "user_id": pd.array(net.names[S], dtype="str"), "stance": s0[S], "attitude": a[S],
            "own_shock": own_shock[S], "listeners": listeners.astype(np.int64),
            "backlash_on_others": others, "core_fan_contribution": core_contrib,
            "core_fan": np.isin(S, core),
        })
        carriers = carriers[carriers["backlash_on_others"] < 0].sort_values(
            ["backlash_on_others", "user_id"], kind="stable").head(scenario.top_carriers).reset_index(drop=True)
    # per-user frame
    is_core = np.zeros(n, dtype=bool)
    is_core[core] = True
    base_mean = base.mean(axis=1, dtype=np.float64)
    users = pd.DataFrame({
        "candidate": pd.array([cand] * n, dtype="str"),
        "user_id": pd.array(net.names, dtype="str"),
        "community": (prep.communities.to_numpy() if prep.communities is not None else np.full(n, None, dtype=object)),
        "core_fan": is_core,
        "stance": s0,
        "attitude": np.where(has_att, a, np.nan),
        "attitude_support": att_support,
        "exposure": p,
        "own_shock": own_shock,
        "baseline": base_mean,
        "stance_after": stats_cols["after"],
        "shift_mean": stats_cols["shift_mean"],
        "shift_p05": stats_cols["shift_p05"] if detail else np.nan,
        "shift_p95": stats_cols["shift_p95"] if detail else np.nan,
        "p_negative": stats_cols["p_negative"],
    })
    defectors = _defectors(users, op, own_shock, cand, scenario) if detail else users.head(0)
    runs_frame = pd.DataFrame({
        "candidate": pd.array([cand] * R, dtype="str"), "run": runs, "alpha": alpha, "beta": beta,
        "susceptibility": lam, "exposed": exposed_runs, "core_fan_shift": core_shift_runs,
        "core_fans_turning_negative": core_neg_runs, "overall_shift": overall_runs, "audience_shift": aud_runs,
    })
    att_vals = a[has_att]
    attitudes_info = {"users": int(has_att.sum()), "negative": int((att_vals < 0).sum()),
                      "positive": int((att_vals > 0).sum()),
                      "mean": _round(att_vals.mean()) if att_vals.size else None,
                      "shockable": int(S.size)}
    return CandidateOutcome(
        candidate=cand, attitudes=attitudes_info, core_fans=n_core,
        core_fan_shift=Estimate.of(core_shift_runs), core_fans_turning_negative=Estimate.of(core_neg_runs),
        overall_shift=Estimate.of(overall_runs), exposed=Estimate.of(exposed_runs), audience=audience,
        communities=comm_frame, defectors=defectors, carriers=carriers, runs=runs_frame, users=users,
        accuracy=accuracy)


def _defectors(users: pd.DataFrame, op: _Operator, own_shock: np.ndarray, cand: str,
               scenario: WhatIfScenario) -> pd.DataFrame:
    """Users ranked by the probability of turning negative, with a one-line reason each."""
    neg_own = (own_shock < 0).astype(np.float64)
    hit_share = op.W @ neg_own  # share of u's listening weight on users with a negative own shock
    cand_rows = users[(users["p_negative"] > 0) & (users["shift_mean"] <= -scenario.min_defector_shift)
                      & (users["baseline"] >= scenario.defector_min_baseline)]
    top = cand_rows.sort_values(["p_negative", "shift_mean", "user_id"], ascending=[False, True, True],
                                kind="stable").head(scenario.top_defectors)
    idx = top.index.to_numpy()
    reasons = []
    for i, row in zip(idx, top.itertuples(index=False)):  # at most top_defectors rows
        parts = []
        if np.isfinite(row.attitude):
            parts.append(f"attitude toward {cand} {row.attitude:+.2f} (support {int(row.attitude_support)}), "
                         f"exposure {row.exposure:.0%}, own shock {row.own_shock:+.2f}")
        else:
            parts.append(f"no attitude toward {cand} of their own")
        if hit_share[i] > 0:
            parts.append(f"{hit_share[i]:.0%} of whom they listen to is shocked against the brand")
        if row.core_fan:
            parts.append("core fan")
        reasons.append("; ".join(parts))
    out = pd.DataFrame({
        "user_id": top["user_id"].to_numpy(), "core_fan": top["core_fan"].to_numpy(),
        "community": top["community"].to_numpy(),
        "stance_before": top["stance"].to_numpy(), "baseline": top["baseline"].to_numpy(),
        "stance_after": top["stance_after"].to_numpy(), "shift": top["shift_mean"].to_numpy(),
        "probability_negative": top["p_negative"].to_numpy(), "attitude": top["attitude"].to_numpy(),
        "attitude_support": top["attitude_support"].to_numpy(), "exposure": top["exposure"].to_numpy(),
        "why": reasons,
    })
    out["user_id"] = out["user_id"].astype("str")
    return out.reset_index(drop=True)


def _run(prep: _Prepared, scenario: WhatIfScenario, *, quiet: bool, detail: bool = True) -> WhatIfResult:
    cand_idx = _check_candidates(prep, scenario.candidates)
    draws = _draw(scenario)
    R = scenario.runs
    bar = progress(total=R * len(cand_idx), quiet=quiet, desc="what-if runs", unit="run")
    try:
        base, base_acc = _baseline(prep, draws, scenario)
        outcomes = tuple(_simulate_candidate(prep, int(k), base, draws, scenario, bar, detail=detail)
                         for k in cand_idx)
    finally:
        bar.close()
    net = prep.net
    parameters = {
        **scenario.to_dict(),
        "model": "methods.md section 4: exposure, balance shock, Friedkin-Johnsen propagation, baseline, Monte Carlo",
        "users": net.n,
        "listen_edges": int(net.listen.nnz),
        "listeners": int(prep.op.D.sum()),
        "brand_accounts_in_graph": [str(x) for x in net.names[prep.brand_idx]],
        "brand_accounts_missing": prep.missing["brand_accounts"],
        "core_fans_in_graph": int(prep.core_idx.size),
        "core_fans_missing": prep.missing["core_fans"],
        "stubborn": "brand accounts (lambda = 0) and users who listen to no one (W row zero)",
        "missing_stance": 0.0,
        "accuracy": {**base_acc, "per_user_bound": scenario.tol},
        "computation": "expectation part by power series over all runs + exposure fluctuation by thresholded "
                       "residual push; every per-user stance within tol of the exact equilibrium",
    }
    baseline = pd.DataFrame({"user_id": pd.array(net.names, dtype="str"), "stance": prep.s0,
                             "baseline": base.mean(axis=1, dtype=np.float64)})
    draws_frame = pd.DataFrame({"run": np.arange(R), "alpha": draws.alpha, "beta": draws.beta,
                                "susceptibility": draws.lam})
    return WhatIfResult(method=METHOD, parameters=parameters, seed=scenario.seed, outcomes=outcomes,
                        baseline=baseline, draws=draws_frame)


def simulate_partnership(g: ig.Graph | WhatIfNetwork, stance: pd.Series | Mapping[str, float],
                         attitudes: pd.DataFrame, core_fans: Iterable[str], brand_accounts: Iterable[str] | BrandConfig,
                         scenario: WhatIfScenario, *, communities: pd.Series | None = None,
                         quiet: bool = True) -> WhatIfResult:
    """Simulate partnering with each of ``scenario.candidates`` (methods page, section 4).

    ``g``: the interaction graph (or a prebuilt :class:`WhatIfNetwork`); never modified.
    ``stance``: measured brand stance per user id in [-1, 1] (missing users: 0).
    ``attitudes``: signed attitudes (src, dst, attitude in [-1, 1], support) as written by the analysis.
    ``core_fans``, ``brand_accounts``: user ids (ids not in the graph are ignored and counted).
    ``communities``: optional user id -> community label, for the per-community shift.

    Raises :class:`UnknownAccountError` for a candidate that is not in the graph.

    Example::

        >>> scen = WhatIfScenario(candidates=("critic_kol",), runs=200, seed=0)
        >>> res = simulate_partnership(g, stance, attitudes, core_fans, brand.accounts, scen)  # doctest: +SKIP
        >>> res.outcome("critic_kol").core_fan_shift.mean  # doctest: +SKIP
    """
    prep = _prepare(g, stance, attitudes, core_fans, brand_accounts, scenario, communities)
    return _run(prep, scenario, quiet=quiet)


def _level_values(scenario: WhatIfScenario) -> dict[str, tuple[float, float, float]]:
    a, b = scenario.susceptibility_beta
    if scenario.susceptibility is not None:
        lam = (scenario.susceptibility,) * 3
    else:
        lam = tuple(float(min(v, scenario.susceptibility_max)) for v in stats.beta.ppf([0.05, 0.5, 0.95], a, b))
    mid = lambda lo, hi: (lo, (lo + hi) / 2, hi)  # noqa: E731
    return {"alpha": mid(*scenario.alpha_range), "beta": mid(*scenario.beta_range), "susceptibility": lam,
            "q": mid(*scenario.q_range)}


def sensitivity(g: ig.Graph | WhatIfNetwork, stance: pd.Series | Mapping[str, float], attitudes: pd.DataFrame,
                core_fans: Iterable[str], brand_accounts: Iterable[str] | BrandConfig, scenario: WhatIfScenario, *,
                communities: pd.Series | None = None, runs: int | None = None, quiet: bool = True) -> pd.DataFrame:
    """One-at-a-time sweep: each of alpha, beta, susceptibility, q fixed at low / mid / high of its range.

    The other parameters keep their priors and every row uses the same seed (common random
    numbers), so a row's difference from the ``all priors`` reference row is that parameter's
    doing. Levels: the ends and middle of the Uniform ranges and of ``q_range``; the 5%, 50% and
    95% quantiles of the susceptibility prior. ``runs`` defaults to ``scenario.runs``.

    Returns one row per (candidate, parameter, level): value, core_fan_shift mean/p05/p95,
    core_fans_turning_negative mean, overall_shift mean.
    """
    if runs is not None:
        scenario = dataclasses.replace(scenario, runs=runs)
    prep = _prepare(g, stance, attitudes, core_fans, brand_accounts, scenario, communities)
    _check_candidates(prep, scenario.candidates)
    levels = _level_values(scenario)
    variants = [("all priors", "reference", float("nan"), scenario)]
    for name in SENSITIVITY_PARAMETERS:
        for label, value in zip(("low", "mid", "high"), levels[name]):
            if name == "alpha":
                s = dataclasses.replace(scenario, alpha_range=(value, value))
            elif name == "beta":
                s = dataclasses.replace(scenario, beta_range=(value, value))
            elif name == "susceptibility":
                s = dataclasses.replace(scenario, susceptibility=value)
            else:
                s = dataclasses.replace(scenario, q=value)
            variants.append((name, label, float(value), s))
    rows = []
    bar = progress(variants, quiet=quiet, desc="sensitivity", unit="setting")
    for name, label, value, s in bar:
        res = _run(prep, s, quiet=True, detail=False)
        for o in res.outcomes:
            rows.append({"candidate": o.candidate, "parameter": name, "level": label, "value": value,
                         "core_fan_shift": o.core_fan_shift.mean, "core_fan_shift_p05": o.core_fan_shift.p05,
                         "core_fan_shift_p95": o.core_fan_shift.p95,
                         "core_fans_turning_negative": o.core_fans_turning_negative.mean,
                         "overall_shift": o.overall_shift.mean})
    out = pd.DataFrame(rows)
    out["candidate"] = out["candidate"].astype("str")
    return out


# --------------------------------------------------------------------------- workspace


@dataclass(frozen=True, eq=False)
class WhatIfInputs:
    """What the simulator reads from a workspace's analysis outputs."""

    network: WhatIfNetwork
    stance: pd.Series
    attitudes: pd.DataFrame
    core_fans: tuple[str, ...]
    brand: BrandConfig
    communities: pd.Series | None


def load_whatif_inputs(ws, *, listen_kinds: Sequence[str] = ("repost", "reply")) -> WhatIfInputs:
    """Read the graph and ``analysis/`` outputs of a workspace (path or :class:`Workspace`).

    Raises :class:`AnalysisMissingError` when ``kolgraph analyze`` has not been run.
    """
    import json

    from ..build.workspace import Workspace, open_workspace

    ws = ws if isinstance(ws, Workspace) else open_workspace(ws)
    needed = [("analysis", "users.parquet"), ("analysis", "attitudes.parquet"), ("analysis", "analysis.json")]
    missing = ["/".join(p) for p in needed if not ws.has_result(*p)]
    if missing:
        raise AnalysisMissingError(f"{ws.path}: no analysis yet ({', '.join(missing)} missing); run "
                                   f"`kolgraph analyze {ws.path}` first")
    users = ws.read_result_table("analysis", "users.parquet")
    att = ws.read_result_table("analysis", "attitudes.parquet")
    info = json.loads(ws.result_path("analysis", "analysis.json").read_text(encoding="utf-8"))
    brand_raw = info.get("brand") or info.get("parameters", {}).get("brand") or {}
    for col in ("user_id", "stance", "roles"):
        if col not in users:
            raise InputError(str(ws.result_path("analysis", "users.parquet")), f"missing column {col!r}; "
                             "re-run `kolgraph analyze`")
    roles = users["roles"]
    brand_ids = list(brand_raw.get("accounts", [])) + users.loc[has_role(roles, "brand_account"), "user_id"].astype("str").tolist()
    brand = BrandConfig(accounts=tuple(brand_ids), keywords=tuple(brand_raw.get("keywords", [])),
                        name=str(brand_raw.get("name", "")))
    core = tuple(users.loc[has_role(roles, "core_fan"), "user_id"].astype("str"))
    stance = pd.Series(pd.to_numeric(users["stance"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
                       index=pd.Index(users["user_id"].astype("str"), dtype="str"))
    communities = None
    if "community" in users:
        communities = pd.Series(users["community"].to_numpy(), index=pd.Index(users["user_id"].astype("str"), dtype="str"))
    vertices = ws.vertices()
    net = WhatIfNetwork.from_edges(ws.edges(), pd.Index(vertices["user_id"].astype("str")), listen_kinds=listen_kinds)
    return WhatIfInputs(network=net, stance=stance, attitudes=att, core_fans=core, brand=brand, communities=communities)


@dataclass(frozen=True)
class WhatIfRun:
    """A workspace what-if: the result and the files written (empty when ``write=False``)."""

    result: WhatIfResult
    files: Mapping[str, Path]


def _scenario(candidates: Sequence[str], config: KolgraphConfig | str | os.PathLike | None,
              scenario: WhatIfScenario | None, **overrides: Any) -> WhatIfScenario:
    if scenario is not None:
        extra = {k: v for k, v in overrides.items() if v is not None}
        if candidates:
            extra["candidates"] = tuple(candidates)
        return dataclasses.replace(scenario, **extra) if extra else scenario
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    return params_from_mapping(WhatIfScenario, cfg.section("whatif"), "whatif",
                               candidates=tuple(candidates) if candidates else None, **overrides)


def whatif_workspace(ws, candidates: Sequence[str], *, scenario: WhatIfScenario | None = None,
                     config: KolgraphConfig | str | os.PathLike | None = None, runs: int | None = None,
                     seed: int | None = None, quiet: bool = True, write: bool = True) -> WhatIfRun:
    """Run the what-if on a workspace's analysis and write ``WORKSPACE/whatif/``.

    Parameters come from ``scenario``, else the config file's ``[whatif]`` section, with ``runs``
    and ``seed`` overriding. Files: ``users.parquet`` (per user and candidate), ``summary.json``
    (:meth:`WhatIfResult.to_dict`), ``runs.csv``, ``communities.csv``, ``defectors.csv``,
    ``carriers.csv``; the run is recorded in the manifest (``results.whatif``).
    """
    from .._io import write_json, write_table
    from ..build.workspace import Workspace, open_workspace

    ws = ws if isinstance(ws, Workspace) else open_workspace(ws)
    scen = _scenario(candidates, config, scenario, runs=runs, seed=seed)
    inputs = load_whatif_inputs(ws, listen_kinds=scen.listen_kinds)
    result = simulate_partnership(inputs.network, inputs.stance, inputs.attitudes, inputs.core_fans, inputs.brand,
                                  scen, communities=inputs.communities, quiet=quiet)
    files: dict[str, Path] = {}
    if write:
        out = ws.path / "whatif"
        per_user = result.to_frame()
        if "community" in per_user:
            per_user["community"] = per_user["community"].astype("str").where(per_user["community"].notna(), None)
        files["users"] = write_table(per_user, out / "users.parquet")
        files["summary"] = write_json(out / "summary.json", result.to_dict())
        files["runs"] = write_table(result.runs_frame(), out / "runs.csv")
        for name in ("communities", "defectors", "carriers"):
            frames = [getattr(o, name).assign(candidate=o.candidate) for o in result.outcomes]
            files[name] = write_table(pd.concat(frames, ignore_index=True), out / f"{name}.csv")
        ws.record_result("whatif", {"candidates": list(result.candidates), "seed": result.seed,
                                    "runs": scen.runs,
                                    "files": {k: str(Path(v).relative_to(ws.path)) for k, v in files.items()}})
    return WhatIfRun(result=result, files=files)


def sensitivity_workspace(ws, candidates: Sequence[str], *, scenario: WhatIfScenario | None = None,
                          config: KolgraphConfig | str | os.PathLike | None = None, runs: int | None = None,
                          seed: int | None = None, quiet: bool = True, write: bool = True) -> tuple[pd.DataFrame, Path | None]:
    """:func:`sensitivity` on a workspace's analysis; writes ``WORKSPACE/whatif/sensitivity.csv``."""
    from .._io import write_table
    from ..build.workspace import Workspace, open_workspace

    ws = ws if isinstance(ws, Workspace) else open_workspace(ws)
    scen = _scenario(candidates, config, scenario, runs=runs, seed=seed)
    inputs = load_whatif_inputs(ws, listen_kinds=scen.listen_kinds)
    table = sensitivity(inputs.network, inputs.stance, inputs.attitudes, inputs.core_fans, inputs.brand, scen,
                        communities=inputs.communities, quiet=quiet)
    path = write_table(table, ws.path / "whatif" / "sensitivity.csv") if write else None
    return table, path
