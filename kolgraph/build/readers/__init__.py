"""Validated ingest of interaction and user tables and of platform exports.

Generic tables: CSV, TSV, JSON Lines / JSON, Parquet (plain or gzip; UTF-8 with or without BOM,
UTF-16 with BOM or GB18030). Platform exports (twarc2, Twitter v1.1, Weibo crawlers) are read by
:mod:`kolgraph.build.importers` and accounted for the same way.

Every input row ends in exactly one of three places: kept, rejected (with file, row and reason,
written to a rejects table) or dropped as a duplicate (also counted and written there), so
``kept + rejected + duplicate == read`` always holds, per file and in total. Timestamps become
float epoch seconds (UTC; NaN when absent). Validation is vectorised per chunk.

Modules: :mod:`.source` (opening, hashing, decode errors), :mod:`.delimited`, :mod:`.jsonl`,
:mod:`.parquet` (raw chunks), :mod:`.validate` (vectorised checks), :mod:`.accounting`
(kept/rejected/duplicate bookkeeping).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import pandas as pd

from ...errors import InputError
from ..formats import Detected, detect_input, format_from_name
from .accounting import INTERACTION_COLUMNS, REJECT_COLUMNS, FileCounts, IngestResult, Source, ingest_sources
from .delimited import iter_delimited
from .jsonl import iter_jsonl
from .parquet import iter_parquet
from .source import check_readable, sha256_of

__all__ = [
    "FileCounts",
    "IngestResult",
    "Source",
    "read_interactions",
    "read_users",
    "read_inputs",
    "generic_source",
    "detect_format",
    "parse_column_map",
    "REJECT_COLUMNS",
    "INTERACTION_COLUMNS",
    "CHUNK_ROWS",
]

#: Rows validated at a time; bounds peak memory of the raw string columns.
CHUNK_ROWS = 1_000_000


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
    """(format, gzipped) of a generic table from its name: csv, tsv, jsonl or parquet (+ ``.gz``).

    ``.json`` reads as JSON records and ``.txt`` as a delimited table (see :mod:`kolgraph.build.formats`).
    """
    fmt, gz = format_from_name(path)
    return {"json": "jsonl", "text": "csv"}.get(fmt, fmt), gz


def _chunks(path: Path, fmt: str, gz: bool, encoding: str, chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    if fmt in ("csv", "tsv", "text"):
        sep = "\t" if fmt == "tsv" else ","
        return iter_delimited(path, gz, sep, chunk_rows, encoding)
    if fmt in ("jsonl", "json"):
        return iter_jsonl(path, gz, chunk_rows, encoding)
    return iter_parquet(path, gz, chunk_rows)


def generic_source(path: Path, detected: Detected | None = None, *, chunk_rows: int = CHUNK_ROWS,
                   default_tz: str = "UTC") -> Source:
    """A generic table as a :class:`Source` (format from the name, checked against the content)."""
    if detected is None:
        fmt, gz = detect_format(path)
        check_readable(path, gz)
        detected = detect_input(path)
        if detected.format in ("csv", "tsv", "jsonl", "json", "parquet") or fmt == "parquet":
            detected = Detected(fmt if fmt != "jsonl" or detected.format != "json" else "json",
                                gz or detected.gz, detected.encoding, detected.reason)
    else:
        check_readable(path, detected.gz)
    fmt, gz, encoding = detected.format, detected.gz, detected.encoding or "utf-8"
    if encoding == "utf-8" and fmt in ("csv", "tsv", "text"):
        encoding = "utf-8-sig"
    return Source(path=str(path), sha256=sha256_of(path), format=fmt + (".gz" if gz else ""),
                  encoding=detected.encoding, chunks=lambda: _chunks(path, fmt, gz, encoding, chunk_rows),
                  default_tz=default_tz)


def read_interactions(paths: Sequence[str | os.PathLike] | str | os.PathLike, *,
                      column_map: Mapping[str, str] | Sequence[str] | None = None, strict: bool = False,
                      quiet: bool = True, chunk_rows: int = CHUNK_ROWS, timezone: str | None = None) -> IngestResult:
    """Read and validate generic interaction tables (``src, dst, kind`` required).

    ``column_map`` maps file columns to canonical names (``{"uid": "src"}``, or CLI-style
    ``["src=uid"]``). Rows with an empty or control-character id, unknown kind, unparseable or
    implausible timestamp, non-numeric or out-of-range sentiment or a non-positive weight are
    rejected with their reason; with ``strict=True`` the first such row raises
    :class:`InputError` instead. A missing required column, a duplicate header name, an empty or
    unreadable file, or bytes in no supported encoding always raise. Times without an offset are
    read in ``timezone`` (UTC when not given, with a warning in the result).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if column_map is not None and not isinstance(column_map, Mapping):
        column_map = parse_column_map(column_map)
    if not paths:
        raise InputError("(no input)", "no input files given")
    sources = [generic_source(Path(p), chunk_rows=chunk_rows, default_tz=timezone or "UTC") for p in paths]
    return ingest_sources(sources, kind="interactions", column_map=column_map, strict=strict, quiet=quiet,
                          tz_given=timezone is not None)


def read_users(path: str | os.PathLike, *, column_map: Mapping[str, str] | Sequence[str] | None = None,
               strict: bool = False, quiet: bool = True, chunk_rows: int = CHUNK_ROWS) -> IngestResult:
    """Read and validate a users table (``user_id`` required; ``display_name, followers, verified``)."""
    if column_map is not None and not isinstance(column_map, Mapping):
        column_map = parse_column_map(column_map)
    return ingest_sources([generic_source(Path(path), chunk_rows=chunk_rows)], kind="users",
                          column_map=column_map, strict=strict, quiet=quiet)


def read_inputs(paths: Sequence[str | os.PathLike], *, users_path: str | os.PathLike | None = None,
                column_map: Mapping[str, str] | Sequence[str] | None = None,
                user_column_map: Mapping[str, str] | Sequence[str] | None = None, strict: bool = False,
                quiet: bool = True, input_format: str | None = None, timezone: str | None = None,
                reference_time: float | None = None, chunk_rows: int = CHUNK_ROWS
                ) -> tuple[IngestResult, IngestResult | None]:
    """``kolgraph build``'s reader: detect each input (or use ``input_format``), read generic tables
    and platform exports alike, and return (interactions, users or None).

    Users come from ``users_path`` and from the exports themselves (names, followers, verified);
    the users table wins where both describe a user.
    """
    from ..importers import read_all

    return read_all(paths, users_path=users_path, column_map=column_map, user_column_map=user_column_map,
                    strict=strict, quiet=quiet, input_format=input_format, timezone=timezone,
                    reference_time=reference_time, chunk_rows=chunk_rows)
