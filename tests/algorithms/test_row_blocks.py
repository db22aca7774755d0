"""RowBlocks: threaded products over row blocks give exactly the plain sparse product."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kolgraph.algorithms.row_blocks import RowBlocks, available_cores


@pytest.mark.parametrize("blocks", [1, 2, 3, 7])
def test_row_blocks_equal_the_plain_product_bit_for_bit(blocks):
    rng = np.random.default_rng(blocks)
    n = 3000
    rows = np.r_[rng.integers(0, n, 40_000), np.zeros(5000, np.int64)]  # one heavy row, empty rows
    A = sp.csr_matrix((rng.standard_normal(rows.size), (rows, rng.integers(0, n, rows.size))), shape=(n, n))
    R = RowBlocks(A, blocks=blocks, min_rows=0)
    assert len(R.parts) == min(blocks, len(R.bounds)) and R.bounds[0][0] == 0 and R.bounds[-1][1] == n
    assert all(a < b for a, b in R.bounds) and all(x[1] == y[0] for x, y in zip(R.bounds, R.bounds[1:]))
    x = rng.standard_normal(n)
    X = rng.standard_normal((n, 3))
    assert np.array_equal(R @ x, A @ x)
    assert np.array_equal(R @ X, A @ X)
    assert (R @ X).shape == (n, 3)


def test_small_matrices_use_one_block_and_bad_blocks_raise():
    A = sp.identity(10, format="csr")
    assert len(RowBlocks(A).parts) == 1
    assert available_cores() >= 1
    with pytest.raises(ValueError, match="blocks must be >= 1"):
        RowBlocks(A, blocks=0)


def test_an_error_in_a_block_thread_reaches_the_caller():
    A = sp.random(500, 500, density=0.05, format="csr", random_state=1)
    with pytest.raises(ValueError):
        RowBlocks(A, blocks=2, min_rows=0) @ np.ones(499)
