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

__all__ = ["field", "truthy", "keyed", "LastWins", "row_table", "rows_frame", "empty_rows", "merge_user_calls"]

_STRING_COLUMNS = [c for c in ROW_COLUMNS if c != "__row__"]


def _np(values) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False)


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
            codes = _np(pc.dictionary_encode(keys).indices if isinstance(keys, pa.Array)
                        else pc.dictionary_encode(keys.combine_chunks()).indices)
            _, first_reversed = np.unique(codes[::-1], return_index=True)
            last = np.sort(len(codes) - 1 - first_reversed)
            self.keys = pc.take(keys, pa.array(last))
            self.values = pc.take(values, pa.array(last))
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
            value = pa.repeat(pa.scalar(value, pa.string()), n)
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


def merge_user_calls(index, uid, handle, name, followers, verified) -> None:
    """Apply a block's ``ExportIndex.user`` calls, given in call order as columns, all at once.

    Same result as calling :meth:`~kolgraph.build.importers.base.ExportIndex.user` once per row:
    per user, each field ends as the last non-empty value given (else what the index held), and a
    user new to the index is inserted at its first call.
    """
    ok = pa.array(np.asarray(truthy(uid)))
    if not pc.any(ok).as_py():
        return

    def blank_to_null(values):
        return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)

    calls = pa.table({"uid": pc.filter(uid, ok), "h": blank_to_null(pc.filter(handle, ok)),
                      "n": blank_to_null(pc.filter(name, ok)), "f": pc.filter(followers, ok),
                      "v": pc.filter(verified, ok)})
    last = calls.group_by("uid", use_threads=False).aggregate([("h", "last"), ("n", "last"), ("f", "last"), ("v", "last")])
    # groups come out in hash order: put them in order of first call (pc.unique keeps that order)
    last = last.take(pc.index_in(pc.unique(calls.column("uid")), value_set=last.column("uid")))
    fields = [last.column(f"{c}_last") for c in "hnfv"]
    complete = pa.array(np.logical_and.reduce([_np(pc.is_valid(f)) for f in fields]))
    known = index.users
    # a user new to the index takes its place at its first call (dict order is first-seen order)
    known.update(dict.fromkeys([u for u in last.column("uid").to_pylist() if u not in known]))
    # users given every field replace what the index held; the others merge field by field
    full = pc.filter(last, complete)
    index.users.update(zip(full.column("uid").to_pylist(),
                           zip(*(full.column(f"{c}_last").to_pylist() for c in "hnfv"))))
    partial = pc.filter(last, pc.invert(complete))
    if partial.num_rows:
        rows = zip(partial.column("uid").to_pylist(), *(partial.column(f"{c}_last").to_pylist() for c in "hnfv"))
        for key, *new in rows:
            old = known.get(key)
            known[key] = tuple(new) if old is None else tuple(n if n is not None else o for n, o in zip(new, old))
    index._frame = None
