"""Calibration of the what-if model from a past partnership, and events simulated with known parameters.

The simulator (:mod:`kolgraph.algorithms.whatif`, methods page section 4) has three behavioural
parameters: betrayal strength ``alpha``, warming strength ``beta`` and susceptibility ``lambda``.
Given a past event (stance measured before and after a known partnership with account k), they can
be fitted instead of assumed.

The fit. For user u observed in both periods, the shift ``y_u = stance_after - stance_before`` is
modelled, in expectation over who saw the announcement, as

    y = c + alpha * X1(lambda) + beta * X2(lambda) + noise,
    X1(lambda) = M(lambda) (p * min(a, 0)),  X2(lambda) = M(lambda) (p * max(a, 0) * (1 - s)),

with ``M(lambda) = (I - lambda W)^-1 (I - lambda D)`` the Friedkin-Johnsen operator of the
simulator (same W, same stubborn brand accounts), ``p`` the exposure probability
``1 - (1 - q)^m`` from the before-period interactions, ``a`` the attitude toward k before, ``s``
the stance before and ``c`` a common drift (anything that moved everyone). Given lambda the model
is linear in (c, alpha, beta), so lambda is profiled on a grid (``grid_step`` up to
``susceptibility_max``) and (c, alpha, beta) solved in closed form by weighted least squares at
each grid point. Weights are inverse variances: the measurement part ``sigma^2 (1/n_before +
1/n_after)`` (a difference of two means of n rows) plus, with ``exposure_weights`` (default), the
exposure noise of the user's own shock ``(1 - lambda)^2 p (1 - p) delta^2`` from a first unweighted
fit (feasible GLS; sigma^2 from the users without a shock of their own). The estimate is the grid
point with the smallest weighted squared error.
Uncertainty: a Poisson bootstrap over users (each user's weight times Poisson(1), ``bootstrap``
replicates, the whole profile refitted each time): standard errors and 90% percentile intervals.
The clipping of ``s + delta`` to [-1, 1] is ignored in the fit (it binds rarely).

Measurement. Stance and attitudes are measured the usual way (:mod:`kolgraph.algorithms.stance`:
brand-directed rows, sentiment from the input column or the text model) but as plain means
(``k0 = 0``) over users with at least ``min_support`` brand-directed rows in each period: the
shrunk mean would shrink both periods' stances toward 0 by ``n / (n + k0)`` and bias alpha and
beta low. The fitted parameters are therefore on the latent scale; the simulator applies them to
shrunk measurements, which makes it slightly conservative for users with little support.

Known-parameter events. :func:`simulate_partnership_event` draws an event with the generator of
:mod:`kolgraph.datasets` (``plant_population`` + ``draw_interactions`` + ``render_interactions``),
applies the simulator's forward model with known (alpha, beta, lambda, q) (one exposure draw; the
effect is the exact equilibrium from :func:`~kolgraph.algorithms.whatif.fj_effect`), and makes an
"after" period in which every brand-directed row's tone is shifted by its author's effect (the
``sentiment`` column carries it; texts are not redrawn, and the sentiment column takes precedence
over the text model, methods page section 2). The forward model's attitude and stance are what
each user expressed before (mean true tone of u's replies and mentions of k; mean true tone of
u's brand-directed rows), so they are exactly what the calibration measures. Two after modes:

- ``same`` (default): the same interactions one period later, each brand-directed tone shifted
  and given fresh mean-zero noise (uniform, never clipped), so the expected measured shift of a
  user is exactly its effect; what remains is measurement noise and the exposure draw.
- ``redraw``: a fresh draw of the whole period from the same population. Then a user's mix of
  channels changes between periods (the generator's fans also name the brand in chat at a fixed
  warmth), and that regression to the mean correlates with network position: at 50,000 users the
  fit comes out about 10% low for alpha, beta and lambda (see benchmarks/whatif_scale.py). Real
  data can carry the same bias; the bootstrap interval does not cover it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import igraph as ig
import numpy as np
import pandas as pd

from .._io import write_json, write_table, write_text
from ..config import BrandConfig, KolgraphConfig, load_config, params_from_mapping
from ..progress import progress
from ..times import parse_time
from ..schema import DEFAULT_KIND_WEIGHTS, KINDS, ConfigError, InputError, KolgraphError, UnknownAccountError
from .whatif import WhatIfNetwork, WhatIfScenario, _as_network, _ids, _jsonable, _Operator, _series, fj_effect

__all__ = [
    "CalibrationParams",
    "CalibrationResult",
    "ParameterEstimate",
    "PartnershipEvent",
    "calibrate",
    "measure_period",
    "calibrate_workspaces",
    "calibrate_cutoff",
    "calibrate_event",
    "simulate_partnership_event",
]


@dataclass(frozen=True)
class CalibrationParams:
    """Calibration settings (config section ``[calibration]``).

    - ``q``: exposure rate used to compute p (as in the scenario).
    - ``susceptibility_max``, ``grid_step``: the lambda grid 0, step, ..., max (max < 1).
    - ``min_support``: brand-directed rows a user needs in each period to enter the fit.
    - ``bootstrap`` replicates (>= 0; 0 skips the uncertainty), ``seed``.
    - ``intercept``: fit a common drift c (recommended).
    - ``exposure_weights``: feasible-GLS weights that include the exposure noise (module docstring).
    - ``listen_kinds``, ``tol``, ``max_iter``: as in :class:`~kolgraph.algorithms.whatif.WhatIfScenario`
      (``tol`` here bounds the regressors' error).
    """

    q: float = 0.3
    susceptibility_max: float = 0.9
    grid_step: float = 0.01
    min_support: int = 2
    bootstrap: int = 200
    seed: int = 0
    intercept: bool = True
    exposure_weights: bool = True
    listen_kinds: tuple[str, ...] = ("repost", "reply")
    tol: float = 1e-6
    max_iter: int = 5000

    def __post_init__(self) -> None:
        if not 0 < float(self.q) <= 1:
            raise ConfigError(f"q must be in (0, 1], got {self.q}")
        if not 0 <= float(self.susceptibility_max) < 1 or not 0 < float(self.grid_step) <= 0.5:
            raise ConfigError("susceptibility_max must be in [0, 1) and grid_step in (0, 0.5]")
        for name in ("min_support", "bootstrap", "seed", "max_iter"):
            v = getattr(self, name)
            if isinstance(v, bool) or int(v) != v or int(v) < 0:
                raise ConfigError(f"{name} must be a non-negative integer, got {v!r}")
            object.__setattr__(self, name, int(v))
        if self.min_support < 1 or self.max_iter < 1:
            raise ConfigError("min_support and max_iter must be >= 1")
        if not float(self.tol) > 0:
            raise ConfigError("tol must be > 0")
        object.__setattr__(self, "listen_kinds", WhatIfScenario(listen_kinds=self.listen_kinds).listen_kinds)

    def grid(self) -> np.ndarray:
        g = np.arange(0.0, self.susceptibility_max + 1e-12, self.grid_step)
        return np.unique(np.round(np.r_[g, self.susceptibility_max], 10))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["listen_kinds"] = list(self.listen_kinds)
        return d


@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted parameter: point estimate, bootstrap standard error and 90% percentile interval."""

    value: float
    se: float
    ci90: tuple[float, float]
    identified: bool = True

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if not math.isfinite(v) else round(float(v), 6)  # noqa: E731
        return {"value": r(self.value), "se": r(self.se), "ci90": [r(self.ci90[0]), r(self.ci90[1])],
                "identified": self.identified}

    def text(self) -> str:
        if not self.identified:
            return "not identified"
        return f"{self.value:.3f} (se {self.se:.3f}, 90% [{self.ci90[0]:.3f}, {self.ci90[1]:.3f}])"


@dataclass(frozen=True)
class CalibrationResult:
    """Fitted alpha, beta, susceptibility (and drift) with uncertainty, the lambda profile and the fit rows."""

    method: str
    parameters: Mapping[str, Any]
    seed: int
    candidate: str
    alpha: ParameterEstimate
    beta: ParameterEstimate
    susceptibility: ParameterEstimate
    drift: ParameterEstimate
    users: int
    r2: float
    profile: pd.DataFrame = field(repr=False)
    fit: pd.DataFrame = field(repr=False)
    bootstrap: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Per fitted user: user_id, observed shift, predicted, weight, x_betrayal, x_warming."""
        return self.fit.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: method, candidate, seed, alpha/beta/susceptibility/drift {value, se, ci90, identified},
        users, r2, parameters, profile [{susceptibility, sse}]."""
        return _jsonable({
            "method": self.method, "candidate": self.candidate, "seed": self.seed,
            "alpha": self.alpha.to_dict(), "beta": self.beta.to_dict(),
            "susceptibility": self.susceptibility.to_dict(), "drift": self.drift.to_dict(),
            "users": self.users, "r2": None if not math.isfinite(self.r2) else round(self.r2, 6),
            "parameters": dict(self.parameters),
            "profile": [{"susceptibility": round(float(a), 6), "sse": float(b)}
                        for a, b in zip(self.profile["susceptibility"], self.profile["sse"])],
        })

    def scenario_overrides(self) -> dict[str, Any]:
        """``[whatif]`` values carrying the fit: 90% intervals as Uniform ranges, a Beta matching lambda."""
        out: dict[str, Any] = {"q": float(self.parameters.get("q", 0.3))}
        if self.alpha.identified:
            out["alpha_range"] = [max(0.0, round(self.alpha.ci90[0], 4)), max(0.0, round(self.alpha.ci90[1], 4))]
        if self.beta.identified:
            out["beta_range"] = [max(0.0, round(self.beta.ci90[0], 4)), max(0.0, round(self.beta.ci90[1], 4))]
        lam_draws = self.bootstrap["susceptibility"].to_numpy() if len(self.bootstrap) else np.array([])
        m = float(np.mean(lam_draws)) if lam_draws.size else self.susceptibility.value
        v = float(np.var(lam_draws, ddof=1)) if lam_draws.size > 1 else 0.0
        if v > 1e-8 and 0 < m < 1:
            kappa = min(m * (1 - m) / v - 1, 1000.0)
            if kappa > 0:
                out["susceptibility_beta"] = [round(m * kappa, 4), round((1 - m) * kappa, 4)]
            else:
                out["susceptibility"] = round(self.susceptibility.value, 4)
        else:
            out["susceptibility"] = round(self.susceptibility.value, 4)
        return out

    def to_toml(self, source: str = "") -> str:
        """A ``[whatif]`` TOML section with the fitted priors (comment lines say where they came from)."""
        lines = ["[whatif]",
                 f"# fitted by `kolgraph whatif calibrate` for candidate {json.dumps(self.candidate)}"
                 + (f" from {source}" if source else ""),
                 f"# alpha {self.alpha.text()}; beta {self.beta.text()}; susceptibility {self.susceptibility.text()}",
                 f"# {self.users} users in the fit, R^2 {self.r2:.3f}; ranges are the 90% bootstrap intervals"]
        for key, value in self.scenario_overrides().items():
            lines.append(f"{key} = {json.dumps(value)}")
        return "\n".join(lines) + "\n"

    def summary_lines(self) -> list[str]:
        return [f"calibration for partnering with {self.candidate}: {self.users} users observed in both periods",
                f"  alpha (betrayal)          {self.alpha.text()}",
                f"  beta (warming)            {self.beta.text()}",
                f"  susceptibility (lambda)   {self.susceptibility.text()}",
                f"  common drift              {self.drift.text()}",
                f"  weighted R^2              {self.r2:.3f}"]


# --------------------------------------------------------------------------- the fit


def _period_frame(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = {"user_id", "stance", "support"} - set(frame.columns)
    if missing:
        raise InputError(f"({what})", f"missing column(s) {', '.join(sorted(missing))}")
    out = pd.DataFrame({"user_id": frame["user_id"].astype("str"),
                        "stance": pd.to_numeric(frame["stance"], errors="coerce").astype("float64"),
                        "support": pd.to_numeric(frame["support"], errors="coerce").fillna(0).astype("int64")})
    if out["user_id"].duplicated().any():
        raise InputError(f"({what})", f"user {out['user_id'][out['user_id'].duplicated()].iloc[0]!r} appears twice")
    return out


def _fit_grid(Zf: np.ndarray, Z1: np.ndarray, Z2: np.ndarray, y: np.ndarray, weights: np.ndarray,
              use: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least squares of y on [Zf, Z1[:, g], Z2[:, g]] at every grid point g, for each row of ``weights``.

    ``weights``: (B x m), one weighting per replicate. Returns, per replicate, the best parameters
    (B x (f + 2)), the best grid value (B) and the whole SSE profile (B x G).
    """
    B = weights.shape[0]
    G = grid.size
    p = Zf.shape[1] + 2
    sse = np.zeros((B, G))
    thetas = np.zeros((B, G, p))
    yy = weights @ (y * y)
    for gi in range(G):  # one pass per grid point (not per user)
        cols = np.column_stack([Zf, Z1[:, gi], Z2[:, gi]])
        prod = np.einsum("mi,mj->mij", cols, cols).reshape(len(y), p * p)
        A = (weights @ prod).reshape(B, p, p)
        rhs = weights @ (cols * y[:, None])
        th = _masked_solve(A, rhs, use)
        thetas[:, gi] = th
        sse[:, gi] = np.maximum(yy - np.einsum("bi,bi->b", th, rhs), 0.0)
    best = np.argmin(sse, axis=1)
    return thetas[np.arange(B), best], grid[best], sse


def _masked_solve(A: np.ndarray, b: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Solve A theta = b per leading index, with the parameters not in ``use`` fixed at 0."""
    idx = np.flatnonzero(use)
    theta = np.zeros(b.shape)
    if idx.size:
        sub = A[..., idx[:, None], idx[None, :]]
        rhs = b[..., idx]
        theta[..., idx] = np.linalg.solve(sub + 1e-12 * np.eye(idx.size), rhs[..., None])[..., 0]
    return theta


def calibrate(g: ig.Graph | WhatIfNetwork, before: pd.DataFrame, after: pd.DataFrame, attitudes: pd.DataFrame,
              brand_accounts: Iterable[str] | BrandConfig, candidate: str, *,
              params: CalibrationParams | None = None) -> CalibrationResult:
    """Fit alpha, beta and susceptibility from stance before/after a partnership with ``candidate``.

    ``g``: the before-period graph (or a :class:`WhatIfNetwork`). ``before``/``after``: user_id,
    stance (plain mean of brand-directed sentiment, in [-1, 1]), support (rows averaged).
    ``attitudes``: src, dst, attitude (plain means, before the partnership). See the module
    docstring for the model. Raises :class:`UnknownAccountError` for an unknown candidate and
    :class:`KolgraphError` when nothing identifies the parameters.
    """
    params = params or CalibrationParams()
    net = _as_network(g, params.listen_kinds)
    names = net.names
    n = net.n
    k = int(net.index_of([candidate])[0])
    if k < 0:
        raise UnknownAccountError(f"unknown candidate account {candidate!r}: not a user in the before-period graph "
                                  f"({n:,} users); user ids are case-sensitive")
    bidx = net.index_of(_ids(brand_accounts))
    brand_idx = np.unique(bidx[bidx >= 0])
    if k in set(brand_idx.tolist()):
        raise ConfigError(f"{candidate} is a brand account; calibrate on a partnership with an outside account")
    op = _Operator.build(net, brand_idx)
    b = _period_frame(before, "before")
    a_ = _period_frame(after, "after")
    s_before = np.zeros(n)
    sup_before = np.zeros(n, dtype=np.int64)
    ib = names.get_indexer(pd.Index(b["user_id"], dtype="str"))
    ok = (ib >= 0) & (b["support"].to_numpy() > 0) & np.isfinite(b["stance"].to_numpy())
    s_before[ib[ok]] = np.clip(b["stance"].to_numpy()[ok], -1, 1)
    sup_before[ib[ok]] = b["support"].to_numpy()[ok]
    s_after = np.full(n, np.nan)
    sup_after = np.zeros(n, dtype=np.int64)
    ia = names.get_indexer(pd.Index(a_["user_id"], dtype="str"))
    ok = (ia >= 0) & (a_["support"].to_numpy() > 0) & np.isfinite(a_["stance"].to_numpy())
    s_after[ia[ok]] = np.clip(a_["stance"].to_numpy()[ok], -1, 1)
    sup_after[ia[ok]] = a_["support"].to_numpy()[ok]
    # attitudes toward k
    att = attitudes[attitudes["dst"].astype("str") == candidate]
    a = np.zeros(n)
    isrc = names.get_indexer(pd.Index(att["src"].astype("str"), dtype="str"))
    vals = pd.to_numeric(att["attitude"], errors="coerce").to_numpy(dtype=np.float64)
    ok = (isrc >= 0) & np.isfinite(vals)
    a[isrc[ok]] = np.clip(vals[ok], -1, 1)
    a[brand_idx] = 0.0
    a[k] = 0.0
    cols = np.unique(np.r_[brand_idx, k])
    m = np.asarray(net.counts[:, cols].sum(axis=1)).ravel()
    p = 1.0 - (1.0 - params.q) ** m
    v1 = p * np.minimum(a, 0.0)
    v2 = p * np.maximum(a, 0.0) * (1.0 - s_before)
    fit_mask = (sup_before >= params.min_support) & (sup_after >= params.min_support)
    fit_mask[brand_idx] = False
    fit_mask[k] = False
    F = np.flatnonzero(fit_mask)
    if F.size < 5:
        raise KolgraphError(f"only {F.size} users have >= {params.min_support} brand-directed interactions in both "
                            "periods; too few to calibrate (lower min_support or use longer periods)")
    if not np.any(v1) and not np.any(v2):
        raise KolgraphError(f"no user with an attitude toward {candidate} before the partnership was exposed: "
                            "alpha and beta are not identified by this event")
    grid = params.grid()
    G = grid.size
    W = op.W
    X1 = np.zeros((F.size, G), dtype=np.float32)
    X2 = np.zeros((F.size, G), dtype=np.float32)
    scale = max(float(np.abs(v1).max()), float(np.abs(v2).max()), 1e-12)
    V = np.column_stack([v1, op.D * v1, v2, op.D * v2]) / scale
    coef = np.vstack([np.ones(G), -np.ones(G), np.ones(G), -np.ones(G)])
    terms, bound = _series(lambda X: W @ X, V, grid, coef, np.array([0, 1, 0, 1]), [X1, X2], [0, 0, 1, 1],
                           rows=F, tol=params.tol, max_iter=params.max_iter, what="the calibration regressors")
    Z1 = X1.astype(np.float64) * scale
    Z2 = X2.astype(np.float64) * scale
    y = s_after[F] - s_before[F]
    Zf = np.ones((F.size, 1))  # the common drift
    use = np.array([params.intercept, bool(np.any(Z1)), bool(np.any(Z2))])
    meas_w = 1.0 / (1.0 / sup_before[F] + 1.0 / sup_after[F])  # 1 / var of a difference of two means
    wts = meas_w
    theta, lam_best, sse = _fit_grid(Zf, Z1, Z2, y, wts[None, :], use, grid)
    sigma2 = float("nan")
    if params.exposure_weights:
        # feasible GLS: add the exposure noise of each user's own shock, (1 - lambda)^2 p (1 - p) delta^2,
        # to the measurement noise sigma^2 (1/n0 + 1/n1), sigma^2 from users without a shock of their own
        c0, al0, be0 = theta[0]
        lam0 = float(lam_best[0])
        g0 = int(np.flatnonzero(grid == lam0)[0])
        resid = y - (c0 + al0 * Z1[:, g0] + be0 * Z2[:, g0])
        quiet_users = a[F] == 0
        pool = quiet_users if quiet_users.sum() >= 10 else np.ones(F.size, dtype=bool)
        sigma2 = float(np.mean(meas_w[pool] * resid[pool] ** 2))
        dF = al0 * np.minimum(a[F], 0.0) + be0 * np.maximum(a[F], 0.0) * (1.0 - s_before[F])
        shock_var = (1.0 - lam0 * op.D[F]) ** 2 * p[F] * (1.0 - p[F]) * dF ** 2
        wts = 1.0 / (sigma2 / meas_w + shock_var)
        theta, lam_best, sse = _fit_grid(Zf, Z1, Z2, y, wts[None, :], use, grid)
    c_hat, alpha_hat, beta_hat = theta[0]
    lam_hat = float(lam_best[0])
    g_best = int(np.flatnonzero(grid == lam_hat)[0])
    sse = sse[0]
    pred = c_hat + alpha_hat * Z1[:, g_best] + beta_hat * Z2[:, g_best]
    ybar = float(wts @ y / wts.sum())
    sst = float(wts @ (y - ybar) ** 2)
    r2 = 1.0 - float(sse[g_best]) / sst if sst > 0 else float("nan")
    # Poisson bootstrap over users: every replicate refits the whole lambda profile
    B = params.bootstrap
    boot = pd.DataFrame(columns=["drift", "alpha", "beta", "susceptibility"])
    if B:
        rng = np.random.default_rng(params.seed)
        omega = rng.poisson(1.0, size=(B, F.size)).astype(np.float64) * wts[None, :]
        th_b, lam_b, _ = _fit_grid(Zf, Z1, Z2, y, omega, use, grid)
        boot = pd.DataFrame(np.column_stack([th_b, lam_b]),
                            columns=["drift", "alpha", "beta", "susceptibility"])

    def est(value: float, column: str, identified: bool) -> ParameterEstimate:
        if not identified:
            return ParameterEstimate(float("nan"), float("nan"), (float("nan"), float("nan")), False)
        if len(boot):
            v = boot[column].to_numpy()
            lo, hi = np.percentile(v, [5, 95])
            return ParameterEstimate(float(value), float(v.std(ddof=1)) if v.size > 1 else float("nan"),
                                     (float(lo), float(hi)))
        return ParameterEstimate(float(value), float("nan"), (float("nan"), float("nan")))

    fit = pd.DataFrame({"user_id": pd.array(names[F], dtype="str"), "stance_before": s_before[F],
                        "stance_after": s_after[F], "observed_shift": y, "predicted_shift": pred, "weight": wts,
                        "x_betrayal": Z1[:, g_best], "x_warming": Z2[:, g_best],
                        "attitude": np.where(a[F] != 0, a[F], np.nan), "exposure": p[F]})
    parameters = {**params.to_dict(), "candidate": candidate, "users_in_graph": n,
                  "users_with_attitude": int((a != 0).sum()),
                  "brand_accounts_in_graph": [str(x) for x in names[brand_idx]],
                  "regressor_series_terms": terms, "regressor_bound": bound * scale,
                  "measurement_variance_per_row": sigma2,
                  "model": "y = c + alpha M(lambda)(p a-) + beta M(lambda)(p a+ (1 - s)); lambda profiled on a grid"}
    return CalibrationResult(
        method="profile_least_squares", parameters=parameters, seed=params.seed, candidate=candidate,
        alpha=est(alpha_hat, "alpha", bool(use[1])), beta=est(beta_hat, "beta", bool(use[2])),
        susceptibility=est(lam_hat, "susceptibility", True), drift=est(c_hat, "drift", params.intercept),
        users=int(F.size), r2=r2, profile=pd.DataFrame({"susceptibility": grid, "sse": sse}), fit=fit,
        bootstrap=boot)


# --------------------------------------------------------------------------- measuring periods


def measure_period(interactions: pd.DataFrame, brand: BrandConfig, candidate: str | None = None, *,
                   model: Any = None, users: pd.Index | None = None, quiet: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stance (user_id, stance, support) and attitudes toward ``candidate`` (src, dst, attitude, support).

    Plain means (``k0 = 0``) of interaction sentiment (input column, else the text model) over
    brand-directed rows, and over replies and mentions of the candidate.
    """
    from .stance import attitudes as attitude_table, brand_directed, index_texts, interaction_sentiment, user_stance

    ti = index_texts(interactions)
    directed = brand_directed(interactions, brand, text_index=ti)
    to_cand = np.zeros(len(interactions), dtype=bool)
    if candidate is not None:
        to_cand = ((interactions["dst"].astype("str") == candidate).to_numpy(dtype=bool)
                   & interactions["kind"].astype("str").isin(["reply", "mention"]).to_numpy(dtype=bool))
    sentiment = interaction_sentiment(interactions, model, mask=directed | to_cand, text_index=ti, quiet=quiet)
    st = user_stance(interactions, sentiment, brand, k0=0.0, users=users, directed=directed, text_index=ti)
    stance = pd.DataFrame({"user_id": pd.array(st.user_ids, dtype="str"), "stance": st.stance,
                           "support": st.support.astype(np.int64)})
    if candidate is not None and to_cand.any():
        rows = np.flatnonzero(to_cand)
        att = attitude_table(interactions.iloc[rows].reset_index(drop=True), sentiment[rows], k0=0.0).to_frame()
    else:
        att = pd.DataFrame({"src": pd.Series([], dtype="str"), "dst": pd.Series([], dtype="str"),
                            "attitude": pd.Series([], dtype="float64"), "support": pd.Series([], dtype="int64")})
    return stance, att


def _resolve_brand(brand: BrandConfig | None, config: KolgraphConfig | str | os.PathLike | None, ws=None) -> BrandConfig:
    if brand is not None and (brand.accounts or brand.keywords):
        return brand
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    if cfg.brand.accounts or cfg.brand.keywords:
        return cfg.brand
    if ws is not None and ws.has_result("analysis", "analysis.json"):
        info = json.loads(ws.result_path("analysis", "analysis.json").read_text(encoding="utf-8"))
        raw = info.get("brand") or info.get("parameters", {}).get("brand") or {}
        if raw.get("accounts") or raw.get("keywords"):
            return BrandConfig(tuple(raw.get("accounts", ())), tuple(raw.get("keywords", ())), str(raw.get("name", "")))
    raise ConfigError("no brand given: pass a config file with a [brand] section (--config), or run "
                      "`kolgraph analyze` on the before workspace first")


def _calibration_params(config, params: CalibrationParams | None, **overrides: Any) -> CalibrationParams:
    if params is not None:
        extra = {k: v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(params, **extra) if extra else params
    cfg = config if isinstance(config, KolgraphConfig) else load_config(config)
    whatif = cfg.section("whatif")
    q = overrides.pop("q", None) or whatif.get("q")
    return params_from_mapping(CalibrationParams, cfg.section("calibration"), "calibration", q=q, **overrides)


def calibrate_workspaces(before_ws, after_ws, candidate: str, *, brand: BrandConfig | None = None,
                         config: KolgraphConfig | str | os.PathLike | None = None,
                         params: CalibrationParams | None = None, model: Any = None, seed: int | None = None,
                         bootstrap: int | None = None, quiet: bool = True) -> CalibrationResult:
    """Calibrate from two workspaces: one built before and one after a known partnership with ``candidate``.

    The before workspace gives the graph, exposure and attitudes; stance is measured in each.
    The brand comes from ``brand``, else the config's ``[brand]``, else the before workspace's analysis.
    """
    from ..build.workspace import Workspace, open_workspace

    bw = before_ws if isinstance(before_ws, Workspace) else open_workspace(before_ws)
    aw = after_ws if isinstance(after_ws, Workspace) else open_workspace(after_ws)
    brand = _resolve_brand(brand, config, bw)
    cp = _calibration_params(config, params, seed=seed, bootstrap=bootstrap)
    names = pd.Index(bw.vertices()["user_id"].astype("str"), dtype="str")
    net = WhatIfNetwork.from_edges(bw.edges(), names, listen_kinds=cp.listen_kinds)
    if net.index_of([candidate])[0] < 0:
        raise UnknownAccountError(f"unknown candidate account {candidate!r}: not a user in {bw.path}")
    s0, att = measure_period(bw.interactions(), brand, candidate, model=model, users=names, quiet=quiet)
    s1, _ = measure_period(aw.interactions(), brand, None, model=model, quiet=quiet)
    return calibrate(net, s0, s1, att, brand, candidate, params=cp)


def calibrate_cutoff(ws, cutoff: Any, candidate: str, *, brand: BrandConfig | None = None,
                     config: KolgraphConfig | str | os.PathLike | None = None,
                     params: CalibrationParams | None = None, model: Any = None, seed: int | None = None,
                     bootstrap: int | None = None, quiet: bool = True) -> CalibrationResult:
    """Calibrate from one workspace split at ``cutoff`` (epoch seconds or an ISO date/time, UTC if no zone).

    Rows before the cut-off make the before period (graph, exposure, attitudes, stance), rows at or
    after it the after period. Rows without a timestamp are left out (counted in the parameters).
    """
    from ..build.graph import collapse_interactions
    from ..build.workspace import Workspace, open_workspace

    ws = ws if isinstance(ws, Workspace) else open_workspace(ws)
    brand = _resolve_brand(brand, config, ws)
    cp = _calibration_params(config, params, seed=seed, bootstrap=bootstrap)
    t = parse_time(cutoff, what="--cutoff")
    inter = ws.interactions()
    ts = inter["timestamp"].to_numpy(dtype=np.float64, na_value=np.nan)
    known = np.isfinite(ts)
    before = inter[known & (ts < t)].reset_index(drop=True)
    after = inter[known & (ts >= t)].reset_index(drop=True)
    if not len(before) or not len(after):
        raise ConfigError(f"cut-off {cutoff!r} leaves {len(before)} rows before and {len(after)} after; "
                          "choose a time inside the workspace's time range")
    names = pd.Index(ws.vertices()["user_id"].astype("str"), dtype="str")
    edges = collapse_interactions(before, names=names, kind_weights=ws.kind_weights)
    net = WhatIfNetwork.from_edges(edges, names, listen_kinds=cp.listen_kinds)
    if net.index_of([candidate])[0] < 0:
        raise UnknownAccountError(f"unknown candidate account {candidate!r}: not a user in {ws.path}")
    s0, att = measure_period(before, brand, candidate, model=model, users=names, quiet=quiet)
    s1, _ = measure_period(after, brand, None, model=model, quiet=quiet)
    res = calibrate(net, s0, s1, att, brand, candidate, params=cp)
    extra = {"cutoff_epoch": t, "rows_before": int(len(before)), "rows_after": int(len(after)),
             "rows_without_timestamp": int((~known).sum())}
    return dataclasses.replace(res, parameters={**res.parameters, **extra})


# --------------------------------------------------------------------------- known-parameter events


@dataclass(frozen=True, eq=False)
class PartnershipEvent:
    """A generated event with a partnership at ``cutoff``: before and after interactions and the truth.

    ``truth``: user_id, group, stance_before, stance_after (latent), attitude (mean tone toward the
    candidate before; NaN if none), exposure_probability, exposed, shock (d*), effect.
    """

    before: pd.DataFrame
    after: pd.DataFrame
    users: pd.DataFrame
    truth: pd.DataFrame
    brand: BrandConfig
    candidate: str
    cutoff: str
    parameters: Mapping[str, Any]

    def combined(self) -> pd.DataFrame:
        """Before and after rows in one table (time-ordered), for the one-workspace cut-off mode."""
        return pd.concat([self.before, self.after], ignore_index=True)

    def write(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write before/, after/ (interactions.csv each), interactions.csv (both), users.csv, truth.csv,
        kolgraph.toml and event.json, atomically."""
        out = Path(out_dir)
        b = self.brand
        toml = "\n".join([
            "# A generated partnership event (fictional brand); see event.json for the true parameters.",
            "[brand]", f"name = {json.dumps(b.name, ensure_ascii=False)}",
            "accounts = [" + ", ".join(json.dumps(x, ensure_ascii=False) for x in b.accounts) + "]",
            "keywords = [" + ", ".join(json.dumps(x, ensure_ascii=False) for x in b.keywords) + "]", ""])
        paths = {
            "before": write_table(self.before, out / "before" / "interactions.csv"),
            "after": write_table(self.after, out / "after" / "interactions.csv"),
            "combined": write_table(self.combined(), out / "interactions.csv"),
            "users": write_table(self.users, out / "users.csv"),
            "truth": write_table(self.truth, out / "truth.csv"),
            "config": write_text(out / "kolgraph.toml", toml),
            "manifest": write_json(out / "event.json", {"candidate": self.candidate, "cutoff": self.cutoff,
                                                        "parameters": dict(self.parameters)}),
        }
        return paths


def _raw_network(names: pd.Index, src: np.ndarray, dst: np.ndarray, kind: np.ndarray,
                 listen_kinds: Sequence[str]) -> WhatIfNetwork:
    n = len(names)
    key = (src.astype(np.int64) * n + dst.astype(np.int64)) * len(KINDS) + kind.astype(np.int64)
    uniq, inverse = np.unique(key, return_inverse=True)
    count = np.bincount(inverse).astype(np.float64)
    e_kind = uniq % len(KINDS)
    pair = uniq // len(KINDS)
    kw = np.array([DEFAULT_KIND_WEIGHTS[k] for k in KINDS])
    return WhatIfNetwork.from_arrays(names, pair // n, pair % n, e_kind, kw[e_kind] * count, count,
                                     listen_kinds=listen_kinds)


def simulate_partnership_event(n_users: int = 3000, n_interactions: int | None = None, *,
                               candidate: str = "critic", alpha: float = 0.7, beta: float = 0.3,
                               susceptibility: float = 0.5, q: float = 0.3, seed: int = 0,
                               listen_kinds: Sequence[str] = ("repost", "reply"), after_mode: str = "same",
                               quiet: bool = True, **event_params: Any) -> PartnershipEvent:
    """Generate an event, apply a partnership with known parameters, and draw the after period.

    ``candidate``: "critic" (the planted critic KOL), "tech" (the tech KOL most replied to or
    mentioned) or an account id. ``event_params`` are fields of
    :class:`kolgraph.datasets.EventParams`. Same arguments and seed, same event. See the module
    docstring for the forward model.
    """
    from .. import datasets as ds

    if alpha < 0 or beta < 0 or not 0 <= susceptibility < 1 or not 0 < q <= 1:
        raise ConfigError("need alpha >= 0, beta >= 0, 0 <= susceptibility < 1, 0 < q <= 1")
    if after_mode not in ("same", "redraw"):
        raise ConfigError(f"after_mode must be 'same' or 'redraw', got {after_mode!r}")
    p = params_from_mapping(ds.EventParams, event_params, "generate")
    n_users = int(n_users)
    n_inter = int(n_interactions) if n_interactions is not None else round(p.interactions_per_user * n_users)
    brand = BrandConfig(accounts=tuple(acc[0] for acc in ds.BRAND_ACCOUNTS), keywords=tuple(ds.BRAND_KEYWORDS),
                        name=ds.BRAND_NAME)
    rng = np.random.default_rng(seed)
    bar = progress(total=4, quiet=quiet, desc="partnership event")
    try:
        pop = ds.plant_population(n_users, p, rng)
        raw0 = ds.draw_interactions(pop, p, n_inter, rng)
        before, src, tone, directed0 = ds.render_interactions(raw0, pop, p, rng, brand=brand, with_sentiment=True)
        bar.update()
        names = pd.Index(pop.user_ids.astype(str), dtype="str")
        n = len(names)
        b0, b1 = pop.group_slices["brand"]
        brand_idx = np.arange(b0, b1)
        # the rendered rows (time order) and their tones: what the before period shows
        src = np.asarray(src, dtype=np.int64)
        dst = names.get_indexer(pd.Index(before["dst"].astype("str"), dtype="str")).astype(np.int64)
        kind = np.asarray(pd.Categorical(before["kind"].astype("str"), categories=list(KINDS)).codes, np.int64)
        tone = np.asarray(tone, dtype=np.float64)
        attitude_row = (kind >= 1) & (src != dst)  # replies and mentions
        if candidate == "critic":
            k = pop.group_slices["critic_kol"][0]
        elif candidate == "tech":
            t0, t1 = pop.group_slices["tech_kol"]
            hits = np.bincount(dst[attitude_row & (dst >= t0) & (dst < t1)], minlength=n)[t0:t1]
            k = t0 + int(np.argmax(hits))
        else:
            k = int(names.get_indexer([str(candidate)])[0])
            if k < 0:
                raise UnknownAccountError(f"unknown candidate account {candidate!r} in the generated event")
        if b0 <= k < b1:
            raise ConfigError("the candidate must not be a brand account")
        net = _raw_network(names, src, dst, kind, listen_kinds)
        op = _Operator.build(net, brand_idx)
        to_k = attitude_row & (dst == k)
        asup = np.bincount(src[to_k], minlength=n)
        atot = np.bincount(src[to_k], weights=tone[to_k], minlength=n)
        has = asup > 0
        has[brand_idx] = False
        has[k] = False
        a = np.where(has, atot / np.maximum(asup, 1), 0.0)
        m = np.asarray(net.counts[:, np.r_[brand_idx, k]].sum(axis=1)).ravel()
        expo = 1.0 - (1.0 - q) ** m
        exposed = rng.random(n) < expo
        # the stance u expressed before (plain mean of brand-directed tones, brand-internal rows left
        # out; 0 without any): what the simulator's s is measured from
        internal = (src >= b0) & (src < b1) & (dst >= b0) & (dst < b1)
        use_rows = np.asarray(directed0, dtype=bool) & ~internal
        ssup = np.bincount(src[use_rows], minlength=n)
        s0 = np.where(ssup > 0, np.bincount(src[use_rows], weights=tone[use_rows], minlength=n) / np.maximum(ssup, 1),
                      0.0)
        latent = np.asarray(pop.stance, dtype=np.float64)
        delta = np.where(a < 0, alpha * a, beta * a * (1.0 - s0))
        shock = np.where(exposed & has, np.clip(s0 + delta, -1.0, 1.0) - s0, 0.0)
        effect = fj_effect(op.W, op.D, shock, susceptibility)
        bar.update()
        start = pd.Timestamp(p.start)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        cut = start + pd.Timedelta(days=p.days)
        if after_mode == "redraw":
            p_after = dataclasses.replace(p, start=cut.strftime("%Y-%m-%dT%H:%M:%SZ"))
            raw1 = ds.draw_interactions(pop, p_after, n_inter, rng)
            after, src1, tone1, directed1 = ds.render_interactions(raw1, pop, p_after, rng, brand=brand,
                                                                   with_sentiment=True)
            shifted = np.where(directed1, np.clip(tone1 + effect[src1], -1.0, 1.0), tone1)
        else:  # the same rows one period later; brand-directed tones shifted, with fresh noise
            after = before.copy()
            stamp = pd.to_datetime(before["timestamp"], utc=True) + pd.Timedelta(days=p.days)
            after["timestamp"] = stamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("str")
            from ..algorithms.stance import brand_directed
            directed1 = brand_directed(after, brand)
            src1 = names.get_indexer(pd.Index(after["src"].astype("str"), dtype="str"))
            tone1 = after["sentiment"].to_numpy(dtype=np.float64)
            # fresh, mean-zero noise that never needs clipping (uniform, as wide as tone_noise allows
            # inside [-1, 1]), so the expected measured shift is exactly the effect
            moved = np.clip(tone1 + effect[src1], -1.0, 1.0)
            half = np.minimum(p.tone_noise * np.sqrt(3.0), 1.0 - np.abs(moved))
            noise = rng.uniform(-1.0, 1.0, len(after)) * half
            shifted = np.where(directed1, moved + noise, tone1)
        after["sentiment"] = np.round(shifted, 3)
        after["post_id"] = after["post_id"] + int(before["post_id"].max()) + 1 - int(after["post_id"].min())
        bar.update()
        users = pd.DataFrame({"user_id": pd.array(names, dtype="str"),
                              "display_name": pd.array(pop.display_names, dtype="str"),
                              "followers": pop.followers, "verified": pop.verified})
        truth = pd.DataFrame({
            "user_id": pd.array(names, dtype="str"),
            "group": pd.array(np.array(ds.GROUPS, dtype=object)[pop.group], dtype="str"),
            "stance_before": latent, "stance_after": np.clip(latent + effect, -1.0, 1.0),
            "expressed_stance_before": s0,
            "attitude": np.where(has, a, np.nan), "exposure_probability": expo, "exposed": exposed & has,
            "shock": shock, "effect": effect,
        })
        order = rng.permutation(n)  # row order must not reveal the groups
        users = users.iloc[order].reset_index(drop=True)
        truth = truth.iloc[order].reset_index(drop=True)
        bar.update()
    finally:
        bar.close()
    parameters = {"n_users": n_users, "n_interactions_per_period": n_inter, "seed": seed, "alpha": alpha,
                  "after_mode": after_mode,
                  "beta": beta, "susceptibility": susceptibility, "q": q, "listen_kinds": list(listen_kinds),
                  "event_params": p.to_dict(),
                  "forward_model": "methods.md section 4 with one exposure draw; after-period brand-directed tones "
                                   "shifted by each author's effect"}
    return PartnershipEvent(before=before, after=after, users=users, truth=truth, brand=brand,
                            candidate=str(names[k]), cutoff=cut.strftime("%Y-%m-%dT%H:%M:%SZ"), parameters=parameters)


def _epoch_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if out["timestamp"].dtype != "float64":
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True).astype("int64") / 1e9
    return out


def calibrate_event(event: PartnershipEvent, *, params: CalibrationParams | None = None,
                    quiet: bool = True) -> CalibrationResult:
    """Calibrate on a :class:`PartnershipEvent` in memory (its sentiment column; no workspace needed)."""
    from ..build.graph import collapse_interactions, vertex_names

    params = params or CalibrationParams(q=float(event.parameters.get("q", 0.3)))
    before = _epoch_frame(event.before)
    names = vertex_names(before, event.users)
    edges = collapse_interactions(before, names=names)
    net = WhatIfNetwork.from_edges(edges, names, listen_kinds=params.listen_kinds)
    s0, att = measure_period(before, event.brand, event.candidate, users=names, quiet=quiet)
    s1, _ = measure_period(event.after, event.brand, None, quiet=quiet)
    return calibrate(net, s0, s1, att, event.brand, event.candidate, params=params)
