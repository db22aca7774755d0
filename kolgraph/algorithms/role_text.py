"""Reason text for role tags, built column-wise with Arrow (never a Python loop per user).

Numbers are written fixed-point (``-0.62``, ``7``) and joined element-wise, so a million reasons
cost a few Arrow kernels. Used by :mod:`kolgraph.algorithms.roles`.

>>> join_text("stance ", format_fixed([0.624, -0.1]), " >= 0.30").to_pylist()
['stance 0.62 >= 0.30', 'stance -0.10 >= 0.30']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["format_fixed", "format_number", "join_text", "join_present", "int_text"]


def format_fixed(values: Any, decimals: int = 2) -> pa.Array:
    """Numbers as fixed-point strings (``-0.62``, ``7``), vectorised with Arrow; NaN gives ``nan``."""
    v = np.asarray(values, dtype="float64")
    finite = np.isfinite(v)
    scale = 10 ** int(decimals)
    scaled = np.round(np.abs(np.where(finite, v, 0.0)) * scale).astype(np.int64)
    whole = pc.cast(pa.array(scaled // scale), pa.string())
    if decimals > 0:
        frac = pc.utf8_lpad(pc.cast(pa.array(scaled % scale), pa.string()), width=int(decimals), padding="0")
        text = pc.binary_join_element_wise(whole, frac, ".")
    else:
        text = whole
    text = pc.if_else(pa.array((v < 0) & (scaled > 0)), pc.binary_join_element_wise("-", text, ""), text)
    return pc.if_else(pa.array(finite), text, pa.scalar("nan"))


def format_number(values: Any, decimals: int = 2) -> pa.Array:
    """Like :func:`format_fixed`, but whole numbers lose their decimals (``4`` and ``4.50``)."""
    v = np.asarray(values, dtype="float64")
    whole = np.isfinite(v) & (np.round(v, int(decimals)) == np.round(v))
    return pc.if_else(pa.array(whole), format_fixed(v, 0), format_fixed(v, decimals))


def join_text(*parts: Any) -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and Python strings."""
    arrays = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def join_present(arrays: list[pa.Array], sep: str) -> pa.Array:
    """Join the non-null values of each row with ``sep`` ("" when a row has none).

    A leading all-"" column keeps rows whose values are all null (pyarrow's ``null_handling="skip"``
    drops such rows otherwise); the separator it adds in front is sliced off.
    """
    n = len(arrays[0])
    joined = pc.binary_join_element_wise(pa.array([""] * n, pa.string()), *arrays, sep, null_handling="skip")
    return pc.utf8_slice_codeunits(joined, len(sep))


def int_text(values: Any) -> pa.Array:
    """Integers as decimal strings (values are cast to int64 first)."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
