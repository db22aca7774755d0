"""Generated partnership events with KNOWN model parameters (for calibration tests and benchmarks).

:func:`simulate_partnership_event` draws an event with the generator (population, interactions,
rendering), applies the what-if's own forward model with known (alpha, beta, lambda, q) (one
exposure draw, no attachment amplification; the effect is the exact equilibrium from
:func:`kolgraph.algorithms.propagation.fj_effect`), and makes an "after" period in which every
brand-directed row's tone is shifted by its author's effect (the ``sentiment`` column carries it).
This is deliberately the model's own mechanism: it checks that calibration recovers known
parameters. The honest check of the model's predictions uses :mod:`.aftermath`, whose mechanism
is different. Two after modes:

- ``same`` (default): the same interactions one period later, each brand-directed tone shifted
  and given fresh mean-zero noise (uniform, never clipped), so the expected measured shift of a
  user is exactly its effect; what remains is measurement noise and the exposure draw.
- ``redraw``: a fresh draw of the whole period from the same population (channel mix changes
  between periods; at 50,000 users the fit comes out about 10% low).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._io import write_json, write_table, write_text
from ..algorithms.propagation import ListeningOperator, fj_effect
from ..algorithms.stance import brand_directed
from ..algorithms.whatif.scenario import WhatIfNetwork
from ..config import BrandConfig, params_from_mapping
from ..errors import ConfigError, UnknownAccountError
from ..progress import progress
from ..schema import DEFAULT_KIND_WEIGHTS, KINDS
from .interactions import draw_interactions
from .population import EventParams, plant_population
from .render import render_interactions
from .vocabulary import BRAND_ACCOUNTS, BRAND_KEYWORDS, BRAND_NAME, GROUPS

__all__ = ["PartnershipEvent", "simulate_partnership_event", "raw_network"]


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


def raw_network(names: pd.Index, src: np.ndarray, dst: np.ndarray, kind: np.ndarray,
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
    if alpha < 0 or beta < 0 or not 0 <= susceptibility < 1 or not 0 < q <= 1:
        raise ConfigError("need alpha >= 0, beta >= 0, 0 <= susceptibility < 1, 0 < q <= 1")
    if after_mode not in ("same", "redraw"):
        raise ConfigError(f"after_mode must be 'same' or 'redraw', got {after_mode!r}")
    p = params_from_mapping(EventParams, event_params, "generate")
    n_users = int(n_users)
    n_inter = int(n_interactions) if n_interactions is not None else round(p.interactions_per_user * n_users)
    brand = BrandConfig(accounts=tuple(acc[0] for acc in BRAND_ACCOUNTS), keywords=tuple(BRAND_KEYWORDS),
                        name=BRAND_NAME)
    rng = np.random.default_rng(seed)
    bar = progress(total=4, quiet=quiet, desc="partnership event")
    try:
        pop = plant_population(n_users, p, rng)
        raw0 = draw_interactions(pop, p, n_inter, rng)
        before, src, tone, directed0 = render_interactions(raw0, pop, p, rng, brand=brand, with_sentiment=True)
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
        net = raw_network(names, src, dst, kind, listen_kinds)
        op = ListeningOperator.build(net.listen, brand_idx)
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
            raw1 = draw_interactions(pop, p_after, n_inter, rng)
            after, src1, tone1, directed1 = render_interactions(raw1, pop, p_after, rng, brand=brand,
                                                                   with_sentiment=True)
            shifted = np.where(directed1, np.clip(tone1 + effect[src1], -1.0, 1.0), tone1)
        else:  # the same rows one period later; brand-directed tones shifted, with fresh noise
            after = before.copy()
            stamp = pd.to_datetime(before["timestamp"], utc=True) + pd.Timedelta(days=p.days)
            after["timestamp"] = stamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("str")
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
            "group": pd.array(np.array(GROUPS, dtype=object)[pop.group], dtype="str"),
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


