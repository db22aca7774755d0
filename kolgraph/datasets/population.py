"""Generator parameters and the planted population (groups, latent attitudes, ids, followers)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import ConfigError
from .vocabulary import (
    ACTIVITY,
    ATTENTION_SIGMA,
    ATTITUDES,
    BRAND_ACCOUNTS,
    CRITIC_KOL,
    FAN_PREFIX,
    FOLLOWERS,
    GROUP_CODE,
    GROUPS,
    KOL_PERSONA,
    KOL_PREFIX,
    MEDIA_NAMES,
    NICK_ADJ,
    NICK_NOUN,
)

__all__ = ["EventParams", "Population", "RawInteractions", "plant_population", "start_epoch", "str_join", "take_strings", "zipf_weights"]

@dataclass(frozen=True)
class EventParams:
    """Knobs of the generator; every field has a default, shares are fractions of ``n_users``.

    Hub accounts (KOLs) number ``max(min_kols, ceil(kol_share * n_users))``: the 11 brand accounts,
    the critic KOL, ``media_share_of_kols`` of the hubs as media, and tech KOLs for the rest.
    Interaction counts per user in the fixed brand-directed channels: core fans
    ``core_fan_min_brand + Poisson(0.3 * per_user)``, minor critics ``critic_min_brand +
    Poisson(0.2 * per_user)``, active fans / bridges / tech KOLs 1-2, others 0-2; amplifiers repost
    ``per_user * U(2, 4)`` times. ``tone_noise`` is the sd of the per-interaction tone around the
    latent attitude. Timestamps span ``days`` days from ``start`` (UTC), with ``burst_share`` of the
    rows in three bursts (a launch, the critic's viral post, a delivery day).
    """

    interactions_per_user: float = 10.0
    kol_share: float = 0.01
    min_kols: int = 20
    media_share_of_kols: float = 0.1
    core_fan_share: float = 0.06
    active_fan_share: float = 0.12
    bridge_share: float = 0.02
    tech_audience_share: float = 0.15
    critic_follower_share: float = 0.05
    critic_share: float = 0.02
    amplifier_share: float = 0.01
    core_fan_min_brand: int = 4
    critic_min_brand: int = 4
    circle_size: int = 30
    tone_noise: float = 0.15
    start: str = "2026-01-05T00:00:00Z"
    days: float = 28.0
    burst_share: float = 0.35

    def __post_init__(self) -> None:
        shares = [self.core_fan_share, self.active_fan_share, self.bridge_share, self.tech_audience_share,
                  self.critic_follower_share, self.critic_share, self.amplifier_share]
        if any(s < 0 for s in shares) or sum(shares) > 0.9:
            raise ValueError("group shares must be >= 0 and sum to at most 0.9 (ordinary users fill the rest)")
        if min(self.core_fan_share, self.active_fan_share, self.critic_share, self.amplifier_share) <= 0:
            raise ValueError("core_fan_share, active_fan_share, critic_share and amplifier_share must be > 0")
        if not 0 < self.kol_share < 0.2 or self.min_kols < 15:
            raise ValueError("kol_share must be in (0, 0.2) and min_kols >= 15")
        if not 0 <= self.media_share_of_kols < 0.5:
            raise ValueError("media_share_of_kols must be in [0, 0.5)")
        if self.interactions_per_user < 3 or self.days <= 0 or not 0 <= self.burst_share <= 1:
            raise ValueError("interactions_per_user must be >= 3, days > 0, burst_share in [0, 1]")
        if self.core_fan_min_brand < 3 or self.critic_min_brand < 3 or self.circle_size < 3:
            raise ValueError("core_fan_min_brand and critic_min_brand must be >= 3, circle_size >= 3")
        if not 0 <= self.tone_noise <= 1:
            raise ValueError("tone_noise must be in [0, 1]")
        start_epoch(self.start)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def start_epoch(start: str) -> int:
    try:
        ts = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"start {start!r} is not a date: {exc}") from None
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.tz_convert("UTC").timestamp())


@dataclass(frozen=True, eq=False)
class Population:
    """The planted users: one entry per user, in planting order (grouped by :data:`GROUPS`).

    ``stance`` and ``critic_attitude`` are latent attitudes in [-1, 1]; ``activity`` weights the free
    budget of interactions, ``attention`` weights a user as a target within its group; ``circle`` is
    the friend circle of an ordinary user (-1 otherwise). ``group_slices[g]`` is the index range of
    group ``g``.
    """

    user_ids: np.ndarray
    display_names: np.ndarray
    group: np.ndarray
    stance: np.ndarray
    critic_attitude: np.ndarray
    activity: np.ndarray
    attention: np.ndarray
    circle: np.ndarray
    followers: np.ndarray
    verified: np.ndarray
    brand_account: np.ndarray
    group_slices: Mapping[str, tuple[int, int]]

    @property
    def n(self) -> int:
        return len(self.user_ids)

    def members(self, *groups: str) -> np.ndarray:
        """Indices of the users in the given groups (in planting order)."""
        parts = [np.arange(*self.group_slices[g]) for g in groups]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class RawInteractions:
    """Interactions as integer arrays (indices into a :class:`Population`) before text and time.

    ``kind`` indexes :data:`kolgraph.schema.KINDS`; ``topic`` indexes the text topics; ``tone`` is
    the true tone in [-1, 1]; ``burst`` is the timing profile (0 brand news, 1 the critic's feud).
    """

    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    tone: np.ndarray
    topic: np.ndarray
    burst: np.ndarray



# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


def _group_sizes(n_users: int, p: EventParams) -> dict[str, int]:
    n_hub = max(p.min_kols, math.ceil(p.kol_share * n_users))
    n_brand = len(BRAND_ACCOUNTS)
    n_media = max(2, round(p.media_share_of_kols * n_hub))
    n_tech = n_hub - n_brand - 1 - n_media
    sizes = {
        "brand": n_brand, "critic_kol": 1, "media": n_media, "tech_kol": n_tech,
        "core_fan": round(p.core_fan_share * n_users), "active_fan": round(p.active_fan_share * n_users),
        "bridge": round(p.bridge_share * n_users), "tech_audience": round(p.tech_audience_share * n_users),
        "critic_follower": round(p.critic_follower_share * n_users), "critic": round(p.critic_share * n_users),
        "amplifier": round(p.amplifier_share * n_users),
    }
    sizes["ordinary"] = n_users - sum(sizes.values())
    return {g: sizes[g] for g in GROUPS}


def zipf_weights(n: int, ratio: float) -> np.ndarray:
    """Weights ``rank^-a`` with the smallest/largest ratio about ``ratio`` whatever ``n`` (heavy tail, bounded)."""
    if n <= 1:
        return np.ones(n)
    a = min(1.0, math.log(1 / ratio) / math.log(n))
    return np.arange(1, n + 1, dtype=float) ** -a


def str_join(*parts: Any) -> np.ndarray:
    """Element-wise concatenation of string arrays / scalars (vectorised, via Arrow)."""
    arrays = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(p) if isinstance(p, str) else pa.array(p)
              for p in parts]
    return np.asarray(pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False), dtype=object)


def take_strings(pool: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return pc.take(pa.array(pool, type=pa.string()), pa.array(idx))


def plant_population(n_users: int, params: EventParams, rng: np.random.Generator) -> Population:
    """Draw the users: groups, latent attitudes, activity and attention weights, ids and profiles."""
    sizes = _group_sizes(n_users, params)
    bad = [g for g, s in sizes.items() if s < (2 if g not in ("critic_kol",) else 1)]
    if sizes["tech_kol"] < 3 or sizes["ordinary"] < max(10, 0.1 * n_users) or bad:
        raise ConfigError(f"n_users={n_users} is too small for the group shares: sizes {sizes}")
    slices, start = {}, 0
    for g in GROUPS:
        slices[g] = (start, start + sizes[g])
        start += sizes[g]
    n = n_users
    group = np.repeat(np.arange(len(GROUPS), dtype=np.int8), [sizes[g] for g in GROUPS])

    stance = np.empty(n)
    critic_att = np.empty(n)
    activity = np.zeros(n)
    attention = np.ones(n)
    for g in GROUPS:
        a, b = slices[g]
        (s_lo, s_hi), (c_lo, c_hi) = ATTITUDES[g]
        stance[a:b] = rng.uniform(s_lo, s_hi, b - a)
        critic_att[a:b] = rng.uniform(c_lo, c_hi, b - a)
        mult, sigma = ACTIVITY[g]
        activity[a:b] = mult * np.exp(rng.normal(-sigma**2 / 2, sigma, b - a)) if mult > 0 else 0.0
        if g in ATTENTION_SIGMA:  # the more active get answered more (reciprocity)
            sd = ATTENTION_SIGMA[g]
            noise = np.exp(rng.normal(0.0, sd, b - a)) if sd > 0 else 1.0
            att = noise * (activity[a:b] / mult) ** 0.75 if mult > 0 else noise * np.ones(b - a)
            med = np.median(att)
            attention[a:b] = np.clip(att, med / 4, med * 4)  # popular, but never a rival to the hubs
    attention[slice(*slices["brand"])] = [acc[3] for acc in BRAND_ACCOUNTS]
    attention[slice(*slices["tech_kol"])] = zipf_weights(sizes["tech_kol"], ratio=1 / 6)
    attention[slice(*slices["media"])] = zipf_weights(sizes["media"], ratio=0.3)
    critic_att[slices["critic_kol"][0]] = np.nan

    circle = np.full(n, -1, dtype=np.int64)
    o0, o1 = slices["ordinary"]
    n_ord = o1 - o0
    n_circles = max(1, n_ord // params.circle_size)
    circle[o0:o1] = np.arange(n_ord) * n_circles // n_ord

    # ids: readable handles for the brand, the critic KOL and named media; "u" + 8 digits otherwise
    numbers = 10_000_000 + np.cumsum(rng.integers(1, max(2, 80_000_000 // n), n))  # "u" + 8 digits, unique
    numbers = rng.permutation(numbers)
    ids = np.asarray(str_join("u", pa.array(numbers).cast(pa.string())), dtype=object)
    names = np.empty(n, dtype=object)
    b0, b1 = slices["brand"]
    ids[b0:b1] = [acc[0] for acc in BRAND_ACCOUNTS]
    names[b0:b1] = [acc[1] for acc in BRAND_ACCOUNTS]
    c0 = slices["critic_kol"][0]
    ids[c0], names[c0] = CRITIC_KOL[0], CRITIC_KOL[1]
    m0, m1 = slices["media"]
    n_named = min(m1 - m0, len(MEDIA_NAMES))
    ids[m0:m0 + n_named] = [m[0] for m in MEDIA_NAMES[:n_named]]
    names[m0:m0 + n_named] = [m[1] for m in MEDIA_NAMES[:n_named]]
    if m1 - m0 > n_named:
        extra = np.arange(m1 - m0 - n_named)
        names[m0 + n_named:m1] = str_join(take_strings(tuple(m[1] for m in MEDIA_NAMES), extra % len(MEDIA_NAMES)),
                                           pa.array(extra // len(MEDIA_NAMES) + 2).cast(pa.string()))
    t0, t1 = slices["tech_kol"]
    k = np.arange(t1 - t0)
    combos = len(KOL_PREFIX) * len(KOL_PERSONA)
    perm = rng.permutation(combos)[k % combos]
    suffix = pc.if_else(pa.array(k < combos), pa.scalar(""), pa.array(k // combos + 1).cast(pa.string()))
    names[t0:t1] = str_join(take_strings(KOL_PREFIX, perm // len(KOL_PERSONA)), take_strings(KOL_PERSONA, perm % len(KOL_PERSONA)),
                             suffix)
    rest = np.arange(t1, n)  # hubs come first in planting order
    nr = len(rest)
    digits = pa.array(rng.integers(1, 10_000, nr)).cast(pa.string())
    sep = take_strings(("", "_"), rng.integers(0, 2, nr))
    tail = pc.if_else(pa.array(rng.random(nr) < 0.5), pa.scalar(""), pc.binary_join_element_wise(sep, digits, ""))
    is_fan = (group[rest] == GROUP_CODE["core_fan"]) & (rng.random(nr) < 0.4)
    prefix = pc.if_else(pa.array(is_fan), pa.scalar(FAN_PREFIX), pa.scalar(""))
    names[rest] = str_join(prefix, take_strings(NICK_ADJ, rng.integers(0, len(NICK_ADJ), nr)),
                            take_strings(NICK_NOUN, rng.integers(0, len(NICK_NOUN), nr)), tail)

    followers = np.zeros(n, dtype=np.int64)
    followers[b0:b1] = [acc[2] for acc in BRAND_ACCOUNTS]
    followers[c0] = CRITIC_KOL[2]
    for g, (median, sigma) in FOLLOWERS.items():
        a, b = slices[g]
        followers[a:b] = np.round(median * np.exp(rng.normal(0.0, sigma, b - a)))
    followers[t0:t1] = np.sort(followers[t0:t1])[::-1]  # the most engaged tech KOLs have the most followers
    cap = BRAND_ACCOUNTS[0][2] - 1
    followers = np.clip(followers, 0, cap)
    followers[b0] = BRAND_ACCOUNTS[0][2]
    verified = rng.random(n) < 0.01
    verified[:t1] = True  # brand, critic KOL, media, tech KOLs

    brand_account = np.full(n, "", dtype=object)
    brand_account[b0:b1] = [acc[4] for acc in BRAND_ACCOUNTS]
    return Population(
        user_ids=ids, display_names=names, group=group, stance=stance, critic_attitude=critic_att,
        activity=activity, attention=attention, circle=circle, followers=followers, verified=verified,
        brand_account=brand_account, group_slices=slices,
    )


