"""Column-wise helpers for the importers' Arrow path: keyed look-ups, "last wins" maps, row tables.

The importers' fast path (:mod:`.twitter_columns`) works on whole blocks of records as Arrow
arrays; these are the pieces it shares. A row table (:class:`RowGroups`) has the columns of
:data:`~kolgraph.build.importers.base.ROW_COLUMNS` and the same rows, in the same order, as the
per-record path's :class:`~kolgraph.build.importers.base.RowBuffer` would hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .base import ROW_COLUMNS

__all__ = ["as_numpy", "field", "truthy", "keyed", "LastWins", "RowGroups", "frame_of", "empty_table", "merge_user_calls"]

def as_numpy(values) -> np.ndarray:
    """An Arrow array as NumPy (copying where Arrow cannot share its buffer, e.g. strings or nulls)."""
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
            codes = as_numpy(pc.dictionary_encode(keys).indices if isinstance(keys, pa.Array)
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


def merge_user_calls(index, uid, handle, name, followers, verified, rank: np.ndarray | None = None) -> None:
    """Hand a block's ``ExportIndex.user`` calls, given as columns, to the index at once.

    ``rank`` is each row's place in call order (a permutation of ``0..n-1``); without it the rows
    are in call order. Same result as calling
    :meth:`~kolgraph.build.importers.base.ExportIndex.user` once per row in that order: per user,
    each field ends as the last non-empty value given (else what the index held), and a user new to
    the index is inserted at its first call. The block is collapsed here to one row per user (its
    first call's place, each field's last value) with integer sorts, so no string column is
    reordered (see :meth:`~kolgraph.build.importers.base.ExportIndex.add_user_calls`).
    """
    ok = truthy(uid)
    if not ok.any():
        return

    def blank_to_null(values):
        return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)

    keep = pa.array(ok)
    uid = pc.filter(uid, keep)
    fields = [blank_to_null(pc.filter(handle, keep)), blank_to_null(pc.filter(name, keep)),
              pc.filter(followers, keep), pc.filter(verified, keep)]
    rank = np.arange(len(uid)) if rank is None else np.asarray(rank)[ok]
    encoded = pc.dictionary_encode(uid)
    codes = as_numpy(encoded.indices).astype(np.int64)
    n_users = len(encoded.dictionary)
    grouped = np.lexsort((rank, codes))  # by user, each user's calls in call order
    starts = np.flatnonzero(np.r_[True, codes[grouped][1:] != codes[grouped][:-1]])
    first = np.empty(n_users, np.int64)
    first[codes[grouped[starts]]] = rank[grouped[starts]]
    users_in_order = np.argsort(first, kind="stable")
    columns = {"uid": encoded.dictionary.take(pa.array(users_in_order))}
    for name_, values in zip("hnfv", fields):
        valid = as_numpy(pc.is_valid(values)).astype(bool)
        rows = grouped[valid[grouped]]  # still by user and call order, given values only
        user = codes[rows]
        ends = np.flatnonzero(np.r_[user[1:] != user[:-1], True]) if len(rows) else np.array([], np.int64)
        last = np.full(n_users, -1, np.int64)
        last[user[ends]] = rows[ends]
        pick = last[users_in_order]
        columns[name_] = values.take(pa.array(np.where(pick < 0, 0, pick), mask=pick < 0)) if len(values) else values
    index.add_user_calls(pa.table(columns))


class RowGroups:
    """The rows of one block of records, gathered group by group (retweets, replies, mentions,
    rejects) and handed out as one table in the per-record path's order: by record, then phase
    (the order the per-record code writes a record's rows in), then position.

    Record-level columns (author, post id, time, text) are taken once, in the final order, so the
    long text column is copied once per row.
    """

    def __init__(self, *, author, post_id, timestamp, text, row_of: np.ndarray):
        self.author = pc.fill_null(author, "")
        self.post_id = pc.if_else(pc.equal(post_id, ""), pa.scalar(None, pa.string()), post_id)
        self.timestamp, self.text, self.row_of = timestamp, text, row_of
        self.parts: list[tuple] = []

    def edges(self, records: np.ndarray, dst, kind, platform_type, phase: int, order: np.ndarray) -> None:
        """Interaction rows: ``records`` (record index per row), their targets and kinds."""
        self.parts.append((records, phase, order, dst, kind, platform_type, None, False))

    def rejects(self, records: np.ndarray, reason, order: np.ndarray, *, blank: bool = False) -> None:
        """One rejected row per record; ``blank`` leaves out its author and post id (not an object)."""
        self.parts.append((records, 0, order, "", "", "", reason, blank))

    def table(self) -> pa.Table:
        def column(i):
            arrays = []
            for part in self.parts:
                value, n = part[i], len(part[0])
                if value is None:
                    value = pa.nulls(n, pa.string())
                elif isinstance(value, str):
                    value = pa.repeat(pa.scalar(value, pa.string()), n)
                arrays.append(value.combine_chunks() if isinstance(value, pa.ChunkedArray) else value)
            return pa.concat_arrays([a.cast(pa.string()) for a in arrays]) if arrays else pa.array([], pa.string())

        if not self.parts:
            return empty_table()
        records = np.concatenate([p[0] for p in self.parts]).astype(np.int64)
        phase = np.concatenate([np.full(len(p[0]), p[1], np.int64) for p in self.parts])
        order = np.concatenate([np.asarray(p[2], np.int64) for p in self.parts])
        reject = np.concatenate([np.full(len(p[0]), p[6] is not None) for p in self.parts])
        blank = np.concatenate([np.full(len(p[0]), p[7]) for p in self.parts])
        perm = np.lexsort((order, phase, records))
        take = pa.array(perm)
        records, reject, blank = records[perm], reject[perm], blank[perm]
        at = pa.array(records)
        empty, null = pa.scalar("", pa.string()), pa.scalar(None, pa.string())

        def unless(mask: np.ndarray, value, values):
            # ``value`` where ``mask``; most blocks have no rejects, and then no copy is made
            return pc.if_else(pa.array(mask), value, values) if mask.any() else values

        dst, kind = column(3).take(take), column(4).take(take)
        post = unless(blank, null, pc.take(self.post_id, at))
        return pa.table({
            "src": unless(blank, empty, pc.take(self.author, at)),
            "dst": dst, "kind": kind,
            "timestamp": unless(reject, empty, pc.take(self.timestamp, at)),
            "text": unless(reject, empty, pc.take(self.text, at)),
            "post_id": post,
            "platform_type": column(5).take(take),
            "__key__": unless(reject, null, pc.binary_join_element_wise(post, kind, dst, "|")),
            "__row__": pa.array(self.row_of[records], pa.int64()),
            "__parse_error__": pc.fill_null(column(6).take(take), ""),
        })


def empty_table() -> pa.Table:
    return pa.table({c: pa.array([], pa.int64() if c == "__row__" else pa.string()) for c in ROW_COLUMNS})


def frame_of(tables: list[pa.Table]) -> pd.DataFrame:
    """Row tables (each already in order, one after the other) -> one frame."""
    return pa.concat_tables(tables).to_pandas()
