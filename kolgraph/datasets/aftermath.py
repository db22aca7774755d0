"""An announced partnership's aftermath, produced by an agent-based process (NOT the what-if's model).

The what-if (:mod:`kolgraph.algorithms.whatif`) predicts with a linear balance shock propagated by
Friedkin-Johnsen averaging. To check it honestly, the truth it is scored against comes from a
different mechanism, run on the planted population's latent attitudes and the before-slice's
interaction network:

1. **Awareness.** A user hears of the deal at the start with probability ``1 - exp(-eta c_u)``,
   ``c_u`` their before-slice interactions with brand accounts and the candidate; every round an
   unaware user hears of it with probability ``1 - (1 - spread)^r_u``, ``r_u`` the number of
   accounts they listen to that have revolted.
2. **Grievance.** ``g_u = max(0, -h_u) (stake_u + kappa * A_u)``: ``h_u`` is the user's history
   with the candidate (the mean tone of their replies and mentions of him before) or, without one,
   their latent attitude toward him damped by ``silent_weight``; ``stake_u = n_u / (n_u + n_half)``
   with ``n_u`` their brand-directed interactions (a saturating count, not a rank: a user with no
   relationship to the brand has nothing to be betrayed in), and attachment ``A_u = max(s_u, 0) x
   stake_u``.
3. **Threshold revolt.** An aware user revolts when ``g_u`` exceeds a personal threshold
   ``theta_u ~ U(theta)``, or (Granovetter contagion) when the listening weight on revolted
   accounts exceeds ``phi_u ~ U(phi)`` and ``g_u > contagion_min``. A revolter's stance jumps to
   ``-(0.15 + betrayal * g_u) + noise`` (clipped into [-1, -0.02]); an aware user with a smaller
   grievance loses ``0.5 * betrayal * g_u``; an aware user with a positive history warms by
   ``warm * h_u * (1 - s_u)``.
4. **Bounded confidence.** Each round every aggrieved user (aware, with a grievance) moves ``mu`` of the way toward the mean of the
   accounts they listen to whose stance is within ``eps`` of their own (Hegselmann-Krause style);
   brand accounts and everyone else do not move within the day.

After ``rounds`` rounds the per-user truth is recorded (aware, revolted, stance_after, turned =
stance_before >= 0 and stance_after < 0), and the first day after the announcement is rendered as
interactions: each user writes to brand accounts at their before-slice daily rate (revolters
``surge`` times more, half of it to the founder's account), in the tone of their new stance.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..config import BrandConfig
from ..errors import ConfigError, UnknownAccountError
from ..schema import KINDS
from .population import EventParams, Population, RawInteractions
from .render import render_interactions
from .vocabulary import BRAND_ACCOUNTS, GROUP_CODE, TOPIC_CODE

__all__ = ["AftermathParams", "Aftermath", "simulate_aftermath", "pick_candidate", "random_aftermath_params"]


def _pair(v: Any, name: str, lo: float, hi: float) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in v)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be two numbers [low, high], got {v!r}") from None
    if not (lo <= a <= b <= hi):
        raise ConfigError(f"{name} must satisfy {lo} <= low <= high <= {hi}, got [{a}, {b}]")
    return a, b


@dataclass(frozen=True)
class AftermathParams:
    """Knobs of the agent-based aftermath (module docstring); every field validated."""

    candidate: str = "critic"
    rounds: int = 6
    eta: float = 0.4
    spread: float = 0.3
    silent_weight: float = 0.6
    kappa: float = 1.5
    n_half: float = 4.0
    betrayal: float = 1.0
    theta: tuple[float, float] = (0.4, 1.8)
    phi: tuple[float, float] = (0.35, 0.8)
    contagion_min: float = 0.3
    warm: float = 0.2
    mu: float = 0.3
    eps: float = 0.5
    surge: float = 4.0
    noise: float = 0.1

    def __post_init__(self) -> None:
        if int(self.rounds) != self.rounds or self.rounds < 1:
            raise ConfigError(f"rounds must be an integer >= 1, got {self.rounds}")
        for name in ("eta", "silent_weight", "kappa", "n_half", "betrayal", "warm", "surge", "noise",
                     "contagion_min"):
            if not (float(getattr(self, name)) >= 0 and math.isfinite(float(getattr(self, name)))):
                raise ConfigError(f"{name} must be a finite number >= 0, got {getattr(self, name)!r}")
        for name in ("spread", "mu", "eps"):
            if not 0 <= float(getattr(self, name)) <= 1 + (name == "eps"):
                raise ConfigError(f"{name} out of range: {getattr(self, name)!r}")
        object.__setattr__(self, "theta", _pair(self.theta, "theta", 0.0, 5.0))
        object.__setattr__(self, "phi", _pair(self.phi, "phi", 0.0, 1.0))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def random_aftermath_params(rng: np.random.Generator, candidate: str = "critic") -> AftermathParams:
    """Varied parameters for a backtest event (wide ranges around the defaults)."""
    t0 = rng.uniform(0.25, 0.7)
    p0 = rng.uniform(0.25, 0.5)
    return AftermathParams(candidate=candidate, rounds=int(rng.integers(3, 9)), eta=rng.uniform(0.2, 0.8),
                           spread=rng.uniform(0.1, 0.5), silent_weight=rng.uniform(0.3, 0.9),
                           kappa=rng.uniform(0.5, 2.5), n_half=rng.uniform(2.0, 8.0),
                           betrayal=rng.uniform(0.6, 1.4), theta=(t0, t0 + rng.uniform(0.8, 1.8)),
                           phi=(p0, p0 + rng.uniform(0.2, 0.45)), contagion_min=rng.uniform(0.15, 0.45), warm=rng.uniform(0.05, 0.4),
                           mu=rng.uniform(0.1, 0.5), eps=rng.uniform(0.3, 0.8), surge=rng.uniform(2.0, 6.0),
                           noise=rng.uniform(0.05, 0.15))


@dataclass(frozen=True, eq=False)
class Aftermath:
    """The aftermath's truth per user (population order) and its first-day interactions."""

    candidate: str
    truth: pd.DataFrame = field(repr=False)        # user_id, stance_before, stance_after, aware, revolted, turned, ...
    interactions: pd.DataFrame = field(repr=False)
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        t = self.truth
        core = t["group"] == "core_fan"
        return {"candidate": self.candidate, "aware": int(t["aware"].sum()), "revolted": int(t["revolted"].sum()),
                "turned": int(t["turned"].sum()), "core_fans": int(core.sum()),
                "core_fans_turned_share": float(t.loc[core, "turned"].mean()) if core.any() else None,
                "first_day_rows": int(len(self.interactions))}


def pick_candidate(pop: Population, raw: RawInteractions, candidate: str) -> int:
    """Vertex of the candidate: "critic" (the critic KOL), "tech" (the tech KOL most replied to or
    mentioned) or a user id."""
    if candidate == "critic":
        return int(pop.group_slices["critic_kol"][0])
    if candidate == "tech":
        t0, t1 = pop.group_slices["tech_kol"]
        att = (raw.kind >= 1) & (raw.dst >= t0) & (raw.dst < t1) & (raw.src != raw.dst)
        return t0 + int(np.argmax(np.bincount(raw.dst[att] - t0, minlength=t1 - t0)))
    hit = np.flatnonzero(pop.user_ids.astype(str) == str(candidate))
    if not hit.size:
        raise UnknownAccountError(f"unknown aftermath candidate {candidate!r} in the generated event")
    return int(hit[0])


def simulate_aftermath(pop: Population, raw: RawInteractions, params: EventParams, brand: BrandConfig,
                       aftermath: AftermathParams, rng: np.random.Generator) -> Aftermath:
    """Run the agent-based aftermath on a generated event (module docstring). Vectorised per round."""
    n = pop.n
    k = pick_candidate(pop, raw, aftermath.candidate)
    b0, b1 = pop.group_slices["brand"]
    is_brand = np.zeros(n, dtype=bool)
    is_brand[b0:b1] = True
    if is_brand[k]:
        raise ConfigError("the aftermath candidate must not be a brand account")
    src, dst, kind, tone = raw.src, raw.dst, raw.kind, raw.tone
    not_self = src != dst
    # history with the candidate: mean tone of replies and mentions of k
    to_k = not_self & (dst == k) & (kind >= 1)
    hn = np.bincount(src[to_k], minlength=n)
    h = np.where(hn > 0, np.bincount(src[to_k], weights=tone[to_k], minlength=n) / np.maximum(hn, 1), np.nan)
    latent = (pop.critic_attitude if k == pop.group_slices["critic_kol"][0]
              else np.full(n, np.nan))
    view = np.where(np.isfinite(h), h, np.nan_to_num(latent, nan=0.0) * aftermath.silent_weight)
    view[k] = 0.0
    view[is_brand] = 0.0
    # attachment: positive latent stance x saturating count of brand-directed interactions
    to_brand = not_self & is_brand[dst] & ~is_brand[src]
    nb = np.bincount(src[to_brand], minlength=n).astype(np.float64)
    x0 = np.asarray(pop.stance, dtype=np.float64)
    stake = nb / (nb + aftermath.n_half)
    att = np.maximum(x0, 0.0) * stake
    g = np.maximum(0.0, -view) * (stake + aftermath.kappa * att)
    # listening network (reposts and replies), row-normalised
    listen = not_self & (kind <= 1)
    L = sp.csr_matrix((np.ones(int(listen.sum())), (src[listen], dst[listen])), shape=(n, n))
    L.sum_duplicates()
    rs = np.asarray(L.sum(axis=1)).ravel()
    Wn = sp.diags(np.divide(1.0, rs, out=np.zeros(n), where=rs > 0)) @ L
    A = L.copy()
    A.data[:] = 1.0
    contacts = np.bincount(src[not_self & (is_brand[dst] | (dst == k))], minlength=n)
    aware = rng.random(n) < 1.0 - np.exp(-aftermath.eta * contacts)
    aware[is_brand] = False
    aware[k] = False
    theta = rng.uniform(*aftermath.theta, n)
    phi = rng.uniform(*aftermath.phi, n)
    x = x0.copy()
    revolted = np.zeros(n, dtype=bool)
    touched = np.zeros(n, dtype=bool)
    for _ in range(int(aftermath.rounds)):
        rev_f = revolted.astype(np.float64)
        heard = np.asarray(A @ rev_f).ravel()
        newly = ~aware & (rng.random(n) < 1.0 - (1.0 - aftermath.spread) ** heard)
        newly[is_brand] = False
        newly[k] = False
        aware |= newly
        pressure = np.asarray(Wn @ rev_f).ravel()
        revolt = aware & ~revolted & ((g > theta) | ((pressure > phi) & (g > aftermath.contagion_min)))
        revolt[is_brand] = False
        x[revolt] = np.clip(-(0.15 + aftermath.betrayal * g[revolt]) + rng.normal(0, aftermath.noise, revolt.sum()),
                            -1.0, -0.02)
        revolted |= revolt
        react = aware & ~revolted & ~touched
        hurt = react & (g > 0)
        x[hurt] = np.clip(x[hurt] - 0.5 * aftermath.betrayal * g[hurt], -1.0, 1.0)
        warm = react & (view > 0)
        x[warm] = np.clip(x[warm] + aftermath.warm * view[warm] * (1.0 - x[warm]), -1.0, 1.0)
        touched |= react
        # bounded confidence: move toward listened-to accounts within eps
        coo = Wn.tocoo()
        close = np.abs(x[coo.col] - x[coo.row]) < aftermath.eps
        wsum = np.bincount(coo.row[close], weights=coo.data[close], minlength=n)
        pull = np.bincount(coo.row[close], weights=coo.data[close] * x[coo.col[close]], minlength=n)
        move = (wsum > 0) & ~is_brand & touched & (g > 0)  # those the deal aggrieved
        x[move] = x[move] + aftermath.mu * (pull[move] / wsum[move] - x[move])
    x = np.clip(x, -1.0, 1.0)
    turned = (x0 >= 0) & (x < 0)
    truth = pd.DataFrame({
        "user_id": pd.array(pop.user_ids.astype(str), dtype="str"),
        "group": pd.array(np.array(list(GROUP_CODE), dtype=object)[pop.group], dtype="str"),
        "stance_before": x0, "stance_after": x, "aware": aware, "revolted": revolted, "turned": turned,
        "grievance": g, "attachment": att,
    })
    frame = _first_day(pop, raw, params, brand, x, revolted, to_brand, aftermath, rng)
    return Aftermath(candidate=str(pop.user_ids[k]), truth=truth, interactions=frame,
                     parameters=aftermath.to_dict())


def _first_day(pop: Population, raw: RawInteractions, params: EventParams, brand: BrandConfig, x: np.ndarray,
               revolted: np.ndarray, to_brand: np.ndarray, aftermath: AftermathParams,
               rng: np.random.Generator) -> pd.DataFrame:
    """Brand-directed replies and mentions on the day after the announcement, in each user's new tone."""
    n = pop.n
    b0, b1 = pop.group_slices["brand"]
    rate = np.bincount(raw.src[to_brand], minlength=n) / params.days
    lam = rate * np.where(revolted, aftermath.surge, 1.0)
    count = rng.poisson(lam)
    src = np.repeat(np.arange(n), count)
    m = src.size
    weights = np.array([acc[3] for acc in BRAND_ACCOUNTS])
    dst = b0 + rng.choice(b1 - b0, size=m, p=weights / weights.sum())
    founder = [i for i, acc in enumerate(BRAND_ACCOUNTS) if acc[4] == "founder"]
    if founder:
        to_founder = revolted[src] & (rng.random(m) < 0.5)
        dst[to_founder] = b0 + founder[0]
    kind = np.where(rng.random(m) < 0.8, KINDS.index("reply"), KINDS.index("mention")).astype(np.int8)
    tone = np.clip(x[src] + rng.normal(0.0, params.tone_noise, m), -1.0, 1.0)
    topic = np.full(m, TOPIC_CODE["brand"], dtype=np.int16)
    day = RawInteractions(src=src, dst=dst, kind=kind, tone=tone, topic=topic, burst=np.zeros(m, dtype=np.int8))
    start = pd.Timestamp(params.start)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    cut = start + pd.Timedelta(days=params.days)
    p_day = dataclasses.replace(params, start=cut.strftime("%Y-%m-%dT%H:%M:%SZ"), days=1.0, burst_share=0.0)
    frame, _, _, _ = render_interactions(day, pop, p_day, rng, brand=brand, with_sentiment=True)
    return frame
