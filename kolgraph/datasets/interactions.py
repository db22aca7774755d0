"""Who acts on whom, how and with which tone: the raw interactions of a generated event."""

from __future__ import annotations

import numpy as np

from ..schema import ConfigError
from .population import EventParams, Population, RawInteractions
from .vocabulary import BRAND_ACCOUNTS, BRAND_CHANNEL, CARE_ROLES, FREE_CHANNELS, HUB_GROUPS, POOLS, TOPIC_CODE

__all__ = ["draw_interactions"]

# ---------------------------------------------------------------------------------------------
# Interactions
# ---------------------------------------------------------------------------------------------


class _Picker:
    """Draws targets from a pool of users with attention weights, never the source itself."""

    def __init__(self, pop: Population, groups: tuple[str, ...], *, uniform: bool = False) -> None:
        self.members = pop.members(*groups)
        w = np.ones(len(self.members)) if uniform else pop.attention[self.members]
        self.cdf = np.cumsum(w) / w.sum()

    def pick(self, src: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pos = np.searchsorted(self.cdf, rng.random(len(src)), side="right")
        pos = np.minimum(pos, len(self.members) - 1)
        clash = self.members[pos] == src
        pos[clash] = (pos[clash] + 1) % len(self.members)
        return self.members[pos]


def _pick_in_circle(pop: Population, src: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    o0, o1 = pop.group_slices["ordinary"]
    circ = pop.circle[o0:o1]
    starts = np.searchsorted(circ, np.arange(circ.max() + 1)) + o0
    sizes = np.bincount(circ)
    c = pop.circle[src]
    off = (rng.random(len(src)) * sizes[c]).astype(np.int64)
    dst = starts[c] + off
    clash = dst == src
    dst[clash] = starts[c[clash]] + (off[clash] + 1) % sizes[c[clash]]
    return dst


def _fixed_counts(pop: Population, params: EventParams, per_user: float, n_interactions: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Brand-directed interactions per user (the planted support that makes fans and critics findable)."""
    counts = np.zeros(pop.n, dtype=np.int64)

    def fill(g: str, values: np.ndarray) -> None:
        a, b = pop.group_slices[g]
        counts[a:b] = values

    size = {g: b - a for g, (a, b) in pop.group_slices.items()}
    fill("critic_kol", 6 + rng.poisson(max(1.0, 0.0002 * n_interactions), size["critic_kol"]))
    fill("media", 3 + rng.poisson(0.4 * per_user, size["media"]))
    fill("tech_kol", 1 + rng.integers(0, 2, size["tech_kol"]))
    fill("core_fan", params.core_fan_min_brand + rng.poisson(0.3 * per_user, size["core_fan"]))
    fill("active_fan", 1 + rng.integers(0, 2, size["active_fan"]))
    fill("bridge", 1 + rng.integers(0, 2, size["bridge"]))
    fill("tech_audience", rng.binomial(2, 0.25, size["tech_audience"]))
    fill("critic_follower", rng.binomial(2, 0.4, size["critic_follower"]))
    fill("critic", params.critic_min_brand + rng.poisson(0.2 * per_user, size["critic"]))
    fill("amplifier", np.round(per_user * rng.uniform(2.0, 4.0, size["amplifier"])).astype(np.int64))
    fill("ordinary", rng.binomial(1, 0.25, size["ordinary"]))
    return counts


def draw_interactions(pop: Population, params: EventParams, n_interactions: int,
                      rng: np.random.Generator) -> RawInteractions:
    """Draw exactly ``n_interactions`` (src, dst, kind, tone, topic) rows from a population.

    Fixed channels come first (brand accounts reposting each other, customer care, the critic KOL's
    contempt for fans and warmth to his circle, every user's planted brand-directed interactions);
    the rest is split over users by activity weight (at least one each) and over each group's
    channels by their probabilities.
    """
    per_user = n_interactions / pop.n
    parts: list[tuple[np.ndarray, ...]] = []

    def add(src: np.ndarray, dst: np.ndarray, kinds: tuple[float, float, float], source: str, mean: float,
            topic: str) -> None:
        m = len(src)
        if m == 0:
            return
        kind = rng.choice(3, size=m, p=np.asarray(kinds) / sum(kinds)).astype(np.int8)
        if source == "stance":
            mu = pop.stance[src]
        elif source == "critic":
            mu = pop.critic_attitude[src]
        else:
            mu = np.full(m, mean)
        tone = np.clip(mu + rng.normal(0.0, params.tone_noise, m), -1.0, 1.0)
        parts.append((src, dst, kind, tone, np.full(m, TOPIC_CODE[topic], dtype=np.int16)))

    # 1. brand accounts repost each other (the account matrix acting together)
    b0, b1 = pop.group_slices["brand"]
    per_brand = max(10, round(0.0015 * n_interactions))
    src = np.repeat(np.arange(b0, b1), per_brand)
    add(src, _Picker(pop, ("brand",)).pick(src, rng), (0.85, 0.1, 0.05), "const", 0.75, "promo")
    # 2. customer care replies from service and store accounts
    care = np.array([b0 + i for i, acc in enumerate(BRAND_ACCOUNTS) if acc[4] in CARE_ROLES])
    n_care = max(5, round(0.002 * n_interactions))
    src = care[rng.integers(0, len(care), n_care)]
    add(src, _Picker(pop, POOLS["care"], uniform=True).pick(src, rng), (0.0, 0.9, 0.1), "const", 0.6, "care")
    # 3. the critic KOL: contempt for fans, warmth for his own circle
    ck = pop.group_slices["critic_kol"][0]
    src = np.full(max(10, round(0.004 * n_interactions)), ck)
    add(src, _Picker(pop, POOLS["fans"], uniform=True).pick(src, rng), (0.0, 0.5, 0.5), "const", -0.8, "critic_talk")
    src = np.full(max(3, round(0.001 * n_interactions)), ck)
    add(src, _Picker(pop, POOLS["critic_circle"], uniform=True).pick(src, rng), (0.3, 0.6, 0.1), "const", 0.5,
        "critic_chat")
    # 4. planted brand-directed interactions
    fixed = _fixed_counts(pop, params, per_user, n_interactions, rng)
    brand_picker = _Picker(pop, ("brand",))
    for g, (topic, kinds, source, mean) in BRAND_CHANNEL.items():
        a, b = pop.group_slices[g]
        src = np.repeat(np.arange(a, b), fixed[a:b])
        add(src, brand_picker.pick(src, rng), kinds, source, mean, topic)

    # 5. the free budget
    used = sum(len(p[0]) for p in parts)
    active = pop.activity > 0
    free = n_interactions - used - int(active.sum())
    if free < 0:
        raise ConfigError(f"n_interactions={n_interactions} is too small for n_users={pop.n}: the planted "
                          f"structure needs at least {used + int(active.sum())}")
    counts = np.zeros(pop.n, dtype=np.int64)
    counts[active] = 1 + rng.multinomial(free, pop.activity[active] / pop.activity[active].sum())
    pickers: dict[tuple[str, bool], _Picker] = {}
    for g, channels in FREE_CHANNELS.items():
        a, b = pop.group_slices[g]
        src_all = np.repeat(np.arange(a, b), counts[a:b])
        probs = np.array([c[1] for c in channels])
        which = rng.choice(len(channels), size=len(src_all), p=probs / probs.sum())
        for ci, (pool, _, kinds, source, mean, topic) in enumerate(channels):
            src = src_all[which == ci]
            if pool == "circle":
                dst = _pick_in_circle(pop, src, rng)
            else:
                # hubs answer the crowd evenly, so no follower inherits a hub's rank
                uniform = g in HUB_GROUPS and pool not in HUB_GROUPS
                if (pool, uniform) not in pickers:
                    pickers[pool, uniform] = _Picker(pop, POOLS[pool], uniform=uniform)
                dst = pickers[pool, uniform].pick(src, rng)
            add(src, dst, kinds, source, mean, topic)

    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    src, dst, kind, tone, topic = cols
    feud = np.isin(topic, [TOPIC_CODE[t] for t in ("hostile", "critic_talk", "support_critic", "mock_fans", "critic_chat",
                                           "debate")])
    return RawInteractions(src=src, dst=dst, kind=kind, tone=tone, topic=topic, burst=feud.astype(np.int8))


