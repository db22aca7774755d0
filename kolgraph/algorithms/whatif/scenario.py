"""The what-if scenario (priors, exposure rate, runs, seed, accuracy) and the network it runs on."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...errors import ConfigError, InputError
from ...schema import DEFAULT_KIND_WEIGHTS, KINDS, normalise_kind

__all__ = ["WhatIfScenario", "WhatIfNetwork", "as_network", "SENSITIVITY_PARAMETERS"]

#: Parameters swept one at a time by :func:`kolgraph.algorithms.whatif.sensitivity`.
SENSITIVITY_PARAMETERS: tuple[str, ...] = ("alpha", "beta", "gamma", "susceptibility", "q")


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
    - ``q_range``: the Uniform prior of q the runs draw from, also the range :func:`sensitivity`
      sweeps; default ``(q - 0.1, q + 0.1)`` clipped into [0.01, 1] (``(q, q)`` fixes q).
    - ``gamma_range``: Uniform prior of the attachment amplification gamma (>= 0): a betrayed
      user's shock is ``alpha * a * (1 + gamma * w)`` with attachment w in [0, 1].
    - ``rho`` in [0, 1]: a user without an attitude of their own toward the candidate takes
      ``rho`` times their community's shrunk mean attitude toward the candidate (0 turns this off);
      ``attitude_k0`` (>= 0) is the shrinkage: community mean ``sum(a) / (n + attitude_k0)``.
    - ``attitude_prior`` (>= 0, or None): a user's own attitude is re-estimated as
      ``(sum(s) + attitude_prior * rho * m_c) / (n + attitude_prior)``, their community's view as
      the prior instead of the analysis's shrinkage toward 0
      (:func:`kolgraph.algorithms.whatif.inputs.own_attitude_posterior`); None (``"none"`` in a
      config file) uses the measured attitude as it is. ``measured_k0`` (>= 0): the prior strength
      the analysis shrank attitudes with (methods section 2's k0; the workspace layer sets it from
      the analysis).
    - ``reaction_sd`` in [0, 3]: personal reaction: in each run a user's betrayal/warming shock is
      multiplied by a lognormal factor with mean 1 and this log-sd (people differ in how hard the
      same news hits them; 0 turns it off). It leaves the expected shock unchanged and spreads who
      turns.
    - ``cooling_threshold``: a core fan "cools" when their stance falls by at least this much.
    - ``alternatives``: safer alternatives listed per candidate (0 skips the search);
      ``alternative_reach_min``: an alternative's reach into the brand's target communities must
      be at least this fraction of the candidate's; ``alternative_shortlist``: how many of the
      best-scoring alternatives are simulated in full.
    - ``founder``: the founder's brand account id (listed first in the comment flood; "" none).
    - ``hostile_below``: an interaction with sentiment below this is hostile (the comment flood's
      before-volume; scoring uses the same -0.3).
    - ``listen_kinds``: edge kinds that make u listen to v (default repost, reply).
    - ``tol``: bound on the error of every per-user stance (stance units); ``max_iter`` caps the
      series terms and push hops.
    - ``top_defectors``, ``top_carriers``: rows listed in the summaries; a listed defector's mean
      shift is at least ``min_defector_shift`` in absolute value and its mean stance without the
      measured stance at least ``defector_min_stance`` (it had a positive stance to lose); a user
      "turns" in a run when their measured stance plus the run's effect falls below 0 (core fans:
      from any stance >= 0; everyone else: from at least ``defector_min_stance``, measured from at
      least ``defector_min_support`` brand-directed interactions when the support is known).
    """

    candidates: tuple[str, ...] = ()
    runs: int = 200
    seed: int = 0
    q: float = 0.3
    alpha_range: tuple[float, float] = (0.45, 2.0)
    beta_range: tuple[float, float] = (0.1, 0.5)
    susceptibility_beta: tuple[float, float] = (4.0, 8.0)
    susceptibility: float | None = None
    susceptibility_max: float = 0.9
    q_range: tuple[float, float] | None = None
    gamma_range: tuple[float, float] = (0.5, 3.0)
    rho: float = 0.5
    attitude_k0: float = 3.0
    attitude_prior: float | None = 0.25
    measured_k0: float = 2.0
    reaction_sd: float = 0.5
    cooling_threshold: float = 0.3
    alternatives: int = 5
    alternative_reach_min: float = 0.3
    alternative_shortlist: int = 12
    founder: str = ""
    hostile_below: float = -0.3
    listen_kinds: tuple[str, ...] = ("repost", "reply")
    tol: float = 1e-3
    max_iter: int = 1000
    top_defectors: int = 25
    top_carriers: int = 15
    min_defector_shift: float = 0.05
    defector_min_stance: float = 0.1
    defector_min_support: int = 3

    def __post_init__(self) -> None:
        cands = (self.candidates,) if isinstance(self.candidates, str) else tuple(self.candidates)
        cands = tuple(dict.fromkeys(str(c).strip() for c in cands))
        if any(not c for c in cands):
            raise ConfigError("candidate ids must not be empty")
        object.__setattr__(self, "candidates", cands)
        object.__setattr__(self, "founder", str(self.founder or "").strip())
        if self.q_range is None:
            q = float(self.q)
            object.__setattr__(self, "q_range", (max(0.01, min(q, 1.0) - 0.1), min(1.0, q + 0.1)))
        for name in ("runs", "seed", "max_iter", "top_defectors", "top_carriers", "alternatives",
                     "alternative_shortlist", "defector_min_support"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value:
                raise ConfigError(f"{name} must be an integer, got {value!r}")
            object.__setattr__(self, name, int(value))
        if (self.runs < 1 or self.seed < 0 or self.max_iter < 1 or self.top_defectors < 0 or self.top_carriers < 0
                or self.alternatives < 0 or self.alternative_shortlist < 0):
            raise ConfigError("runs and max_iter must be >= 1; seed, top_defectors, top_carriers, alternatives >= 0")
        for name in ("alpha_range", "beta_range", "gamma_range", "q_range", "susceptibility_beta"):
            object.__setattr__(self, name, _pair(getattr(self, name), name, ordered=name != "susceptibility_beta"))
        if self.alpha_range[0] < 0 or self.beta_range[0] < 0 or self.gamma_range[0] < 0:
            raise ConfigError("alpha_range, beta_range and gamma_range must be >= 0 (the sign comes from the attitude)")
        if not (0 < self.q_range[0] and self.q_range[1] <= 1):
            raise ConfigError(f"q_range must lie in (0, 1], got {list(self.q_range)}")
        if min(self.susceptibility_beta) <= 0:
            raise ConfigError("susceptibility_beta must be two shape parameters > 0")
        for name in ("q", "susceptibility_max", "tol", "min_defector_shift", "defector_min_stance", "rho",
                     "attitude_k0", "measured_k0", "reaction_sd", "cooling_threshold", "alternative_reach_min",
                     "hostile_below"):
            try:
                object.__setattr__(self, name, float(getattr(self, name)))
            except (TypeError, ValueError):
                raise ConfigError(f"{name} must be a number, got {getattr(self, name)!r}") from None
        if isinstance(self.attitude_prior, str) and self.attitude_prior.strip().lower() in ("none", "off", ""):
            object.__setattr__(self, "attitude_prior", None)  # TOML has no null
        if self.attitude_prior is not None:
            try:
                object.__setattr__(self, "attitude_prior", float(self.attitude_prior))
            except (TypeError, ValueError):
                raise ConfigError(f"attitude_prior must be a number or none, got {self.attitude_prior!r}") from None
            if not (self.attitude_prior >= 0 and math.isfinite(self.attitude_prior)):
                raise ConfigError(f"attitude_prior must be >= 0, got {self.attitude_prior}")
        if not (0 <= self.reaction_sd <= 3):
            raise ConfigError(f"reaction_sd must be in [0, 3], got {self.reaction_sd}")
        if not 0 <= self.rho <= 1 or self.attitude_k0 < 0 or not self.measured_k0 >= 0:
            raise ConfigError(f"rho must be in [0, 1], attitude_k0 and measured_k0 >= 0, got rho={self.rho}, "
                              f"attitude_k0={self.attitude_k0}, measured_k0={self.measured_k0}")
        if not 0 < self.cooling_threshold <= 2 or self.alternative_reach_min < 0:
            raise ConfigError("cooling_threshold must be in (0, 2] and alternative_reach_min >= 0")
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
            "gamma": f"Uniform({self.gamma_range[0]}, {self.gamma_range[1]})",
            "susceptibility": (f"fixed {self.susceptibility}" if self.susceptibility is not None else
                               f"Beta({self.susceptibility_beta[0]}, {self.susceptibility_beta[1]}) "
                               f"capped at {self.susceptibility_max}"),
            "q": f"Uniform({self.q_range[0]}, {self.q_range[1]})",
            "exposure": "Bernoulli(1 - (1 - q)^m)",
            "reaction": (f"per user and run, lognormal factor on the shock, mean 1, log-sd {self.reaction_sd}"
                         if self.reaction_sd else "none"),
            "attitude": (f"own, else {self.rho} x community mean (shrinkage {self.attitude_k0})"
                         + ("" if self.attitude_prior is None else
                            f"; own re-estimated with {self.attitude_prior} pseudo-rows at the community's view")),
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


def as_network(g: ig.Graph | WhatIfNetwork, listen_kinds: tuple[str, ...]) -> WhatIfNetwork:
    if isinstance(g, WhatIfNetwork):
        if tuple(g.listen_kinds) != tuple(listen_kinds):
            raise ConfigError(f"the network was built with listen_kinds={list(g.listen_kinds)} but the scenario "
                              f"asks for {list(listen_kinds)}")
        return g
    if isinstance(g, ig.Graph):
        return WhatIfNetwork.from_graph(g, listen_kinds=listen_kinds)
    raise TypeError(f"expected an igraph.Graph or a WhatIfNetwork, got {type(g).__name__}")


