"""Friedkin-Johnsen opinion propagation: the one implementation what-if, calibration and scoring share.

Model (methods page, section 4, step 4): ``s(t+1) = (I - L) s* + L W s(t)`` with W row-stochastic
over whom u listens to (edge weights of the listening kinds, self-loops dropped, rows normalised),
``L = diag(lambda_u)``; users who listen to no one and stubborn users (brand accounts) keep their
own opinion (their W row is zero). The equilibrium is ``s = (I - lambda W)^-1 (I - lambda D) s*``
with D the 0/1 "listens to someone and is not stubborn" mask.

Pieces, all vectorised (sparse matrix products, no Python loop per user or edge):

- :class:`ListeningOperator`: W, its transpose and D, built once per graph and stubborn set.
- :func:`power_series`: ``sum_t lambda_r^t W^t V`` for many runs r at once, stopping per run on a
  guaranteed a-posteriori tail bound (``||W||_inf <= 1``, ``||W^T||_1 <= 1``).
- :func:`residual_push`: ``(I - lambda_r W)^-1 b_r`` for sparse, mostly small right-hand sides by a
  thresholded residual push (Andersen-Chung-Lang style), with its error bound.
- :func:`adjoint_series`: ``(I - lambda_r W^T)^-1 c`` restricted to some rows, for every run (the
  linear functional "mean over a group" of an equilibrium; scoring uses it for many candidates).
- :func:`fj_effect`: the plain iteration, the reference the tests compare against.

Example::

    >>> import numpy as np, scipy.sparse as sp
    >>> listen = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
    >>> op = ListeningOperator.build(listen, stubborn=np.array([1]))
    >>> [round(float(x), 3) for x in fj_effect(op.W, op.D, np.array([0.0, 1.0]), 0.5)]
    [0.5, 1.0]
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, WhatIfConvergenceError
from .row_blocks import ROW_CHUNK, RowSplit, map_row_ranges

__all__ = ["ListeningOperator", "power_series", "residual_push", "adjoint_series", "fj_effect", "SERIES_BLOCK",
           "PUSH_BLOCK", "DENSE_SHARE"]

SERIES_BLOCK = 12       # series terms buffered per dense product (n x 12 x c float32: fresh memory is slow
                        # to touch, a flush is cheap)
PUSH_BLOCK = 32         # runs pushed together by residual_push (similar lambda; n x 16 float32 residuals)
DENSE_SHARE = 0.1       # residual_push switches to full pushes once this share of rows is active


@dataclass(frozen=True, eq=False)
class ListeningOperator:
    """Row-normalised listening matrix with stubborn rows zeroed, its transpose and the listener mask."""

    W: sp.csr_matrix
    WT32: sp.csr_matrix
    WT: sp.csr_matrix
    D: np.ndarray  # float 0/1: listens to someone and is not stubborn
    W32: sp.csr_matrix | None = None  # W in float32 (the full pushes of :func:`residual_push`)

    @functools.cached_property
    def W_rows(self) -> RowSplit:
        """W cut into row pieces (threaded products ``W @ X``)."""
        return RowSplit(self.W)

    @functools.cached_property
    def WT_rows(self) -> RowSplit:
        """W^T cut into row pieces (threaded products ``W^T @ X``)."""
        return RowSplit(self.WT)

    @functools.cached_property
    def W32_rows(self) -> RowSplit:
        """W in float32 cut into row pieces (the full pushes of :func:`residual_push`)."""
        return RowSplit(self.W32 if self.W32 is not None else self.W.astype(np.float32))

    @classmethod
    def build(cls, listen: sp.spmatrix, stubborn: np.ndarray) -> "ListeningOperator":
        """From the (unnormalised) listening matrix and the indices of stubborn users (lambda = 0)."""
        listen = sp.csr_matrix(listen)
        rowsum = np.asarray(listen.sum(axis=1)).ravel()
        rowsum[stubborn] = 0.0
        inv = np.divide(1.0, rowsum, out=np.zeros_like(rowsum), where=rowsum > 0)
        W = sp.csr_matrix(sp.diags(inv) @ listen)
        W.eliminate_zeros()
        WT = sp.csr_matrix(W.T)
        return cls(W=W, WT=WT, WT32=WT.astype(np.float32), D=(rowsum > 0).astype(np.float64),
                   W32=W.astype(np.float32))


def power_series(matvec, V: np.ndarray, lam: np.ndarray, coef: np.ndarray, expo: np.ndarray,
            outs: Sequence[np.ndarray], groups: Sequence[int] | None = None, *, rows: np.ndarray | None,
            tol: float, max_iter: int, norm: str = "inf", what: str = "series",
            average: bool | Sequence[bool] = False, consume=None, block: int | None = None) -> tuple[int, float]:
    """Accumulate ``outs[g][i, r] += sum_t sum_{j in g} coef[j, r] lam[r]^(t + expo[j]) (A^t V)[rows[i], j]``.

    ``matvec`` applies A (``||A|| <= 1`` in the chosen norm: rows of W sum to at most 1, so W is
    non-expansive in the max norm and W^T in the 1-norm) to an n x c array; column j of V feeds
    output ``groups[j]`` (default all into ``outs[0]``). Run r of group g stops at the first term t
    whose tail bound ``sum_{j in g} |coef_jr| lam_r^(expo_j) ||A^t V_j|| lam_r^(t+1) / (1 - lam_r)``
    is at most ``tol`` (the terms after t are no larger than term t), so a group's values do not
    depend on the other groups sharing the products; the series ends when every run has stopped.
    With ``average`` each ``outs[g]`` is ``m x 1`` and receives the mean over runs instead (one
    column, never an m x R array: what a per-user mean over runs needs; each run still stops on its
    own bound, so the mean is within ``tol`` too); a sequence of booleans says it per group, so one
    series can fill a per-run output and a mean output at once (the bound then covers both).
    With ``consume(g, a0, a1, part)`` the output arrays are never formed: each chunk of rows
    ``a0:a1`` of group g's (partial) sum, a ``(a1 - a0) x R`` float32 array, is handed to it instead
    (several times per row when the series runs past one buffer of terms: the parts add up), so a
    caller that reduces over runs at once needs no m x R array. ``outs`` then only gives the groups.
    Chunks are applied on :func:`~kolgraph.algorithms.row_blocks.threads` threads, so ``consume``
    must only write rows ``a0:a1``.
    ``block``: terms buffered per flush (default :data:`SERIES_BLOCK`; a caller whose flush is costly,
    such as a ``consume`` reducing over all runs, buffers more).
    Returns (terms used by the slowest run, the largest tail bound).
    """
    lam = np.asarray(lam, dtype=np.float64)
    R = len(lam)
    c = V.shape[1]
    groups = np.zeros(c, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    lam_max = float(lam.max()) if R else 0.0
    absc = np.abs(coef) * lam[None, :] ** expo[:, None] if R else np.zeros((c, 0))  # c x R
    with np.errstate(divide="ignore"):
        tail = np.where(lam < 1, lam / np.maximum(1.0 - lam, 1e-300), np.inf)  # lam^(t+1)/(1-lam) at t = 0
    X = np.array(V, dtype=np.float64, copy=True)
    m = X.shape[0] if rows is None else len(rows)
    # terms are buffered (float32, term-major: a term's write is contiguous and only the terms used
    # touch memory) and applied with dense products, each run only to its own terms
    block = max(1, min(block or SERIES_BLOCK, max_iter))
    buf = np.empty((block, m, c), dtype=np.float32)
    averaged = [bool(average)] * len(outs) if isinstance(average, (bool, np.bool_)) else [bool(x) for x in average]
    scratch = threading.local()  # one product buffer per thread
    gcols = [np.flatnonzero(groups == g) for g in range(len(outs))]
    # the last term each group's run uses (-1: not yet known); every group stops on its own bound,
    # so a group's values do not depend on the other groups sharing the products
    stop = np.full((len(outs), R), -1, dtype=np.int64)
    stop[[g for g, cols in enumerate(gcols) if cols.size == 0]] = 0
    filled = 0
    t0 = 0
    t = 0
    worst = 0.0

    def flush(T: int) -> None:
        if T == 0 or R == 0 or m == 0:
            return
        for g, out in enumerate(outs):
            cols = gcols[g]
            if cols.size == 0:
                continue
            # terms of this block each run needs: all of them until it has stopped (later terms get
            # coefficient 0, so a run's value does not depend on the other runs)
            need = np.where(stop[g] < 0, T, np.clip(stop[g] - t0 + 1, 0, T))
            Tg = int(need.max())
            if Tg == 0:
                continue
            powers = lam[None, None, :] ** (t0 + np.arange(Tg)[:, None, None] + expo[None, cols, None])
            Cg = coef[None, cols, :] * powers * (np.arange(Tg)[:, None, None] < need[None, None, :])  # Tg x cg x R
            if averaged[g]:
                Cg = Cg.mean(axis=2, keepdims=True)
            Cg = np.ascontiguousarray(Cg.astype(np.float32).reshape(Tg * cols.size, Cg.shape[2]))

            def apply(a: int, a1: int, g=g, out=out, cols=cols, Cg=Cg, Tg=Tg) -> None:  # rows a:a1 only (threads)
                rows_a = buf[:Tg, a:a1].transpose(1, 0, 2)
                Bg = np.ascontiguousarray(rows_a if cols.size == c else rows_a[:, :, cols]).reshape(
                    a1 - a, Tg * cols.size)
                tmp = getattr(scratch, "part", None)
                if tmp is None or tmp.shape[0] < a1 - a or tmp.shape[1] != Cg.shape[1]:
                    tmp = scratch.part = np.empty((a1 - a, Cg.shape[1]), dtype=np.float32)
                part = tmp[:a1 - a]
                np.matmul(Bg, Cg, out=part)
                if consume is not None:
                    consume(g, a, a1, part)
                else:
                    out[a:a1] += part

            map_row_ranges(apply, m)

    while True:
        buf[filled] = X if rows is None else X[rows]
        filled += 1
        xn = _column_norms(X, norm)
        if R:
            # per group and run, after term t
            bound_gr = np.stack([(xn[cols, None] * absc[cols]).sum(axis=0) for cols in gcols]) * tail * lam ** t
            done = np.array([not np.any(xn[cols]) for cols in gcols])[:, None] | (bound_gr <= tol) | (lam == 0)
            newly = (stop < 0) & done
            worst = max(worst, float(bound_gr[newly].max())) if newly.any() else worst
            stop[newly] = t
        if R == 0 or (stop >= 0).all():
            flush(filled)
            return t + 1, worst
        if t + 1 >= max_iter:
            bound = float(bound_gr[stop < 0].max())
            raise WhatIfConvergenceError(
                f"{what} did not converge in max_iter={max_iter} terms (tail bound {bound:.2e} > tol {tol:.2e}); "
                f"raise max_iter or tol, or lower susceptibility_max (now lambda up to {lam_max:.3f})")
        if filled == block:
            flush(filled)
            t0 = t + 1
            filled = 0
        X = matvec(X)
        t += 1


def _column_norms(X: np.ndarray, norm: str) -> np.ndarray:
    """Max-norm (``inf``) or 1-norm of each column of X, by row ranges (small temporaries, threads)."""
    if X.shape[0] == 0:
        return np.zeros(X.shape[1:])
    if norm == "inf":
        parts = map_row_ranges(lambda a0, a1: np.abs(X[a0:a1]).max(axis=0), X.shape[0])
        return np.max(parts, axis=0)
    parts = map_row_ranges(lambda a0, a1: np.abs(X[a0:a1]).sum(axis=0), X.shape[0])
    return np.sum(parts, axis=0)


def residual_push(WT32: sp.csr_matrix, rows0: np.ndarray, b: np.ndarray | Callable[[np.ndarray], np.ndarray],
                  lam: np.ndarray, tol: float, n: int,
                  max_iter: int, *, W32: sp.csr_matrix | RowSplit | None = None, out: np.ndarray | None = None,
                  block: int = PUSH_BLOCK, dense_share: float = DENSE_SHARE) -> tuple[np.ndarray, int, float]:
    """``(I - lam_r W)^-1 b_r`` for each column r by thresholded residual push; returns (n x R, hops, bound).

    ``b`` holds the right-hand sides' rows ``rows0`` (len(rows0) x R), or is a function of the run
    indices of a block giving those columns (len(rows0) x len(cols)): a caller that can form the
    right-hand side per block never holds all R columns at once. Residual rows with some
    ``|r_ur| >= eps_r = tol (1 - lam_r) / lam_r`` spread to their listeners (``r_u += lam W_uv r_v``);
    smaller residuals stay. Only rows that just received a push can become active, so each hop
    costs the rows it touches. Once the active rows are at least ``dense_share`` of all rows, every
    residual is pushed each hop by a sparse x dense product over W (``W32``: W in float32 CSR, or
    its :class:`RowSplit`; cheaper than gathering and scattering most rows, and exact either way;
    row pieces on :func:`~kolgraph.algorithms.row_blocks.threads` threads). At the end the residual
    is added once, leaving an error of at most ``lam_r max|r_r| / (1 - lam_r) <= tol`` per entry.

    Why it is fast: runs go in blocks of ``block`` runs of similar lambda (sorted), so a block of
    small-lambda runs (large ``eps``, residuals shrinking fast) stops after a few hops instead of
    waiting for the slowest run; the residual buffers (n x block float32) are allocated once and
    reused, and full pushes go through row chunks of W, so no hop allocates (and page-faults) an
    n-row array. ``out`` (n x R float32), when given, receives the solution added to it (and is
    returned). Returns (solution, the most hops any block used, the largest bound).
    """
    lam = np.asarray(lam, dtype=np.float64)
    rows0 = np.asarray(rows0, dtype=np.int64)
    if callable(b):
        columns = b
    else:
        b = np.asarray(b, dtype=np.float32)
        columns = lambda cols: b[:, cols]  # noqa: E731
    R = lam.size
    if out is None:
        out = np.zeros((n, R), dtype=np.float32)
    if R == 0 or n == 0 or rows0.size == 0:
        return out, 0, 0.0
    if W32 is None:
        W32 = sp.csr_matrix(WT32.T, dtype=np.float32)
    rows_W = W32 if isinstance(W32, RowSplit) else _LazyRowSplit(W32)
    block = max(1, int(block))
    width = min(block, R)
    bufs = tuple(np.empty((n, width), dtype=np.float32) for _ in range(3))
    order = np.argsort(lam, kind="stable")
    hops_max, bound = 0, 0.0
    for j in range(0, R, block):
        cols = order[j:j + block]
        w = cols.size
        views = tuple(x.reshape(-1)[:n * w].reshape(n, w) for x in bufs)  # contiguous, also for a short block
        acc, hops, bnd = _push_block(WT32, rows_W, rows0, np.asarray(columns(cols), dtype=np.float32), lam[cols],
                                     tol, n, max_iter,
                                     dense_share, views)

        def add(a0: int, a1: int) -> None:  # by row ranges and column by column (a fancy column index is ~30x slower)
            o, a = out[a0:a1], acc[a0:a1]
            for j, col in enumerate(cols):
                o[:, col] += a[:, j]

        map_row_ranges(add, n)
        hops_max, bound = max(hops_max, hops), max(bound, bnd)
    return out, hops_max, bound


class _LazyRowSplit:
    """A :class:`RowSplit` made on first use (a push that never goes dense does not cut W)."""

    def __init__(self, M: sp.csr_matrix) -> None:
        self._M, self._split = M, None

    def map(self, fn):
        if self._split is None:
            self._split = RowSplit(self._M)
        return self._split.map(fn)


def _push_block(WT32: sp.csr_matrix, rows_W, rows0: np.ndarray, b: np.ndarray,
                lam: np.ndarray, tol: float, n: int, max_iter: int, dense_share: float,
                bufs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, int, float]:
    """One block of runs of :func:`residual_push`: each hop pushes the active rows (few of them) or
    every row (many of them: one sparse x dense product by row chunks of W, no gathers)."""
    lam32 = lam.astype(np.float32)
    with np.errstate(divide="ignore"):
        eps = np.where(lam > 0, tol * (1.0 - lam) / np.maximum(lam, 1e-300), np.inf)
    eps = np.minimum(eps, np.finfo(np.float32).max).astype(np.float32)
    r, acc, nxt = bufs
    r.fill(0.0)
    acc.fill(0.0)
    r[rows0] = b
    A = rows0[(np.abs(b) >= eps).any(axis=1)]
    mark = np.zeros(n, dtype=bool) if A.size else None
    pos = np.zeros(n, dtype=np.int64) if A.size else None
    hops = 0
    while A.size:
        hops += 1
        if hops > max_iter:
            raise WhatIfConvergenceError(f"the exposure-noise push did not settle in max_iter={max_iter} hops; "
                                         "raise max_iter or tol")
        if A.size < dense_share * n:
            # few active rows: push only them (their listeners are the only rows that change)
            rA = r[A]
            acc[A] += rA
            r[A] = 0.0
            sub = WT32[A]
            if sub.nnz == 0:
                break
            mark[sub.indices] = True
            B = np.flatnonzero(mark)
            mark[B] = False
            pos[B] = np.arange(B.size)
            subc = sp.csr_matrix((sub.data, pos[sub.indices], sub.indptr), shape=(A.size, B.size))
            rB = np.asarray(subc.T @ rA, dtype=np.float32)
            rB *= lam32
            rB += r[B]
            r[B] = rB
            A = B[(np.abs(rB) >= eps).any(axis=1)]
        else:
            # many active rows: push every residual (exact either way), by row pieces on threads;
            # a hop reads all of r and writes only its own rows of acc and nxt
            def hop(a0: int, a1: int, piece: sp.csr_matrix, r=r, nxt=nxt) -> np.ndarray:
                acc[a0:a1] += r[a0:a1]
                y = piece @ r
                y *= lam32
                nxt[a0:a1] = y
                return a0 + np.flatnonzero((np.abs(y, out=y) >= eps).any(axis=1))

            active = rows_W.map(hop)
            r, nxt = nxt, r
            A = np.concatenate(active)
    acc += r
    with np.errstate(divide="ignore", invalid="ignore"):
        per_run = np.where(lam > 0, lam / (1.0 - lam) * np.maximum(r.max(axis=0), -r.min(axis=0)), 0.0)
    return acc, hops, float(per_run.max()) if per_run.size else 0.0


def fj_effect(W: sp.csr_matrix, listener: np.ndarray, shock: np.ndarray, susceptibility: float, *,
              tol: float = 1e-10, max_iter: int = 10000) -> np.ndarray:
    """Friedkin-Johnsen equilibrium ``(I - lambda W)^-1 (I - lambda D) shock`` by plain iteration.

    ``W`` row-(sub)stochastic (rows of stubborn users and non-listeners zero), ``listener`` the 0/1
    mask D, ``shock`` an n-vector or n x R matrix, one ``susceptibility`` in [0, 1). Iterates
    ``x <- b + lambda W x`` until the a-posteriori bound ``lambda/(1-lambda) max|x_t - x_t-1|`` is
    below ``tol``. Used by the partnership-event generator (:mod:`kolgraph.datasets.partnership`) and as the
    reference in tests.
    """
    lam = float(susceptibility)
    if not 0 <= lam < 1:
        raise ConfigError(f"susceptibility must be in [0, 1), got {lam}")
    shock = np.asarray(shock, dtype=np.float64)
    D = np.asarray(listener, dtype=np.float64)
    b = shock - lam * (D[:, None] * shock if shock.ndim == 2 else D * shock)
    x = b.copy()
    if lam == 0:
        return x
    for _ in range(max_iter):
        nxt = b + lam * (W @ x)
        change = float(np.abs(nxt - x).max()) if x.size else 0.0
        x = nxt
        if lam / (1 - lam) * change <= tol:
            return x
    raise WhatIfConvergenceError(f"Friedkin-Johnsen iteration did not converge in {max_iter} steps")


def adjoint_series(W: sp.csr_matrix, c: np.ndarray, lam: np.ndarray, rows: np.ndarray, *, tol: float,
                   max_iter: int, block: int = 16, WT: sp.csr_matrix | RowSplit | None = None) -> np.ndarray:
    """``[(I - lam_r W^T)^-1 c][rows]`` for every run r, as the power series ``sum_t lam_r^t (W^T)^t c``.

    W's rows sum to at most 1, so W^T does not grow the 1-norm; the series stops once the tail
    bound ``||(W^T)^t c||_1 lam_max^(t+1) / (1 - lam_max)`` is at most ``tol``, which bounds the error
    of every functional ``z^T d*`` with ``|d*| <= 1`` per user. Terms are buffered and applied to all
    runs with one dense product per ``block`` terms. ``WT``: W's transpose when the caller has it
    (a :class:`RowSplit` multiplies on threads). Returns a ``len(rows) x len(lam)`` array.
    """
    lam = np.asarray(lam, dtype=np.float64)
    R = lam.size
    out = np.zeros((rows.size, R))
    if rows.size == 0 or R == 0:
        return out
    if WT is None:
        WT = sp.csr_matrix(W.T)
    multiply = WT.matmul if isinstance(WT, RowSplit) else WT.__matmul__
    lam_max = float(lam.max())
    x = np.asarray(c, dtype=np.float64)
    buf: list[np.ndarray] = []
    t0 = t = 0
    while True:
        buf.append(x[rows])
        norm = float(np.abs(x).sum())
        bound = norm * lam_max ** (t + 1) / (1.0 - lam_max) if lam_max > 0 else 0.0
        done = bound <= tol or norm == 0.0
        if done or len(buf) == block:
            powers = lam[None, :] ** (t0 + np.arange(len(buf)))[:, None]      # T x R
            out += np.column_stack(buf) @ powers
            buf, t0 = [], t + 1
        if done:
            return out
        if t + 1 >= max_iter:
            raise WhatIfConvergenceError(f"the adjoint series did not converge in max_iter={max_iter} terms "
                                         f"(tail bound {bound:.2e} > tol {tol:.2e}); raise [whatif] max_iter or tol")
        x = multiply(x)
        t += 1
