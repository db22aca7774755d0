"""Generate a whole event, write it, and find the shipped sample."""

from __future__ import annotations

import dataclasses

import importlib.resources
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .._io import write_json, write_table, write_text
from ..config import BrandConfig, params_from_mapping
from ..progress import progress
from ..schema import ConfigError, KolgraphError
from .interactions import draw_interactions
from .population import EventParams, Population, plant_population, str_join
from .render import render_interactions
from .vocabulary import BRAND_ACCOUNTS, BRAND_KEYWORDS, BRAND_NAME, COMMUNITY, GROUP_CODE, GROUPS, ROLE_TAGS

#: The command that made ``data/sample`` (checked by the tests).
SAMPLE_COMMAND = "kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0 --aftermath critic"

#: The founder's brand account id.
FOUNDER_ID = next(acc[0] for acc in BRAND_ACCOUNTS if acc[4] == "founder")

__all__ = ["FOUNDER_ID", "SAMPLE_COMMAND", "BrandEvent", "SamplePaths", "generate_event", "load_sample", "write_event"]

@dataclass(frozen=True, eq=False)
class BrandEvent:
    """A generated event: interactions, users, planted truth, the brand, and how it was made."""

    interactions: pd.DataFrame
    users: pd.DataFrame
    truth: pd.DataFrame
    brand: BrandConfig
    params: EventParams
    n_users: int
    n_interactions: int
    seed: int
    with_sentiment: bool = False
    aftermath: Any = None  # an :class:`kolgraph.datasets.aftermath.Aftermath` when one was simulated

    def summary(self) -> dict[str, Any]:
        """Counts per group and per planted role, and the number of rows (for status lines and reports)."""
        t = self.truth
        return {
            "users": int(len(self.users)),
            "interactions": int(len(self.interactions)),
            "groups": {g: int(c) for g, c in t["group"].value_counts().reindex(list(GROUPS), fill_value=0).items()},
            "roles": {tag: int(t[f"is_{tag}"].sum()) for tag in ROLE_TAGS},
            "seed": self.seed,
        }


@dataclass(frozen=True)
class SamplePaths:
    """Paths of the shipped sample event."""

    folder: Path
    interactions: Path
    users: Path
    truth: Path
    config: Path




# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def _truth_frame(pop: Population, src: np.ndarray, tone: np.ndarray, directed: np.ndarray) -> pd.DataFrame:
    g = pop.group

    def in_g(*names: str) -> np.ndarray:
        return np.isin(g, [GROUP_CODE[x] for x in names])

    flags = {
        "brand_account": in_g("brand"),
        "kol": in_g("brand", "critic_kol", "media", "tech_kol"),
        "core_fan": in_g("core_fan"),
        "critic": in_g("critic_kol", "critic"),
        "critic_kol": in_g("critic_kol"),
        "bridge": in_g("tech_kol", "media", "bridge"),
        "amplifier": in_g("amplifier"),
    }
    support = np.bincount(src[directed], minlength=pop.n)
    tone_sum = np.bincount(src[directed], weights=tone[directed], minlength=pop.n)
    group_names = np.array(GROUPS, dtype=object)[g]
    community = np.array([COMMUNITY[x] for x in GROUPS], dtype=object)[g]
    ordinary = pop.circle >= 0
    community[ordinary] = str_join("general-", pa.array(pop.circle[ordinary]).cast(pa.string()))
    code = sum(flags[tag].astype(np.int64) << i for i, tag in enumerate(ROLE_TAGS))
    uniq, inv = np.unique(code, return_inverse=True)
    labels = np.array(["|".join(t for i, t in enumerate(ROLE_TAGS) if c >> i & 1) for c in uniq], dtype=object)
    roles = labels[inv]
    frame = {
        "user_id": pop.user_ids, "group": group_names, "brand_account": pop.brand_account,
        "community": community, "roles": roles,
    }
    frame.update({f"is_{tag}": flags[tag] for tag in ROLE_TAGS})
    frame.update({
        "stance": np.round(pop.stance, 4), "critic_attitude": np.round(pop.critic_attitude, 4),
        "brand_support": support.astype(np.int64), "realized_stance": np.round(tone_sum / (support + 2.0), 4),
    })
    out = pd.DataFrame(frame)
    for col in ("user_id", "group", "brand_account", "community", "roles"):
        out[col] = out[col].astype("str")
    return out


def generate_event(n_users: int = 3000, n_interactions: int | None = None, *, seed: int = 0,
                   with_sentiment: bool = False, quiet: bool = True, aftermath: Any = None,
                   **params: Any) -> BrandEvent:
    """Generate a fictional brand event with planted roles (see the module docstring).

    ``n_interactions`` defaults to ``interactions_per_user`` (10) per user. ``params`` are fields of
    :class:`EventParams`; unknown names raise :class:`ConfigError`. ``with_sentiment=True`` adds the
    true tone in [-1, 1] as a ``sentiment`` column. Same arguments and seed, same frames.

    ``aftermath``: a candidate ("critic", "tech", a user id) or an
    :class:`~kolgraph.datasets.aftermath.AftermathParams`: the brand announces a partnership with
    that account at the end of the window and an agent-based aftermath (a different mechanism than
    the what-if's model) is simulated with its own random stream, so the before-slice is the same
    with or without it. Its truth joins ``truth`` (stance_after, aware, revolted, turned_against,
    aftermath_candidate) and its first day is ``event.aftermath.interactions``.
    """
    from .aftermath import AftermathParams, simulate_aftermath

    p = params_from_mapping(EventParams, params, "generate")
    if int(n_users) != n_users or n_users < 300:
        raise ConfigError(f"n_users must be an integer >= 300, got {n_users}")
    n_users = int(n_users)
    if n_interactions is None:
        n_interactions = round(p.interactions_per_user * n_users)
    if int(n_interactions) != n_interactions or n_interactions < 3 * n_users:
        raise ConfigError(f"n_interactions must be an integer >= 3 * n_users ({3 * n_users}), got {n_interactions}")
    n_interactions = int(n_interactions)
    if int(seed) != seed or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed}")
    seed = int(seed)
    brand = BrandConfig(accounts=tuple(acc[0] for acc in BRAND_ACCOUNTS), keywords=BRAND_KEYWORDS, name=BRAND_NAME)
    rng = np.random.default_rng(seed)
    bar = progress(total=4, quiet=quiet, desc="generate")
    try:
        pop = plant_population(n_users, p, rng)
        bar.update()
        raw = draw_interactions(pop, p, n_interactions, rng)
        bar.update()
        frame, src, tone, directed = render_interactions(raw, pop, p, rng, brand=brand, with_sentiment=with_sentiment)
        bar.update()
        truth = _truth_frame(pop, src, tone, directed)
        after = None
        if aftermath is not None:
            ap = aftermath if isinstance(aftermath, AftermathParams) else AftermathParams(candidate=str(aftermath))
            after = simulate_aftermath(pop, raw, p, brand, ap, np.random.default_rng([seed, 0xAF7E]))
            if with_sentiment is False:
                after = dataclasses.replace(after, interactions=after.interactions.drop(columns=["sentiment"]))
            at = after.truth
            truth = truth.assign(stance_after=np.round(at["stance_after"].to_numpy(), 4),
                                 aware=at["aware"].to_numpy(), revolted=at["revolted"].to_numpy(),
                                 turned_against=at["turned"].to_numpy(),
                                 aftermath_candidate=pd.array([after.candidate] * len(at), dtype="str"))
        users = pd.DataFrame({
            "user_id": pd.array(pop.user_ids, dtype="str"),
            "display_name": pd.array(pop.display_names, dtype="str"),
            "followers": pop.followers,
            "verified": pop.verified,
        })
        shuffle = rng.permutation(n_users)  # row order must not reveal the groups
        users = users.iloc[shuffle].reset_index(drop=True)
        truth = truth.iloc[shuffle].reset_index(drop=True)
        bar.update()
    finally:
        bar.close()
    return BrandEvent(interactions=frame, users=users, truth=truth, brand=brand, params=p, n_users=n_users,
                      n_interactions=n_interactions, seed=seed, with_sentiment=with_sentiment, aftermath=after)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _brand_toml(event: BrandEvent) -> str:
    b = event.brand
    lines = [
        "# Brand configuration of a generated kolgraph event (fictional brand).",
        f"# Generated with seed {event.seed}: {event.n_users} users, {event.n_interactions} interactions.",
        "",
        "[brand]",
        f"name = {_toml_string(b.name)}",
        "accounts = [" + ", ".join(_toml_string(a) for a in b.accounts) + "]",
        "keywords = [" + ", ".join(_toml_string(k) for k in b.keywords) + "]",
        "",
        "[whatif]",
        "# the founder's account: listed first in the what-if's comment-flood figures",
        f"founder = {_toml_string(FOUNDER_ID)}",
        "",
    ]
    return "\n".join(lines)


def write_event(event: BrandEvent, out_dir: str | Path, *, format: str = "csv", quiet: bool = False) -> dict[str, Path]:
    """Write interactions.(csv|parquet), users.csv, truth.csv, kolgraph.toml and event.json, each atomically.

    Returns the written paths by name (interactions, users, truth, config, manifest).
    """
    if format not in ("csv", "parquet"):
        raise ConfigError(f"format must be 'csv' or 'parquet', got {format!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder")
    paths = {
        "interactions": out / f"interactions.{format}", "users": out / "users.csv", "truth": out / "truth.csv",
        "config": out / "kolgraph.toml", "manifest": out / "event.json",
    }
    manifest = {
        "generator": "kolgraph.datasets.generate_event", "n_users": event.n_users,
        "n_interactions": event.n_interactions, "seed": event.seed, "with_sentiment": event.with_sentiment,
        "params": event.params.to_dict(), "brand": event.brand.to_dict(), "summary": event.summary(),
        "timestamp_format": "ISO 8601 UTC",
    }
    if event.aftermath is not None:
        paths["aftermath"] = out / f"aftermath.{format}"
        manifest["aftermath"] = {"file": paths["aftermath"].name, "summary": event.aftermath.summary(),
                                 "parameters": dict(event.aftermath.parameters),
                                 "mechanism": "agent-based threshold revolt + bounded confidence "
                                              "(kolgraph.datasets.aftermath); truth columns in truth.csv"}
    steps = [
        ("interactions", lambda: write_table(event.interactions, paths["interactions"])),
        ("users", lambda: write_table(event.users, paths["users"])),
        ("truth", lambda: write_table(event.truth, paths["truth"])),
        ("config", lambda: write_text(paths["config"], _brand_toml(event))),
        ("manifest", lambda: write_json(paths["manifest"], manifest)),
    ]
    if event.aftermath is not None:
        steps.insert(1, ("aftermath", lambda: write_table(event.aftermath.interactions, paths["aftermath"])))
    bar = progress(steps, quiet=quiet, desc="write", unit="file")
    for name, step in bar:
        bar.set_postfix_str(name)
        step()
    return paths


def _sample_folder() -> Path:
    checkout = Path(__file__).resolve().parents[2] / "data" / "sample"
    if (checkout / "interactions.csv").is_file():
        return checkout
    try:
        return Path(str(importlib.resources.files("kolgraph.sample")))
    except (ModuleNotFoundError, TypeError):
        raise KolgraphError("the sample event is not installed: no data/sample folder beside the package and no "
                            "kolgraph.sample package; regenerate it with: " + SAMPLE_COMMAND) from None


def load_sample() -> SamplePaths:
    """Paths of the shipped sample event (``data/sample`` in a checkout, ``kolgraph.sample`` when installed)."""
    folder = _sample_folder()
    paths = SamplePaths(folder=folder, interactions=folder / "interactions.csv", users=folder / "users.csv",
                        truth=folder / "truth.csv", config=folder / "kolgraph.toml")
    missing = [p.name for p in (paths.interactions, paths.users, paths.truth, paths.config) if not p.is_file()]
    if missing:
        raise KolgraphError(f"{folder}: sample files missing ({', '.join(missing)}); regenerate with: {SAMPLE_COMMAND}")
    return paths
