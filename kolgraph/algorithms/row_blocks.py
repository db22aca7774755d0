"""Sparse products over row blocks in threads: the same numbers as one product, on every core.

scipy multiplies a CSR matrix by a vector or a block of vectors on one core. The iterative
solvers (camps' label spreading, PageRank, HITS, the what-if's propagation) spend most of their
time in such products on million-row matrices. scipy releases the GIL inside its sparse kernels,
and numpy inside its element-wise loops, so row pieces of one product run in parallel; each output
row is still the sum over that row's entries in the same order, so results are bit for bit those
of one thread (tested), only sooner when cores are free.

- :func:`threads`: how many threads (``KOLGRAPH_THREADS`` if set, else the cores this process may
  use, at most 4). ``KOLGRAPH_THREADS=1`` keeps kolgraph to one core on a shared machine.
- :class:`RowBlocks`: ``A @ X`` over one block of rows per thread, cut at about equal non-zeros.
- :class:`RowSplit` and :func:`map_row_ranges`: work per piece of :data:`ROW_CHUNK` rows (a product
  followed by the caller's own per-row steps while the piece is in cache), pieces grouped per thread.

Small matrices (under ``MIN_ROWS`` rows) use the plain product in :class:`RowBlocks`.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError

__all__ = ["RowBlocks", "RowSplit", "map_row_ranges", "threads", "MIN_ROWS", "ROW_CHUNK", "available_cores"]

#: Below this many rows threads cost more than they save; the plain product is used.
MIN_ROWS = 200_000
#: Rows per piece of :class:`RowSplit` / :func:`map_row_ranges` (temporaries stay small and in cache).
ROW_CHUNK = 1 << 14


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on every platform
        return max(1, os.cpu_count() or 1)


def threads() -> int:
    """Threads for the row-split products: ``KOLGRAPH_THREADS`` if set, else the cores (at most 4).

    scipy's sparse products and numpy's element-wise loops release the GIL, so row pieces of one
    product run in parallel; each thread writes only its own rows, so results do not depend on
    the number of threads."""
    env = os.environ.get("KOLGRAPH_THREADS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ConfigError(f"KOLGRAPH_THREADS must be a whole number, got {env!r}") from None
    return min(4, available_cores())


def map_row_ranges(fn: Callable[[int, int], object], n: int, chunk: int | None = None) -> list:
    """``[fn(a0, a1) for each row range of size chunk]`` (default :data:`ROW_CHUNK`) in row order, the
    ranges split into contiguous groups over :func:`threads` threads (``fn`` must only write rows ``a0:a1``)."""
    chunk = chunk or ROW_CHUNK
    ranges = [(a0, min(n, a0 + chunk)) for a0 in range(0, n, chunk)]
    workers = min(threads(), len(ranges))
    if workers <= 1:
        return [fn(a0, a1) for a0, a1 in ranges]
    groups = np.array_split(np.arange(len(ranges)), workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kolgraph-rows") as pool:
        parts = list(pool.map(lambda idx: [fn(*ranges[i]) for i in idx], groups))
    return [x for part in parts for x in part]


class RowSplit:
    """A CSR matrix cut into row pieces of ``chunk`` rows, for products computed piece by piece on
    :func:`threads` threads (each piece's output rows are its own, so no locking is needed)."""

    def __init__(self, M: sp.csr_matrix, chunk: int = ROW_CHUNK) -> None:
        M = sp.csr_matrix(M)
        self.shape = M.shape
        self.dtype = M.dtype
        self.chunk = chunk
        self.pieces = [M[a0:a0 + chunk] for a0 in range(0, M.shape[0], chunk)]

    def map(self, fn: Callable[[int, int, sp.csr_matrix], object]) -> list:
        """``[fn(a0, a1, piece) for each piece]`` in row order, split across threads."""
        return map_row_ranges(lambda a0, a1: fn(a0, a1, self.pieces[a0 // self.chunk]), self.shape[0], self.chunk)

    def matmul(self, X: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``M @ X`` (X: a vector or n x c array), written into ``out`` when given."""
        X = np.asarray(X)
        dtype = np.result_type(self.dtype, X.dtype)
        if out is None:
            out = np.empty((self.shape[0],) + X.shape[1:], dtype=dtype)

        def one(a0: int, a1: int, piece: sp.csr_matrix) -> None:
            out[a0:a1] = piece @ X

        self.map(one)
        return out


class RowBlocks:
    """``A @ X`` for a CSR matrix ``A`` computed over row blocks in threads (module docstring).

    ``blocks``: how many (default :func:`threads`; 1 below ``min_rows`` rows).
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
        wanted = threads() if blocks is None else int(blocks)
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
