"""Atomic file output: write to a temporary file beside the target, then rename.

A crash mid-write leaves the previous file (or nothing) in place, never a half-written one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

__all__ = ["atomic_path", "write_text", "write_json", "write_table", "read_table", "json_default", "TABLE_FORMATS",
           "spreadsheet_safe", "write_csv_for_people", "FORMULA_PREFIXES", "to_jsonable", "dumps"]

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
    return write_text(path, dumps(obj) + "\n")


def json_default(obj: Any) -> Any:
    """``json.dumps(default=...)``: numpy scalars and arrays, sets, timestamps and paths (NaN/inf -> null).

    The one JSON encoder of the project (analysis.json, manifests, what-if and score outputs, --json).
    """
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (tuple, set, frozenset)):
        return to_jsonable(list(obj))
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def to_jsonable(obj: Any) -> Any:
    """Plain JSON values for ``obj`` (nested mappings/lists; numpy values; NaN and inf become None)."""
    if isinstance(obj, dict) or hasattr(obj, "items") and not isinstance(obj, (pd.DataFrame, pd.Series)):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return to_jsonable(json_default(obj))


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``obj`` through :func:`to_jsonable` (valid JSON: no NaN, non-ASCII kept)."""
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent, allow_nan=False)


#: A text cell starting with one of these is read as a formula by spreadsheets (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that start with ``= + - @ TAB CR`` get a leading ``'`` (OWASP's rule).

    Only text columns change (numbers stay numbers, so ``-0.5`` in a float column is untouched);
    vectorised with Arrow. Every CSV/TSV/XLSX kolgraph writes for people goes through here.
    """
    out = df.copy(deep=False)  # copy-on-write: columns replaced below leave ``df`` as it is
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        elif not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
            continue
        if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "mixed", "mixed-integer"):
            continue  # no text cells (all numbers, booleans or missing)
        risky = series.str.match(_FORMULA_PATTERN, na=False).to_numpy(dtype=bool, na_value=False) \
            if len(series) else np.zeros(0, dtype=bool)
        if risky.any():
            out[column] = series.astype(object).where(~risky, "'" + series[risky].astype(str))
    return out


def write_csv_for_people(df: pd.DataFrame, path: str | os.PathLike, *, sep: str = ",", bom: bool = False) -> Path:
    """CSV/TSV for people (UTF-8, optional BOM for Excel), spreadsheet-safe, atomically, via Arrow's writer."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(spreadsheet_safe(df), preserve_index=False)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            if bom:
                fh.write("\ufeff".encode("utf-8"))
            pacsv.write_csv(table, fh, write_options=pacsv.WriteOptions(delimiter=sep))
    return Path(path)


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
            spreadsheet_safe(df).to_csv(tmp, index=False, encoding="utf-8")
        elif fmt == "tsv":
            spreadsheet_safe(df).to_csv(tmp, index=False, sep="\t", encoding="utf-8")
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
