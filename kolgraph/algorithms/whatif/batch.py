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
from .draws import draw_runs, exposure_probability, exposure_uniforms, reaction_factors
from .inputs import account_ids, attachment, attitude_frame, own_attitude_posterior, stance_vector
from .scenario import WhatIfNetwork, WhatIfScenario

__all__ = ["core_fan_shifts", "core_fan_shift_runs", "BATCH_COLUMNS"]

#: Columns of :func:`core_fan_shifts`.
BATCH_COLUMNS = ("user_id", "whatif_shift", "whatif_low", "whatif_high", "whatif_runs", "whatif_shocked")


def core_fan_shift_runs(network: WhatIfNetwork, s0: np.ndarray, att: pd.DataFrame, core_idx: np.ndarray,
                        brand_idx: np.ndarray, kidx: np.ndarray, scenario: WhatIfScenario, *,
                        community_codes: np.ndarray | None = None, chunk: int = 100,
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
    y = adjoint_series(op.W, c, lam, rows, tol=scenario.tol / 2, max_iter=scenario.max_iter)
    z = (1.0 - lam[None, :] * op.D[rows, None]) * y
    pos = np.searchsorted(rows, u)
    shift_runs = np.zeros((K, R))
    live = m_pair > 0
    shocked = np.bincount(kp[live & (a_own != 0)], minlength=K).astype(np.int64)
    runs = np.arange(R)
    # ---- own attitudes: exact (draws, clipping)
    by_cand = np.argsort(kp, kind="stable")
    bounds = np.searchsorted(kp[by_cand], np.arange(0, K + chunk, chunk))
    for i, k0 in enumerate(range(0, K, chunk)):
        sel = by_cand[bounds[i]:bounds[i + 1]]
        sel = sel[live[sel] & (a_own[sel] != 0)]
        if sel.size:
            su, sinv = np.unique(u[sel], return_inverse=True)
            U = exposure_uniforms(draws.key, names[su], runs)[sinv]
            s_u = s0[u[sel]][:, None]
            a_neg = np.minimum(a_own[sel], 0.0)[:, None]
            a_pos = (np.maximum(a_own[sel], 0.0) * (1.0 - s0[u[sel]]))[:, None]
            delta = (draws.alpha[None, :] * a_neg * (1.0 + draws.gamma[None, :] * w[u[sel], None])
                     + draws.beta[None, :] * a_pos)
            zf = reaction_factors(draws.key, names[su], runs, scenario.reaction_sd)
            if zf is not None:
                delta = delta * zf[sinv]
            dstar = (U < exposure_probability(m_pair[sel], draws.q)) * (np.clip(s_u + delta, -1.0, 1.0) - s_u)
            contrib = dstar * z[pos[sel]]
            k1 = min(K, k0 + chunk)
            ind = sp.csr_matrix((np.ones(sel.size), (kp[sel] - k0, np.arange(sel.size))), shape=(k1 - k0, sel.size))
            shift_runs[k0:k1] += ind @ contrib
        if on_progress:
            on_progress(min(K, k0 + chunk) - k0)
    # ---- community attitudes: expectation over exposure, summed per community
    if use_comm and comm_rows.size and u.size:
        C = int(codes.max()) + 1
        has_c = codes[u] >= 0
        total = np.zeros((K, C))
        cnt = np.zeros((K, C))
        np.add.at(total, (kp[has_c], codes[u[has_c]]), a[has_c])
        np.add.at(cnt, (kp[has_c], codes[u[has_c]]), 1.0)
        mean = scenario.rho * total / (cnt + scenario.attitude_k0) if scenario.attitude_k0 > 0 else \
            scenario.rho * np.divide(total, cnt, out=np.zeros_like(total), where=cnt > 0)
        crow = np.searchsorted(rows, comm_rows)
        p_r = exposure_probability(m_brand[comm_rows], draws.q)                     # rows x R
        zc = z[crow] * p_r
        ind = sp.csr_matrix((np.ones(comm_rows.size), (codes[comm_rows], np.arange(comm_rows.size))),
                            shape=(C, comm_rows.size))
        A = np.asarray(ind @ zc)                                                   # C x R: sum z p
        B = np.asarray(ind @ (zc * w[comm_rows, None]))                            # sum z p w
        Cp = np.asarray(ind @ (zc * (1.0 - s0[comm_rows, None])))                  # sum z p (1 - s)
        # own-attitude users take their own attitude, not the community's: remove their terms
        own_in = has_c & np.isin(u, comm_rows)
        if own_in.any():
            ou, ok_, oc = u[own_in], kp[own_in], codes[u[own_in]]
            zo = z[pos[own_in]] * exposure_probability(m_brand[ou], draws.q)
            sub_a = np.zeros((K, C, R)) if K * C * R <= 5e7 else None
            if sub_a is not None:
                np.add.at(sub_a, (ok_, oc), zo)
                sub_b = np.zeros((K, C, R))
                np.add.at(sub_b, (ok_, oc), zo * w[ou, None])
                sub_p = np.zeros((K, C, R))
                np.add.at(sub_p, (ok_, oc), zo * (1.0 - s0[ou, None]))
            else:  # too large to hold: accept the small double count of own users' community terms
                sub_a = sub_b = sub_p = 0.0
        else:
            sub_a = sub_b = sub_p = 0.0
        mneg = np.minimum(mean, 0.0)[:, :, None]
        mpos = np.maximum(mean, 0.0)[:, :, None]
        An = A[None] - sub_a
        Bn = B[None] - sub_b
        Pn = Cp[None] - sub_p
        comm_part = (draws.alpha[None, None, :] * mneg * (An + draws.gamma[None, None, :] * Bn)
                     + draws.beta[None, None, :] * mpos * Pn).sum(axis=1)
        shift_runs += comm_part
        shocked += (np.abs(mean) > 0).astype(np.int64) @ np.bincount(codes[comm_rows], minlength=C).astype(np.int64)
    return shift_runs, shocked


def core_fan_shifts(network: WhatIfNetwork, stance: pd.Series, attitudes: pd.DataFrame, core_fans: Iterable[str],
                    brand_accounts: Iterable[str], candidates: Sequence[str], scenario: WhatIfScenario, *,
                    communities: pd.Series | None = None, interval: float = 0.9, chunk: int = 100,
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
    att = attitude_frame(attitudes.drop_duplicates(["src", "dst"]))
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
                                        community_codes=codes, chunk=chunk, on_progress=on_progress)
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
