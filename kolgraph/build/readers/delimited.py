"""CSV / TSV reading in chunks, with exact row numbers whatever chunk a malformed row falls in.

The fast path is pandas' C parser. When it meets a malformed row (wrong field count, broken
quoting) the rows already yielded stay counted and the csv module takes over *from the first row
not yet yielded*, so a bad row after the first million never re-reads the file from row 1.
Blank lines are rows (rejected as blank), the same on both paths.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import pandas as pd

from ...errors import InputError
from .source import READ_ERRORS, bad_encoding_error, open_binary, read_failure

__all__ = ["iter_delimited", "read_header"]


def read_header(path: Path, gz: bool, sep: str, encoding: str) -> tuple[list[str], int | None]:
    """The header row, checked for duplicate names (after trimming spaces), and the field count of
    the first data row (None when there is none)."""
    with io.TextIOWrapper(open_binary(path, gz), encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(str(path), "the file is empty (no header row)") from None
        except csv.Error:
            header, first = [], None
        else:
            try:
                first = len(next(reader))
            except (StopIteration, csv.Error):
                first = None
    names = [h.strip().lstrip("\ufeff") for h in header]
    seen: set[str] = set()
    dups = [n for n in names if n in seen or seen.add(n)]
    if dups:
        raise InputError(str(path), f"header: column name(s) {', '.join(sorted(set(dups)))} appear more than once; "
                                    "rename them so each column has one name")
    return names, first


def iter_delimited(path: Path, gz: bool, sep: str, chunk_rows: int, encoding: str = "utf-8-sig"
                   ) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield (first_row_number, frame of raw strings) chunks; row 1 is the first data row."""
    try:
        header, first_width = read_header(path, gz, sep, encoding)
    except UnicodeDecodeError:
        raise bad_encoding_error(path, gz, encoding) from None
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None
    if first_width is not None and first_width > len(header):
        # pandas would silently take the first column of such a file as its index: read it exactly.
        yield from iter_tolerant(path, gz, sep, chunk_rows, encoding, skip=0)
        return
    opts = dict(sep=sep, index_col=False, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding,
                compression="gzip" if gz else None, skip_blank_lines=False)
    offset = 1
    try:
        for chunk in pd.read_csv(path, chunksize=chunk_rows, **opts):
            yield offset, chunk
            offset += len(chunk)
    except UnicodeDecodeError:
        raise bad_encoding_error(path, gz, encoding) from None
    except pd.errors.EmptyDataError:
        raise InputError(str(path), "the file is empty (no header row)") from None
    except pd.errors.ParserError:
        yield from iter_tolerant(path, gz, sep, chunk_rows, encoding, skip=offset - 1)
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None


def iter_tolerant(path: Path, gz: bool, sep: str, chunk_rows: int, encoding: str, skip: int
                  ) -> Iterator[tuple[int, pd.DataFrame]]:
    """The csv module from data row ``skip + 1`` on, rejecting malformed rows with their line."""
    text = io.TextIOWrapper(open_binary(path, gz), encoding=encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=sep)
        header = [h.strip() for h in next(reader)]
        width = len(header)
        rows: list[list[str]] = []
        bad: list[str] = []
        offset = skip + 1
        for row_number, row in enumerate(reader, start=1):
            if row_number <= skip:
                continue
            if len(row) == width:
                rows.append(row)
                bad.append("")
            elif not any(cell.strip() for cell in row):
                rows.append([""] * width)
                bad.append("blank row")
            else:
                rows.append([""] * width)
                bad.append(f"expected {width} fields, found {len(row)} (line {reader.line_num}); "
                           "check quoting and delimiters")
            if len(rows) >= chunk_rows:
                yield offset, _frame(rows, header, bad)
                offset += len(rows)
                rows, bad = [], []
        if rows:
            yield offset, _frame(rows, header, bad)
    except UnicodeDecodeError:
        raise bad_encoding_error(path, gz, encoding) from None
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None
    finally:
        text.close()


def _frame(rows: list[list[str]], header: list[str], bad: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame["__parse_error__"] = bad
    return frame
