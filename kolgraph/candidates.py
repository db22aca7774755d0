"""Candidate lists: read them in any table format and match the handles people type to user ids.

An agency's list of candidate KOLs arrives as CSV, TSV, JSONL / JSON, Parquet or plain text (one
handle a line), with one column naming the account and any number of other columns (fee,
category, notes) that must come back untouched. :func:`read_candidates` reads every row, blank
ones included, and finds the handle column; :class:`HandleIndex` matches handles to the graph's
users; :func:`resolve_candidates` gives each input row a status.

Handle normalisation (:func:`normalise_handles`, vectorised with Arrow compute), in order:

1. Unicode NFKC, so full-width forms typed with a Chinese keyboard become their ASCII twins
   (``＠ＬｅｏＴｅｃｈ`` -> ``@LeoTech``, the ideographic space U+3000 -> a space); zero-width
   characters and the byte-order mark are removed.
2. Surrounding whitespace is trimmed.
3. A profile link keeps its last path segment: ``https://weibo.com/u/1234567?ref=x`` -> ``1234567``,
   ``x.com/LeoTech/`` -> ``LeoTech`` (links start with http(s):// or a known platform domain).
4. Leading ``@`` signs (and spaces after them) are removed.
5. For the case-insensitive keys, lower case (Unicode-aware).

The same steps apply to the graph's user ids and display names, so both sides compare alike.

Matching (first level with any match wins; the graph side is indexed once, candidates are looked
up in bulk, never one at a time against the graph):

1. the handle equals a user id exactly (after steps 1-4);
2. it equals a user id ignoring case;
3. it equals a display name exactly;
4. it equals a display name ignoring case.

One match: status ``ok`` with ``match_method`` ``id`` (levels 1-2) or ``display_name`` (3-4).
Several matches at the first level that has any (display names are not unique; ids may differ
only in case): status ``ambiguous``, and ``match_candidates`` lists them ("|"-joined user ids,
highest rank first, at most :data:`MAX_LISTED`, then "+N more"). No match: ``unknown``. A handle
that is empty after normalisation: ``blank``. A row whose account (matched user id, or the
normalised handle when unmatched) already appeared in an earlier row: ``duplicate``, with
``duplicate_of`` giving the earlier row's number.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .build.formats import EXTENSIONS
from .errors import InputError, UnknownAccountError
from .fuzzy import close_matches

__all__ = [
    "HANDLE_COLUMNS",
    "CANDIDATE_FORMATS",
    "STATUSES",
    "MAX_LISTED",
    "CandidateTable",
    "HandleIndex",
    "read_candidates",
    "detect_candidate_format",
    "find_handle_column",
    "normalise_handles",
    "resolve_candidates",
    "resolve_accounts",
    "workspace_handle_index",
    "did_you_mean",
]

#: Column names recognised as the handle column, in order of preference (compared ignoring case,
#: spaces, dashes and underscores): exact identifiers first, then the names people use for handles.
HANDLE_COLUMNS: tuple[str, ...] = ("user_id", "userid", "uid", "id", "微博ID", "微博uid", "用户ID", "UID",
                                   "handle", "account", "账号", "帐号", "微博账号", "username", "screen_name",
                                   "screenname", "用户名", "user", "kol", "博主", "name", "微博昵称", "昵称",
                                   "名称")
#: Input formats by extension (``.gz`` allowed for all but Parquet).
CANDIDATE_FORMATS: dict[str, str] = dict(EXTENSIONS)
#: Row statuses, in the order they are reported.
STATUSES: tuple[str, ...] = ("ok", "duplicate", "ambiguous", "unknown", "blank")
#: At most this many user ids are listed for an ambiguous handle.
MAX_LISTED = 10
#: Column name given to the handles of a plain-text list.
TEXT_HANDLE_COLUMN = "handle"

_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff]"
_URL = (r"^(?:https?://|(?:www\.|m\.)?(?:weibo\.com|weibo\.cn|twitter\.com|x\.com|instagram\.com|"
        r"tiktok\.com|douyin\.com|xiaohongshu\.com|bilibili\.com|space\.bilibili\.com|threads\.net)/)")


# --------------------------------------------------------------------------- normalisation


def _as_arrow_strings(values: Any) -> pa.Array:
    """Any sequence of handles as an Arrow string array, nulls for missing values.

    Integral numbers (ids read from JSON or Parquet as numbers) print without a decimal point.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    elif isinstance(values, (pd.Series, pd.Index)) and values.dtype == "str":
        arr = pa.array(values)          # Arrow-backed strings: no Python objects
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(list(values) if not isinstance(
            values, (np.ndarray, pd.Index)) else values, dtype=object if not isinstance(values, pd.Index) else None)
        if pd.api.types.is_float_dtype(series.dtype):
            v = series.to_numpy(dtype="float64", na_value=np.nan)
            integral = np.isfinite(v) & (np.round(v) == v) & (np.abs(v) < 2 ** 63)
            text = np.where(integral, np.where(integral, v, 0).astype(np.int64).astype(str), v.astype(str))
            return pa.array(np.where(np.isnan(v), None, text).tolist(), pa.string())
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
            return pa.array(series.astype("str").where(series.notna(), None).tolist(), pa.string())
        if series.dtype == object:
            series = series.map(_scalar_text, na_action="ignore")
        arr = pa.array(series.astype(object).where(series.notna(), None).tolist(), pa.string())
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def _scalar_text(value: Any) -> str:
    if isinstance(value, float) and np.isfinite(value) and value == round(value):
        return str(int(value))
    return str(value)


def normalise_handles(values: Any, *, fold: bool = True) -> pa.Array:
    """Normalised handles (module docstring, steps 1-5; step 5 only with ``fold``); null -> "".

    >>> normalise_handles([" ＠ＬｅｏＴｅｃｈ ", "https://weibo.com/u/123?x=1", None]).to_pylist()
    ['leotech', '123', '']
    """
    arr = _as_arrow_strings(values)
    arr = pc.fill_null(arr, "")
    arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, _ZERO_WIDTH, "")
    arr = pc.utf8_trim_whitespace(arr)
    is_url = pc.match_substring_regex(arr, _URL, ignore_case=True)
    if pc.any(is_url).as_py():
        link = pc.replace_substring_regex(arr, r"[?#].*$", "")
        link = pc.replace_substring_regex(link, r"/+$", "")
        link = pc.replace_substring_regex(link, r"^.*/", "")
        arr = pc.if_else(is_url, link, arr)
    arr = pc.replace_substring_regex(arr, r"^(?:@\s*)+", "")
    arr = pc.utf8_trim_whitespace(arr)
    if fold:
        arr = pc.utf8_lower(arr)
    return arr


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class CandidateTable:
    """A candidate list as read: every input row in order, all columns kept.

    ``frame`` holds the file's columns unchanged (CSV / TSV / text cells as strings, JSON and
    Parquet values with their types); ``handle_column`` names the column holding the handles;
    ``handle_source`` says how it was chosen; ``path`` and ``format`` say where it came from.
    Row ``i`` of ``frame`` is input row ``i + 1`` (1-based data rows, header excluded).
    """

    frame: pd.DataFrame = field(repr=False)
    handle_column: str
    handle_source: str
    path: str = ""
    format: str = ""

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def handles(self) -> pd.Series:
        return self.frame[self.handle_column]


def detect_candidate_format(path: str | os.PathLike) -> tuple[str, bool]:
    """(format, gzipped) from the file name: csv, tsv, jsonl, json, parquet or text."""
    from .build.formats import format_from_name  # the one file-name rule (kolgraph.build.formats)

    try:
        fmt, gz = format_from_name(path)
    except InputError:
        fmt, gz = "", False
    if fmt and not (gz and fmt == "parquet"):
        return fmt, gz
    raise InputError(str(path), "unknown candidate list type: expected .csv, .tsv, .jsonl, .json, .parquet or "
                                ".txt (one handle a line), text formats optionally .gz")


def _key(name: str) -> str:
    return "".join(ch for ch in str(name).strip().lower() if ch not in " _-.")


def find_handle_column(columns: Sequence[str], handle_column: str | None = None, *,
                       path: str = "") -> tuple[str, str]:
    """The handle column and why it was chosen.

    ``handle_column`` (``--handle-column``) must exist (matched exactly, then ignoring case).
    Otherwise the first of :data:`HANDLE_COLUMNS` present wins; a table with a single column uses
    it whatever its name. Raises :class:`InputError` listing the columns when none fits.
    """
    columns = [str(c) for c in columns]
    if handle_column is not None:
        if handle_column in columns:
            return handle_column, f"--handle-column {handle_column}"
        folded = [c for c in columns if c.strip().lower() == handle_column.strip().lower()]
        if len(folded) == 1:
            return folded[0], f"--handle-column {handle_column}"
        raise InputError(path, f"no column {handle_column!r} (from --handle-column); columns are: "
                               + ", ".join(map(repr, columns)))
    keys = {_key(c): c for c in reversed(columns)}
    for name in HANDLE_COLUMNS:
        if _key(name) in keys:
            return keys[_key(name)], f"auto-detected column {keys[_key(name)]!r}"
    if len(columns) == 1:
        return columns[0], f"the only column, {columns[0]!r}"
    raise InputError(path, "cannot tell which column holds the handles: none is named "
                           + "/".join(HANDLE_COLUMNS[:8]) + "; columns are: " + ", ".join(map(repr, columns))
                           + "; name it with --handle-column")


def _open_text(path: Path, gz: bool) -> str:
    try:
        raw = gzip.open(path, "rb").read() if gz else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise InputError(str(path), f"cannot read the file: {exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(str(path), f"line {line} is not valid UTF-8 (byte {exc.start}); save the file as UTF-8") \
            from None


def _read_text_list(path: Path, gz: bool) -> pd.DataFrame:
    text = _open_text(path, gz)
    lines = text.splitlines()
    if lines and _key(lines[0]) in {_key(c) for c in HANDLE_COLUMNS}:
        header, lines = lines[0].strip(), lines[1:]
    else:
        header = TEXT_HANDLE_COLUMN
    return pd.DataFrame({header: pd.array(lines, dtype="str")})


def _read_delimited(path: Path, gz: bool, sep: str) -> pd.DataFrame:
    text = _open_text(path, gz)
    if not text.strip():
        raise InputError(str(path), "the file is empty (no header row)")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        raise InputError(str(path), f"not a valid {'CSV' if sep == ',' else 'TSV'} file: {exc}; check quoting "
                                    "and delimiters") from None
    # A trailing newline after the last row is not a row; blank lines between rows are.
    return frame


def _read_json_rows(path: Path, gz: bool, fmt: str) -> pd.DataFrame:
    text = _open_text(path, gz)
    rows: list[dict] = []
    if fmt == "json" and text.lstrip().startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") \
                from None
        for i, item in enumerate(parsed, start=1):
            if isinstance(item, str):
                item = {TEXT_HANDLE_COLUMN: item}
            if item is None:
                item = {}
            if not isinstance(item, dict):
                raise InputError(str(path), f"expected an object or a string, got {type(item).__name__}", row=i)
            rows.append(item)
    else:
        lines = text.splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        for i, line in enumerate(lines, start=1):
            if not line.strip():
                rows.append({})
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"not valid JSON: {exc.msg} at column {exc.colno}", row=i) from None
            if isinstance(item, str):
                item = {TEXT_HANDLE_COLUMN: item}
            if not isinstance(item, dict):
                raise InputError(str(path), f"expected a JSON object, got {type(item).__name__}", row=i)
            rows.append(item)
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame.from_records(rows).reindex(range(len(rows)))


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(str(path), f"not a readable Parquet file: {exc}") from None


def read_candidates(path: str | os.PathLike, *, handle_column: str | None = None) -> CandidateTable:
    """Read a candidate list, keeping every row (blank ones too) and every column.

    Formats by extension: ``.csv``, ``.tsv`` / ``.tab``, ``.jsonl`` / ``.ndjson``, ``.json`` (an
    array of objects or of strings, or JSON Lines), ``.parquet`` / ``.pq``, and ``.txt`` / ``.list``
    (one handle a line; a first line that is a handle-column name such as ``handle`` is taken as
    the header). Text formats may be gzipped (``.csv.gz``). CSV and TSV cells are read as text,
    exactly as written (``NA`` stays ``NA``, ``007`` stays ``007``). Raises :class:`InputError`
    for a missing, unreadable or malformed file, or when no handle column can be found.
    """
    p = Path(path)
    fmt, gz = detect_candidate_format(p)
    if not p.exists():
        raise InputError(str(p), "file not found")
    if p.is_dir():
        raise InputError(str(p), "is a folder, not a file")
    if fmt == "text":
        frame = _read_text_list(p, gz)
    elif fmt in ("csv", "tsv"):
        frame = _read_delimited(p, gz, "," if fmt == "csv" else "\t")
    elif fmt in ("jsonl", "json"):
        frame = _read_json_rows(p, gz, fmt)
    else:
        frame = _read_parquet(p)
    if frame.shape[1] == 0:
        if len(frame):
            raise InputError(str(p), "no columns: every row is empty")
        frame = pd.DataFrame({TEXT_HANDLE_COLUMN: pd.Series([], dtype="str")})
    frame.columns = [str(c) for c in frame.columns]
    dupes = frame.columns[frame.columns.duplicated()].unique().tolist()
    if dupes:
        raise InputError(str(p), f"repeated column name(s): {', '.join(map(repr, dupes))}")
    column, source = find_handle_column(list(frame.columns), handle_column, path=str(p))
    return CandidateTable(frame=frame.reset_index(drop=True), handle_column=column, handle_source=source,
                          path=str(p), format=fmt + (".gz" if gz else ""))


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, eq=False)
class HandleIndex:
    """Normalised look-up keys of the graph's users, built once (:meth:`from_users`).

    ``user_ids`` in vertex order; four key arrays aligned with it (exact and case-folded ids and
    display names, "" where a user has no display name); ``rank`` orders the users listed for an
    ambiguous handle (smaller first; e.g. minus PageRank).
    """

    user_ids: pd.Index
    id_exact: pa.Array = field(repr=False)
    id_fold: pa.Array = field(repr=False)
    name_exact: pa.Array = field(repr=False)
    name_fold: pa.Array = field(repr=False)
    rank: np.ndarray = field(repr=False)

    @classmethod
    def from_users(cls, user_ids: Any, display_names: Any = None, rank: Any = None) -> "HandleIndex":
        """Index users by id and display name; ``rank``: smaller is listed first among ambiguous matches."""
        ids = pd.Index(pd.array(user_ids if getattr(user_ids, "dtype", None) == "str"
                                else np.asarray(user_ids, dtype=object).astype(str), dtype="str"), name="user_id")
        n = len(ids)
        id_exact = normalise_handles(ids, fold=False)
        if display_names is None:
            name_exact = pa.array([""] * n, pa.string())
        else:
            names = pd.Series(display_names).reset_index(drop=True)
            if len(names) != n:
                raise ValueError(f"display_names has {len(names)} values for {n} users")
            name_exact = normalise_handles(names if names.dtype == "str" else
                                           names.where(names.notna(), None).astype(object), fold=False)
        r = np.zeros(n) if rank is None else np.asarray(rank, dtype="float64")
        r = np.where(np.isnan(r), np.inf, r)
        return cls(user_ids=ids, id_exact=id_exact, id_fold=pc.utf8_lower(id_exact), name_exact=name_exact,
                   name_fold=pc.utf8_lower(name_exact), rank=r)

    def __len__(self) -> int:
        return len(self.user_ids)

    def lookup(self, keys_exact: pa.Array, keys_fold: pa.Array) -> pd.DataFrame:
        """Match normalised keys (one row per key, in order): status, user_id, match_method, match_candidates.

        Status is ``ok``, ``ambiguous``, ``unknown`` or ``blank`` (empty key). Cost: one hashed
        membership pass over the graph's keys per level, then work on the few matching users only.
        """
        m = len(keys_exact)
        status = np.full(m, "unknown", dtype=object)
        user = np.full(m, None, dtype=object)
        method = np.full(m, None, dtype=object)
        listed = np.full(m, None, dtype=object)
        blank = np.asarray(pc.equal(keys_fold, "").to_numpy(zero_copy_only=False), dtype=bool)
        status[blank] = "blank"
        open_ = ~blank
        levels = ((self.id_exact, keys_exact, "id"), (self.id_fold, keys_fold, "id"),
                  (self.name_exact, keys_exact, "display_name"), (self.name_fold, keys_fold, "display_name"))
        for graph_keys, cand_keys, how in levels:
            if not open_.any():
                break
            wanted = pc.filter(cand_keys, pa.array(open_))
            wanted = pc.unique(wanted)
            hit = np.flatnonzero(np.asarray(pc.is_in(graph_keys, value_set=wanted).to_numpy(zero_copy_only=False),
                                            dtype=bool))
            hit = hit[np.asarray(pc.not_equal(pc.take(graph_keys, pa.array(hit)), "").to_numpy(
                zero_copy_only=False), dtype=bool)] if hit.size else hit
            if not hit.size:
                continue
            found = pd.DataFrame({"key": pd.array(pc.take(graph_keys, pa.array(hit)), dtype="str"),
                                  "rank": self.rank[hit], "user_id": self.user_ids.take(hit).astype(str)})
            found = found.sort_values(["key", "rank", "user_id"], kind="stable")
            grouped = found.groupby("key", sort=False)["user_id"]
            per_key = pd.DataFrame({"n": grouped.size(), "first": grouped.first(),
                                    "listed": grouped.agg(_list_ids)})
            cand = pd.Series(pd.array(cand_keys, dtype="str"))
            pos = per_key.index.get_indexer(cand)
            now = open_ & (pos >= 0)
            if not now.any():
                continue
            n_hits = per_key["n"].to_numpy()[pos[now]]
            one = n_hits == 1
            rows = np.flatnonzero(now)
            status[rows[one]] = "ok"
            user[rows[one]] = per_key["first"].to_numpy()[pos[rows[one]]]
            method[rows] = how
            status[rows[~one]] = "ambiguous"
            listed[rows[~one]] = per_key["listed"].to_numpy()[pos[rows[~one]]]
            open_ &= ~now
        return pd.DataFrame({
            "status": pd.array(status, dtype="str"),
            "user_id": pd.array(user, dtype="str"),
            "match_method": pd.array(method, dtype="str"),
            "match_candidates": pd.array(listed, dtype="str"),
        })


def _list_ids(ids: pd.Series) -> str:
    """At most MAX_LISTED ids "|"-joined, then "+N more" (called once per ambiguous key)."""
    values = ids.tolist()
    head = "|".join(values[:MAX_LISTED])
    return head if len(values) <= MAX_LISTED else f"{head}|+{len(values) - MAX_LISTED} more"


def resolve_candidates(handles: Any, index: HandleIndex) -> pd.DataFrame:
    """Match each handle (one per input row, in order) to a user; flag blanks and duplicates.

    Returns one row per handle: ``input_row`` (1-based), ``handle_key`` (the case-folded
    normalised handle), ``status`` (see :data:`STATUSES`), ``user_id`` (the match, or missing),
    ``match_method`` (``id`` / ``display_name``), ``match_candidates`` (ambiguous handles:
    the users it could be) and ``duplicate_of`` (the ``input_row`` of the first row naming the same
    account, for duplicates). A duplicate keeps its ``user_id``, so it can carry the same scores.
    """
    exact = normalise_handles(handles, fold=False)
    fold = pc.utf8_lower(exact)
    # Look each distinct key up once (the folded key is a function of the exact one), then spread back.
    exact_s = pd.Series(pd.array(exact, dtype="str"))
    codes, uniques = pd.factorize(exact_s)
    u_exact = pa.array(np.asarray(uniques, dtype=object).tolist(), pa.string())
    out = index.lookup(u_exact, pc.utf8_lower(u_exact)).take(codes).reset_index(drop=True)
    out.insert(0, "handle_key", pd.array(fold, dtype="str"))
    out.insert(0, "input_row", np.arange(1, len(out) + 1, dtype=np.int64))
    # Duplicates: the account (user id when matched, else the normalised handle) seen in an earlier row.
    account = ("id:" + out["user_id"].fillna("")).where(out["user_id"].notna(), "key:" + out["handle_key"])
    scored = (out["status"] != "blank").to_numpy()
    first_row = pd.Series(out["input_row"].to_numpy()).groupby(account.to_numpy()).transform("min").to_numpy()
    dup = scored & (first_row != out["input_row"].to_numpy())
    out["duplicate_of"] = pd.array(np.where(dup, first_row, 0), dtype="Int64")
    out.loc[~dup, "duplicate_of"] = pd.NA
    status = np.array(out["status"].astype(object).to_numpy(), dtype=object)
    status[dup] = "duplicate"
    out["status"] = pd.array(status, dtype="str")
    return out


# --------------------------------------------------------------------------- one resolver for every command



def did_you_mean(handle: str, index: HandleIndex, n: int = 3, *, cache: dict | None = None) -> list[str]:
    """Up to ``n`` user ids whose id or display name is close to ``handle`` (for an unknown account).

    The candidates are narrowed in Arrow first (keys sharing the handle's first two characters or
    containing it, at most 20,000, highest rank first), then ranked by :mod:`difflib` similarity, so a
    1M-user graph answers in well under a second. ``cache`` (a dict kept by the caller across
    handles) remembers the substring scans, which handles with a common prefix share.

    >>> idx = HandleIndex.from_users(["laozhong_zhenhua", "huisheng_tech"], ["老钟说真话", "回声科技"])
    >>> did_you_mean("laozhong_zhenhau", idx)
    ['laozhong_zhenhua']
    """
    key = pc.utf8_lower(normalise_handles([handle], fold=False))[0].as_py()
    if not key or not len(index):
        return []
    cache = {} if cache is None else cache
    hits = np.zeros(len(index), dtype=bool)
    for side, keys in (("id", index.id_fold), ("name", index.name_fold)):
        for pattern in {key[:2], key}:
            found = cache.get((side, pattern))
            if found is None:
                found = np.asarray(pc.match_substring(keys, pattern).to_numpy(zero_copy_only=False), dtype=bool)
                cache[(side, pattern)] = found
            hits |= found
    pool = np.flatnonzero(hits)
    if pool.size == 0:
        pool = np.arange(len(index))
    cap = 20000
    if pool.size > cap:  # the cap lowest ranks, ties in index order (a stable sort's first cap, without sorting all)
        r = index.rank[pool]
        thr = np.partition(r, cap - 1)[cap - 1]
        pool = np.concatenate([pool[r < thr], pool[r == thr][:cap - int((r < thr).sum())]])
    pool = pool[np.argsort(index.rank[pool], kind="stable")]
    id_arr = pc.take(index.id_fold, pa.array(pool))
    name_arr = pc.take(index.name_fold, pa.array(pool))
    return close_matches(key, index.user_ids.take(pool).astype(str), id_arr, name_arr, n=n)


def resolve_accounts(handles: Sequence[str], index: HandleIndex, *, what: str = "account") -> list[str]:
    """User ids for handles people type (ids or display names), for ``whatif --kol`` and ``map --focus``.

    Matching is :func:`resolve_candidates`' (ids first, then display names; case, @, links and
    full-width forms ignored). Raises :class:`~kolgraph.errors.UnknownAccountError` naming every
    handle that matches nobody (with "did you mean" suggestions) or several users (listing them,
    highest rank first). Duplicates are returned once, in the order given.

    >>> idx = HandleIndex.from_users(["laozhong_zhenhua", "u1"], ["老钟说真话", "小米粉"])
    >>> resolve_accounts(["老钟说真话", "@U1"], idx)
    ['laozhong_zhenhua', 'u1']
    """
    handles = [str(h) for h in handles]
    if not handles:
        return []
    match = resolve_candidates(pd.Series(handles, dtype=object), index)
    problems: list[str] = []
    out: list[str] = []
    for handle, row in zip(handles, match.itertuples(index=False)):
        if row.status in ("ok", "duplicate") and isinstance(row.user_id, str):
            out.append(row.user_id)
        elif row.status == "ambiguous":
            problems.append(f"{what} {handle!r} is ambiguous: several users match by "
                            f"{str(row.match_method).replace('_', ' ')} ({row.match_candidates}); give the user id")
        elif row.status == "blank":
            problems.append(f"{what} {handle!r} is blank")
        else:
            close = did_you_mean(handle, index)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(f"{what} {handle!r} is not in the graph (no user id or display name matches){hint}")
    if problems:
        raise UnknownAccountError("; ".join(problems))
    return list(dict.fromkeys(out))


def workspace_handle_index(ws) -> HandleIndex:
    """A :class:`HandleIndex` over a workspace's users (ids, display names; PageRank order when analysed).

    Reads ``analysis/users.parquet`` when the workspace is analysed (its PageRank ranks ambiguous
    matches), else ``vertices.parquet``.
    """
    root = Path(ws.path)
    path = root / "analysis" / "users.parquet"
    if not path.is_file():
        path = root / "vertices.parquet"
    names = set(pq.read_schema(path).names)
    table = pq.read_table(path, columns=[c for c in ("user_id", "display_name", "pagerank") if c in names])
    frame = table.to_pandas()
    rank = (-pd.to_numeric(frame["pagerank"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            if "pagerank" in frame else None)
    return HandleIndex.from_users(frame["user_id"].astype("str"),
                                  frame["display_name"] if "display_name" in frame else None, rank=rank)
