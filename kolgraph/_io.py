"""Atomic file output: write to a temporary file beside the target, then rename.

A crash mid-write leaves the previous file (or nothing) in place, never a half-written one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

__all__ = ["atomic_path", "write_text", "write_json", "write_table", "read_table", "json_default", "TABLE_FORMATS"]

TABLE_FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto ``path`` if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write JSON (UTF-8, indented, non-ASCII kept) atomically."""
    return write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, default=json_default) + "\n")


def json_default(obj: Any) -> Any:
    """``json.dumps(default=...)`` for numpy scalars and arrays, sets, timestamps and paths (NaN -> null)."""
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (tuple, set, frozenset)):
        return list(obj)
    if isinstance(obj, (pd.Timestamp,)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    from .build.formats import format_from_name  # the one file-name rule (kolgraph.build.formats)
    from .errors import InputError

    try:
        ext = format_from_name(path)[0]
    except InputError:
        ext = ""
    if ext not in TABLE_FORMATS:
        raise ValueError(f"{path}: unknown table format {ext or path.suffix.lstrip('.')!r}; "
                         f"use one of {', '.join(TABLE_FORMATS)}")
    return ext


def write_table(df: pd.DataFrame, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write a frame as CSV, TSV, JSON (records), JSONL or Parquet, chosen by extension, atomically."""
    path = Path(path)
    fmt = _format_of(path, fmt)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt == "csv":
            df.to_csv(tmp, index=False, encoding="utf-8")
        elif fmt == "tsv":
            df.to_csv(tmp, index=False, sep="\t", encoding="utf-8")
        elif fmt == "json":
            tmp.write_text(df.to_json(orient="records", force_ascii=False, indent=2), encoding="utf-8")
        else:
            df.to_json(tmp, orient="records", lines=True, force_ascii=False)
    return path


def read_table(path: str | os.PathLike, fmt: str | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table`."""
    path = Path(path)
    fmt = _format_of(path, fmt)
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt in ("csv", "tsv"):
        return pd.read_csv(path, sep="\t" if fmt == "tsv" else ",", encoding="utf-8-sig")
    if fmt == "json":
        return pd.read_json(path, orient="records")
    return pd.read_json(path, orient="records", lines=True)
