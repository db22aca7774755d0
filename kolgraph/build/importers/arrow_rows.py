"""Column-wise helpers for the importers' Arrow path: keyed look-ups, "last wins" maps, row tables.

The importers' fast path (:mod:`.twitter_columns`) works on whole blocks of records as Arrow
arrays; these are the small pieces it shares. A row table has the columns of
:data:`~kolgraph.build.importers.base.ROW_COLUMNS`, the same rows the per-record path's
:class:`~kolgraph.build.importers.base.RowBuffer` would hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .base import ROW_COLUMNS

__all__ = ["field", "truthy", "keyed", "LastWins", "row_table", "rows_frame", "empty_rows"]

_STRING_COLUMNS = [c for c in ROW_COLUMNS if c != "__row__"]


def field(array, name: str):
    """``array.name`` where ``array`` is a struct array; null where the struct itself is null."""
    return pc.struct_field(array, name)


def truthy(values) -> np.ndarray:
    """Python truthiness of a string array (neither null nor empty), as a numpy bool array."""
    return pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)


def keyed(scope, values):
    """String keys ``scope\\x00value`` (null where ``value`` is null): a look-up scoped to a page or a record."""
    return pc.binary_join_element_wise(pc.cast(pa.array(scope), pa.string()), values, "\x00")


class LastWins:
    """A ``dict`` built by assigning in order (the last value of a key wins), looked up column-wise."""

    def __init__(self, keys, values):
        keys = pa.array(keys) if not isinstance(keys, (pa.Array, pa.ChunkedArray)) else keys
        if len(keys):
            last = ~pd.Series(keys.to_numpy(zero_copy_only=False), dtype=object).duplicated(keep="last").to_numpy()
            self.keys = pc.filter(keys, pa.array(last))
            self.values = pc.filter(values, pa.array(last))
        else:
            self.keys, self.values = pa.array([], pa.string()), pa.array([], pa.string())

    def get(self, keys):
        """The value of each key, null where the key is absent (or null)."""
        if not len(self.keys):
            return pa.nulls(len(keys), pa.string())
        return pc.take(self.values, pc.index_in(keys, value_set=self.keys))


def empty_rows() -> pa.Table:
    return row_table({c: pa.array([], pa.string()) for c in _STRING_COLUMNS} | {"__row__": pa.array([], pa.int64())},
                     np.array([], np.int64), np.array([], np.int64), np.array([], np.int64))


def row_table(columns: dict, record: np.ndarray, phase: np.ndarray, order: np.ndarray) -> pa.Table:
    """One table of rows with sort keys (``__sort_record__``, ``__sort_phase__``, ``__sort_order__``):
    the per-record path writes a record's rows in (phase, order) order."""
    n = len(record)
    arrays = {}
    for name in ROW_COLUMNS:
        value = columns[name]
        if isinstance(value, str):
            value = pa.array(np.full(n, value, dtype=object), pa.string())
        elif value is None:
            value = pa.nulls(n, pa.string())
        arrays[name] = value if name != "__row__" else pa.array(value, pa.int64())
    arrays["__sort_record__"] = pa.array(record, pa.int64())
    arrays["__sort_phase__"] = pa.array(phase, pa.int64())
    arrays["__sort_order__"] = pa.array(order, pa.int64())
    return pa.table({k: (v.cast(pa.string()) if k != "__row__" and not k.startswith("__sort") else v)
                     for k, v in arrays.items()})


def rows_frame(tables: list[pa.Table]) -> pd.DataFrame:
    """Row tables -> one frame in the per-record path's order (sort keys dropped)."""
    table = pa.concat_tables(tables)
    order = np.lexsort((table["__sort_order__"].to_numpy(), table["__sort_phase__"].to_numpy(),
                        table["__sort_record__"].to_numpy()))
    table = table.drop_columns(["__sort_record__", "__sort_phase__", "__sort_order__"]).take(pa.array(order))
    return table.to_pandas()
