"""What the simulator reads: measured stance, attitudes toward candidates, attachment, observables.

- :func:`stance_vector`: measured brand stance per vertex (missing users 0, the value the shrunk
  stance gives a user with no brand-directed interaction).
- :func:`candidate_attitudes`: u's attitude toward k (methods page, section 4, step 2): their
  own measured attitude where they have one; otherwise ``rho`` times their community's shrunk mean
  attitude toward k, ``sum_{v in c, own} a_vk / (n_c + k0)`` (fans who never replied to a critic
  still share their community's view of him). Brand accounts and k itself get none.
- :func:`attachment`: ``w_u = max(stance_u, 0) x percentile of u's brand engagement among brand
  engagers`` in [0, 1] (0 for users who never interact with a brand account).
- :class:`Observables`: what the strategist's first-day figures need beyond the model
  (display names, KOLs, per-user daily brand-directed rates, hostile volume before).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..._arrays import unique_sorted
from ...config import BrandConfig
from ...errors import ConfigError, InputError, UnknownAccountError
from ..propagation import ListeningOperator
from .scenario import WhatIfNetwork, WhatIfScenario, as_network

__all__ = ["Observables", "Prepared", "prepare", "stance_vector", "attitude_frame", "attachment", "rates_matrix",
           "candidate_attitudes", "own_attitude_posterior", "check_candidates", "account_ids"]


def account_ids(values: Iterable[Any] | BrandConfig | str | None) -> list[str]:
    """A list of account ids from a list, a single id, or a :class:`BrandConfig` (its accounts)."""
    if values is None:
        return []
    if isinstance(values, BrandConfig):
        return list(values.accounts)
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values]


def stance_vector(stance: pd.Series | Mapping[str, float], names: pd.Index) -> np.ndarray:
    """Measured stance per vertex of ``names`` (missing users 0); raises :class:`InputError` outside [-1, 1]."""
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


def attitude_frame(attitudes: pd.DataFrame, names: pd.Index | None = None) -> pd.DataFrame:
    """Validated (src, dst, attitude, support) rows; raises :class:`InputError` on duplicates or bad values.

    With ``names`` (the network's vertex ids) the frame also gets ``si`` and ``di``: each row's src
    and dst as vertex indices (-1 for an id outside the graph). Ids are factorised once, so the
    duplicate check and the lookups hash each distinct id once (millions of rows, few ids).
    """
    missing = {"src", "dst", "attitude"} - set(attitudes.columns)
    if missing:
        raise InputError("(attitudes)", f"missing column(s) {', '.join(sorted(missing))}")
    att = pd.DataFrame({
        "src": attitudes["src"].astype("str"), "dst": attitudes["dst"].astype("str"),
        "attitude": pd.to_numeric(attitudes["attitude"], errors="coerce").astype("float64"),
        "support": (pd.to_numeric(attitudes["support"], errors="coerce").fillna(0).astype("int64")
                    if "support" in attitudes else pd.Series(0, index=attitudes.index, dtype="int64")),
    })
    src_codes, src_values = pd.factorize(att["src"])
    dst_codes, dst_values = pd.factorize(att["dst"])
    pair = src_codes.astype(np.int64) * max(len(dst_values), 1) + dst_codes
    dup = pd.Index(pair).duplicated()
    if dup.any():
        row = att.iloc[int(np.flatnonzero(dup)[0])]
        raise InputError("(attitudes)", f"pair ({row.src!r}, {row.dst!r}) appears more than once")
    vals = att["attitude"].to_numpy()
    finite = vals[np.isfinite(vals)]
    if finite.size and (finite.min() < -1 - 1e-9 or finite.max() > 1 + 1e-9):
        raise InputError("(attitudes)", "attitudes must lie in [-1, 1]")
    if names is not None:
        lookup = lambda values, codes: (names.get_indexer(pd.Index(values, dtype="str"))[codes]  # noqa: E731
                                        if len(codes) else np.zeros(0, np.int64))
        att["si"] = lookup(src_values, src_codes)
        att["di"] = lookup(dst_values, dst_codes)
    return att


def attachment(stance: np.ndarray, brand_engagement: np.ndarray) -> np.ndarray:
    """``max(stance, 0) x percentile of brand engagement among brand engagers`` (0 without engagement).

    The percentile is the mid-rank share in (0, 1], so the most engaged fan gets the full stance.

    >>> attachment(np.array([0.8, 0.8, -0.5, 0.9]), np.array([1, 4, 9, 0])).round(3).tolist()
    [0.267, 0.533, 0.0, 0.0]
    """
    stance = np.asarray(stance, dtype=np.float64)
    m = np.asarray(brand_engagement, dtype=np.float64)
    w = np.zeros(stance.size)
    engaged = m > 0
    if engaged.any():
        from scipy.stats import rankdata

        pct = rankdata(m[engaged], method="average") / engaged.sum()
        w[engaged] = np.maximum(stance[engaged], 0.0) * pct
    return np.clip(w, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class Observables:
    """Optional inputs for the strategist's figures (each may be left out; the figure is then omitted).

    - ``display_names``: user id -> display name.
    - ``kols``: ids of KOL accounts (friendly KOLs at risk, safer alternatives are drawn from them).
    - ``critics``: ids of known critics (never proposed as a safer alternative).
    - ``founder``: the founder's brand account id (listed first in the comment flood).
    - ``brand_rates``: (user_id, account, per_day): u's replies and mentions of brand account
      ``account`` per day in the before-slice.
    - ``hostile_per_day``: brand account -> hostile (negative-sentiment) replies and mentions per day
      in the before-slice.
    - ``aftermath``: (user_id, stance_before, stance_after[, candidate]): the true outcome of a known
      after-slice, scored against the prediction.
    - ``stance_support``: user id -> brand-directed interactions behind the measured stance; a user
      outside the core fans counts as a possible defector only with at least
      ``defector_min_support`` of them (a stance measured from one or two rows is too uncertain to
      say it turned).
    """

    display_names: pd.Series | None = None
    kols: tuple[str, ...] = ()
    critics: tuple[str, ...] = ()
    founder: str | None = None
    brand_rates: pd.DataFrame | None = field(default=None, repr=False)
    hostile_per_day: Mapping[str, float] = field(default_factory=dict)
    aftermath: pd.DataFrame | None = field(default=None, repr=False)
    stance_support: pd.Series | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class Prepared:
    """The simulator's prepared inputs (vertex-aligned arrays)."""

    net: WhatIfNetwork
    op: ListeningOperator
    s0: np.ndarray
    brand_idx: np.ndarray
    core_idx: np.ndarray
    communities: pd.Series | None
    community_codes: np.ndarray          # -1 where unknown
    att: pd.DataFrame                    # validated attitudes with src and dst vertex indices ("si", "di")
    m_brand: np.ndarray                  # interactions with brand accounts (every kind)
    w: np.ndarray                        # attachment
    support: np.ndarray                  # stance support per vertex (inf when unknown)
    missing: Mapping[str, int]
    observables: Observables


def _toward(attitudes: pd.DataFrame, accounts: set[str]) -> pd.DataFrame:
    """The attitude rows whose ``dst`` is one of ``accounts`` (ids compared once per distinct dst)."""
    if "dst" not in attitudes or not len(attitudes):
        return attitudes
    codes, values = pd.factorize(attitudes["dst"].astype("str"))
    wanted = np.append(np.asarray(pd.Index(values, dtype="str").isin(list(accounts)), dtype=bool), False)
    return attitudes[wanted[codes]]  # a missing dst (code -1) reads the appended False


def prepare(g: ig.Graph | WhatIfNetwork, stance, attitudes: pd.DataFrame, core_fans, brand_accounts,
            scenario: WhatIfScenario, communities: pd.Series | None,
            observables: Observables | None = None) -> Prepared:
    """Align every input to the network's vertices (ids not in the graph are ignored and counted).

    Only attitudes toward the scenario's candidates and the observables' KOLs (the pool of safer
    alternatives) are ever read, so only those rows are kept and validated: an analysis holds
    attitudes toward every account (millions of rows), most of them toward nobody simulated.
    """
    net = as_network(g, scenario.listen_kinds)
    names = net.names
    bidx = net.index_of(account_ids(brand_accounts))
    brand_idx = unique_sorted(bidx[bidx >= 0])
    cidx = net.index_of(account_ids(core_fans))
    core_idx = unique_sorted(cidx[cidx >= 0])
    core_idx = core_idx[~np.isin(core_idx, brand_idx)]
    s0 = stance_vector(stance, names)
    simulated = set(map(str, scenario.candidates)) | set(map(str, (observables or Observables()).kols))
    att = attitude_frame(_toward(attitudes, simulated), names)
    si, di = att["si"].to_numpy(), att["di"].to_numpy()
    keep = (si >= 0) & np.isfinite(att["attitude"].to_numpy()) & (si != di)
    att = att[keep].reset_index(drop=True)
    comm = None
    codes = np.full(net.n, -1, dtype=np.int64)
    if communities is not None:
        comm = pd.Series(communities)
        comm.index = pd.Index(comm.index.astype("str"), dtype="str")
        comm = comm[~comm.index.duplicated()].reindex(names)
        known = comm.notna().to_numpy()
        if known.any():
            codes[known] = pd.factorize(comm[known].astype("str"))[0]
    op = ListeningOperator.build(net.listen, brand_idx)
    m_brand = (np.asarray(net.counts[:, brand_idx].sum(axis=1)).ravel() if brand_idx.size else np.zeros(net.n))
    w = attachment(s0, m_brand)
    w[brand_idx] = 0.0
    missing = {"brand_accounts": int((bidx < 0).sum()), "core_fans": int((cidx < 0).sum())}
    observables = observables or Observables()
    if scenario.founder and not observables.founder:
        observables = dataclasses.replace(observables, founder=scenario.founder)
    support = np.full(net.n, np.inf)
    if observables.stance_support is not None:
        sup = pd.Series(observables.stance_support)
        sup.index = pd.Index(sup.index.astype("str"), dtype="str")
        sup = pd.to_numeric(sup[~sup.index.duplicated()], errors="coerce").reindex(names)
        support = sup.fillna(0.0).to_numpy(dtype=np.float64)
    return Prepared(net=net, op=op, s0=s0, support=support, brand_idx=brand_idx, core_idx=core_idx, communities=comm,
                    community_codes=codes, att=att, m_brand=m_brand, w=w, missing=missing,
                    observables=observables)


def own_attitude_posterior(a: np.ndarray, support: np.ndarray, codes: np.ndarray, group: np.ndarray, *,
                           rho: float, attitude_k0: float, prior: float | None, measured_k0: float) -> np.ndarray:
    """Own attitudes re-estimated with the user's community as the prior (one value per attitude row).

    The analysis's attitude is ``sum(s) / (n + k0)`` (methods section 2, ``k0 = measured_k0``):
    shrunk toward 0, so that one reply never makes anyone a critic. For the betrayal shock the
    question is different: how hostile is this fan toward the candidate, given what they wrote
    and what their community thinks? The posterior mean puts ``prior`` pseudo-observations at the
    community's view (``rho`` x the community's shrunk mean attitude toward the same candidate,
    as for users without an attitude of their own) instead of ``k0`` at 0:
    ``(sum(s) + prior * rho * m_c) / (n + prior)``. A user without a community gets ``m_c = 0``.
    ``prior=None`` returns ``a`` unchanged (the analysis's shrunk attitude); rows without support
    (``n = 0``) keep ``a``. ``group`` separates candidates (community means are per candidate).
    Result clipped to [-1, 1].

    >>> own_attitude_posterior(np.array([-0.3, -0.3, 0.2]), np.array([1, 1, 2]), np.array([0, 0, 0]),
    ...                        np.zeros(3, dtype=int), rho=0.5, attitude_k0=3.0, prior=0.5,
    ...                        measured_k0=2.0).round(3).tolist()
    [-0.611, -0.611, 0.313]
    """
    a = np.asarray(a, dtype=np.float64)
    if prior is None or a.size == 0:
        return a.copy()
    n = np.asarray(support, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    cm = np.zeros(a.size)
    has = codes >= 0
    if rho > 0 and prior > 0 and has.any():
        C = int(codes.max()) + 1
        key = group * C + np.where(has, codes, 0)
        uk, inv = np.unique(key[has], return_inverse=True)
        total = np.bincount(inv, weights=a[has], minlength=uk.size)
        count = np.bincount(inv, minlength=uk.size)
        mean = total / (count + attitude_k0) if attitude_k0 > 0 else total / np.maximum(count, 1)
        cm[has] = rho * mean[inv]
    ok = n > 0
    out = a.copy()
    out[ok] = (a[ok] * (n[ok] + measured_k0) + prior * cm[ok]) / (n[ok] + prior)
    return np.clip(out, -1.0, 1.0)


def candidate_attitudes(prep: Prepared, k: int, rho: float, k0: float, prior: float | None = None,
                        measured_k0: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(attitude a_uk per vertex, own-attitude mask, support) toward vertex ``k`` (see the module docstring).

    Own attitudes are re-estimated by :func:`own_attitude_posterior` when ``prior`` is given.
    """
    n = prep.net.n
    a = np.zeros(n)
    own = np.zeros(n, dtype=bool)
    support = np.zeros(n, dtype=np.int64)
    rows = prep.att[prep.att["di"].to_numpy() == k]
    if len(rows):
        si = rows["si"].to_numpy()
        a[si] = np.clip(rows["attitude"].to_numpy(), -1.0, 1.0)
        support[si] = rows["support"].to_numpy()
        own[si] = True
    own[prep.brand_idx] = False
    own[k] = False
    a[~own] = 0.0
    codes = prep.community_codes
    measured = a.copy()
    if prior is not None and own.any():
        idx = np.flatnonzero(own)
        a[idx] = own_attitude_posterior(measured[idx], support[idx], codes[idx], np.zeros(idx.size, np.int64),
                                        rho=rho, attitude_k0=k0, prior=prior, measured_k0=measured_k0)
    if rho > 0 and own.any() and (codes >= 0).any():
        n_comm = int(codes.max()) + 1
        has = own & (codes >= 0)
        total = np.bincount(codes[has], weights=measured[has], minlength=n_comm)
        count = np.bincount(codes[has], minlength=n_comm)
        mean = total / (count + k0) if k0 > 0 else np.divide(total, count, out=np.zeros(n_comm), where=count > 0)
        fill = ~own & (codes >= 0)
        fill[prep.brand_idx] = False
        fill[k] = False
        a[fill] = rho * mean[codes[fill]]
    return a, own, support


def check_candidates(prep: Prepared, candidates) -> np.ndarray:
    """Vertex indices of the candidates; raises for none, unknown ids and brand accounts."""
    if not candidates:
        raise ConfigError("no candidate given: name the KOL to partner with (--kol ID)")
    idx = prep.net.index_of(candidates)
    unknown = [c for c, i in zip(candidates, idx) if i < 0]
    if unknown:
        raise UnknownAccountError(
            f"unknown candidate account(s) {', '.join(repr(c) for c in unknown)}: not a user in the graph "
            f"({prep.net.n:,} users); user ids are case-sensitive")
    brand = set(prep.brand_idx.tolist())
    bad = [c for c, i in zip(candidates, idx) if i in brand]
    if bad:
        raise ConfigError(f"candidate(s) {', '.join(bad)} are brand accounts; a partnership needs an outside account")
    return idx


def rates_matrix(prep: Prepared) -> tuple[sp.csr_matrix | None, list[str]]:
    """Per-user daily brand-directed rates as an n x B matrix over the brand accounts in the graph."""
    obs = prep.observables
    accounts = [str(x) for x in prep.net.names[prep.brand_idx]]
    if obs.brand_rates is None or not len(obs.brand_rates) or not accounts:
        return None, accounts
    br = obs.brand_rates
    ui = prep.net.index_of(br["user_id"].astype("str"))
    bi = pd.Index(accounts).get_indexer(br["account"].astype("str"))
    ok = (ui >= 0) & (bi >= 0)
    vals = pd.to_numeric(br["per_day"], errors="coerce").fillna(0.0).to_numpy()[ok]
    mat = sp.csr_matrix((vals, (ui[ok], bi[ok])), shape=(prep.net.n, len(accounts)))
    mat.sum_duplicates()
    return mat, accounts
