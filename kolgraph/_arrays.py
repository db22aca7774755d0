"""Small array helpers shared by the algorithms."""

from __future__ import annotations

import numpy as np

__all__ = ["unique_sorted"]


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending (as ``np.unique(values)``).

    A sort and a neighbour comparison: numpy 2.4's ``np.unique`` takes a hash-based path that is
    about 100x slower on millions of int64 values (11.8 s against 0.11 s at 8.7M).
    """
    s = np.sort(np.asarray(values).ravel())
    if s.size < 2:
        return s
    return s[np.r_[True, s[1:] != s[:-1]]]
