"""Validated ingest of interaction and user tables (CSV, TSV, JSONL, Parquet; plain or gzip).

Every input row ends in exactly one of three places: kept, rejected (with file, row and reason,
written to a rejects table) or dropped as an exact duplicate (also counted and written there).
So ``kept + rejected + duplicate == read`` always holds, per file and in total.

Row numbers are 1-based data rows: row 1 is the first row after the header (for JSONL, the first line).
Timestamps become float epoch seconds (UTC; NaN when absent). Validation is vectorised per chunk.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..progress import progress
from ..schema import (
    KINDS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    USER_COLUMNS,
    InputError,
    normalise_kind,
)

__all__ = [
    "FileCounts",
    "IngestResult",
    "read_interactions",
    "read_users",
    "detect_format",
    "parse_column_map",
    "REJECT_COLUMNS",
    "CHUNK_ROWS",
]

#: Rows validated at a time; bounds peak memory of the raw string columns.
CHUNK_ROWS = 1_000_000
#: Epoch values above this (year 5138 in seconds) are almost surely milliseconds.
_MAX_EPOCH_SECONDS = 1e11
REJECT_COLUMNS = ("file", "row", "category", "reason")
_INTERACTION_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


@dataclass(frozen=True)
class FileCounts:
    """Row accounting for one input file: ``kept + rejected + duplicate == read``."""

    path: str
    sha256: str
    format: str
    read: int
    kept: int
    rejected: int
    duplicate: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IngestResult:
    """Validated rows of one or more files, with the rejects and per-file counts.

    ``frame`` has canonical columns: for interactions ``src, dst, kind, timestamp, text, sentiment,
    post_id, weight`` (ids and text as strings, timestamp in epoch seconds, sentiment in [-1, 1],
    weight > 0, NaN where absent); for users ``user_id, display_name, followers, verified``.
    ``rejects`` holds ``file, row, category ('rejected' or 'duplicate'), reason`` plus the raw values.
    """

    frame: pd.DataFrame
    rejects: pd.DataFrame
    files: tuple[FileCounts, ...] = field(default_factory=tuple)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def duplicate(self) -> int:
        return sum(f.duplicate for f in self.files)

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "kept": self.kept, "rejected": self.rejected, "duplicate": self.duplicate}


def parse_column_map(pairs: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    """``["src=uid", "dst=target"]`` -> ``{"uid": "src", "target": "dst"}`` (file column -> canonical)."""
    if not pairs:
        return {}
    items = pairs.items() if isinstance(pairs, Mapping) else (p.partition("=")[::2] for p in pairs)
    out: dict[str, str] = {}
    for canonical, source in items:
        canonical, source = canonical.strip(), source.strip()
        if not canonical or not source:
            raise InputError("--column", f"expected CANONICAL=FILE_COLUMN (e.g. src=uid), got {canonical}={source}")
        out[source] = canonical
    return out


def detect_format(path: str | os.PathLike) -> tuple[str, bool]:
    """(format, gzipped) from the file name: csv, tsv, jsonl or parquet, with an optional ``.gz``."""
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for ext, fmt in ((".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"),
                     (".ndjson", "jsonl"), (".json", "jsonl"), (".parquet", "parquet"), (".pq", "parquet"),
                     (".txt", "csv")):
        if name.endswith(ext):
            return fmt, gz
    raise InputError(str(path), "unknown file type: expected .csv, .tsv, .jsonl, .parquet (optionally .gz)")


# ---------------------------------------------------------------------------------------------
# Raw reading: each reader yields (first_row_number, DataFrame of raw values) chunks.


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_binary(path: Path, gz: bool):
    return gzip.open(path, "rb") if gz else path.open("rb")


def _check_readable(path: Path, gz: bool) -> None:
    if not path.exists():
        raise InputError(str(path), "file not found")
    if path.is_dir():
        raise InputError(str(path), "is a folder, not a file")
    try:
        with _open_binary(path, gz) as fh:
            head = fh.read(4)
    except PermissionError:
        raise InputError(str(path), "cannot read the file: permission denied") from None
    except (OSError, EOFError) as exc:
        raise InputError(str(path), f"cannot read the file: {exc}") from None
    if not head or head == b"\xef\xbb\xbf":
        raise InputError(str(path), "the file is empty")


def _locate_bad_utf8(path: Path, gz: bool) -> InputError:
    """Find the first line that is not valid UTF-8 (error path only, so a loop is fine)."""
    with _open_binary(path, gz) as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return InputError(str(path), f"line {lineno} is not valid UTF-8 (byte {exc.start}: "
                                             f"{line[exc.start:exc.start + 4]!r}); save the file as UTF-8")
    return InputError(str(path), "the file is not valid UTF-8; save it as UTF-8")


def _iter_delimited(path: Path, gz: bool, sep: str, chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    opts = dict(sep=sep, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                compression="gzip" if gz else None)
    try:
        offset = 1
        for chunk in pd.read_csv(path, chunksize=chunk_rows, **opts):
            yield offset, chunk
            offset += len(chunk)
    except UnicodeDecodeError:
        raise _locate_bad_utf8(path, gz) from None
    except pd.errors.EmptyDataError:
        raise InputError(str(path), "the file is empty (no header row)") from None
    except pd.errors.ParserError:
        # Malformed rows (wrong field count, broken quoting): fall back to the csv module, which
        # knows line numbers, so each bad row can be rejected with its position instead of failing.
        yield from _iter_delimited_tolerant(path, gz, sep)


def _iter_delimited_tolerant(path: Path, gz: bool, sep: str) -> Iterator[tuple[int, pd.DataFrame]]:
    text = io.TextIOWrapper(_open_binary(path, gz), encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text, delimiter=sep)
        header = next(reader)
        rows: list[list[str]] = []
        bad: list[tuple[int, str]] = []
        for row_number, row in enumerate(reader, start=1):
            if len(row) == len(header):
                rows.append(row)
                bad.append((row_number, ""))
            elif not any(cell.strip() for cell in row):
                rows.append([""] * len(header))
                bad.append((row_number, "blank row"))
            else:
                rows.append([""] * len(header))
                bad.append((row_number, f"expected {len(header)} fields, found {len(row)} "
                                        f"(line {reader.line_num}); check quoting and delimiters"))
    except UnicodeDecodeError:
        raise _locate_bad_utf8(path, gz) from None
    finally:
        text.close()
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame["__parse_error__"] = [reason for _, reason in bad]
    yield 1, frame


def _iter_jsonl(path: Path, gz: bool, chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    rows: list[dict] = []
    errors: list[str] = []
    offset = 1
    with _open_binary(path, gz) as fh:
        for lineno, raw in enumerate(fh, start=1):
            error = ""
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").strip()
            except UnicodeDecodeError as exc:
                raise InputError(str(path), f"line {lineno} is not valid UTF-8 (byte {exc.start}); "
                                            "save the file as UTF-8", row=lineno) from None
            value: dict = {}
            if not line:
                error = "blank line"
            else:
                try:
                    parsed = json.loads(line)
                except json.JSONDecodeError as exc:
                    error = f"not valid JSON: {exc.msg} at column {exc.colno}"
                else:
                    if isinstance(parsed, dict):
                        value = parsed
                    else:
                        error = f"expected a JSON object, got {type(parsed).__name__}"
            rows.append(value)
            errors.append(error)
            if len(rows) >= chunk_rows:
                yield offset, _jsonl_frame(rows, errors)
                offset += len(rows)
                rows, errors = [], []
    if rows or offset == 1:
        yield offset, _jsonl_frame(rows, errors)


def _jsonl_frame(rows: list[dict], errors: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    frame = frame.reindex(range(len(rows)))
    for column in frame.columns:
        frame[column] = _to_text(frame[column])
    frame["__parse_error__"] = errors
    return frame


def _iter_parquet(path: Path, gz: bool, chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    try:
        source = io.BytesIO(gzip.open(path, "rb").read()) if gz else path
        pf = pq.ParquetFile(source)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise InputError(str(path), f"not a readable Parquet file: {exc}") from None
    offset = 1
    for batch in pf.iter_batches(batch_size=chunk_rows):
        columns = {}
        for name, array in zip(batch.schema.names, batch.columns):
            columns[name] = _arrow_to_series(array)
        frame = pd.DataFrame(columns)
        yield offset, frame
        offset += len(frame)


def _arrow_to_series(array: pa.Array) -> pd.Series:
    """Arrow column -> pandas, keeping numbers numeric and timestamps as epoch seconds."""
    t = array.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        seconds = pc.cast(pc.cast(array, pa.timestamp("us", tz="UTC") if pa.types.is_timestamp(t) and t.tz
                                  else pa.timestamp("us")), pa.int64())
        return pd.Series(seconds.to_numpy(zero_copy_only=False), dtype="float64") / 1e6
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        return array.to_pandas()
    if pa.types.is_dictionary(t):
        array = array.cast(t.value_type)
    return pd.Series(pc.cast(array, pa.string()).to_pandas(), dtype="str")


def _raw_chunks(path: Path, fmt: str, gz: bool, chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    if fmt in ("csv", "tsv"):
        return _iter_delimited(path, gz, "," if fmt == "csv" else "\t", chunk_rows)
    if fmt == "jsonl":
        return _iter_jsonl(path, gz, chunk_rows)
    return _iter_parquet(path, gz, chunk_rows)


# ---------------------------------------------------------------------------------------------
# Vectorised validation helpers. Each returns (values, reason) where reason is "" for good rows.


def _to_text(series: pd.Series) -> pd.Series:
    """Any column -> pandas string dtype; integral floats print without '.0'; missing -> ''."""
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy()
        integral = np.isfinite(values) & (np.floor(values) == values)
        if integral[~np.isnan(values)].all():
            out = pd.Series(values, index=series.index).astype("Int64").astype("str")
            return out.where(~np.isnan(values), "")
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("str")
    out = series.astype("str")
    return out.where(series.notna(), "")


def _merge_reason(current: np.ndarray, new_mask: np.ndarray, new_reason) -> None:
    """Record a reason on rows flagged in ``new_mask`` that have none yet (in place).

    ``new_reason`` is a string, a full-length array, or a function of the flagged row positions
    returning one reason each (so messages are only formatted for bad rows).
    """
    target = new_mask & (current == "")
    if not target.any():
        return
    if isinstance(new_reason, str):
        current[target] = new_reason
    elif callable(new_reason):
        current[target] = np.asarray(list(new_reason(np.flatnonzero(target))), dtype=object)
    else:
        current[target] = np.asarray(new_reason, dtype=object)[target]


def _quote(value, limit: int = 60) -> str:
    text = str(value)
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


def _parse_timestamp(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds (float64, NaN if blank) and a reason per row for unparseable values."""
    n = len(raw)
    reasons = np.full(n, "", dtype=object)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    else:
        text = _to_text(raw).str.strip()
        blank = (text == "").to_numpy()
        values = np.full(n, np.nan)
        # Parse the likely form first (judged on a sample) and only the leftovers the other way:
        # a failed numeric parse of 10M ISO strings costs seconds.
        probe = text[~blank].iloc[:1000]
        numeric_first = bool(len(probe)) and pd.to_numeric(probe, errors="coerce").notna().mean() > 0.5
        if numeric_first:
            values = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan, copy=True)
            needs_date = ~blank & np.isnan(values)
        else:
            needs_date = ~blank
        if needs_date.any():
            parsed = pd.to_datetime(text[needs_date], errors="coerce", utc=True, format="ISO8601")
            # Unit-agnostic (pandas may parse to s, ms, us or ns resolution).
            seconds = ((parsed - _EPOCH) / pd.Timedelta(1, "s")).to_numpy(dtype="float64", na_value=np.nan)
            values[needs_date] = seconds
            if not numeric_first and np.isnan(seconds).any():
                retry = needs_date.copy()
                retry[needs_date] = np.isnan(seconds)
                values[retry] = pd.to_numeric(text[retry], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = needs_date & np.isnan(values)
            _merge_reason(reasons, bad, lambda rows: (
                f"unparseable timestamp {_quote(text.iat[r])} (expected ISO 8601 like "
                "2026-01-05T08:30:00+08:00, or epoch seconds)" for r in rows))
    too_big = np.abs(np.nan_to_num(values)) > _MAX_EPOCH_SECONDS
    _merge_reason(reasons, too_big, "timestamp looks like epoch milliseconds; give epoch seconds")
    values = np.where(too_big, np.nan, values)
    return values, reasons


def _parse_number(raw: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    reasons = np.full(len(raw), "", dtype=object)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan), reasons
    text = _to_text(raw).str.strip()
    blank = (text == "").to_numpy()
    values = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~blank & np.isnan(values)
    _merge_reason(reasons, bad, lambda rows: (f"{name} {_quote(text.iat[r])} is not a number" for r in rows))
    return values, reasons


def _parse_bool(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """true/false, 1/0, yes/no, y/n, t/f, 是/否 -> float 1.0/0.0 (NaN blank) with reasons."""
    reasons = np.full(len(raw), "", dtype=object)
    if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        _merge_reason(reasons, bad, "verified must be true/false or 1/0")
        return np.where(bad, np.nan, values), reasons
    text = _to_text(raw).str.strip().str.lower()
    mapping = {"true": 1.0, "1": 1.0, "yes": 1.0, "y": 1.0, "t": 1.0, "是": 1.0,
               "false": 0.0, "0": 0.0, "no": 0.0, "n": 0.0, "f": 0.0, "否": 0.0, "": np.nan}
    values = text.map(mapping).to_numpy(dtype="float64", na_value=np.nan)
    bad = (text != "").to_numpy() & np.isnan(values)
    _merge_reason(reasons, bad, lambda rows: (f"verified {_quote(text.iat[r])} is not true/false" for r in rows))
    return values, reasons


def _rename(frame: pd.DataFrame, column_map: Mapping[str, str], path: Path, row0: int) -> pd.DataFrame:
    if not column_map:
        return frame
    stripped = {c.strip(): c for c in frame.columns}
    missing = [src for src in column_map if src not in stripped]
    if missing and row0 == 1:
        raise InputError(str(path), f"--column names file column(s) not present: {', '.join(missing)}; "
                                    f"the file has: {', '.join(map(str, frame.columns))}")
    return frame.rename(columns={stripped[s]: c for s, c in column_map.items() if s in stripped})


def _check_columns(frame: pd.DataFrame, required: Sequence[str], path: Path, hint: str) -> None:
    present = {str(c).strip() for c in frame.columns}
    missing = [c for c in required if c not in present]
    if missing:
        raise InputError(str(path), f"header: missing required column(s) {', '.join(missing)}; the file has "
                                    f"{', '.join(map(str, frame.columns)) or 'no columns'}{hint}")


def _validate_interactions(frame: pd.DataFrame, kind_cache: dict[str, str | None]) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(frame)
    reasons = np.full(n, "", dtype=object)
    if "__parse_error__" in frame:
        parse = frame["__parse_error__"].to_numpy(dtype=object)
        _merge_reason(reasons, parse != "", parse)
    out = pd.DataFrame(index=frame.index)
    for column in ("src", "dst"):
        ids = _to_text(frame[column]).str.strip()
        _merge_reason(reasons, (ids == "").to_numpy(), f"empty {column} id")
        out[column] = ids
    kind_raw = _to_text(frame["kind"])
    codes, uniques = pd.factorize(kind_raw)
    for u in uniques:
        if u not in kind_cache:
            kind_cache[u] = normalise_kind(u)
    canonical = np.array([kind_cache[u] or "" for u in uniques], dtype=object)
    kinds = canonical[codes] if len(codes) else np.array([], dtype=object)
    unknown = kinds == ""
    if unknown.any():
        _merge_reason(reasons, unknown, lambda rows: (
            f"unknown kind {_quote(kind_raw.iat[r])} (expected {', '.join(KINDS)} or an alias such as "
            "retweet, comment, 转发, 评论, 提及)" for r in rows))
    out["kind"] = pd.Categorical(np.where(unknown, None, kinds), categories=list(KINDS))
    if "timestamp" in frame:
        ts, why = _parse_timestamp(frame["timestamp"])
        _merge_reason(reasons, why != "", why)
        out["timestamp"] = ts
    else:
        out["timestamp"] = np.nan
    out["text"] = _to_text(frame["text"]) if "text" in frame else ""
    if "sentiment" in frame:
        sentiment, why = _parse_number(frame["sentiment"], "sentiment")
        _merge_reason(reasons, why != "", why)
        outside = ~np.isnan(sentiment) & ((sentiment < -1) | (sentiment > 1))
        _merge_reason(reasons, outside, lambda rows: (f"sentiment {sentiment[r]:g} is outside [-1, 1]" for r in rows))
        out["sentiment"] = sentiment
    else:
        out["sentiment"] = np.nan
    post_id = _to_text(frame["post_id"]).str.strip() if "post_id" in frame else pd.Series("", index=frame.index, dtype="str")
    out["post_id"] = post_id.where(post_id != "", None)
    if "weight" in frame:
        weight, why = _parse_number(frame["weight"], "weight")
        _merge_reason(reasons, why != "", why)
        bad = ~np.isnan(weight) & ~(np.isfinite(weight) & (weight > 0))
        _merge_reason(reasons, bad, "weight must be a positive number")
        out["weight"] = np.where(np.isnan(weight), 1.0, weight)
    else:
        out["weight"] = 1.0
    return out, reasons


def _validate_users(frame: pd.DataFrame, _cache: dict) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(frame)
    reasons = np.full(n, "", dtype=object)
    if "__parse_error__" in frame:
        parse = frame["__parse_error__"].to_numpy(dtype=object)
        _merge_reason(reasons, parse != "", parse)
    out = pd.DataFrame(index=frame.index)
    ids = _to_text(frame["user_id"]).str.strip()
    _merge_reason(reasons, (ids == "").to_numpy(), "empty user_id")
    out["user_id"] = ids
    names = _to_text(frame["display_name"]) if "display_name" in frame else pd.Series("", index=frame.index, dtype="str")
    out["display_name"] = names.where(names != "", None)
    if "followers" in frame:
        followers, why = _parse_number(frame["followers"], "followers")
        _merge_reason(reasons, why != "", why)
        bad = ~np.isnan(followers) & ~((followers >= 0) & (np.floor(followers) == followers))
        _merge_reason(reasons, bad, "followers must be a whole number >= 0")
        out["followers"] = followers
    else:
        out["followers"] = np.nan
    if "verified" in frame:
        verified, why = _parse_bool(frame["verified"])
        _merge_reason(reasons, why != "", why)
        out["verified"] = verified
    else:
        out["verified"] = np.nan
    return out, reasons


def _duplicated_strings(values: pd.Series) -> np.ndarray:
    """``Series.duplicated(keep="first")`` for string ids via Arrow hashing (fast at 10M rows)."""
    from .graph import factorize_ids

    (codes,), uniques = factorize_ids(values)
    if len(uniques) == len(codes):
        return np.zeros(len(codes), dtype=bool)
    first = np.full(len(uniques), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first[codes] != np.arange(len(codes))


def _raw_for_rejects(frame: pd.DataFrame, mask: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    present = [c for c in columns if c in frame.columns]
    raw = frame.loc[mask, present].copy()
    for column in present:
        raw[column] = _to_text(raw[column])
    return raw.reset_index(drop=True)


def _ingest(paths: Sequence[str | os.PathLike], *, kind: str, column_map: Mapping[str, str] | None,
            strict: bool, quiet: bool, chunk_rows: int) -> IngestResult:
    if not paths:
        raise InputError("(no input)", "no input files given")
    required, columns, validate, hint, dedup_key = (
        (REQUIRED_COLUMNS, _INTERACTION_COLUMNS, _validate_interactions,
         "; rename with --column src=YOUR_COLUMN", "post_id")
        if kind == "interactions" else
        (("user_id",), USER_COLUMNS, _validate_users, "; rename with --user-column user_id=YOUR_COLUMN", "user_id"))
    column_map = dict(column_map or {})
    kept_frames: list[pd.DataFrame] = []
    reject_frames: list[pd.DataFrame] = []
    provisional: list[dict] = []
    kind_cache: dict[str, str | None] = {}
    for path_like in paths:
        path = Path(path_like)
        fmt, gz = detect_format(path)
        _check_readable(path, gz)
        read = 0
        bar = progress(quiet=quiet, unit=" rows", unit_scale=True, desc=f"reading {path.name}")
        for row0, raw in _raw_chunks(path, fmt, gz, chunk_rows):
            raw.columns = [str(c).strip() for c in raw.columns]
            raw = _rename(raw, column_map, path, row0)
            _check_columns(raw, required, path, hint)
            good, reasons = validate(raw, kind_cache)
            rows = np.arange(row0, row0 + len(raw))
            bad = reasons != ""
            if bad.any():
                if strict:
                    first = int(np.flatnonzero(bad)[0])
                    raise InputError(str(path), str(reasons[first]) + " (--strict stops at the first bad row)",
                                     row=int(rows[first]))
                rej = _raw_for_rejects(raw, bad, columns)
                rej.insert(0, "reason", reasons[bad])
                rej.insert(0, "category", "rejected")
                rej.insert(0, "row", rows[bad])
                rej.insert(0, "file", str(path))
                reject_frames.append(rej)
            good = good.loc[~bad].copy()
            good["__file__"] = len(provisional)
            good["__row__"] = rows[~bad]
            kept_frames.append(good)
            read += len(raw)
            bar.update(len(raw))
        bar.close()
        if read == 0:
            raise InputError(str(path), "no data rows (only a header)")
        provisional.append({"path": str(path), "sha256": _sha256(path), "format": fmt + (".gz" if gz else ""),
                            "read": read})
    frame = pd.concat(kept_frames, ignore_index=True) if kept_frames else pd.DataFrame()
    # Duplicates across all files: the same dedup key (post_id / user_id), or the same row.
    if len(frame):
        value_columns = [c for c in frame.columns if not c.startswith("__")]
        has_key = frame[dedup_key].notna().to_numpy() if dedup_key in frame else np.zeros(len(frame), bool)
        dup_key = np.zeros(len(frame), bool)
        if has_key.any():
            dup_key[has_key] = _duplicated_strings(frame.loc[has_key, dedup_key])
        # Rows with the same post_id are caught above, and identical rows share their post_id, so the
        # (costly) whole-row comparison is only needed among rows without one.
        dup_row = np.zeros(len(frame), bool)
        no_key = ~has_key
        if kind == "interactions" and no_key.any():
            dup_row[no_key] = frame.loc[no_key, value_columns].duplicated(keep="first").to_numpy()
        dup = dup_key | dup_row
        if dup.any():
            key_label = f"same {dedup_key}" if kind == "interactions" else "same user_id"
            dups = frame.loc[dup, value_columns].copy()
            for column in dups.columns:
                dups[column] = _to_text(dups[column].astype(object) if isinstance(dups[column].dtype, pd.CategoricalDtype) else dups[column])
            dups.insert(0, "reason", np.where(dup_key[dup], f"duplicate ({key_label} as an earlier row)",
                                              "duplicate (identical to an earlier row)"))
            dups.insert(0, "category", "duplicate")
            dups.insert(0, "row", frame.loc[dup, "__row__"].to_numpy())
            dups.insert(0, "file", [provisional[i]["path"] for i in frame.loc[dup, "__file__"].to_numpy()]
                        if len(provisional) > 1 else provisional[0]["path"])
            reject_frames.append(dups.reset_index(drop=True))
        file_index = frame["__file__"].to_numpy()
        dup_per_file = np.bincount(file_index[dup], minlength=len(provisional))
        kept_per_file = np.bincount(file_index[~dup], minlength=len(provisional))
        frame = frame.loc[~dup].drop(columns=["__file__", "__row__"]).reset_index(drop=True)
    else:
        dup_per_file = kept_per_file = np.zeros(len(provisional), int)
    rejects = (pd.concat(reject_frames, ignore_index=True) if reject_frames
               else pd.DataFrame(columns=list(REJECT_COLUMNS)))
    files = []
    for i, info in enumerate(provisional):
        in_rejects = int((rejects["file"] == info["path"]).sum()) if len(rejects) else 0
        rejected = in_rejects - int(dup_per_file[i])
        files.append(FileCounts(info["path"], info["sha256"], info["format"], info["read"],
                                int(kept_per_file[i]), rejected, int(dup_per_file[i])))
    if frame.empty:
        first = rejects.iloc[0] if len(rejects) else None
        detail = f"; first problem: row {first['row']}: {first['reason']}" if first is not None else ""
        raise InputError(", ".join(str(p) for p in paths), f"no usable rows: all {sum(f.read for f in files)} "
                                                            f"rows were rejected{detail}")
    return IngestResult(frame=frame, rejects=rejects, files=tuple(files))


def read_interactions(paths: Sequence[str | os.PathLike] | str | os.PathLike, *,
                      column_map: Mapping[str, str] | Sequence[str] | None = None, strict: bool = False,
                      quiet: bool = True, chunk_rows: int = CHUNK_ROWS) -> IngestResult:
    """Read and validate interaction files (``src, dst, kind`` required).

    ``column_map`` maps file columns to canonical names (``{"uid": "src"}``, or CLI-style
    ``["src=uid"]``). Rows with an empty id, unknown kind, unparseable timestamp, non-numeric or
    out-of-range sentiment or a non-positive weight are rejected with their reason; with
    ``strict=True`` the first such row raises :class:`InputError` instead. A missing required
    column, an empty or unreadable file, or bytes that are not UTF-8 always raise.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if column_map is not None and not isinstance(column_map, Mapping):
        column_map = parse_column_map(column_map)
    return _ingest(list(paths), kind="interactions", column_map=column_map, strict=strict, quiet=quiet,
                   chunk_rows=chunk_rows)


def read_users(path: str | os.PathLike, *, column_map: Mapping[str, str] | Sequence[str] | None = None,
               strict: bool = False, quiet: bool = True, chunk_rows: int = CHUNK_ROWS) -> IngestResult:
    """Read and validate a users table (``user_id`` required; ``display_name, followers, verified``)."""
    if column_map is not None and not isinstance(column_map, Mapping):
        column_map = parse_column_map(column_map)
    return _ingest([path], kind="users", column_map=column_map, strict=strict, quiet=quiet, chunk_rows=chunk_rows)
