"""Batches bounded in rows and in encoded bytes, planned before the first one is sent.

Every write is an ``UNWIND $rows`` statement; every id lookup an ``UNWIND $ids``. Both are split
into consecutive batches of at most ``max_rows`` rows whose estimated encoded size (the dialect's
per-row sizes plus the message's fixed part, see :meth:`kolgraph.build.dialect.Dialect.row_sizes`)
stays within ``max_bytes``. The plan is made over whole columns with one cumulative sum, so a row
too large for any batch is refused before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ...errors import BatchTooLargeError, InputError
from ..dialect import Dialect

__all__ = ["plan_batches", "id_batches", "BatchLog"]


def plan_batches(sizes: np.ndarray, *, max_rows: int, max_bytes: int, fixed_bytes: int = 0,
                 describe: Callable[[int], str] | None = None) -> list[tuple[int, int]]:
    """Split rows into consecutive ``[start, stop)`` batches of at most ``max_rows`` rows and at most
    ``max_bytes`` encoded bytes each (``fixed_bytes`` for the message itself plus the rows' sizes).

    Greedy: each batch takes as many rows as fit. A row that cannot fit even alone raises
    :class:`BatchTooLargeError` naming it (``describe(i)``).

    >>> plan_batches(np.array([10, 10, 10, 30]), max_rows=2, max_bytes=40, fixed_bytes=5)
    [(0, 2), (2, 3), (3, 4)]
    """
    if max_rows < 1:
        raise InputError("--batch-rows", f"must be at least 1, got {max_rows}")
    sizes = np.asarray(sizes, dtype=np.int64)
    budget = int(max_bytes) - int(fixed_bytes)
    cum = np.concatenate([[0], np.cumsum(sizes)])
    out: list[tuple[int, int]] = []
    start, n = 0, len(sizes)
    while start < n:
        stop = int(np.searchsorted(cum, cum[start] + budget, side="right")) - 1
        stop = min(stop, start + max_rows, n)
        if stop <= start:
            what = describe(start) if describe else f"row {start}"
            raise BatchTooLargeError(f"{what} needs {int(sizes[start]) + fixed_bytes:,} bytes in one message, "
                                     f"over the batch bound of {max_bytes:,} bytes; raise --batch-bytes")
        out.append((start, stop))
        start = stop
    return out


def id_batches(dialect: Dialect, statement: str, ids: Sequence[str], params: Mapping[str, Any], *,
               max_rows: int, max_bytes: int) -> list[list[str]]:
    """Split an id list for a statement taking ``$ids`` into lists bounded in rows and encoded bytes."""
    col = dialect.column("id", "str", list(ids))
    sizes = np.maximum(col.pack, col.text + 2) if dialect.printed_parameters else col.pack
    fixed = dialect.fixed_size(statement, params, rows_key="ids")
    batches = plan_batches(sizes, max_rows=max_rows, max_bytes=max_bytes, fixed_bytes=fixed,
                           describe=lambda i: f"user id {ids[i]!r}")
    return [list(ids[a:b]) for a, b in batches]


@dataclass
class BatchLog:
    """What a batched write sent: rows and estimated encoded bytes per batch, and server counters."""

    rows: list[int] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    matched: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def add(self, rows: int, nbytes: int, matched: int, counters: Mapping[str, int]) -> None:
        """Record one batch: its rows, estimated bytes, rows the server matched, and its counters."""
        self.rows.append(rows)
        self.bytes.append(nbytes)
        self.matched += matched
        for key, value in counters.items():
            self.counters[key] = self.counters.get(key, 0) + int(value)

    def extend(self, other: "BatchLog") -> None:
        """Append another log's batches and add its counts."""
        self.rows += other.rows
        self.bytes += other.bytes
        self.matched += other.matched
        for key, value in other.counters.items():
            self.counters[key] = self.counters.get(key, 0) + value
