"""Sparse products over row blocks in threads: the same numbers as one product, on every core.

scipy multiplies a CSR matrix by a vector or a block of vectors on one core. The iterative
solvers of the analysis (camps' label spreading, PageRank, HITS) spend most of their time in such
products on million-row matrices. :class:`RowBlocks` cuts the matrix into contiguous row blocks
of about equal non-zeros and multiplies them in threads (scipy releases the GIL inside its sparse
kernels); each output row is still the sum over that row's entries in the same order, so the
result is bit for bit the product of the whole matrix (tested), only sooner when cores are free.
Small matrices (under ``MIN_ROWS`` rows) and single-core machines use the plain product.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import scipy.sparse as sp

__all__ = ["RowBlocks", "MIN_ROWS", "available_cores"]

#: Below this many rows threads cost more than they save; the plain product is used.
MIN_ROWS = 200_000


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on every platform
        return max(1, os.cpu_count() or 1)


class RowBlocks:
    """``A @ X`` for a CSR matrix ``A`` computed over row blocks in threads (module docstring).

    ``blocks``: how many (default: the available cores, at most 4; 1 below ``min_rows`` rows).
    The blocks are row slices of ``A`` (a copy of its entries, once). ``X`` may be a vector or an
    ``(n, k)`` array.

    >>> A = sp.random(1000, 1000, density=0.01, format="csr", random_state=0)
    >>> x = np.arange(1000.0)
    >>> bool(np.array_equal(RowBlocks(A, blocks=3, min_rows=0) @ x, A @ x))
    True
    """

    def __init__(self, A: sp.csr_matrix, *, blocks: int | None = None, min_rows: int = MIN_ROWS) -> None:
        A = sp.csr_matrix(A)
        self.shape = A.shape
        n = A.shape[0]
        wanted = min(available_cores(), 4) if blocks is None else int(blocks)
        if wanted < 1:
            raise ValueError(f"blocks must be >= 1, got {blocks!r}")
        if n < min_rows or wanted == 1 or n < wanted:
            self.bounds = [(0, n)]
            self.parts = [A]
            return
        # cut where the running count of entries crosses each share: blocks of about equal work
        cuts = np.searchsorted(A.indptr, np.linspace(0, A.nnz, wanted + 1)[1:-1], side="left")
        edges = np.unique(np.r_[0, np.clip(cuts, 1, n - 1), n])
        self.bounds = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
        self.parts = [A[a:b] for a, b in self.bounds]

    def __matmul__(self, X: np.ndarray) -> np.ndarray:
        if len(self.parts) == 1:
            return self.parts[0] @ X
        X = np.asarray(X)
        out = np.empty((self.shape[0],) + X.shape[1:], dtype=np.result_type(self.parts[0].dtype, X.dtype))
        errors: list[BaseException] = []

        def run(part: sp.csr_matrix, a: int, b: int) -> None:
            try:
                out[a:b] = part @ X
            except BaseException as exc:  # re-raised in the caller
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(part, a, b), daemon=True)
                   for part, (a, b) in zip(self.parts[1:], self.bounds[1:])]
        for t in threads:
            t.start()
        run(self.parts[0], *self.bounds[0])  # the first block in this thread
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return out
