"""The propagation kernels against dense solves: residual push (sparse and full hops), power series (per run, averaged)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kolgraph.algorithms.propagation import ListeningOperator, power_series, residual_push
from kolgraph.algorithms.row_blocks import RowSplit, map_row_ranges, threads
from kolgraph.errors import ConfigError, WhatIfConvergenceError


def _graph(n: int, seed: int, density: float = 0.02):
    rng = np.random.default_rng(seed)
    listen = sp.random(n, n, density=density, random_state=rng, format="csr") * 3.0
    listen.setdiag(0.0)
    listen.eliminate_zeros()
    stubborn = rng.choice(n, 3, replace=False)
    return ListeningOperator.build(listen, stubborn), rng


@pytest.mark.parametrize("dense_share, block", [(0.0, 32), (0.3, 5), (2.0, 1)])  # full hops from the start,
def test_residual_push_is_within_tol_of_the_exact_solution_for_every_run(dense_share, block):
    op, rng = _graph(300, seed=3)
    n, R = 300, 12                                             # switching from sparse to full, sparse only
    lam = np.r_[0.0, rng.uniform(0.05, 0.85, R - 1)]          # includes lambda = 0 (no propagation)
    rows = np.sort(rng.choice(n, 120, replace=False))
    b = (rng.normal(0, 0.2, (rows.size, R)) * (rng.random((rows.size, R)) < 0.5)).astype(np.float32)
    tol = 1e-4
    sol, hops, bound = residual_push(op.WT32, rows, b, lam, tol, n, 500, W32=op.W32, block=block,
                                     dense_share=dense_share)
    assert sol.shape == (n, R) and sol.dtype == np.float32
    assert 0 < hops and bound <= tol
    full = np.zeros((n, R))
    full[rows] = b
    Wd = op.W.toarray()
    for r in range(R):
        exact = np.linalg.solve(np.eye(n) - lam[r] * Wd, full[:, r])
        assert np.abs(sol[:, r] - exact).max() <= tol + 1e-5, r   # the guaranteed bound (+ float32 rounding)
    # lambda = 0: the right-hand side itself, untouched elsewhere
    assert np.array_equal(sol[rows, 0], b[:, 0]) and not np.delete(sol[:, 0], rows).any()


def test_residual_push_adds_into_out_and_does_not_depend_on_blocking():
    op, rng = _graph(200, seed=5)
    n, R = 200, 40
    lam = rng.uniform(0.1, 0.8, R)
    rows = np.arange(0, n, 2)
    b = rng.normal(0, 0.3, (rows.size, R)).astype(np.float32)
    out = np.full((n, R), 1.0, dtype=np.float32)
    got, _, _ = residual_push(op.WT32, rows, b, lam, 1e-4, n, 500, W32=op.W32, out=out, block=7)
    assert got is out
    alone, _, _ = residual_push(op.WT32, rows, b, lam, 1e-4, n, 500, W32=None, block=40)  # W32 derived
    assert np.abs((out - 1.0) - alone).max() <= 2e-4
    # no right-hand side: nothing added
    empty, hops, bound = residual_push(op.WT32, rows[:0], b[:0], lam, 1e-4, n, 500)
    assert not empty.any() and hops == 0 and bound == 0.0


def test_residual_push_convergence_failure_is_an_error():
    op, rng = _graph(100, seed=1, density=0.1)
    b = np.ones((100, 2), dtype=np.float32)
    with pytest.raises(WhatIfConvergenceError, match="max_iter"):
        residual_push(op.WT32, np.arange(100), b, np.array([0.9, 0.9]), 1e-9, 100, 2, W32=op.W32)


def test_power_series_average_is_the_mean_of_the_per_run_series():
    op, rng = _graph(250, seed=7)
    n, R = 250, 17
    lam = rng.uniform(0.05, 0.8, R)
    V = np.column_stack([rng.normal(size=n), op.D * rng.normal(size=n)])
    coef = np.vstack([rng.uniform(0.5, 1.5, R), -np.ones(R)])
    expo = np.array([0, 1])
    per_run = np.zeros((n, R), dtype=np.float32)
    mean = np.zeros((n, 1), dtype=np.float32)
    tol = 1e-5
    t1, b1 = power_series(lambda X: op.W @ X, V, lam, coef, expo, [per_run], rows=None, tol=tol, max_iter=500)
    t2, b2 = power_series(lambda X: op.W @ X, V, lam, coef, expo, [mean], rows=None, tol=tol, max_iter=500,
                          average=True)
    assert (t1, b1) == (t2, b2) and b1 <= tol
    assert np.abs(mean[:, 0] - per_run.mean(axis=1)).max() <= 1e-5
    Wd = op.W.toarray()
    for r in (0, R // 2, R - 1):
        exact = np.linalg.solve(np.eye(n) - lam[r] * Wd, coef[0, r] * V[:, 0] + coef[1, r] * lam[r] * V[:, 1])
        assert np.abs(per_run[:, r] - exact).max() <= tol + 1e-5


def test_row_split_products_on_threads_equal_the_plain_product_exactly(monkeypatch):
    op, rng = _graph(300, seed=5)
    X = rng.normal(size=(300, 7))
    monkeypatch.setenv("KOLGRAPH_THREADS", "3")
    assert threads() == 3
    split = RowSplit(op.W, chunk=17)                       # 18 pieces over 3 threads
    assert len(split.pieces) == 18
    assert np.array_equal(split.matmul(X), op.W @ X)
    assert np.array_equal(split.matmul(X[:, 0]), op.W @ X[:, 0])
    order = map_row_ranges(lambda a0, a1: (a0, a1), 300, chunk=17)
    assert order == [(a0, min(300, a0 + 17)) for a0 in range(0, 300, 17)]   # results in row order


def test_residual_push_gives_the_same_bits_on_one_thread_and_on_many(monkeypatch):
    op, rng = _graph(300, seed=6)
    R = 9
    lam = rng.uniform(0.1, 0.8, R)
    rows = np.sort(rng.choice(300, 200, replace=False))
    b = rng.normal(0, 0.3, (rows.size, R)).astype(np.float32)
    monkeypatch.setenv("KOLGRAPH_THREADS", "1")
    one, hops1, bound1 = residual_push(op.WT32, rows, b, lam, 1e-4, 300, 500, W32=op.W32, dense_share=0.0)
    monkeypatch.setenv("KOLGRAPH_THREADS", "4")
    many, hops4, bound4 = residual_push(op.WT32, rows, b, lam, 1e-4, 300, 500, W32=RowSplit(op.W32, chunk=23),
                                        dense_share=0.0)
    assert hops1 == hops4 > 1 and bound1 == bound4
    assert np.array_equal(one, many)


def test_a_bad_thread_count_is_a_config_error(monkeypatch):
    monkeypatch.setenv("KOLGRAPH_THREADS", "two")
    with pytest.raises(ConfigError, match="KOLGRAPH_THREADS"):
        threads()


def test_power_series_on_threads_gives_the_same_bits_as_on_one(monkeypatch):
    import kolgraph.algorithms.row_blocks as row_blocks

    op, rng = _graph(300, seed=8)
    V = rng.normal(size=(300, 3))
    lam = rng.uniform(0.1, 0.7, 5)
    coef = rng.normal(size=(3, 5))
    results = []
    for workers, chunk in (("1", 1 << 14), ("3", 13)):           # 24 row chunks over 3 threads
        monkeypatch.setenv("KOLGRAPH_THREADS", workers)
        monkeypatch.setattr(row_blocks, "ROW_CHUNK", chunk)
        out, seen = np.zeros((300, 5), dtype=np.float32), np.zeros((300, 5), dtype=np.float32)

        def consume(g, a0, a1, part):
            seen[a0:a1] += part

        power_series(lambda X: op.W @ X, V, lam, coef, np.array([0, 1, 0]), [out], rows=None, tol=1e-6, max_iter=200)
        power_series(lambda X: op.W @ X, V, lam, coef, np.array([0, 1, 0]), [None], rows=None, tol=1e-6, max_iter=200,
                     consume=consume)
        assert np.array_equal(out, seen)
        results.append(out)
    np.testing.assert_allclose(results[0], results[1], rtol=0, atol=1e-6)


def test_residual_push_takes_its_right_hand_side_per_block():
    op, rng = _graph(300, seed=9)
    R = 11
    lam = rng.uniform(0.1, 0.8, R)
    rows = np.sort(rng.choice(300, 150, replace=False))
    b = rng.normal(0, 0.3, (rows.size, R)).astype(np.float32)
    asked = []

    def columns(cols):
        asked.append(sorted(cols.tolist()))
        return b[:, cols]

    whole, hops, bound = residual_push(op.WT32, rows, b, lam, 1e-4, 300, 500, W32=op.W32, block=4)
    blocks, hops_b, bound_b = residual_push(op.WT32, rows, columns, lam, 1e-4, 300, 500, W32=op.W32, block=4)
    assert np.array_equal(whole, blocks) and (hops, bound) == (hops_b, bound_b)
    assert len(asked) == 3 and sorted(c for cols in asked for c in cols) == list(range(R))  # each run once
