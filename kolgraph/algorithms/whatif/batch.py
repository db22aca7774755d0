"""The predicted core-fan shift of many candidates at once (scoring, safer alternatives).

The same model, priors and random draws as :func:`kolgraph.algorithms.whatif.simulate_partnership`
(exposure uniforms are counter-based per user and run, so every candidate sees the same draws,
here and there), but only the one number a ranking needs: the mean shift over core fans per run.
That number is linear in the shock, so one adjoint solve shared by all candidates replaces a
propagation per candidate: with ``c`` the core-fan averaging vector,
``y_r = (I - lambda_r W^T)^-1 c`` (:func:`kolgraph.algorithms.propagation.adjoint_series`, to
``scenario.tol``) and ``z_r = (1 - lambda_r D) y_r``, the core-fan shift of candidate k in run r is
``sum_u z_r[u] d*_ur(k)``.

- Users with their own attitude toward k enter exactly as in the simulator (their attitude
  re-estimated with the community prior, exposure draw, personal reaction factor, attachment
  amplification, clipping).
- Users who take their community's attitude (``rho`` x the shrunk community mean) enter with
  their expectation over exposure, ``p_ur (s*_ur - s_u)`` without the clip (it binds only when a
  shock would push a stance past -1 or +1), and with exposure from their brand interactions only:
  summed per community in one pass, so the cost per candidate is its number of own-attitude users
  plus its number of communities, times the runs. The mean is the simulator's up to the clip; the
  interval is a little narrower (no exposure noise for the community part).
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..._arrays import unique_sorted
from ..propagation import ListeningOperator, adjoint_series
from .draws import draw_runs, exposure_draws, exposure_probability, user_hashes
from .inputs import account_ids, attachment, attitude_frame, own_attitude_posterior, stance_vector
from .scenario import WhatIfNetwork, WhatIfScenario

__all__ = ["core_fan_shifts", "core_fan_shift_runs", "BATCH_COLUMNS"]

#: Columns of :func:`core_fan_shifts`.
BATCH_COLUMNS = ("user_id", "whatif_shift", "whatif_low", "whatif_high", "whatif_runs", "whatif_shocked")

_PAIR_CHUNK = 1 << 14  # (user, candidate) pairs or rows per chunk: temporaries of 16,384 x runs


def core_fan_shift_runs(network: WhatIfNetwork, s0: np.ndarray, att: pd.DataFrame, core_idx: np.ndarray,
                        brand_idx: np.ndarray, kidx: np.ndarray, scenario: WhatIfScenario, *,
                        community_codes: np.ndarray | None = None,
                        on_progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate vertex (``kidx``, all valid and not brand accounts) and run: the core-fan mean shift.

    ``s0``: measured stance per vertex; ``att``: validated attitude rows (src, dst, attitude);
    returns (K x R shifts, shocked users per candidate).
    """
    names = network.names
    n = network.n
    K = len(kidx)
    R = int(scenario.runs)
    draws = draw_runs(scenario)
    lam = draws.lam
    is_brand = np.zeros(n, dtype=bool)
    is_brand[brand_idx] = True
    if "si" in att and "di" in att:  # vertex indices already there (attitude_frame with names)
        u, di = att["si"].to_numpy(), att["di"].to_numpy()
        slot = np.full(n, -1, dtype=np.int64)
        slot[kidx] = np.arange(K)
        kp = np.where(di >= 0, slot[np.maximum(di, 0)], -1)
    else:
        cand_names = pd.Index(pd.array([str(names[k]) for k in kidx], dtype="str"))
        kp = cand_names.get_indexer(pd.Index(att["dst"].astype("str"), dtype="str"))
        u = names.get_indexer(pd.Index(att["src"].astype("str"), dtype="str"))
    a = np.clip(att["attitude"].to_numpy(dtype="float64", na_value=np.nan), -1, 1)
    keep = (kp >= 0) & (u >= 0) & np.isfinite(a)
    keep[keep] &= ~is_brand[u[keep]] & (u[keep] != kidx[kp[keep]])
    u, kp, a = u[keep], kp[keep], a[keep]
    codes = community_codes if community_codes is not None else np.full(n, -1, dtype=np.int64)
    # own attitudes re-estimated with the community as prior, as the simulator does (community means from `a`)
    sup = att["support"].to_numpy()[keep] if "support" in att else np.zeros(a.size)
    a_own = own_attitude_posterior(a, sup, codes[u], kp, rho=scenario.rho,
                                   attitude_k0=scenario.attitude_k0, prior=scenario.attitude_prior,
                                   measured_k0=scenario.measured_k0)
    counts = network.counts
    m_brand = np.asarray(counts[:, brand_idx].sum(axis=1)).ravel() if brand_idx.size else np.zeros(n)
    w = attachment(s0, m_brand)
    # interactions of u with candidate k, looked up per pair (sorted keys, no per-pair Python loop)
    sub = counts[:, kidx].tocoo()
    sub_key = sub.row.astype(np.int64) * K + sub.col
    order = np.argsort(sub_key, kind="stable")
    sub_key, sub_val = sub_key[order], np.asarray(sub.data, dtype="float64")[order]
    pair_key = u.astype(np.int64) * K + kp
    at = np.searchsorted(sub_key, pair_key)
    found = ((at < sub_key.size) & (sub_key[np.minimum(at, max(sub_key.size - 1, 0))] == pair_key)
             if sub_key.size else np.zeros(pair_key.size, dtype=bool))
    c_uk = np.where(found, sub_val[np.minimum(at, max(sub_val.size - 1, 0))] if sub_val.size else 0.0, 0.0)
    m_pair = m_brand[u] + c_uk
    # rows where the adjoint is needed: own-attitude users, and brand engagers with a community
    use_comm = scenario.rho > 0 and (codes >= 0).any()
    comm_rows = np.flatnonzero((codes >= 0) & (m_brand > 0) & ~is_brand) if use_comm else np.zeros(0, np.int64)
    rows = unique_sorted(np.r_[u[m_pair > 0], comm_rows]).astype(np.int64)
    op = ListeningOperator.build(network.listen, brand_idx)
    c = np.zeros(n)
    c[core_idx] = 1.0 / max(core_idx.size, 1)
    z = adjoint_series(op.W, c, lam, rows, tol=scenario.tol / 2, max_iter=scenario.max_iter, WT=op.WT_rows)
    z *= 1.0 - lam[None, :] * op.D[rows, None]                    # y_r -> z_r, in place (rows x R)
    pos = np.searchsorted(rows, u)
    shift_runs = np.zeros((K, R))
    live = m_pair > 0
    shocked = np.bincount(kp[live & (a_own != 0)], minlength=K).astype(np.int64)
    runs = np.arange(R)
    # ---- own attitudes: exact (draws, clipping). Pairs go in user order, so each user's draws are
    # hashed once per chunk of pairs (not once per candidate chunk), and temporaries stay pairs x R.
    pairs = np.flatnonzero(live & (a_own != 0))
    pairs = pairs[np.argsort(u[pairs], kind="stable")]
    hash_of = unique_sorted(u[pairs]) if pairs.size else np.zeros(0, np.int64)   # users with a pair, and
    hashes = user_hashes(names[hash_of]) if pairs.size else np.zeros(0, np.uint64)  # their id hashes
    reported = 0
    for c0 in range(0, pairs.size, _PAIR_CHUNK):
        sel = pairs[c0:c0 + _PAIR_CHUNK]
        su, sinv = np.unique(u[sel], return_inverse=True)
        U, zf = exposure_draws(draws.key, None, runs, scenario.reaction_sd, hashes=hashes[np.searchsorted(hash_of, su)])
        s_u = s0[u[sel]][:, None]
        a_neg = np.minimum(a_own[sel], 0.0)[:, None]
        a_pos = (np.maximum(a_own[sel], 0.0) * (1.0 - s0[u[sel]]))[:, None]
        delta = (draws.alpha[None, :] * a_neg * (1.0 + draws.gamma[None, :] * w[u[sel], None])
                 + draws.beta[None, :] * a_pos)
        if zf is not None:
            delta *= zf[sinv]
        dstar = (U[sinv] < exposure_probability(m_pair[sel], draws.q)) * (np.clip(s_u + delta, -1.0, 1.0) - s_u)
        dstar *= z[pos[sel]]
        ks, kinv = np.unique(kp[sel], return_inverse=True)
        ind = sp.csr_matrix((np.ones(sel.size), (kinv, np.arange(sel.size))), shape=(ks.size, sel.size))
        shift_runs[ks] += ind @ dstar
        if on_progress:  # candidates are spread over the chunks: report the share of pairs done
            done = K * min(pairs.size, c0 + _PAIR_CHUNK) // max(pairs.size, 1)
            on_progress(done - reported)
            reported = done
    if on_progress and reported < K:
        on_progress(K - reported)
    # ---- community attitudes: expectation over exposure, summed per community
    if use_comm and comm_rows.size and u.size:
        C = int(codes.max()) + 1
        has_c = codes[u] >= 0
        # the shrunk community means per (candidate, community) that have attitudes: sparse K x C
        key = kp[has_c].astype(np.int64) * C + codes[u[has_c]]
        ukey, kinv = np.unique(key, return_inverse=True)
        total = np.bincount(kinv, weights=a[has_c], minlength=ukey.size)
        cnt = np.bincount(kinv, minlength=ukey.size).astype(np.float64)
        mval = scenario.rho * total / (cnt + scenario.attitude_k0) if scenario.attitude_k0 > 0 else \
            scenario.rho * total / np.maximum(cnt, 1.0)

        def mean_at(k_: np.ndarray, c_: np.ndarray) -> np.ndarray:
            """The community mean of candidate k_ in community c_ (0 where nobody there has an attitude)."""
            q_ = k_.astype(np.int64) * C + c_
            at_ = np.minimum(np.searchsorted(ukey, q_), max(ukey.size - 1, 0))
            return np.where(ukey[at_] == q_, mval[at_], 0.0) if ukey.size else np.zeros(q_.size)

        mneg = sp.csr_matrix((np.minimum(mval, 0.0), (ukey // C, ukey % C)), shape=(K, C))
        mpos = sp.csr_matrix((np.maximum(mval, 0.0), (ukey // C, ukey % C)), shape=(K, C))
        # per community and run: sums of z p, z p w and z p (1 - s) over its brand engagers, by row chunks
        A, B, Cp = np.zeros((C, R)), np.zeros((C, R)), np.zeros((C, R))
        for a0 in range(0, comm_rows.size, _PAIR_CHUNK):
            cr = comm_rows[a0:a0 + _PAIR_CHUNK]
            zc = z[np.searchsorted(rows, cr)] * exposure_probability(m_brand[cr], draws.q)
            ind = sp.csr_matrix((np.ones(cr.size), (codes[cr], np.arange(cr.size))), shape=(C, cr.size))
            A += ind @ zc
            B += ind @ (zc * w[cr, None])
            Cp += ind @ (zc * (1.0 - s0[cr, None]))
        # sum over communities as (sparse K x C) x (C x R) products, never a K x C x R array
        comm_part = (draws.alpha[None, :] * (mneg @ A + draws.gamma[None, :] * (mneg @ B))
                     + draws.beta[None, :] * (mpos @ Cp))
        # own-attitude users take their own attitude, not the community's: remove their terms exactly
        own_in = has_c & np.isin(u, comm_rows)
        if own_in.any():
            ou, ok_, oc = u[own_in], kp[own_in], codes[u[own_in]]
            mo = mean_at(ok_, oc)
            neg_o, pos_o = np.minimum(mo, 0.0)[:, None], np.maximum(mo, 0.0)[:, None]
            zo = z[pos[own_in]] * exposure_probability(m_brand[ou], draws.q)           # own x R
            corr = (draws.alpha[None, :] * neg_o * zo * (1.0 + draws.gamma[None, :] * w[ou, None])
                    + draws.beta[None, :] * pos_o * zo * (1.0 - s0[ou, None]))
            ind_k = sp.csr_matrix((np.ones(ou.size), (ok_, np.arange(ou.size))), shape=(K, ou.size))
            comm_part -= np.asarray(ind_k @ corr)
        # a candidate is not shocked by its own partnership (the simulator leaves it out too)
        kin = np.flatnonzero(np.isin(kidx, comm_rows))
        if kin.size:
            kk = kidx[kin]
            zk = z[np.searchsorted(rows, kk)] * exposure_probability(m_brand[kk], draws.q)
            ck = codes[kk]
            mk = mean_at(kin, ck)
            comm_part[kin] -= (draws.alpha[None, :] * np.minimum(mk, 0.0)[:, None] * zk
                               * (1.0 + draws.gamma[None, :] * w[kk, None])
                               + draws.beta[None, :] * np.maximum(mk, 0.0)[:, None] * zk * (1.0 - s0[kk, None]))
        shift_runs += comm_part
        nonzero = sp.csr_matrix(((mval != 0).astype(np.int64), (ukey // C, ukey % C)), shape=(K, C))
        shocked += nonzero @ np.bincount(codes[comm_rows], minlength=C).astype(np.int64)
        if kin.size:
            shocked[kin] -= (mk != 0).astype(np.int64)
    return shift_runs, shocked


def core_fan_shifts(network: WhatIfNetwork, stance: pd.Series, attitudes: pd.DataFrame, core_fans: Iterable[str],
                    brand_accounts: Iterable[str], candidates: Sequence[str], scenario: WhatIfScenario, *,
                    communities: pd.Series | None = None, interval: float = 0.9,
                    on_progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Predicted core-fan stance shift per candidate, for many candidates at once (module docstring).

    ``network``: a :class:`WhatIfNetwork`; ``stance``: brand stance per user id; ``attitudes``:
    (src, dst, attitude[, support]) rows; ``scenario``: priors, q, runs, seed, tol (its
    ``candidates`` are ignored); ``communities``: user id -> community (community attitudes).
    Returns one row per candidate (in order): user_id, whatif_shift (mean over runs),
    whatif_low / whatif_high (the ``interval`` percentile bounds over runs), whatif_runs,
    whatif_shocked (users who can be shocked). Candidates not in the graph, brand accounts, and
    every candidate when there is no core fan, get NaN and 0 runs.
    """
    names = network.names
    n = network.n
    R = int(scenario.runs)
    cands = pd.Index(pd.array([str(c) for c in dict.fromkeys(candidates)], dtype="str"))
    K = len(cands)
    out = pd.DataFrame({"user_id": pd.array(cands, dtype="str"), "whatif_shift": np.nan, "whatif_low": np.nan,
                        "whatif_high": np.nan, "whatif_runs": 0, "whatif_shocked": 0})
    bidx = network.index_of(account_ids(brand_accounts))
    brand_idx = unique_sorted(bidx[bidx >= 0])
    cidx = network.index_of(account_ids(core_fans))
    core_idx = unique_sorted(cidx[cidx >= 0])
    core_idx = core_idx[~np.isin(core_idx, brand_idx)]
    is_brand = np.zeros(n, dtype=bool)
    is_brand[brand_idx] = True
    kidx = network.index_of(list(cands))
    valid = (kidx >= 0) & ~is_brand[np.where(kidx >= 0, kidx, 0)]
    if K == 0 or core_idx.size == 0 or not valid.any():
        if on_progress:
            on_progress(K)
        return out
    # only rows toward a candidate matter: select them before the (string) duplicate handling
    toward = attitudes[attitudes["dst"].astype("str").isin(cands)] if len(attitudes) else attitudes
    att = attitude_frame(toward.drop_duplicates(["src", "dst"]), names)
    s0 = stance_vector(pd.Series(stance), names)
    codes = None
    if communities is not None:
        comm = pd.Series(communities)
        comm.index = pd.Index(comm.index.astype("str"), dtype="str")
        comm = comm[~comm.index.duplicated()].reindex(names)
        codes = np.full(n, -1, dtype=np.int64)
        known = comm.notna().to_numpy()
        codes[known] = pd.factorize(comm[known].astype("str"))[0]
    runs, shocked = core_fan_shift_runs(network, s0, att, core_idx, brand_idx, kidx[valid], scenario,
                                        community_codes=codes, on_progress=on_progress)
    lo_q, hi_q = 50.0 * (1.0 - interval), 100.0 - 50.0 * (1.0 - interval)
    lo, hi = np.percentile(runs, [lo_q, hi_q], axis=1)
    vi = np.flatnonzero(valid)
    out.loc[vi, "whatif_shift"] = runs.mean(axis=1)
    out.loc[vi, "whatif_low"] = lo
    out.loc[vi, "whatif_high"] = hi
    out.loc[vi, "whatif_runs"] = R
    out.loc[vi, "whatif_shocked"] = shocked
    out["whatif_runs"] = out["whatif_runs"].astype(np.int64)
    out["whatif_shocked"] = out["whatif_shocked"].astype(np.int64)
    return out
