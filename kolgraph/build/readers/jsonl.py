"""JSON Lines (and one-document ``.json``) reading in chunks, ids kept as exact text.

Lines are parsed with orjson (falling back to the standard parser for integers beyond 64 bits).
Values are held as Python objects until :func:`~kolgraph.build.readers.validate.to_text`, so a
19-digit integer id keeps every digit even when the column has nulls (pandas would make it float).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import orjson
import pandas as pd

from ...errors import InputError
from .source import READ_ERRORS, bad_encoding_error, open_binary, read_failure

__all__ = ["iter_jsonl", "loads", "iter_json_lines", "parse_json_line", "is_whole_document"]


_HUGE_INT = re.compile(rb"[:\[,]\s*-?\d{20}")


def loads(raw: bytes | str, *, huge_ints: bool = True) -> Any:
    """Parse one JSON document; big integers keep their exact value (orjson turns integers beyond
    64 bits into floats, so a document holding one goes to the standard parser). ``huge_ints=False``
    skips that check for formats whose ids are strings or fit 64 bits (platform exports)."""
    data = raw.encode() if isinstance(raw, str) else raw
    if huge_ints and _HUGE_INT.search(data):
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "Integer" in str(exc) or "integer" in str(exc):
            return json.loads(raw)
        raise


def is_whole_document(first: bytes, codec: str) -> bool:
    """Whether a file starting with ``first`` is one JSON document (an array, or a pretty-printed
    object) rather than JSON Lines."""
    if codec != "utf-8":
        return False
    stripped = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1] == b"[" or (stripped[:1] == b"{" and b"\n" in stripped.rstrip()
                                    and not _parses(stripped.split(b"\n", 1)[0]))


def parse_json_line(raw: bytes, lineno: int, path: Path, gz: bool, encoding: str = "utf-8", *,
                    huge_ints: bool = True) -> tuple[Any, str]:
    """(parsed value or None, error) of one line; bytes that do not decode stop the build."""
    codec = "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        line = raw.decode("utf-8-sig" if lineno == 1 and codec == "utf-8" else codec).strip()
    except UnicodeDecodeError:
        raise bad_encoding_error(path, gz, encoding) from None
    if not line:
        return None, "blank line"
    try:
        return loads(line, huge_ints=huge_ints), ""
    except (orjson.JSONDecodeError, json.JSONDecodeError) as exc:
        return None, f"not valid JSON: {_msg(exc)}"


def iter_json_lines(path: Path, gz: bool, encoding: str = "utf-8", *, huge_ints: bool = True
                    ) -> Iterator[tuple[int, Any, str]]:
    """Yield (line number, parsed value or None, error) for every line of a JSON Lines file.

    A whole-file JSON array or a pretty-printed single object is one record per element.
    """
    codec = "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        with open_binary(path, gz) as fh:
            first = fh.read(1 << 16)
            fh.seek(0)
            if is_whole_document(first, codec):
                yield from _whole_document(path, fh.read())
                return
            for lineno, raw in enumerate(fh, start=1):
                value, error = parse_json_line(raw, lineno, path, gz, encoding, huge_ints=huge_ints)
                yield lineno, value, error
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None


def _parses(raw: bytes) -> bool:
    try:
        loads(raw)
        return True
    except ValueError:
        return False


def _whole_document(path: Path, data: bytes) -> Iterator[tuple[int, Any, str]]:
    try:
        value = loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"not valid JSON: {_msg(exc)}") from None
    items = value if isinstance(value, list) else [value]
    for number, item in enumerate(items, start=1):
        yield number, item, ""


def _msg(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc).split(":", 1)[0]


def iter_jsonl(path: Path, gz: bool, chunk_rows: int, encoding: str = "utf-8"
               ) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield (first_row_number, frame of raw values) chunks; row = line (or array element)."""
    rows: list[dict] = []
    errors: list[str] = []
    offset = 1
    for _, value, error in iter_json_lines(path, gz, encoding):
        if not error and not isinstance(value, dict):
            error = f"expected a JSON object, got {_json_type(value)}"
        rows.append(value if not error else {})
        errors.append(error)
        if len(rows) >= chunk_rows:
            yield offset, records_frame(rows, errors)
            offset += len(rows)
            rows, errors = [], []
    if rows or offset == 1:
        yield offset, records_frame(rows, errors)


def _json_type(value) -> str:
    return {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


def records_frame(rows: list[dict], errors: list[str]) -> pd.DataFrame:
    """Records -> a frame of object columns (no numeric inference: ids stay exact)."""
    frame = pd.DataFrame.from_records(rows, coerce_float=False) if rows else pd.DataFrame()
    frame = frame.reindex(range(len(rows)))
    for column in frame.columns:
        if frame[column].dtype != object:
            frame[column] = pd.Series([r.get(column) for r in rows], dtype=object)
    frame["__parse_error__"] = errors
    return frame
