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
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import igraph as ig
import numpy as np
import pandas as pd

from ..config import BrandConfig
from ..errors import ConfigError, InputError, KolgraphError, UnknownAccountError
from .propagation import ListeningOperator, power_series
from .whatif.inputs import account_ids, attachment
from .whatif.results import plain
from .whatif.scenario import WhatIfNetwork, WhatIfScenario, as_network

__all__ = [
    "CalibrationParams",
    "CalibrationResult",
    "ParameterEstimate",
    "calibrate",
    "measure_period",
    "calibrate_event",
    "epoch_frame",
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
    - ``fit_gamma``: also fit the attachment amplification gamma (through the product alpha x gamma).
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
    fit_gamma: bool = True
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
    gamma: ParameterEstimate = ParameterEstimate(float("nan"), float("nan"), (float("nan"), float("nan")), False)

    def to_frame(self) -> pd.DataFrame:
        """Per fitted user: user_id, observed shift, predicted, weight, x_betrayal, x_warming."""
        return self.fit.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: method, candidate, seed, alpha/beta/susceptibility/drift {value, se, ci90, identified},
        users, r2, parameters, profile [{susceptibility, sse}]."""
        return plain({
            "method": self.method, "candidate": self.candidate, "seed": self.seed,
            "alpha": self.alpha.to_dict(), "beta": self.beta.to_dict(),
            "susceptibility": self.susceptibility.to_dict(), "drift": self.drift.to_dict(),
            "gamma": self.gamma.to_dict(),
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
        if self.gamma.identified:
            out["gamma_range"] = [max(0.0, round(self.gamma.ci90[0], 4)), max(0.0, round(self.gamma.ci90[1], 4))]
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
                f"  gamma (attachment)        {self.gamma.text()}",
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


def _fit_grid(Zf: np.ndarray, Zs: list[np.ndarray], y: np.ndarray, weights: np.ndarray,
              use: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least squares of y on [Zf, Z[:, g] for Z in Zs] at every grid point g, per row of ``weights``.

    ``weights``: (B x m), one weighting per replicate. Returns, per replicate, the best parameters
    (B x (f + len(Zs))), the best grid value (B) and the whole SSE profile (B x G).
    """
    B = weights.shape[0]
    G = grid.size
    p = Zf.shape[1] + len(Zs)
    sse = np.zeros((B, G))
    thetas = np.zeros((B, G, p))
    yy = weights @ (y * y)
    for gi in range(G):  # one pass per grid point (not per user)
        cols = np.column_stack([Zf] + [Z[:, gi] for Z in Zs])
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
    net = as_network(g, params.listen_kinds)
    names = net.names
    n = net.n
    k = int(net.index_of([candidate])[0])
    if k < 0:
        raise UnknownAccountError(f"unknown candidate account {candidate!r}: not a user in the before-period graph "
                                  f"({n:,} users); user ids are case-sensitive")
    bidx = net.index_of(account_ids(brand_accounts))
    brand_idx = np.unique(bidx[bidx >= 0])
    if k in set(brand_idx.tolist()):
        raise ConfigError(f"{candidate} is a brand account; calibrate on a partnership with an outside account")
    op = ListeningOperator.build(net.listen, brand_idx)
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
    m_brand = np.asarray(net.counts[:, brand_idx].sum(axis=1)).ravel() if brand_idx.size else np.zeros(n)
    w = attachment(s_before, m_brand)
    v1 = p * np.minimum(a, 0.0)
    v1w = v1 * w
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
    X = [np.zeros((F.size, G), dtype=np.float32) for _ in range(3)]
    scale = max(float(np.abs(v1).max()), float(np.abs(v2).max()), 1e-12)
    V = np.column_stack([v1, op.D * v1, v1w, op.D * v1w, v2, op.D * v2]) / scale
    coef = np.vstack([np.ones(G), -np.ones(G)] * 3)
    terms, bound = power_series(lambda X_: W @ X_, V, grid, coef, np.array([0, 1, 0, 1, 0, 1]), X, [0, 0, 1, 1, 2, 2],
                                rows=F, tol=params.tol, max_iter=params.max_iter, what="the calibration regressors")
    Z1, Zw, Z2 = (x.astype(np.float64) * scale for x in X)
    y = s_after[F] - s_before[F]
    Zf = np.ones((F.size, 1))  # the common drift
    fit_gamma = params.fit_gamma and bool(np.any(Zw)) and bool(np.any(Z1))
    use = np.array([params.intercept, bool(np.any(Z1)), fit_gamma, bool(np.any(Z2))])
    Zs = [Z1, Zw, Z2]
    meas_w = 1.0 / (1.0 / sup_before[F] + 1.0 / sup_after[F])  # 1 / var of a difference of two means
    wts = meas_w
    theta, lam_best, sse = _fit_grid(Zf, Zs, y, wts[None, :], use, grid)
    sigma2 = float("nan")
    if params.exposure_weights:
        # feasible GLS: add the exposure noise of each user's own shock, (1 - lambda)^2 p (1 - p) delta^2,
        # to the measurement noise sigma^2 (1/n0 + 1/n1), sigma^2 from users without a shock of their own
        c0, al0, ag0, be0 = theta[0]
        lam0 = float(lam_best[0])
        g0 = int(np.flatnonzero(grid == lam0)[0])
        resid = y - (c0 + al0 * Z1[:, g0] + ag0 * Zw[:, g0] + be0 * Z2[:, g0])
        quiet_users = a[F] == 0
        pool = quiet_users if quiet_users.sum() >= 10 else np.ones(F.size, dtype=bool)
        sigma2 = float(np.mean(meas_w[pool] * resid[pool] ** 2))
        dF = (al0 + ag0 * w[F]) * np.minimum(a[F], 0.0) + be0 * np.maximum(a[F], 0.0) * (1.0 - s_before[F])
        shock_var = (1.0 - lam0 * op.D[F]) ** 2 * p[F] * (1.0 - p[F]) * dF ** 2
        wts = 1.0 / (sigma2 / meas_w + shock_var)
        theta, lam_best, sse = _fit_grid(Zf, Zs, y, wts[None, :], use, grid)
    c_hat, alpha_hat, ag_hat, beta_hat = theta[0]
    lam_hat = float(lam_best[0])
    g_best = int(np.flatnonzero(grid == lam_hat)[0])
    sse = sse[0]
    pred = c_hat + alpha_hat * Z1[:, g_best] + ag_hat * Zw[:, g_best] + beta_hat * Z2[:, g_best]
    ybar = float(wts @ y / wts.sum())
    sst = float(wts @ (y - ybar) ** 2)
    r2 = 1.0 - float(sse[g_best]) / sst if sst > 0 else float("nan")
    # Poisson bootstrap over users: every replicate refits the whole lambda profile
    B = params.bootstrap
    boot = pd.DataFrame(columns=["drift", "alpha", "alpha_gamma", "beta", "susceptibility", "gamma"])
    if B:
        rng = np.random.default_rng(params.seed)
        omega = rng.poisson(1.0, size=(B, F.size)).astype(np.float64) * wts[None, :]
        th_b, lam_b, _ = _fit_grid(Zf, Zs, y, omega, use, grid)
        boot = pd.DataFrame(np.column_stack([th_b, lam_b]),
                            columns=["drift", "alpha", "alpha_gamma", "beta", "susceptibility"])
        with np.errstate(divide="ignore", invalid="ignore"):
            boot["gamma"] = np.where(boot["alpha"] > 1e-9, boot["alpha_gamma"] / boot["alpha"], np.nan)

    def est(value: float, column: str, identified: bool) -> ParameterEstimate:
        if not identified:
            return ParameterEstimate(float("nan"), float("nan"), (float("nan"), float("nan")), False)
        if len(boot):
            v = boot[column].to_numpy(dtype=np.float64)
            v = v[np.isfinite(v)]
            if v.size:
                lo, hi = np.percentile(v, [5, 95])
                return ParameterEstimate(float(value), float(v.std(ddof=1)) if v.size > 1 else float("nan"),
                                         (float(lo), float(hi)))
        return ParameterEstimate(float(value), float("nan"), (float("nan"), float("nan")))

    gamma_hat = ag_hat / alpha_hat if fit_gamma and alpha_hat > 1e-9 else float("nan")
    fit = pd.DataFrame({"user_id": pd.array(names[F], dtype="str"), "stance_before": s_before[F],
                        "stance_after": s_after[F], "observed_shift": y, "predicted_shift": pred, "weight": wts,
                        "x_betrayal": Z1[:, g_best], "x_betrayal_attached": Zw[:, g_best],
                        "x_warming": Z2[:, g_best], "attachment": w[F],
                        "attitude": np.where(a[F] != 0, a[F], np.nan), "exposure": p[F]})
    parameters = {**params.to_dict(), "candidate": candidate, "users_in_graph": n,
                  "users_with_attitude": int((a != 0).sum()),
                  "brand_accounts_in_graph": [str(x) for x in names[brand_idx]],
                  "regressor_series_terms": terms, "regressor_bound": bound * scale,
                  "measurement_variance_per_row": sigma2,
                  "model": "y = c + alpha M(lambda)(p a-) + alpha gamma M(lambda)(p a- w) + beta M(lambda)(p a+ (1 - s)); "
                           "lambda profiled on a grid"}
    return CalibrationResult(
        method="profile_least_squares", parameters=parameters, seed=params.seed, candidate=candidate,
        alpha=est(alpha_hat, "alpha", bool(use[1])), beta=est(beta_hat, "beta", bool(use[3])),
        susceptibility=est(lam_hat, "susceptibility", True), drift=est(c_hat, "drift", params.intercept),
        gamma=est(gamma_hat, "gamma", fit_gamma and math.isfinite(gamma_hat)),
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


def epoch_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with ISO timestamps turned into epoch seconds (float)."""
    out = frame.copy()
    if out["timestamp"].dtype != "float64":
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True).astype("int64") / 1e9
    return out


def calibrate_event(event: Any, *, params: CalibrationParams | None = None,
                    quiet: bool = True) -> CalibrationResult:
    """Calibrate on a :class:`kolgraph.datasets.PartnershipEvent` in memory (its sentiment column; no workspace needed)."""
    from ..build.graph import collapse_interactions, vertex_names

    params = params or CalibrationParams(q=float(event.parameters.get("q", 0.3)))
    before = epoch_frame(event.before)
    names = vertex_names(before, event.users)
    edges = collapse_interactions(before, names=names)
    net = WhatIfNetwork.from_edges(edges, names, listen_kinds=params.listen_kinds)
    s0, att = measure_period(before, event.brand, event.candidate, users=names, quiet=quiet)
    s1, _ = measure_period(event.after, event.brand, None, quiet=quiet)
    return calibrate(net, s0, s1, att, event.brand, event.candidate, params=params)
