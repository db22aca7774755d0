"""Shared machinery of the importers: rows out, users and posts seen, names and post ids resolved.

An importer turns each record (tweet, post, comment) into zero or more interaction rows, or one
rejected row with its reason, through a :class:`RowBuffer`. Users and posts it meets go to an
:class:`ExportIndex`. Targets it can only name are written as placeholders -- ``@name`` for a
screen name, ``post:<id>`` for "the author of post <id>" -- and resolved once every file is read
(:func:`resolve`, vectorised): a name through the users seen in the same export (else it stays an
``@name`` user, flagged and counted), a post id through the posts seen (else the row is rejected
with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["RowBuffer", "ExportIndex", "resolve", "POST_PREFIX", "UNRESOLVED_PREFIX", "ROW_COLUMNS"]

POST_PREFIX = "post:"
UNRESOLVED_PREFIX = "@"
ROW_COLUMNS = ("src", "dst", "kind", "timestamp", "text", "post_id", "platform_type", "__key__", "__row__",
               "__parse_error__")


class RowBuffer:
    """Interaction rows of one file, handed out as frames of ``chunk_rows`` rows.

    A row is one tuple in :data:`ROW_COLUMNS` order (one append per row keeps the per-record cost
    of an importer low); :meth:`flush` turns them into columns.
    """

    def __init__(self, chunk_rows: int, stats: dict | None = None):
        self.chunk_rows = chunk_rows
        self.stats = stats if stats is not None else {}
        self.rows: list[tuple] = []
        self.records = 0
        self.without_interactions = 0
        self.rows_emitted = 0

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def columns(self) -> dict[str, list]:
        """The buffered rows by column (for inspection and tests)."""
        return {c: [r[i] for r in self.rows] for i, c in enumerate(ROW_COLUMNS)}

    def add(self, row: int, src: str, dst: str, kind: str, timestamp, text: str, post_id: str | None,
            platform_type: str, key: str | None) -> None:
        self.rows.append((src, dst, kind, timestamp, text, post_id, platform_type, key, row, ""))

    def reject(self, row: int, reason: str, *, src: str = "", post_id: str | None = None, text: str = "") -> None:
        self.rows.append((src, "", "", "", text, post_id, "", None, row, reason))

    def full(self) -> bool:
        return len(self.rows) >= self.chunk_rows

    def flush(self) -> tuple[int, pd.DataFrame]:
        first = self.rows_emitted + 1
        columns = list(zip(*self.rows)) if self.rows else [()] * len(ROW_COLUMNS)
        frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(ROW_COLUMNS, columns)})
        frame["__row__"] = frame["__row__"].astype("int64")
        self.rows_emitted += len(frame)
        self.rows = []
        return first, frame


@dataclass
class ExportIndex:
    """Users (id -> handle, display name, followers, verified; the last non-empty value of each wins)
    and posts (id -> author) seen in the export.

    Users come one call at a time (:meth:`user`, the per-record path) or as a block of calls in
    columns (:meth:`add_user_calls`, the column-wise path). Blocks of calls wait as Arrow tables
    (collapsed to one row per user now and then, so memory follows the users, not the records) and
    are merged in order the first time anything reads :attr:`users`; :meth:`users_frame` of an
    export read column-wise only never builds the Python dict at all.
    """

    _users: dict = field(default_factory=dict, repr=False)
    post_ids: list[str] = field(default_factory=list)
    post_authors: list[str] = field(default_factory=list)
    _frame: pd.DataFrame | None = None
    #: posts added column-wise (Arrow arrays), in order with the ones appended to the lists above
    post_chunks: list = field(default_factory=list)
    _calls: list = field(default_factory=list, repr=False)
    _call_rows: int = 0
    _collapsed_rows: int = 0

    #: waiting user calls are collapsed to one row per user past this many rows
    COMPACT_ROWS = 2_000_000

    @property
    def users(self) -> dict:
        """User id -> (handle, display name, followers, verified), in order of first appearance."""
        if self._calls:
            calls, self._calls, self._call_rows = self._calls, [], 0
            _merge_into(self._users, _last_per_user(calls))
        return self._users

    def user(self, user_id, handle=None, display_name=None, followers=None, verified=None) -> None:
        if user_id is None or user_id == "":
            return
        key = str(user_id)
        users = self.users
        old = users.get(key)
        new = (handle or None, display_name or None, None if followers == "" else followers,
               None if verified == "" else verified)
        if old is None or None not in new:
            users[key] = new
        else:
            users[key] = tuple(n if n is not None else o for n, o in zip(new, old))
        self._frame = None

    def add_user_calls(self, calls) -> None:
        """A block of :meth:`user` calls as an Arrow table in call order: ``uid`` (no empty or null
        ids), ``h``, ``n`` (strings, null for blank), ``f`` (int64), ``v`` (bool), null where not given.
        Same result as calling :meth:`user` once per row."""
        if not calls.num_rows:
            return
        self._calls.append(calls)
        self._call_rows += calls.num_rows
        self._frame = None
        # collapse past COMPACT_ROWS, or past twice what the last collapse left (with more users than
        # COMPACT_ROWS a fixed threshold would collapse on every block)
        if self._call_rows > max(self.COMPACT_ROWS, 2 * self._collapsed_rows):
            self._calls = [_last_per_user(self._calls)]
            self._call_rows = self._collapsed_rows = self._calls[0].num_rows

    def post(self, post_id, author_id) -> None:
        if post_id and author_id:
            self.post_ids.append(str(post_id))
            self.post_authors.append(str(author_id))

    def add_posts(self, ids, authors) -> None:
        """Posts as two string columns (Arrow arrays, no empty values), after every post added so far."""
        import pyarrow as pa

        if self.post_ids:
            self.post_chunks.append((pa.array(self.post_ids, pa.string()), pa.array(self.post_authors, pa.string())))
            self.post_ids, self.post_authors = [], []
        self.post_chunks.append((ids, authors))

    def posts(self) -> pd.Series:
        """Post id -> author for every post seen (the last one given wins)."""
        import pyarrow as pa

        chunks = self.post_chunks + ([(pa.array(self.post_ids, pa.string()), pa.array(self.post_authors, pa.string()))]
                                     if self.post_ids else [])
        if not chunks:
            return pd.Series(dtype=object)
        ids = pa.concat_arrays([c[0].cast(pa.string()) for c in chunks]).to_numpy(zero_copy_only=False)
        authors = pa.concat_arrays([c[1].cast(pa.string()) for c in chunks]).to_numpy(zero_copy_only=False)
        posts = pd.Series(authors, index=ids, dtype=object)
        return posts[~posts.index.duplicated(keep="last")]

    def users_frame(self) -> pd.DataFrame:
        """One row per user id: user_id, handle, display_name, followers, verified."""
        if self._frame is not None:
            return self._frame
        if self._calls and not self._users:  # column-wise only: straight from the calls
            last = _last_per_user(self._calls)
            self._calls, self._call_rows = [last], last.num_rows
            verified = last.column("v").to_numpy(zero_copy_only=False)
            frame = pd.DataFrame({
                "user_id": pd.Series(last.column("uid").to_numpy(zero_copy_only=False), dtype=object),
                "handle": pd.Series(last.column("h").to_numpy(zero_copy_only=False), dtype=object),
                "display_name": pd.Series(last.column("n").to_numpy(zero_copy_only=False), dtype=object),
                "followers": pd.to_numeric(pd.Series(last.column("f").to_numpy(zero_copy_only=False), dtype=object),
                                           errors="coerce"),
                "verified": pd.to_numeric(pd.Series(verified, dtype=object).map(_truth), errors="coerce"),
            })
            self._frame = frame
            return frame
        users = self.users
        values = list(users.values())
        frame = pd.DataFrame({
            "user_id": pd.Series(list(users.keys()), dtype=object),
            "handle": pd.Series([v[0] for v in values], dtype=object),
            "display_name": pd.Series([v[1] for v in values], dtype=object),
            "followers": pd.to_numeric(pd.Series([v[2] for v in values], dtype=object), errors="coerce"),
            "verified": pd.to_numeric(pd.Series([v[3] for v in values], dtype=object).map(_truth), errors="coerce"),
        })
        self._frame = frame
        return frame


def _last_per_user(calls: list):
    """Tables of user calls -> one row per user (in order of first call), each field its last
    non-null value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = calls[0] if len(calls) == 1 else pa.concat_tables(calls)
    last = table.group_by("uid", use_threads=False).aggregate([("h", "last"), ("n", "last"), ("f", "last"),
                                                                ("v", "last")])
    # groups come out in hash order: put them in order of first call (pc.unique keeps that order)
    last = last.take(pc.index_in(pc.unique(table.column("uid")), value_set=last.column("uid")))
    return pa.table({"uid": last.column("uid"), "h": last.column("h_last"), "n": last.column("n_last"),
                     "f": last.column("f_last"), "v": last.column("v_last")})


def _merge_into(users: dict, last) -> None:
    """Merge one-row-per-user calls (:func:`_last_per_user`) into the user dict, as :meth:`ExportIndex.user` would."""
    import pyarrow.compute as pc

    fields = [last.column(c) for c in "hnfv"]
    complete = np.logical_and.reduce([pc.is_valid(f).to_numpy(zero_copy_only=False) for f in fields])
    # a user new to the index takes its place at its first call (dict order is first-seen order)
    users.update(dict.fromkeys([u for u in last.column("uid").to_pylist() if u not in users]))
    # users given every field replace what the index held; the others merge field by field
    full = last.filter(complete)
    users.update(zip(full.column("uid").to_pylist(), zip(*(full.column(c).to_pylist() for c in "hnfv"))))
    partial = last.filter(~complete)
    for key, *new in zip(partial.column("uid").to_pylist(), *(partial.column(c).to_pylist() for c in "hnfv")):
        old = users.get(key)
        users[key] = tuple(new) if old is None else tuple(n if n is not None else o for n, o in zip(new, old))


def _truth(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        low = value.strip().lower()
        return {"true": 1.0, "1": 1.0, "是": 1.0, "false": 0.0, "0": 0.0, "否": 0.0}.get(low)
    return float(bool(value))


def _unique_map(keys: pd.Series, values: pd.Series) -> pd.Series:
    """key -> value for keys that map to exactly one value (ambiguous keys are left out)."""
    pairs = pd.DataFrame({"k": keys, "v": values}).dropna().drop_duplicates()
    counts = pairs["k"].value_counts()
    pairs = pairs[pairs["k"].map(counts) == 1]
    return pd.Series(pairs["v"].to_numpy(), index=pairs["k"].to_numpy())


def resolve(frame: pd.DataFrame, index: ExportIndex) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Replace ``@name`` and ``post:<id>`` placeholders in ``src``/``dst`` (vectorised).

    Returns the frame, a reason per row ("" = keep) and counts for the manifest.
    """
    src, dst = frame["src"].astype(str), frame["dst"].astype(str)
    need_names = bool(src.str.startswith(UNRESOLVED_PREFIX).any() or dst.str.startswith(UNRESOLVED_PREFIX).any())
    need_posts = bool(src.str.startswith(POST_PREFIX).any() or dst.str.startswith(POST_PREFIX).any())
    names = posts = pd.Series(dtype=object)
    if need_names:  # maps are built only when a placeholder needs them
        users = index.users_frame()
        by_handle = _unique_map(users["handle"].astype(object), users["user_id"].astype(object))
        by_name = _unique_map(users["display_name"].astype(object), users["user_id"].astype(object))
        names = pd.concat([by_name[~by_name.index.isin(by_handle.index)], by_handle])
        names.index = names.index.astype(str)
    if need_posts:
        posts = index.posts()
    reasons = np.full(len(frame), "", dtype=object)
    stats = {"names_resolved": 0, "names_unresolved": 0, "unresolved_users": 0, "post_targets_unknown": 0}
    unresolved_names: set[str] = set()
    for column, values in (("src", src), ("dst", dst)):
        if not (need_names or need_posts):
            break
        is_post = values.str.startswith(POST_PREFIX).to_numpy()
        if is_post.any():
            wanted = values[is_post].str.slice(len(POST_PREFIX))
            found = wanted.map(posts)
            missing = found.isna().to_numpy()
            rows = np.flatnonzero(is_post)
            values.iloc[rows[~missing]] = found[~missing].to_numpy()
            bad = rows[missing]
            reasons[bad] = [f"the post {w} it points at is not in the export, so its author is unknown"
                            for w in wanted.to_numpy()[missing]]
            stats["post_targets_unknown"] += int(missing.sum())
        is_name = values.str.startswith(UNRESOLVED_PREFIX).to_numpy()
        if is_name.any():
            wanted = values[is_name].str.slice(len(UNRESOLVED_PREFIX))
            found = wanted.map(names)
            hit = found.notna().to_numpy()
            rows = np.flatnonzero(is_name)
            values.iloc[rows[hit]] = found[hit].to_numpy()
            stats["names_resolved"] += int(hit.sum())
            stats["names_unresolved"] += int((~hit).sum())
            unresolved_names.update(wanted.to_numpy()[~hit].tolist())
        frame[column] = values.to_numpy()
    stats["unresolved_users"] = len(unresolved_names)
    stats["unresolved_names"] = sorted(unresolved_names)
    return frame, reasons, stats
