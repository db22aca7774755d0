"""The batched core-fan shift (scoring, safer alternatives) against a dense per-candidate, per-run reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.propagation import ListeningOperator
from kolgraph.algorithms.whatif import WhatIfNetwork, WhatIfScenario, core_fan_shifts, draw_runs, exposure_uniforms
from kolgraph.algorithms.whatif.draws import exposure_probability
from kolgraph.algorithms.whatif.inputs import attachment


def _world(seed: int = 0, n: int = 60):
    rng = np.random.default_rng(seed)
    names = pd.Index([f"u{i}" for i in range(n)], dtype="str")
    e = 400
    src, dst = rng.integers(0, n, e), rng.integers(0, n, e)
    keep = src != dst
    src, dst = np.r_[src[keep], 20, 21], np.r_[dst[keep], 0, 1]   # candidates u20 and u21 engage the brand
    kind = rng.integers(0, 3, src.size)
    count = rng.integers(1, 4, src.size).astype(float)
    frame = pd.DataFrame({"s": src, "d": dst, "k": kind, "c": count}).groupby(["s", "d", "k"], as_index=False).sum()
    net = WhatIfNetwork.from_arrays(names, frame["s"].to_numpy(), frame["d"].to_numpy(), frame["k"].to_numpy(),
                                    frame["c"].to_numpy(), frame["c"].to_numpy())
    brand = ["u0", "u1"]
    stance = pd.Series(rng.uniform(-0.6, 0.95, n), index=names)
    core = [f"u{i}" for i in range(2, 14)]
    cands = ["u20", "u21", "u22", "u5"]      # a candidate never shocks itself (u20, u21 would: brand engagers)
    rows = []
    for k in cands:
        who = rng.choice(np.arange(2, n), 18, replace=False)
        rows += [(f"u{i}", k, float(rng.uniform(-1, 0.8))) for i in who if f"u{i}" != k]
    att = pd.DataFrame(rows, columns=["src", "dst", "attitude"])
    communities = pd.Series(rng.integers(0, 4, n), index=names)
    return net, stance, att, core, brand, cands, communities


def _reference(net, stance, att, core, brand, cand, scen, communities):
    """sum_u z_r[u] d_ur: own attitudes drawn and clipped; community attitudes by their expectation."""
    names = net.names
    n = net.n
    draws = draw_runs(scen)
    bidx = net.index_of(brand)
    op = ListeningOperator.build(net.listen, bidx)
    Wd, D = op.W.toarray(), op.D
    counts = net.counts.toarray()
    m_brand = counts[:, bidx].sum(axis=1)
    s0 = stance.reindex(names).to_numpy()
    w = attachment(s0, m_brand)
    k = net.index_of([cand])[0]
    is_brand = np.zeros(n, bool)
    is_brand[bidx] = True
    a_own = np.full(n, np.nan)
    for src, a in att.loc[att["dst"] == cand, ["src", "attitude"]].itertuples(index=False):
        i = net.index_of([src])[0]
        if not is_brand[i] and i != k:
            a_own[i] = a
    own = ~np.isnan(a_own)
    codes = communities.reindex(names).to_numpy()
    mean = {c: scen.rho * a_own[own & (codes == c)].sum() / ((own & (codes == c)).sum() + scen.attitude_k0)
            for c in np.unique(codes)}
    c_vec = np.zeros(n)
    c_vec[net.index_of(core)] = 1.0 / len(core)
    out = np.zeros(scen.runs)
    U = exposure_uniforms(draws.key, names, np.arange(scen.runs))
    for r in range(scen.runs):
        lam = draws.lam[r]
        z = (1 - lam * D) * np.linalg.solve(np.eye(n) - lam * Wd.T, c_vec)
        for u in range(n):
            if is_brand[u] or u == k:
                continue
            if own[u]:
                a, m = a_own[u], m_brand[u] + counts[u, k]
                if a == 0 or m == 0:
                    continue
                delta = draws.alpha[r] * min(a, 0) * (1 + draws.gamma[r] * w[u]) + draws.beta[r] * max(a, 0) * (1 - s0[u])
                exposed = U[u, r] < exposure_probability(np.array([m]), draws.q[r])[0]
                out[r] += z[u] * exposed * (np.clip(s0[u] + delta, -1, 1) - s0[u])
            elif m_brand[u] > 0:
                a = mean[codes[u]]
                delta = draws.alpha[r] * min(a, 0) * (1 + draws.gamma[r] * w[u]) + draws.beta[r] * max(a, 0) * (1 - s0[u])
                out[r] += z[u] * exposure_probability(np.array([m_brand[u]]), draws.q[r])[0] * delta
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_batch_matches_a_dense_per_candidate_reference(seed):
    net, stance, att, core, brand, cands, comm = _world(seed)
    scen = WhatIfScenario(runs=6, seed=seed, tol=1e-9, attitude_prior=None, reaction_sd=0.0)  # the plain model
    got = core_fan_shifts(net, stance, att, core, brand, cands, scen, communities=comm, interval=0.9)
    for cand, row in zip(cands, got.itertuples(index=False)):
        ref = _reference(net, stance, att, core, brand, cand, scen, comm)
        assert row.whatif_shift == pytest.approx(ref.mean(), abs=1e-7), cand
        lo, hi = np.percentile(ref, [5, 95])
        assert (row.whatif_low, row.whatif_high) == pytest.approx((lo, hi), abs=1e-7), cand
    # each candidate's numbers do not depend on which other candidates are scored with it
    alone = pd.concat([core_fan_shifts(net, stance, att, core, brand, [c], scen, communities=comm) for c in cands],
                      ignore_index=True)
    pd.testing.assert_frame_equal(alone, got, check_exact=False, atol=1e-12)


def test_batch_does_not_depend_on_how_pairs_are_chunked(monkeypatch):
    import kolgraph.algorithms.whatif.batch as batch

    net, stance, att, core, brand, cands, comm = _world(3)
    scen = WhatIfScenario(runs=8, seed=3, tol=1e-9)        # the full model: posterior attitudes, reaction factors
    whole = core_fan_shifts(net, stance, att, core, brand, cands, scen, communities=comm)
    steps = []
    monkeypatch.setattr(batch, "_PAIR_CHUNK", 3)              # many chunks; a user's pairs split across two
    chunked = core_fan_shifts(net, stance, att, core, brand, cands, scen, communities=comm, on_progress=steps.append)
    pd.testing.assert_frame_equal(chunked, whole, check_exact=False, atol=1e-12)
    assert len(steps) > 3 and sum(steps) == len(cands)      # progress adds up to the candidates
