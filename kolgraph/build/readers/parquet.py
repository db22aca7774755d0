"""Parquet reading in record batches: integers exact (nullable, never via float), timestamps as
epoch seconds, and one-line errors for columns a table of interactions cannot hold."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...errors import InputError
from .source import READ_ERRORS, read_failure

__all__ = ["iter_parquet", "arrow_to_series"]

_INT_DTYPES = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


def iter_parquet(path: Path, gz: bool, chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    try:
        source = io.BytesIO(gzip.open(path, "rb").read()) if gz else path
        pf = pq.ParquetFile(source)
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(str(path), f"not a readable Parquet file: {exc}") from None
    seen: set[str] = set()
    dups = [n for n in pf.schema_arrow.names if n.strip() in seen or seen.add(n.strip())]
    if dups:
        raise InputError(str(path), f"header: column name(s) {', '.join(sorted(set(dups)))} appear more than once")
    offset = 1
    try:
        for batch in pf.iter_batches(batch_size=chunk_rows):
            columns = {name: arrow_to_series(array, path, name)
                       for name, array in zip(batch.schema.names, batch.columns)}
            frame = pd.DataFrame(columns)
            yield offset, frame
            offset += len(frame)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(str(path), f"not a readable Parquet file: {exc}") from None


def arrow_to_series(array: pa.Array, path: Path, name: str) -> pd.Series:
    """Arrow column -> pandas: integers as exact nullable integers, timestamps as epoch seconds,
    text as strings; nested and binary columns are an :class:`InputError` naming the column."""
    t = array.type
    if pa.types.is_dictionary(t):
        array = array.cast(t.value_type)
        t = array.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        seconds = pc.cast(pc.cast(array, pa.timestamp("us", tz="UTC") if pa.types.is_timestamp(t) and t.tz
                                  else pa.timestamp("us")), pa.int64())
        return pd.Series(seconds.to_numpy(zero_copy_only=False), dtype="float64") / 1e6
    if pa.types.is_integer(t):
        return pd.Series(array.to_pandas(types_mapper=_INT_DTYPES.get))
    if pa.types.is_floating(t) or pa.types.is_boolean(t):
        return array.to_pandas()
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return pd.Series(pc.cast(array, pa.string()).to_pandas(), dtype="str" if not pa.types.is_null(t) else object)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        raise InputError(str(path), f"column {name!r} holds binary values ({t}); store ids and text as strings")
    if pa.types.is_nested(t):
        raise InputError(str(path), f"column {name!r} holds nested values ({t}); give one value per cell")
    try:
        return pd.Series(pc.cast(array, pa.string()).to_pandas(), dtype="str")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(str(path), f"column {name!r} has an unsupported type ({t})") from None
